"""Forwarding a contractor's order to its Connect supplier: what the supplier receives (its settings and
the contractor's), trade credit, refusals, the charge given back on cancel, the button and action.

Account A is the provider (wholesaler), B the contractor (shop) joined with the default settings (a
forwarding button on the order card)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation

from accounts.tenancy import Tenant
from catalog.models import Price, ProductText
from changes.models import ChangeDelivery
from changes.services import delivery_run
from config import formats
from config.stored_messages import message_load
from connect import forwarding, services
from connect.models import ContractorLink, CreditEntry, ForwardedOrder
from connect.selectors import credit_summary
from orders import automation
from orders.line_sources import external_get
from orders.models import AutomationRule, CustomButton, JournalEntry, Order, OrderSource, OrderStatus
from orders.services import button_press, order_set_status, orders_merge
from shipments.services import order_lines_weight
from tests.connect.forwarding_setup import (
    eur,
    free_line,
    inventory_of,
    link_products,
    product,
    set_credit,
    set_order_settings,
    shop_order,
)
from tests.connect.shared_setup import shared_catalog_setup
from tests.factories.connect import contractor_join, owner_tenant, provider_create
from tests.origins import TEST_ORIGIN


def deliver_pending() -> int:
    """Run the change deliveries waiting (what the worker does after commit)."""
    done = 0
    for pk in (
        ChangeDelivery.objects.filter(delivered_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    ):
        done += delivery_run(delivery_id=pk)
    return done


@pytest.fixture
def shop(pair, account_b):
    """B's tenant and its integration with A; A matches by SKU/EAN in its default catalog."""
    integration, link = pair
    set_order_settings(integration, match_inventory=inventory_of(integration.account))
    return owner_tenant(account_b)


def _forward(tenant, order, **kwargs):
    return forwarding.forward(actor=tenant, order_ids=[order.pk], **kwargs).outcomes[0]


def test_a_forwarded_order_reaches_the_supplier_in_its_target_status_with_matched_lines(
    pair, shop, account_a, account_b
):
    integration, link = pair
    ready = OrderStatus.objects.get(account=account_a, name="In progress")
    set_order_settings(integration, target_status=ready)
    mug = product(account_a, sku="MUG-1", name="Mug", ean="5901234123457", stock=50)
    cup = product(account_a, sku="CUP-9", name="Cup", ean="5900000000017", stock=50)
    order = shop_order(
        account_b,
        [
            free_line("My mug", "25.00", 2, sku="MUG-1"),
            free_line("My cup", "15.00", 1, sku="OWN-CUP", ean="5900000000017"),
            free_line("Gift wrap", "3.00"),
        ],
    )

    outcome = _forward(shop, order)

    assert outcome.state == "forwarded"
    theirs = Order.objects.get(pk=outcome.provider_order_id, account=account_a)
    assert theirs.status == ready
    assert theirs.source.name == "Connect: Beta Shop" and theirs.source.kind == OrderSource.Kind.CONNECT
    assert theirs.external_order_id == str(order.pk)
    # A confirmed order: the supplier's integrations (getOrders pages by confirmation time) see it.
    assert theirs.confirmed and theirs.date_confirmed is not None
    assert theirs.journal.filter(type=JournalEntry.Type.ORDER_CONFIRMED).exists()
    assert (theirs.delivery_fullname, theirs.delivery_city, theirs.email) == (
        "Jan Kowalski",
        "Gdańsk",
        "buyer@example.test",
    )
    assert theirs.delivery_price == Decimal("10.00")
    lines = list(theirs.lines.order_by("id"))
    assert [(li.product_id, li.quantity, li.price_brutto) for li in lines] == [
        (mug.pk, 2, Decimal("25.00")),
        (cup.pk, 1, Decimal("15.00")),
        (None, 1, Decimal("3.00")),
    ]
    warehouse = inventory_of(account_a).default_warehouse
    assert lines[0].warehouse == warehouse and lines[0].reserved == 2
    assert mug.stock.get(warehouse=warehouse).quantity == 48
    # Both journals record it, with the Connect link as the origin.
    created = theirs.journal.get(type=JournalEntry.Type.ORDER_CREATED)
    assert created.origin_kind == "connect" and created.origin_id == link.pk
    assert created.data["connect"]["contractor_order_id"] == order.pk
    mine = order.journal.get(type=JournalEntry.Type.ORDER_FORWARDED)
    assert mine.object_id == theirs.pk and mine.origin_kind == "connect"
    row = ForwardedOrder.objects.get(contractor_order=order)
    assert row.provider_order == theirs and row.state == "forwarded" and row.charge is None


