"""The order pages as a user clicks through them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Inventory, Price, Product, ProductText, Stock
from catalog.services import stock_adjust_many
from changes.origin import Origin
from orders.models import AutomationRule, CustomButton, JournalEntry, Order, OrderExtraField, OrderStatus
from orders.services import order_create
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def lamp(account_a):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    product = Product.objects.create(
        account=account_a, inventory=inventory, sku="LAMP-1", ean="5900000000017"
    )
    ProductText.objects.create(product=product, language=inventory.default_language, name="Lampka nocna")
    Price.objects.create(product=product, price_group=inventory.default_price_group, amount=Decimal("89.00"))
    stock_adjust_many(
        origin=Origin.system(), account=account_a, changes=[(product.pk, inventory.default_warehouse_id, 5)]
    )
    return product


def _order_fields(**extra):
    fields = {"source": "", "currency": "PLN", "delivery_price": "12.00", "star": "0", "shop_order_id": "0"}
    fields.update(extra)
    return fields


def test_create_an_order_by_hand_with_a_catalog_line_priced_from_the_catalog(client_a, account_a, lamp):
    source = account_a.order_sources.get()
    response = client_a.post(
        reverse("orders:order-create"),
        {
            **_order_fields(source=source.pk, email="ewa@example.test", delivery_fullname="Ewa Zielińska"),
            "line-product": "LAMP-1",
            "line-quantity": "2",
        },
    )
    assert response.status_code == 302, response.context["line_form"].errors if response.context else ""
    order = Order.objects.get(account=account_a)
    line = order.lines.get()
    assert (line.name, line.quantity, line.price_brutto) == ("Lampka nocna", 2, Decimal("89.00"))
    assert Stock.objects.get(product=lamp).quantity == 3
    card = client_a.get(response["Location"]).content.decode()
    assert (
        "Lampka nocna" in card
        and "178,00\xa0PLN" in card
        and "190,00\xa0PLN" in card
        and "Ewa Zielińska" in card
    )
    assert "Order created" in card


def test_create_shows_shortfall_and_unknown_product_and_creates_nothing(client_a, account_a, lamp):
    source = account_a.order_sources.get()
    short = client_a.post(
        reverse("orders:order-create"),
        {**_order_fields(source=source.pk), "line-product": "LAMP-1", "line-quantity": "9"},
    )
    assert "LAMP-1: 9 requested, 5 in stock" in short.content.decode()
    unknown = client_a.post(
        reverse("orders:order-create"),
        {**_order_fields(source=source.pk), "line-product": "NOPE", "line-quantity": "1"},
    )
    assert "No product with this SKU" in unknown.content.decode()
    assert not Order.objects.exists() and Stock.objects.get(product=lamp).quantity == 5


def test_a_product_picked_from_the_suggestions_is_sent_by_its_key_not_its_shown_name(
    client_a, account_a, account_b, lamp
):
    # The picker shows "name (SKU)" in the field and sends the product's key beside it.
    suggestions = client_a.get(
        reverse("orders:product-suggest"), {"line-0-product": "Lampka"}
    ).content.decode()
    assert (
        f'data-key="product:{lamp.pk}"' in suggestions and 'data-label="Lampka nocna (LAMP-1)"' in suggestions
    )
    assert 'data-price="89.00"' in suggestions and "5 in stock" in suggestions

    response = client_a.post(
        reverse("orders:order-create"),
        {
            **_order_fields(source=account_a.order_sources.get().pk),
            "line-0-product": "Lampka nocna (LAMP-1)",
            "line-0-product_key": f"product:{lamp.pk}",
            "line-0-quantity": "2",
        },
    )
    assert response.status_code == 302
    line = Order.objects.get(account=account_a).lines.get()
    assert (line.product_id, line.name, line.quantity, line.price_brutto) == (
        lamp.pk,
        "Lampka nocna",
        2,
        Decimal("89.00"),
    )


def test_a_picked_key_of_another_accounts_product_is_refused(client_a, account_a, account_b):
    other = Product.objects.create(
        account=account_b, inventory=Inventory.objects.get(account=account_b, is_default=True), sku="B-1"
    )
    response = client_a.post(
        reverse("orders:order-create"),
        {
            **_order_fields(source=account_a.order_sources.get().pk),
            "line-0-product": "Something (B-1)",
            "line-0-product_key": f"product:{other.pk}",
            "line-0-quantity": "1",
            "line-0-price_brutto": "5",
        },
    )
    assert response.status_code == 200
    assert "This product is no longer available" in response.content.decode()
    assert not Order.objects.filter(account=account_a).exists()


def test_the_form_shown_again_keeps_the_picked_products_name_price_and_stock(client_a, account_a, lamp):
    response = client_a.post(
        reverse("orders:order-create"),
        {
            **_order_fields(source=account_a.order_sources.get().pk, email="bad@@"),
            "line-0-product": "LAMP-1",
            "line-0-quantity": "1",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Enter a valid email address" in page
    hint = page.split('data-line-hint aria-live="polite">', 1)[1].split("</small>", 1)[0]
    assert "Lampka nocna" in hint and "89" in hint and "5 in stock" in hint
    assert 'data-catalog-price="89.00"' in page


def test_the_new_order_form_starts_confirmed_and_may_be_unticked(client_a, account_a, lamp):
    form = client_a.get(reverse("orders:order-create")).context["form"]
    assert form["confirmed"].value() is True
    # The default is nothing to look at: "More order data" stays closed.
    assert not next(section for section in form.sections() if section["key"] == "more")["open"]

    source = account_a.order_sources.get().pk
    fields = {**_order_fields(source=source), "line-0-product": "LAMP-1", "line-0-quantity": "1"}
    confirmed = client_a.post(reverse("orders:order-create"), {**fields, "confirmed": "on"})
    draft = client_a.post(reverse("orders:order-create"), fields)  # the box unticked
    assert confirmed.status_code == draft.status_code == 302

    first, second = Order.objects.filter(account=account_a).order_by("id")
    assert first.confirmed and first.date_confirmed is not None
    assert JournalEntry.objects.filter(order=first, type=JournalEntry.Type.ORDER_CONFIRMED).exists()
    assert not second.confirmed and second.date_confirmed is None


def test_card_actions_status_payment_lines_and_timeline(client_a, account_a, lamp):
    order = order_create(
        account=account_a,
        lines=[{"product": lamp, "quantity": 1, "price_brutto": Decimal("89")}],
        origin=TEST_ORIGIN,
    )
    action = lambda name: reverse("orders:order-action", args=[order.pk, name])  # noqa: E731
    client_a.post(
        action("line-add"), {"line-name": "Grawer", "line-quantity": "1", "line-price_brutto": "11"}
    )
    line = order.lines.get(name="Lampka nocna")
    client_a.post(action("line-change"), {"line": line.pk, "quantity": "3", "price_brutto": "89.00"})
    assert Stock.objects.get(product=lamp).quantity == 2
    client_a.post(action("payment"), {"payment_done": "278.00"})
    cancelled = OrderStatus.objects.get(account=account_a, kind="cancelled")
    client_a.post(action("status"), {"status": cancelled.pk})
    assert Stock.objects.get(product=lamp).quantity == 5
    order.refresh_from_db()
    assert order.status_id == cancelled.pk and order.payment_done == Decimal("278.00")
    types = set(order.journal.values_list("type", flat=True))
    assert {
        JournalEntry.Type.PRODUCT_ADDED,
        JournalEntry.Type.PRODUCT_EDITED,
        JournalEntry.Type.ORDER_PAID,
    } <= types
    card = client_a.get(reverse("orders:order-detail", args=[order.pk])).content.decode()
    assert "Order paid" in card and "Cancelled" in card and "Quantity: 1 → 3" in card
    bad = client_a.post(action("payment"), {"payment_done": "-5"}, follow=True)
    assert "greater than or equal to 0" in bad.content.decode()
    # Paying more than the total is saved as typed, with a warning (a slip of the keyboard shows).
    exact = client_a.post(action("payment"), {"payment_done": "278.00"}, follow=True).content.decode()
    assert "more than the order&#x27;s total" not in exact
    over = client_a.post(action("payment"), {"payment_done": "2780"}, follow=True).content.decode()
    assert "That is 2.502,00\xa0PLN more than the order&#x27;s total." in over  # a Polish company's formats
    order.refresh_from_db()
    assert order.payment_done == Decimal("2780")


def test_edit_form_with_custom_extra_fields(client_a, account_a):
    when = OrderExtraField.objects.create(account=account_a, name="Deliver on", kind="date")
    order = order_create(
        account=account_a,
        lines=[{"name": "Usługa", "quantity": 1, "price_brutto": Decimal("1")}],
        origin=TEST_ORIGIN,
    )
    response = client_a.post(
        reverse("orders:order-edit", args=[order.pk]),
        _order_fields(source=order.source_id, delivery_city="Gdańsk", **{f"x_{when.pk}": "2026-12-01"}),
    )
    assert response.status_code == 302, response.context["form"].errors
    order.refresh_from_db()
    assert order.delivery_city == "Gdańsk" and order.custom_extra_fields == {str(when.pk): "2026-12-01"}
    assert order.journal.filter(type=JournalEntry.Type.DELIVERY_EDITED).exists()


def test_list_filters_and_bulk_actions(client_a, account_a):
    pln = [
        order_create(
            account=account_a,
            lines=[{"name": "A", "quantity": 1, "price_brutto": Decimal("10")}],
            email=f"buyer{i}@example.test",
            origin=TEST_ORIGIN,
        )
        for i in range(2)
    ]
    eur = order_create(
        account=account_a,
        lines=[{"name": "B", "quantity": 1, "price_brutto": Decimal("10")}],
        currency="EUR",
        origin=TEST_ORIGIN,
    )
    url = reverse("orders:order-list")
    assert [o.pk for o in client_a.get(url, {"search": "buyer1@"}).context["orders"]] == [pln[1].pk]
    ready = OrderStatus.objects.get(account=account_a, name="Ready to ship")
    client_a.post(
        reverse("orders:order-bulk"), {"orders": [o.pk for o in pln], "action": f"status:{ready.pk}"}
    )
    assert set(Order.objects.filter(status=ready).values_list("pk", flat=True)) == {o.pk for o in pln}
    assert [o.pk for o in client_a.get(url, {"status": ready.pk}).context["orders"]] == [pln[1].pk, pln[0].pk]
    refused = client_a.post(
        reverse("orders:order-bulk"), {"orders": [pln[0].pk, eur.pk], "action": "merge"}, follow=True
    )
    assert "different currencies" in refused.content.decode()
    asked = client_a.post(reverse("orders:order-bulk"), {"orders": [o.pk for o in pln], "action": "merge"})
    assert asked.status_code == 200 and not Order.objects.filter(is_technical=True).exists()
    merged = client_a.post(
        reverse("orders:order-bulk"), {"orders": [o.pk for o in pln], "action": "merge", "main": pln[0].pk}
    )
    technical = Order.objects.get(is_technical=True)
    assert merged["Location"] == reverse("orders:order-detail", args=[technical.pk])


def test_settings_rules_and_buttons(client_a, account_a):
    client_a.post(reverse("orders:settings", args=["buttons"]), {"name": "Pakuj", "color": "#ff0000"})
    button = CustomButton.objects.get(account=account_a, name="Pakuj")
    ready = OrderStatus.objects.get(account=account_a, name="Ready to ship")
    missing = client_a.post(
        reverse("orders:rule-list"),
        {"name": "Bez akcji", "event": "button", "enabled": "on", "position": "0"},
    )
    assert (
        "At least one action" in missing.content.decode() and "Choose the button" in missing.content.decode()
    )
    ok = client_a.post(
        reverse("orders:rule-list"),
        {
            "name": "Pakowanie",
            "event": "button",
            "event_button": button.pk,
            "enabled": "on",
            "position": "0",
            "c_paid": "paid",
            "c_inventories": [Inventory.objects.get(account=account_a).pk],
            "a0_type": "set_status",
            "a0_set_status_status": ready.pk,
            "a1_type": "add_comment",
            "a1_add_comment_text": "Spakowane",
        },
    )
    assert ok.status_code == 302
    rule = AutomationRule.objects.get(account=account_a, name="Pakowanie")
    assert rule.conditions == {"paid": "paid", "inventories": [Inventory.objects.get(account=account_a).pk]}
    assert "set status, add a seller comment" in client_a.get(reverse("orders:rule-list")).content.decode()
    assert rule.actions == [
        {"type": "set_status", "status": ready.pk},
        {"type": "add_comment", "text": "Spakowane"},
    ]
    client_a.post(reverse("orders:settings", args=["statuses"]), {"stock_reservation": "off"})
    account_a.refresh_from_db()
    assert account_a.stock_reservation is False


def test_product_suggestions_show_only_own_products(client_a, account_a, account_b, lamp):
    other = Inventory.objects.get(account=account_b, is_default=True)
    Product.objects.create(account=account_b, inventory=other, sku="LAMP-OTHER")
    page = client_a.get(reverse("orders:product-suggest"), {"line-product": "LAMP"}).content.decode()
    assert "LAMP-1" in page and "LAMP-OTHER" not in page


def test_dashboard_counts_orders_by_status_and_lists_the_latest(client_a, account_a):
    order = order_create(
        account=account_a,
        lines=[{"name": "Usługa", "quantity": 1, "price_brutto": Decimal("1")}],
        delivery_fullname="Ola Nowak",
        origin=TEST_ORIGIN,
    )
    page = client_a.get(reverse("home")).content.decode()
    assert "New orders</a>: 1" in page
    assert f"#{order.pk}" in page and "Ola Nowak" in page


def test_bulk_actions_return_only_to_pages_of_this_site(client_a, account_a):
    order = order_create(
        account=account_a,
        lines=[{"name": "A", "quantity": 1, "price_brutto": Decimal("1")}],
        origin=TEST_ORIGIN,
    )
    ready = OrderStatus.objects.get(account=account_a, name="Ready to ship")
    url = reverse("orders:order-bulk")
    for evil in ("//evil.example/", "https://evil.example/orders/"):
        response = client_a.post(url, {"orders": [order.pk], "action": f"status:{ready.pk}", "next": evil})
        assert response["Location"] == reverse("orders:order-list")
    back = client_a.post(
        url, {"orders": [order.pk], "action": f"status:{ready.pk}", "next": "/orders/?paid=no"}
    )
    assert back["Location"] == "/orders/?paid=no"


def test_edit_refuses_a_bad_email_and_a_country_that_does_not_exist(client_a, account_a):
    order = order_create(
        account=account_a,
        lines=[{"name": "Usługa", "quantity": 1, "price_brutto": Decimal("1")}],
        email="ok@example.test",
        origin=TEST_ORIGIN,
    )
    url = reverse("orders:order-edit", args=[order.pk])
    response = client_a.post(
        url, _order_fields(source=order.source_id, email="bad@@", delivery_country_code="PO")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Enter a valid email address." in errors["email"]
    assert "delivery_country_code" in errors
    order.refresh_from_db()
    assert order.email == "ok@example.test" and order.delivery_country_code == ""
    good = client_a.post(
        url, _order_fields(source=order.source_id, email="ewa@example.test", delivery_country_code="pl")
    )
    assert good.status_code == 302
    order.refresh_from_db()
    assert (order.email, order.delivery_country_code) == ("ewa@example.test", "PL")


def test_invoice_same_as_delivery_copies_the_address(client_a, account_a):
    order = order_create(
        account=account_a,
        lines=[{"name": "Usługa", "quantity": 1, "price_brutto": Decimal("1")}],
        origin=TEST_ORIGIN,
    )
    fields = _order_fields(
        source=order.source_id,
        delivery_fullname="Ewa Zielińska",
        delivery_address="ul. Długa 1",
        delivery_city="Gdańsk",
        delivery_country_code="PL",
        invoice_nip="PL5260001246",
        same_as_delivery="on",
    )
    assert client_a.post(reverse("orders:order-edit", args=[order.pk]), fields).status_code == 302
    order.refresh_from_db()
    assert (
        order.invoice_fullname,
        order.invoice_address,
        order.invoice_city,
        order.invoice_country_code,
    ) == (
        "Ewa Zielińska",
        "ul. Długa 1",
        "Gdańsk",
        "PL",
    )
    assert order.invoice_nip == "PL5260001246"


def test_a_quantity_change_beyond_stock_names_the_new_quantity_and_what_the_line_could_have(
    client_a, account_a, lamp
):
    order = order_create(
        account=account_a,
        lines=[{"product": lamp, "quantity": 1, "price_brutto": Decimal("89")}],
        origin=TEST_ORIGIN,
    )
    line = order.lines.get()
    page = client_a.post(
        reverse("orders:order-action", args=[order.pk, "line-change"]),
        {"line": line.pk, "quantity": "999", "price_brutto": "89.00"},
        follow=True,
    ).content.decode()
    # 4 left in the warehouse + the 1 the line already holds.
    assert "LAMP-1: 999 requested, 5 in stock" in page
    line.refresh_from_db()
    assert line.quantity == 1 and Stock.objects.get(product=lamp).quantity == 4


def test_a_rule_keeps_only_the_fields_of_its_event(client_a, account_a):
    button = CustomButton.objects.create(account=account_a, name="Pakuj")
    ready = OrderStatus.objects.get(account=account_a, name="Ready to ship")
    page = client_a.get(reverse("orders:rule-list")).content.decode()
    # The page knows which fields belong to which event, and hides the others as the event changes.
    assert '<script id="rule-event-fields" type="application/json">' in page
    assert '"event_status": ["status_changed"]' in page and '"event_button": ["button"]' in page
    common = {"enabled": "on", "position": "0", "a0_type": "add_comment", "a0_add_comment_text": "Nowe"}
    # Filled in before the event was switched to "order created": none of it is the rule's.
    response = client_a.post(
        reverse("orders:rule-list"),
        {
            "name": "Nowe",
            "event": "order_created",
            "event_status": ready.pk,
            "event_button": button.pk,
            "c_paid": "paid",
            **common,
        },
    )
    assert response.status_code == 302
    rule = AutomationRule.objects.get(account=account_a, name="Nowe")
    assert (rule.event_status, rule.event_button, rule.conditions) == (None, None, {"paid": "paid"})
    # "Payment received" fires only once paid in full: the payment condition is dropped.
    response = client_a.post(
        reverse("orders:rule-edit", args=[rule.pk]),
        {"name": "Nowe", "event": "payment_received", "event_status": ready.pk, "c_paid": "unpaid", **common},
    )
    rule.refresh_from_db()
    assert (rule.event, rule.event_status, rule.conditions) == ("payment_received", None, {})
    listing = client_a.get(reverse("orders:rule-list")).content.decode()
    assert "Payment received</td>" in listing and "→ Ready to ship" not in listing


def test_the_api_forgets_the_fields_of_a_rules_former_event(account_a, token_a):
    from rest_framework.test import APIClient

    _token, secret = token_a
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    ready = OrderStatus.objects.get(account=account_a, name="Ready to ship")
    created = api.post(
        reverse("api:automationrule-list"),
        {
            "name": "Gotowe",
            "event": "status_changed",
            "event_status": ready.pk,
            "actions": [{"type": "add_comment", "text": "x"}],
        },
        format="json",
    ).json()
    assert created["event_status"] == ready.pk
    changed = api.patch(
        reverse("api:automationrule-detail", args=[created["id"]]), {"event": "order_created"}, format="json"
    ).json()
    assert changed["event"] == "order_created" and changed["event_status"] is None


def test_a_delivery_value_too_long_for_the_hidden_invoice_is_said_at_the_delivery_field(client_a, account_a):
    order = order_create(
        account=account_a,
        lines=[{"name": "Usługa", "quantity": 1, "price_brutto": Decimal("1")}],
        origin=TEST_ORIGIN,
    )
    url = reverse("orders:order-edit", args=[order.pk])
    long_postcode = "1" * 25  # the delivery's column takes 100, the invoice's 20
    response = client_a.post(
        url,
        _order_fields(
            source=order.source_id,
            same_as_delivery="on",
            delivery_address="Długa 1",
            delivery_postcode=long_postcode,
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "At most 20 characters: the invoice address takes it too." in errors["delivery_postcode"]
    assert "invoice_postcode" not in errors
    order.refresh_from_db()
    assert order.delivery_postcode == ""
