import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Inventory, Product, ProductText, Stock
from catalog.services import stock_adjust_many
from changes.origin import Origin
from orders.models import JournalEntry, Order, OrderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def shirt(account_a):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    product = Product.objects.create(account=account_a, inventory=inventory, sku="SHIRT", ean="5901234123457")
    ProductText.objects.create(product=product, language=inventory.default_language, name="Koszulka")
    stock_adjust_many(
        origin=Origin.system(), account=account_a, changes=[(product.pk, inventory.default_warehouse_id, 10)]
    )
    return product


def _stock(product) -> int:
    return Stock.objects.get(product=product).quantity


def _order(api, lines, **fields):
    return api.post(
        reverse("api:order-list"), {"email": "kupujacy@example.test", "lines": lines, **fields}, format="json"
    )


def test_a_catalog_line_takes_stock_and_the_order_is_journaled(api_a, shirt):
    response = _order(api_a, [{"product": shirt.pk, "quantity": 3, "price_brutto": "49.90"}])
    assert response.status_code == 201, response.json()
    body = response.json()
    line = body["lines"][0]
    assert (line["sku"], line["name"], line["ean"], line["quantity"]) == (
        "SHIRT",
        "Koszulka",
        "5901234123457",
        3,
    )
    assert _stock(shirt) == 7
    order = Order.objects.get(pk=body["id"])
    assert order.status.kind == "new" and order.currency == "PLN"
    # Sent in by hand, so confirmed (as addOrder's orders are).
    assert list(order.journal.values_list("type", flat=True)) == [
        JournalEntry.Type.ORDER_CREATED,
        JournalEntry.Type.ORDER_CONFIRMED,
    ]


def test_a_shortfall_lists_every_short_line_and_creates_nothing(api_a, account_a, shirt):
    inventory = Inventory.objects.get(account=account_a)
    cap = Product.objects.create(account=account_a, inventory=inventory, sku="CAP")
    response = _order(
        api_a,
        [
            {"product": shirt.pk, "quantity": 11, "price_brutto": "49.90"},
            {"product": cap.pk, "quantity": 1, "price_brutto": "19.90"},
        ],
    )
    assert response.status_code == 400 and "SHIRT" in response.json()["errors"]["lines"][0]
    short = {(row["sku"], row["requested"], row["available"]) for row in response.json()["shortfall"]}
    assert short == {("SHIRT", 11, 10), ("CAP", 1, 0)}
    assert not Order.objects.exists() and _stock(shirt) == 10


def test_cancelling_returns_stock_and_reopening_takes_it_again(api_a, account_a, shirt):
    order = _order(api_a, [{"product": shirt.pk, "quantity": 4, "price_brutto": "49.90"}]).json()
    cancelled = OrderStatus.objects.get(account=account_a, kind="cancelled")
    new = OrderStatus.objects.get(account=account_a, kind="new")
    url = reverse("api:order-set-status", args=[order["id"]])
    assert api_a.post(url, {"status": cancelled.pk}, format="json").status_code == 200
    assert _stock(shirt) == 10
    assert (
        api_a.post(url, {"status": cancelled.pk}, format="json").status_code == 200
    )  # no-op, no double return
    assert _stock(shirt) == 10
    assert api_a.post(url, {"status": new.pk}, format="json").status_code == 200
    assert _stock(shirt) == 6
    types = list(JournalEntry.objects.filter(order_id=order["id"]).values_list("type", "object_id"))
    assert types == [(1, 0), (2, 0), (18, cancelled.pk), (18, new.pk)]


def test_free_lines_need_a_name_and_orders_need_lines(api_a):
    assert _order(api_a, []).status_code == 400
    response = _order(api_a, [{"quantity": 1, "price_brutto": "5.00"}])
    assert response.status_code == 400 and "lines" in response.json()["errors"]
    ok = _order(api_a, [{"name": "Gift wrapping", "quantity": 1, "price_brutto": "5.00"}])
    assert ok.status_code == 201 and ok.json()["lines"][0]["name"] == "Gift wrapping"


def test_bad_numbers_and_another_accounts_refs_get_field_messages(api_a, account_b, shirt):
    status_b = OrderStatus.objects.filter(account=account_b).first()
    response = _order(
        api_a,
        [{"product": shirt.pk, "quantity": 0, "price_brutto": "-1"}],
        status=status_b.pk,
        currency="ABC",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"lines", "status", "currency"} <= set(errors)
    assert not Order.objects.exists()


def test_journal_is_read_from_a_given_id_onwards(api_a, shirt, account_a):
    first = _order(api_a, [{"product": shirt.pk, "quantity": 1, "price_brutto": "1.00"}]).json()
    second = _order(api_a, [{"product": shirt.pk, "quantity": 1, "price_brutto": "1.00"}]).json()
    entries = api_a.get(reverse("api:journal-list")).json()["results"]
    # Each order: created, confirmed.
    assert [e["order_id"] for e in entries] == [first["id"], first["id"], second["id"], second["id"]]
    later = api_a.get(reverse("api:journal-list") + f"?from_id={entries[2]['log_id']}").json()["results"]
    assert [e["order_id"] for e in later] == [second["id"], second["id"]]
    assert api_a.get(reverse("api:journal-list") + "?from_id=x").status_code == 400


def test_order_list_with_lines_uses_a_constant_number_of_queries(api_a, shirt):
    for _n in range(12):
        _order(
            api_a,
            [
                {"name": "A", "quantity": 1, "price_brutto": "1"},
                {"name": "B", "quantity": 2, "price_brutto": "2"},
            ],
        )

    def queries(size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api_a.get(reverse("api:order-list") + f"?page_size={size}")
        assert len(response.json()["results"]) == size
        assert all(len(order["lines"]) == 2 for order in response.json()["results"])
        return len(captured)

    assert queries(2) == queries(12)


def test_statuses_exist_from_account_creation(api_a):
    names = [s["name"] for s in api_a.get(reverse("api:orderstatus-list")).json()]
    assert names[0] == "New orders" and "Sent" in names and "Cancelled" in names