def test_lines_from_the_shared_catalog_or_linked_products_always_match_even_without_matching(
    pair, account_a, account_b
):
    integration, link = pair  # no matching catalog: SKU and EAN are not looked at
    tenant = owner_tenant(account_b)
    shared = product(account_a, sku="SHARED", name="Shared lamp")
    linked = product(account_a, sku="LINKED", name="Linked chair")
    my_chair = product(account_b, sku="MY-CHAIR", name="Chair")
    link_products(my_chair, linked, link)
    order = shop_order(
        account_b,
        [
            free_line("Lamp", "40.00", external_product_id=None),
            {"product": my_chair, "quantity": 1, "price_brutto": Decimal("99.00")},
            free_line("Unknown", "5.00", sku="SHARED"),
        ],
    )
    order.lines.filter(name="Lamp").update(external_product=shared, storage="connect")

    theirs = Order.objects.get(pk=_forward(tenant, order).provider_order_id)

    assert [li.product_id for li in theirs.lines.order_by("id")] == [shared.pk, linked.pk, None]


def test_unmatched_lines_are_left_out_when_the_supplier_says_so_and_an_order_of_none_is_refused(
    pair, shop, account_a, account_b
):
    integration, _link = pair
    set_order_settings(integration, omit_unmatched=True)
    product(account_a, sku="MUG-1", name="Mug")
    mixed = shop_order(account_b, [free_line("Mug", "20.00", sku="MUG-1"), free_line("Other brand", "9.00")])
    none = shop_order(account_b, [free_line("Other brand", "9.00")])

    result = forwarding.forward(actor=shop, order_ids=[mixed.pk, none.pk])

    forwarded, refused = result.outcomes
    assert Order.objects.get(pk=forwarded.provider_order_id).lines.get().sku == "MUG-1"
    assert refused.state == "refused" and "leaves unmatched products out" in str(refused.reason)
    row = ForwardedOrder.objects.get(contractor_order=none)
    assert row.state == "refused" and "unmatched" in str(row.reason) and row.provider_order is None
    assert (
        message_load(none.journal.get(type=JournalEntry.Type.FORWARD_REFUSED).data["reason"])
        == refused.reason
    )


def test_hidden_prices_reach_the_supplier_as_zero_unless_it_overwrites_prices_from_its_price_group(
    pair, shop, account_a, account_b
):
    integration, link = pair
    services.contractor_update(
        actor=shop, integration=link.contractor_integration, hide_prices=True, forwarding="automatic"
    )
    product(account_a, sku="MUG-1", name="Mug", price="12.34")
    order = shop_order(account_b, [free_line("Mug", "20.00", 2, sku="MUG-1"), free_line("Extra", "5.00")])
    theirs = Order.objects.get(pk=_forward(shop, order).provider_order_id)
    assert [li.price_brutto for li in theirs.lines.all()] == [Decimal("0"), Decimal("0")]
    assert theirs.delivery_price == 0

    set_order_settings(integration, overwrite_price=True)
    again = shop_order(account_b, [free_line("Mug", "20.00", 2, sku="MUG-1"), free_line("Extra", "5.00")])
    theirs = Order.objects.get(pk=_forward(shop, again).provider_order_id)
    assert [li.price_brutto for li in theirs.lines.order_by("id")] == [Decimal("12.34"), Decimal("0")]


