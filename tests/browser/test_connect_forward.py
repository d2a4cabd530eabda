"""In a real browser, with the real worker: a shop forwards an order to its Connect supplier with the
button on the order card, sees the supplier's order number and the trade credit it used; the supplier
sees the order from the shop."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connect.models import ContractorLink
from orders.models import Order
from tests.browser.conftest import log_in
from tests.connect.forwarding_setup import (
    eur,
    free_line,
    inventory_of,
    product,
    set_credit,
    set_order_settings,
    shop_order,
)
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD
from tests.factories.connect import connected_pair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_shop_forwards_an_order_with_a_click_and_sees_the_credit_used(
    browser, page, live_server, page_problems, celery_worker
):
    wholesaler = MembershipFactory(account__name="Alpha Wholesale", account__default_currency="EUR")
    shop = MembershipFactory(account__name="Beta Shop", account__default_currency="EUR")
    integration, link = connected_pair(wholesaler.account, shop.account)
    set_order_settings(integration, match_inventory=inventory_of(wholesaler.account))
    set_credit(link, "500")
    product(wholesaler.account, sku="MUG-1", name="Ceramic mug", stock=10)
    order = shop_order(shop.account, [free_line("Mug", "25.00", 2, sku="MUG-1")])  # 50 + 10 delivery

    log_in(page, shop.user.email, TEST_PASSWORD)
    page.goto(f"/orders/{order.pk}/")
    page.get_by_role("button", name="Forward to My supplier").click()
    panel = page.locator(f"#order-{order.pk}-connect")
    panel.get_by_text("Forwarded to My supplier as their order").wait_for()
    # The button is done too (swapped in with the Connect part when the forward ends): no repeat press.
    page.locator(f"#order-{order.pk}-buttons").get_by_role("link", name="Forwarded to My supplier").wait_for()
    assert page.get_by_role("button", name="Forward to My supplier").count() == 0
    theirs = Order.objects.get(account=wholesaler.account)
    text = panel.inner_text()
    assert f"as their order #{theirs.pk}" in text
    assert (
        f"Paid with trade credit: {eur('60.00', region='GB')}." in text
        and f"Available credit now: {eur('440.00', region='GB')}." in text
    )

    page.goto(f"/connect/supplier/{link.contractor_integration_id}/")
    used, left, limit = (eur(amount, region="GB") for amount in ("60.00", "440.00", "500.00"))
    assert f"{used} used, {left} available of {limit}" in page.content()

    # The wholesaler's card says where the order came from; its stock went to the order.
    supplier_context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    supplier = supplier_context.new_page()
    supplier.on("pageerror", lambda exc: page_problems.add(f"JavaScript error: {exc}"))
    log_in(supplier, wholesaler.user.email, TEST_PASSWORD)
    supplier.goto(f"/orders/{theirs.pk}/")
    card = supplier.locator(f"#order-{theirs.pk}-connect").inner_text()
    assert f"Forwarded by the contractor Beta Shop: their order #{order.pk}" in card
    supplier_context.close()
    assert theirs.lines.get().reserved == 2 and theirs.payment_done == Decimal("60.00")
    assert ContractorLink.objects.get(pk=link.pk).order_source.name == "Connect: Beta Shop"
