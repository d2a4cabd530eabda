"""In a real browser, with a real worker: the wholesaler changes a shared product's stock on its product
page and the shop's linked product follows, marked "synced"; the shop's Stock tab tells when it ran."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.conftest import PHONE, log_in
from tests.connect.sync_setup import shared_catalog
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD
from tests.waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_stock_change_of_the_wholesaler_reaches_the_shops_product(
    browser, page, live_server, page_problems, celery_worker
):
    wholesaler = MembershipFactory(account__name="Alpha Wholesale")
    shop = MembershipFactory(account__name="Beta Shop")
    shared = shared_catalog(wholesaler.account, shop.account, count=1, stock=10)
    original, copy = shared.originals[0], shared.copies[0]

    log_in(page, wholesaler.user.email, TEST_PASSWORD)
    page.goto(reverse("catalog:product-detail", args=[original.pk]))
    cell = page.locator("#stock-grid").locator(f'input[name="v-{original.pk}-{shared.source_warehouse.pk}"]')
    cell.fill("42")
    page.locator("#stock-grid").get_by_role("button", name="Save").click()
    page.locator("#stock-grid").get_by_text("Saved:").wait_for()

    wait_for(lambda: shared.stock(copy) == 42, what="the change to reach the shop")
    shop_context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    shop_page = shop_context.new_page()
    shop_page.on("pageerror", lambda exc: page_problems.add(f"JavaScript error: {exc}"))
    log_in(shop_page, shop.user.email, TEST_PASSWORD)
    shop_page.goto(reverse("catalog:product-detail", args=[copy.pk]))
    shop_cell = shop_page.locator("#stock-grid").locator(
        f'input[name="v-{copy.pk}-{shared.target_warehouse.pk}"]'
    )
    assert shop_cell.input_value() == "42"
    assert shop_page.locator("#stock-grid .badge.synced").is_visible()

    shop_page.goto(reverse("connect:supplier-tab", args=[shared.supplier.pk, "stock"]))
    status = shop_page.locator("#sync-status").inner_text()
    assert "1 product of yours is linked" in status and "last change carried" in status
    shop_context.close()