def test_overwrite_product_data_takes_name_tax_rate_and_weight_from_the_matched_product(
    pair, shop, account_a, account_b
):
    integration, _link = pair
    set_order_settings(integration, overwrite_name=True, overwrite_tax_rate=True, overwrite_weight=True)
    product(account_a, sku="MUG-1", name="Kubek ceramiczny", tax_rate="8", weight="0.4")
    order = shop_order(account_b, [free_line("Mug", "20.00", sku="MUG-1", tax_rate=Decimal("23"))])

    line = Order.objects.get(pk=_forward(shop, order).provider_order_id).lines.get()

    assert (line.name, line.tax_rate, line.weight) == ("Kubek ceramiczny", Decimal("8"), Decimal("0.4"))


def test_a_line_without_a_weight_takes_the_matched_products_and_its_package_is_weighed(
    pair, shop, account_a, account_b
):
    product(account_a, sku="MUG-1", name="Kubek", weight="0.4")
    order = shop_order(
        account_b,
        [
            free_line("Mug", "20.00", 3, sku="MUG-1"),
            free_line("Heavy mug", "20.00", sku="MUG-1", weight=Decimal("2")),
        ],
    )

    theirs = Order.objects.get(pk=_forward(shop, order).provider_order_id)

    assert [li.weight for li in theirs.lines.order_by("id")] == [Decimal("0.4"), Decimal("2")]
    assert order_lines_weight(order=theirs) == Decimal("3.2")  # what a package made of it weighs


def test_the_suppliers_lines_carry_the_product_names_whichever_way_they_matched(account_a, account_b):
    """A line picked from the shared catalog and a free line matched by SKU reach the supplier under the
    contractor line's name; with "overwrite product data: name" under the supplier product's own name,
    in its catalog's language or, where that name is empty, in another: never its SKU."""
    shared = shared_catalog_setup(account_a, account_b)
    set_order_settings(shared.provider, match_inventory=shared.inventory)
    tenant = owner_tenant(account_b)
    picked = external_get(
        account=account_b,
        storage="connect",
        storage_id=shared.contractor_integration.pk,
        external_product_id=shared.drill.pk,
    )
    lines = [
        {"external": picked, "quantity": 1, "price_brutto": Decimal("120.00")},
        free_line("Garden saw XL", "30.00", sku="SAW-1"),
    ]

    theirs = Order.objects.get(pk=_forward(tenant, shop_order(account_b, lines)).provider_order_id)

    named = [(line.name, line.sku, line.product_id) for line in theirs.lines.order_by("id")]
    assert named == [
        ("Cordless drill", "DRILL-1", shared.drill.pk),
        ("Garden saw XL", "SAW-1", shared.saw.pk),
    ]

    set_order_settings(shared.provider, match_inventory=shared.inventory, overwrite_name=True)
    language = shared.inventory.default_language
    other = "pl" if language != "pl" else "en"
    for item, texts in ((shared.drill, {language: "Drill 18V"}), (shared.saw, {language: "", other: "Piła"})):
        for code, name in texts.items():
            ProductText.objects.update_or_create(product=item, language=code, defaults={"name": name})

    theirs = Order.objects.get(pk=_forward(tenant, shop_order(account_b, lines)).provider_order_id)

    assert [line.name for line in theirs.lines.order_by("id")] == ["Drill 18V", "Piła"]


def test_invoice_data_and_additional_information_follow_both_sides_settings(pair, shop, account_a, account_b):
    integration, link = pair
    services.contractor_update(
        actor=shop,
        integration=link.contractor_integration,
        overwrite_invoice=True,
        invoice_company="Beta Shop Ltd",
        invoice_nip="PL1234567890",
        invoice_address="Rynek 5",
        invoice_city="Kraków",
        invoice_postcode="30-001",
        invoice_country_code="PL",
        additional_info=["admin_comments", "user_comments"],
    )
    set_order_settings(integration, additional_info=["user_comments", "extra_field_1"])
    order = shop_order(account_b, [free_line("Thing", "10.00")], extra_field_1="EF1")

    theirs = Order.objects.get(pk=_forward(shop, order).provider_order_id)

    assert (theirs.invoice_company, theirs.invoice_nip, theirs.invoice_city) == (
        "Beta Shop Ltd",
        "PL1234567890",
        "Kraków",
    )
    assert theirs.want_invoice
    # Only what both chose: buyer comments (the shop does not send extra field 1, A does not take notes).
    assert theirs.user_comments == "please ring twice"
    assert theirs.admin_comments == "" and theirs.extra_field_1 == ""


