"""Editing orders after creation: fields, lines, payment, technical orders, extra fields."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Inventory, Product, ProductText, Stock
from catalog.services import stock_adjust_many
from changes.origin import Origin
from orders.models import JournalEntry, Order, OrderExtraField, OrderStatus
from orders.services import order_create
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db
T = JournalEntry.Type


@pytest.fixture
def mug(account_a):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    product = Product.objects.create(account=account_a, inventory=inventory, sku="MUG", weight=Decimal("0.4"))
    ProductText.objects.create(product=product, language=inventory.default_language, name="Kubek")
    stock_adjust_many(
        origin=Origin.system(), account=account_a, changes=[(product.pk, inventory.default_warehouse_id, 10)]
    )
    return product


def _stock(product) -> int:
    return Stock.objects.get(product=product).quantity


def _types(order) -> list[int]:
    return list(JournalEntry.objects.filter(order=order).order_by("id").values_list("type", flat=True))


def _free_order(account, currency="PLN", **fields):
    return order_create(
        account=account,
        lines=[{"name": "Usługa", "quantity": 2, "price_brutto": Decimal("50.00")}],
        currency=currency,
        **fields,
        origin=TEST_ORIGIN,
    )


def test_patch_journals_delivery_invoice_and_other_fields_separately(api_a, account_a):
    order = _free_order(account_a)
    response = api_a.patch(
        reverse("api:order-detail", args=[order.pk]),
        {
            "delivery_city": "Kraków",
            "invoice_nip": "PL5260250274",
            "admin_comments": "VIP",
            "confirmed": True,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["delivery_city"] == "Kraków" and response.json()["confirmed"] is True
    order.refresh_from_db()
    assert order.date_confirmed is not None
    types = _types(order)
    assert types[0] == T.ORDER_CREATED
    assert set(types[1:]) == {T.DELIVERY_EDITED, T.INVOICE_EDITED, T.ORDER_EDITED, T.ORDER_CONFIRMED}
    delivery = JournalEntry.objects.get(order=order, type=T.DELIVERY_EDITED)
    assert delivery.data["fields"]["delivery_city"] == ["", "Kraków"]


def test_patch_refuses_status_and_bad_values_with_field_messages(api_a, account_a):
    order = _free_order(account_a)
    other = OrderStatus.objects.filter(account=account_a).exclude(pk=order.status_id).first()
    url = reverse("api:order-detail", args=[order.pk])
    assert "status" in api_a.patch(url, {"status": other.pk}, format="json").json()["errors"]
    bad = api_a.patch(url, {"delivery_price": "-5"}, format="json")
    assert bad.status_code == 400 and "delivery_price" in bad.json()["errors"]
    order.refresh_from_db()
    assert order.status_id != other.pk and order.delivery_price == 0
    assert _types(order) == [T.ORDER_CREATED]


def test_lines_added_changed_and_removed_move_stock(api_a, account_a, mug):
    order = _free_order(account_a)
    add = api_a.post(
        reverse("api:orderline-list"),
        {"order": order.pk, "product": mug.pk, "quantity": 3, "price_brutto": "29.00"},
        format="json",
    )
    assert add.status_code == 201, add.json()
    assert add.json()["name"] == "Kubek" and add.json()["reserved"] == 3
    assert _stock(mug) == 7
    line_url = reverse("api:orderline-detail", args=[add.json()["id"]])
    assert api_a.patch(line_url, {"quantity": 5}, format="json").status_code == 200
    assert _stock(mug) == 5
    short = api_a.patch(line_url, {"quantity": 50}, format="json")
    assert short.status_code == 400 and "MUG" in short.json()["errors"]["lines"][0]
    assert _stock(mug) == 5
    assert api_a.delete(line_url).status_code == 204
    assert _stock(mug) == 10
    assert _types(order)[1:] == [T.PRODUCT_ADDED, T.PRODUCT_EDITED, T.PRODUCT_REMOVED]


def test_reservation_off_leaves_stock_alone(api_a, account_a, mug):
    account_a.stock_reservation = False
    account_a.save()
    response = api_a.post(
        reverse("api:order-list"),
        {"lines": [{"product": mug.pk, "quantity": 30, "price_brutto": "29.00"}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert _stock(mug) == 10


def test_payment_reaching_the_total_journals_order_paid(api_a, account_a):
    order = _free_order(account_a, delivery_price=Decimal("15.00"))  # total 115.00
    url = reverse("api:order-payment", args=[order.pk])
    assert api_a.post(url, {"payment_done": "100.00"}, format="json").status_code == 200
    assert T.ORDER_PAID not in _types(order)
    paid = api_a.get(reverse("api:order-list") + "?paid=true").json()["results"]
    assert order.pk not in [o["id"] for o in paid]
    response = api_a.post(url, {"payment_done": "115.00"}, format="json")
    assert response.json()["payment_done"] == "115.00"
    assert _types(order).count(T.ORDER_PAID) == 1
    paid = api_a.get(reverse("api:order-list") + "?paid=true").json()["results"]
    assert [o["id"] for o in paid] == [order.pk]
    negative = api_a.post(url, {"payment_done": "-1"}, format="json")
    assert negative.status_code == 400 and "payment_done" in negative.json()["errors"]


def test_merge_makes_a_technical_order_without_touching_stock(api_a, account_a, mug):
    first = order_create(
        account=account_a,
        lines=[{"product": mug, "quantity": 2, "price_brutto": Decimal("29")}],
        delivery_fullname="Jan Kowalski",
        invoice_company="Kowalski Sp. z o.o.",
        origin=TEST_ORIGIN,
    )
    second = _free_order(account_a, delivery_fullname="Someone Else")
    stock_before = _stock(mug)
    response = api_a.post(
        reverse("api:order-merge"), {"orders": [first.pk, second.pk], "main": first.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["is_technical"] is True
    assert body["delivery_fullname"] == "Jan Kowalski" and body["invoice_company"] == "Kowalski Sp. z o.o."
    assert sorted((line["name"], line["quantity"]) for line in body["lines"]) == [("Kubek", 2), ("Usługa", 2)]
    assert _stock(mug) == stock_before
    technical = Order.objects.get(pk=body["id"])
    assert set(technical.merged_from.values_list("pk", flat=True)) == {first.pk, second.pk}
    merged = JournalEntry.objects.get(order=first, type=T.ORDERS_MERGED)
    assert merged.object_id == technical.pk
    # Cancelling the technical order gives nothing back: it took nothing.
    cancelled = OrderStatus.objects.get(account=account_a, kind="cancelled")
    api_a.post(reverse("api:order-set-status", args=[technical.pk]), {"status": cancelled.pk}, format="json")
    assert _stock(mug) == stock_before


def test_merge_in_different_currencies_is_refused(api_a, account_a):
    pln, eur = _free_order(account_a), _free_order(account_a, currency="EUR")
    response = api_a.post(
        reverse("api:order-merge"), {"orders": [pln.pk, eur.pk], "main": pln.pk}, format="json"
    )
    assert response.status_code == 400
    assert "EUR, PLN" in response.json()["errors"]["orders"][0]
    assert not Order.objects.filter(is_technical=True).exists()


def test_extra_fields_are_checked_by_kind(api_a, account_a):
    gift = OrderExtraField.objects.create(account=account_a, name="Gift wrap", kind="checkbox")
    size = OrderExtraField.objects.create(account=account_a, name="Box", kind="select", options=["S", "M"])
    when = OrderExtraField.objects.create(account=account_a, name="Deliver on", kind="date")
    order = _free_order(account_a)
    url = reverse("api:order-detail", args=[order.pk])
    ok = api_a.patch(
        url,
        {"custom_extra_fields": {str(gift.pk): True, str(size.pk): "M", str(when.pk): "2026-12-24"}},
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["custom_extra_fields"] == {
        str(gift.pk): True,
        str(size.pk): "M",
        str(when.pk): "2026-12-24",
    }
    bad = api_a.patch(
        url, {"custom_extra_fields": {str(size.pk): "XXL", str(when.pk): "tomorrow"}}, format="json"
    )
    assert bad.status_code == 400
    messages = " ".join(bad.json()["errors"]["custom_extra_fields"])
    assert "XXL" in messages and "tomorrow" in messages
    order.refresh_from_db()
    assert order.custom_extra_fields[str(size.pk)] == "M"


def test_search_finds_orders_by_id_email_name_and_phone(api_a, account_a):
    order = _free_order(
        account_a, email="anna@example.test", delivery_fullname="Anna Nowak", phone="+48 600 100 200"
    )
    _free_order(account_a, email="other@example.test")
    url = reverse("api:order-list")
    for text in (f"#{order.pk}", "anna@example", "nowak", "600 100"):
        found = [o["id"] for o in api_a.get(url, {"search": text}).json()["results"]]
        assert found == [order.pk], text


def test_bulk_status_moves_each_order_and_reports_the_ones_that_cannot(api_a, account_a, mug):
    cancelled = OrderStatus.objects.get(account=account_a, kind="cancelled")
    sent = OrderStatus.objects.get(account=account_a, kind="sent")
    takes_all = order_create(
        account=account_a,
        lines=[{"product": mug, "quantity": 10, "price_brutto": Decimal("1")}],
        origin=TEST_ORIGIN,
    )
    from orders.services import order_set_status

    order_set_status(order=takes_all, status=cancelled, origin=TEST_ORIGIN)  # gives the 10 back
    order_create(
        account=account_a,
        lines=[{"product": mug, "quantity": 10, "price_brutto": Decimal("1")}],
        origin=TEST_ORIGIN,
    )
    free = _free_order(account_a)
    response = api_a.post(
        reverse("api:order-bulk-status"),
        {"orders": [takes_all.pk, free.pk], "status": sent.pk},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["done"] == [free.pk]
    assert "MUG" in response.json()["failed"][str(takes_all.pk)]
    takes_all.refresh_from_db()
    assert takes_all.status_id == cancelled.pk


def test_an_order_sent_over_rest_is_confirmed_unless_told_otherwise(api_a, account_a):
    line = {"name": "Usługa", "quantity": 1, "price_brutto": "10.00"}
    made = api_a.post(reverse("api:order-list"), {"lines": [line]}, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["confirmed"] is True and made.json()["date_confirmed"]
    order = Order.objects.get(pk=made.json()["id"])
    assert _types(order) == [T.ORDER_CREATED, T.ORDER_CONFIRMED]

    # A draft has no confirmation time, even if one is sent along.
    draft = api_a.post(
        reverse("api:order-list"),
        {"lines": [line], "confirmed": False, "date_confirmed": "2026-01-01T10:00:00Z"},
        format="json",
    )
    assert draft.status_code == 201, draft.json()
    assert draft.json()["confirmed"] is False and draft.json()["date_confirmed"] is None


def test_unconfirming_an_order_clears_its_confirmation_time(api_a, account_a):
    order = _free_order(account_a, confirmed=True)
    assert order.date_confirmed is not None
    response = api_a.patch(reverse("api:order-detail", args=[order.pk]), {"confirmed": False}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["date_confirmed"] is None
    order.refresh_from_db()
    assert not order.confirmed and order.date_confirmed is None