@pytest.mark.parametrize(
    ("payment", "paid_there", "expected"),
    [("paid", "0", "30.00"), ("unpaid", "30.00", "0"), ("source", "30.00", "30.00"), ("source", "0", "0")],
)
def test_payment_follows_the_suppliers_setting(
    pair, shop, account_a, account_b, payment, paid_there, expected
):
    integration, _link = pair
    set_order_settings(integration, payment=payment)
    order = shop_order(account_b, [free_line("Thing", "20.00")], payment_done=Decimal(paid_there))
    theirs = Order.objects.get(pk=_forward(shop, order).provider_order_id)
    assert theirs.payment_done == Decimal(expected)


def test_the_suppliers_order_names_its_payment_method_in_the_suppliers_language(
    pair, shop, account_a, account_b, user_a, client_a
):
    """The contractor forwards in its language (English here); the supplier's order is the supplier's
    document: its payment method is in the supplier's owner's language, else its country's."""
    _integration, link = pair
    set_credit(link, "500")
    order = shop_order(account_b, [free_line("Thing", "30.00")])

    with translation.override("en"):
        theirs = Order.objects.get(pk=_forward(shop, order).provider_order_id)

    assert theirs.payment_method == "Kredyt kupiecki"  # A is a Polish company
    user_a.language = "pl"
    user_a.save(update_fields=["language"])
    card = client_a.get(reverse("orders:order-detail", args=[theirs.pk])).content.decode()
    assert "Kredyt kupiecki · " in card and "Trade credit" not in card

    user_a.language = "en"
    user_a.save(update_fields=["language"])
    with translation.override("pl"):
        again = shop_order(account_b, [free_line("Thing", "30.00")])
        theirs = Order.objects.get(pk=_forward(shop, again).provider_order_id)
    assert theirs.payment_method == "Trade credit"


def test_trade_credit_pays_the_order_and_a_short_credit_refuses_with_the_amounts(
    pair, shop, account_a, account_b
):
    integration, link = pair
    set_credit(link, "100")
    first = shop_order(account_b, [free_line("Thing", "30.00", 2)])  # 60 + 10 delivery
    second = shop_order(account_b, [free_line("Thing", "30.00")])  # 40

    outcome = _forward(shop, first)
    refused = _forward(shop, second)

    theirs = Order.objects.get(pk=outcome.provider_order_id)
    assert outcome.charged == Decimal("70.00") and outcome.currency == "EUR"
    # A (a Polish company whose owner saved no language) reads its orders' payment method in Polish.
    assert theirs.payment_done == Decimal("70.00") and theirs.payment_method == "Kredyt kupiecki"
    entry = CreditEntry.objects.get(link=link)
    assert (entry.kind, entry.amount, entry.order_id) == ("charge", Decimal("70.00"), theirs.pk)
    assert credit_summary(link=ContractorLink.objects.get(pk=link.pk)).available == Decimal("30.00")
    assert refused.state == "refused"
    assert str(refused.reason) == f"Not enough trade credit: {eur('40.00')} needed, {eur('30.00')} available."
    assert Order.objects.filter(account=account_a).count() == 1
    assert ForwardedOrder.objects.get(contractor_order=second).reason == refused.reason

    # Credit topped up: the refused order can be forwarded again, once.
    services.credit_payment_record(actor=owner_tenant(account_a), link=link, amount="50")
    assert _forward(shop, second).state == "forwarded"
    assert _forward(shop, second).state == "already"
    assert Order.objects.filter(account=account_a).count() == 2


def test_an_order_in_another_currency_than_the_credit_is_refused_without_conversion(pair, shop, account_b):
    _integration, link = pair
    set_credit(link, "1000", currency="PLN")
    order = shop_order(account_b, [free_line("Thing", "10.00")], currency="EUR")
    outcome = _forward(shop, order)
    assert outcome.state == "refused"
    assert "in EUR but the trade credit is settled in PLN; orders are not converted" in str(outcome.reason)
    assert not CreditEntry.objects.filter(link=link).exists()


def test_short_stock_at_the_supplier_refuses_the_order_and_keeps_the_credit(pair, shop, account_a, account_b):
    _integration, link = pair
    set_credit(link, "1000")
    product(account_a, sku="RARE", name="Rare vase", stock=1)
    order = shop_order(account_b, [free_line("Vase", "100.00", 2, sku="RARE")])
    outcome = _forward(shop, order)
    assert outcome.state == "refused" and "RARE: 2 requested, 1 in stock" in str(outcome.reason)
    assert credit_summary(link=ContractorLink.objects.get(pk=link.pk)).used == 0


def test_forwarding_twice_gives_one_supplier_order(pair, shop, account_a, account_b):
    order = shop_order(account_b, [free_line("Thing", "10.00")])
    first = _forward(shop, order)
    second = _forward(shop, order)
    assert second.state == "already" and second.provider_order_id == first.provider_order_id
    assert Order.objects.filter(account=account_a).count() == 1
    assert order.journal.filter(type=JournalEntry.Type.ORDER_FORWARDED).count() == 1


def test_a_blocked_or_disconnected_supplier_refuses_and_says_why(pair, shop, account_a, account_b):
    _integration, link = pair
    order = shop_order(account_b, [free_line("Thing", "10.00")])
    services.contractor_set_state(actor=owner_tenant(account_a), link=link, state="blocked")
    outcome = _forward(shop, order)
    assert outcome.state == "refused" and "blocked your account" in str(outcome.reason)
    services.contractor_set_state(actor=owner_tenant(account_a), link=link, state="active")
    services.integration_disconnect(actor=shop, integration=link.contractor_integration)
    with pytest.raises(ValidationError, match="does not exist"):
        _forward(shop, order, integration=link.contractor_integration)
    assert not Order.objects.filter(account=account_a).exists()


def test_another_accounts_orders_do_not_exist_and_a_member_may_forward(pair, shop, account_a, account_b):
    theirs = shop_order(account_a, [free_line("Thing", "10.00")])
    with pytest.raises(ValidationError, match=f"Order #{theirs.pk} does not exist"):
        forwarding.forward(actor=shop, order_ids=[theirs.pk])
    member = Tenant(account=account_b, role="member")
    mine = shop_order(account_b, [free_line("Thing", "10.00")])
    assert forwarding.forward(actor=member, order_ids=[mine.pk]).forwarded


def test_a_cancelled_supplier_order_gives_the_charge_back_once(pair, shop, account_a, account_b):
    _integration, link = pair
    set_credit(link, "100")
    order = shop_order(account_b, [free_line("Thing", "30.00")])
    theirs = Order.objects.get(pk=_forward(shop, order).provider_order_id)
    assert credit_summary(link=ContractorLink.objects.get(pk=link.pk)).available == Decimal("60.00")

    cancelled = OrderStatus.objects.get(account=account_a, kind=OrderStatus.Kind.CANCELLED)
    order_set_status(order=theirs, status=cancelled, origin=TEST_ORIGIN)
    deliver_pending()
    assert forwarding.charge_return(provider_account_id=account_a.pk, provider_order_id=theirs.pk) is None

    assert credit_summary(link=ContractorLink.objects.get(pk=link.pk)).available == Decimal("100.00")
    refund = ForwardedOrder.objects.get(contractor_order=order).refund
    assert refund.amount == Decimal("40.00") and "cancelled by the supplier" in str(refund.description)


def test_a_deleted_supplier_order_shows_as_deleted_and_is_not_forwarded_again(
    pair, shop, account_a, account_b
):
    order = shop_order(account_b, [free_line("Thing", "10.00")])
    Order.objects.filter(pk=_forward(shop, order).provider_order_id, account=account_a).delete()
    row = ForwardedOrder.objects.get(contractor_order=order)
    assert row.shown_state == "deleted"
    assert _forward(shop, order).state == "already"
    assert not Order.objects.filter(account=account_a).exists()


def _hide_prices(shop, link) -> None:
    services.contractor_update(
        actor=shop, integration=link.contractor_integration, hide_prices=True, forwarding="automatic"
    )


def _pln(amount: str) -> str:
    return formats.format_money(Decimal(amount), "PLN")


def test_hidden_prices_with_trade_credit_charge_the_goods_at_the_suppliers_prices(
    pair, shop, account_a, account_b
):
    integration, link = pair
    _hide_prices(shop, link)
    set_credit(link, "100", currency="PLN")  # A's prices (its "Retail" group) are in PLN
    product(account_a, sku="MUG-1", name="Mug", price="12.34")
    # The shop sells in EUR at its own prices; hidden, they play no part in the charge.
    order = shop_order(account_b, [free_line("My mug", "20.00", 2, sku="MUG-1")])

    outcome = _forward(shop, order)

    assert outcome.state == "forwarded" and outcome.charged == Decimal("24.68") and outcome.currency == "PLN"
    theirs = Order.objects.get(pk=outcome.provider_order_id)
    # The supplier's order still shows no prices: that is what hiding them means.
    assert [li.price_brutto for li in theirs.lines.all()] == [Decimal("0")] and theirs.delivery_price == 0
    assert theirs.payment_method == "Kredyt kupiecki"
    entry = CreditEntry.objects.get(link=link)
    assert (entry.kind, entry.amount, entry.currency, entry.order_id) == (
        "charge",
        Decimal("24.68"),
        "PLN",
        theirs.pk,
    )
    assert str(entry.description) == (
        f"Order #{theirs.pk} (the contractor's #{order.pk}), forwarded with hidden prices: the goods at "
        "the supplier's prices (price group Retail), delivery not charged"
    )
    assert credit_summary(link=ContractorLink.objects.get(pk=link.pk)).available == Decimal("75.32")

    # The credit check counts the same value: 7 mugs are 86.38 PLN, more than the 75.32 left.
    more = shop_order(account_b, [free_line("My mug", "1.00", 7, sku="MUG-1")])
    refused = _forward(shop, more)
    assert (
        str(refused.reason) == f"Not enough trade credit: {_pln('86.38')} needed, {_pln('75.32')} available."
    )

    # With "overwrite price" the supplier's lines carry the same prices, and the charge is the same.
    set_order_settings(integration, overwrite_price=True)
    again = _forward(shop, shop_order(account_b, [free_line("My mug", "20.00", 3, sku="MUG-1")]))
    assert again.charged == Decimal("37.02")
    assert Order.objects.get(pk=again.provider_order_id).lines.get().price_brutto == Decimal("12.34")


def test_hidden_prices_with_trade_credit_refuse_an_order_with_a_line_the_supplier_has_no_price_for(
    pair, shop, account_a, account_b
):
    integration, link = pair
    _hide_prices(shop, link)
    set_credit(link, "100", currency="PLN")
    product(account_a, sku="MUG-1", name="Mug", price="12.34")
    unpriced = product(account_a, sku="VASE-2", name="Vase", price="50.00")
    Price.objects.filter(product=unpriced).delete()
    order = shop_order(
        account_b,
        [
            free_line("My mug", "20.00", sku="MUG-1"),
            free_line("My vase", "80.00", sku="VASE-2"),
            free_line("Gift wrap", "3.00"),
        ],
    )

    outcome = _forward(shop, order)

    # Charging the mug only would give the vase and the wrap away on credit: nothing is forwarded.
    assert outcome.state == "refused"
    assert str(outcome.reason) == (
        "Your prices are hidden from the supplier, so the trade credit is charged at the supplier's "
        "prices, and it has none for: VASE-2, Gift wrap. Show your prices to the supplier, or ask it to "
        "price these products (or to leave unmatched products out)."
    )
    assert ForwardedOrder.objects.get(contractor_order=order).reason == outcome.reason
    assert not Order.objects.filter(account=account_a).exists()
    assert not CreditEntry.objects.filter(link=link).exists()

    # The supplier prices the vase and leaves unmatched products out: the order goes, charged in full.
    Price.objects.create(product=unpriced, price_group=inventory_of(account_a).default_price_group, amount=50)
    set_order_settings(integration, omit_unmatched=True)
    outcome = _forward(shop, order)
    assert outcome.state == "forwarded" and outcome.charged == Decimal("62.34")
    assert Order.objects.get(pk=outcome.provider_order_id).lines.count() == 2


def test_hidden_prices_are_not_charged_from_a_price_group_in_another_currency(
    pair, shop, account_a, account_b
):
    _integration, link = pair
    _hide_prices(shop, link)
    set_credit(link, "100", currency="EUR")
    product(account_a, sku="MUG-1", name="Mug", price="12.34")
    outcome = _forward(shop, shop_order(account_b, [free_line("My mug", "20.00", sku="MUG-1")]))
    assert outcome.state == "refused"
    assert str(outcome.reason) == (
        "Your prices are hidden, so the trade credit is charged at the supplier's prices, but its price "
        "group Retail is in PLN and the credit is settled in EUR; amounts are not converted."
    )
    assert not CreditEntry.objects.filter(link=link).exists()


def _check_foreign_keys_now() -> None:
    """Foreign keys are checked at commit, which a test's transaction never reaches: check them now."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _charged_forward(shop, link, account_b):
    set_credit(link, "100")
    order = shop_order(account_b, [free_line("Thing", "30.00")])  # 30 + 10 delivery
    outcome = _forward(shop, order)
    assert outcome.charged == Decimal("40.00")
    assert credit_summary(link=ContractorLink.objects.get(pk=link.pk)).available == Decimal("60.00")
    return order, Order.objects.get(pk=outcome.provider_order_id)


@pytest.mark.parametrize("how", ["queryset", "instance"])
def test_a_deleted_supplier_order_gives_the_charge_back_once(
    pair, shop, account_a, account_b, client, user_b, how
):
    _integration, link = pair
    order, theirs = _charged_forward(shop, link, account_b)
    number = theirs.pk

    if how == "queryset":
        Order.objects.filter(pk=number, account=account_a).delete()
    else:
        theirs.delete()
    _check_foreign_keys_now()

    assert credit_summary(link=ContractorLink.objects.get(pk=link.pk)).available == Decimal("100.00")
    row = ForwardedOrder.objects.get(contractor_order=order)
    assert row.shown_state == "deleted"
    refund = row.refund
    assert (refund.kind, refund.amount, refund.currency, refund.order_id) == ("adjustment", 40, "EUR", None)
    assert str(refund.description) == f"Order #{number} deleted by the supplier: its charge is given back."
    again = forwarding.charge_return_deleted(provider_account_id=account_a.pk, provider_order_id=number)
    assert again is None
    assert CreditEntry.objects.filter(link=link).count() == 2

    client.force_login(user_b)
    card = client.get(reverse("orders:order-detail", args=[order.pk])).content.decode()
    assert "The supplier deleted its order" in card and "Given back to your trade credit." in card


def test_a_cancelled_then_deleted_supplier_order_gives_the_charge_back_once(pair, shop, account_a, account_b):
    _integration, link = pair
    order, theirs = _charged_forward(shop, link, account_b)
    cancelled = OrderStatus.objects.get(account=account_a, kind=OrderStatus.Kind.CANCELLED)
    order_set_status(order=theirs, status=cancelled, origin=TEST_ORIGIN)
    deliver_pending()
    refund = ForwardedOrder.objects.get(contractor_order=order).refund
    assert "cancelled by the supplier" in str(refund.description)

    Order.objects.filter(pk=theirs.pk, account=account_a).delete()

    assert ForwardedOrder.objects.get(contractor_order=order).refund == refund
    assert CreditEntry.objects.filter(link=link, kind="adjustment").count() == 1
    assert credit_summary(link=ContractorLink.objects.get(pk=link.pk)).available == Decimal("100.00")


def test_a_deletion_rolled_back_gives_nothing_back(pair, shop, account_a, account_b):
    _integration, link = pair
    order, theirs = _charged_forward(shop, link, account_b)
    with pytest.raises(RuntimeError), transaction.atomic():
        theirs.delete()
        raise RuntimeError("the deleting request failed")
    assert credit_summary(link=ContractorLink.objects.get(pk=link.pk)).available == Decimal("60.00")
    assert ForwardedOrder.objects.get(contractor_order=order).refund is None


def test_joining_with_the_button_creates_the_button_and_its_rule_which_forwards(account_a, account_b):
    integration, code = provider_create(account_a)
    link = contractor_join(account_b, code, name="Alpha")
    button = CustomButton.objects.get(account=account_b)
    rule = AutomationRule.objects.get(account=account_b, event_button=button)
    assert button.name == "Forward to Alpha"
    assert rule.actions == [{"type": "connect_forward", "integration": link.contractor_integration_id}]
    assert rule.actions_display() == ["forward to a Connect supplier"]

    order = shop_order(account_b, [free_line("Thing", "10.00")])
    button_press(account=account_b, button=button, orders=[order], origin=TEST_ORIGIN)
    deliver_pending()

    run = order.automation_runs.get()
    assert run.outcome == "done" and "forwarded as the supplier's order" in str(run.message)
    assert Order.objects.filter(account=account_a, external_order_id=str(order.pk)).exists()


def test_choosing_automatic_actions_only_creates_no_button_and_the_action_accepts_only_own_suppliers(
    account_a, account_b, account_c
):
    _integration, code = provider_create(account_a)
    services.integration_join(
        actor=owner_tenant(account_b),
        code=code,
        client_ip=None,
        display_name="Alpha",
        settings={"forwarding": "automatic"},
    )
    assert not CustomButton.objects.filter(account=account_b).exists()
    mine = forwarding.forwarding_integrations(account=account_b).get()
    assert automation.actions_clean(
        account=account_b, actions=[{"type": "connect_forward", "integration": mine.pk}]
    )
    other_code = provider_create(account_a, name="Other")[1]
    theirs = contractor_join(account_c, other_code).contractor_integration
    with pytest.raises(ValidationError, match="choose one of your Connect suppliers"):
        automation.actions_clean(
            account=account_b, actions=[{"type": "connect_forward", "integration": theirs.pk}]
        )


def test_the_supplier_merges_forwarded_orders_of_one_contractor_found_by_its_source(
    pair, shop, account_a, account_b
):
    outcomes = forwarding.forward(
        actor=shop,
        order_ids=[shop_order(account_b, [free_line("Thing", f"{n}0.00")]).pk for n in (1, 2, 3)],
    ).outcomes
    other = shop_order(account_a, [free_line("Walk-in", "5.00")], currency="EUR")
    source = ContractorLink.objects.get(pk=pair[1].pk).order_source
    from_contractor = list(Order.objects.filter(account=account_a, source=source))
    assert sorted(o.pk for o in from_contractor) == sorted(o.provider_order_id for o in outcomes)
    assert other not in from_contractor

    technical = orders_merge(
        account=account_a, orders=from_contractor, main=from_contractor[0], origin=TEST_ORIGIN
    )

    assert technical.is_technical and technical.source == source
    assert technical.lines.count() == 3
    assert sum(li.price_brutto for li in technical.lines.all()) == Decimal("60.00")


def test_renaming_the_contractor_renames_its_source_and_switching_to_the_button_creates_it(
    pair, shop, account_a, account_b
):
    integration, link = pair
    forwarding.forward(actor=shop, order_ids=[shop_order(account_b, [free_line("Thing", "10.00")]).pk])
    services.contractor_link_update(actor=owner_tenant(account_a), link=link, name="Beta Retail")
    assert ContractorLink.objects.get(pk=link.pk).order_source.name == "Connect: Beta Retail"

    CustomButton.objects.filter(account=account_b).delete()
    services.contractor_update(actor=shop, integration=link.contractor_integration, forwarding="automatic")
    assert not CustomButton.objects.filter(account=account_b).exists()
    services.contractor_update(actor=shop, integration=link.contractor_integration, forwarding="button")
    assert CustomButton.objects.get(account=account_b).name == "Forward to My supplier"
