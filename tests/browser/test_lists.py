"""In a real browser: the order list's status tabs keep the filters, "select all" ticks the page, columns
sort, and the page size sticks while paging; the bulk buttons of both lists wait for a selection."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.models import Inventory, Product
from orders.models import OrderSource, OrderStatus
from orders.services import order_create
from tests.browser.conftest import log_in
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD
from tests.origins import TEST_ORIGIN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_order_tabs_keep_filters_select_all_sort_and_page_size(page):
    owner = MembershipFactory(account__name="Alpha Wholesale", role="owner")
    account = owner.account
    shop = OrderSource.objects.create(account=account, name="Sklep WWW", kind="shop")
    personal = account.order_sources.exclude(pk=shop.pk).first()
    ready = OrderStatus.objects.get(account=account, name="Ready to ship")
    for i in range(30):
        order_create(
            account=account,
            lines=[{"name": "A", "quantity": 1, "price_brutto": Decimal(10 + i)}],
            source=shop if i % 2 else personal,
            email=f"buyer{i}@example.test",
            origin=TEST_ORIGIN,
            **({"status": ready} if i % 3 == 0 else {}),
        )
    log_in(page, owner.user.email, TEST_PASSWORD)
    page.goto("/orders/")
    page.get_by_label("Source").select_option(str(shop.pk))
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    tab = page.locator(".status-tabs a", has_text="Ready to ship")
    # The tab counts what the filter leaves: shop orders (odd i) that are ready (i % 3 == 0) → 5.
    expect(tab).to_contain_text("5")
    tab.click()
    page.wait_for_load_state()
    assert f"source={shop.pk}" in page.url and f"status={ready.pk}" in page.url
    expect(page.locator("tbody tr")).to_have_count(5)
    expect(page.get_by_label("Source")).to_have_value(str(shop.pk))

    page.get_by_label("Select all orders on this page").check()
    boxes = page.locator("tbody input[name=orders]")
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    boxes.first.uncheck()
    expect(page.get_by_label("Select all orders on this page")).not_to_be_checked()

    page.locator("th a.sort", has_text="Total").click()
    page.wait_for_load_state()
    totals = [t.strip() for t in page.locator("tbody td.num:nth-child(7)").all_inner_texts()]
    amounts = [Decimal(re.search(r"[\d,]+\.\d+", t).group().replace(",", "")) for t in totals]
    assert len(amounts) == 5 and amounts == sorted(amounts)
    assert f"source={shop.pk}" in page.url and "sort=total" in page.url

    page.goto("/orders/?per_page=25")
    expect(page.locator("tbody tr")).to_have_count(25)
    page.get_by_role("link", name="Next").click()
    page.wait_for_load_state()
    assert "per_page=25" in page.url
    expect(page.locator("tbody tr")).to_have_count(5)
    expect(page.get_by_label("Per page")).to_have_value("25")
    page.get_by_label("Per page").select_option("50")
    page.wait_for_url("**per_page=50**")
    expect(page.locator("tbody tr")).to_have_count(30)


def test_bulk_buttons_wait_for_a_selection_on_the_product_and_order_lists(page):
    owner = MembershipFactory(account__name="Alpha Wholesale", role="owner")
    account = owner.account
    inventory = Inventory.objects.get(account=account, is_default=True)
    for sku in ("CUP-1", "CUP-2"):
        Product.objects.create(account=account, inventory=inventory, sku=sku)
    order_create(
        account=account, lines=[{"name": "A", "quantity": 1, "price_brutto": Decimal(10)}], origin=TEST_ORIGIN
    )
    log_in(page, owner.user.email, TEST_PASSWORD)

    page.goto("/catalog/")
    delete = page.get_by_role("button", name="Delete selected")
    run = page.get_by_role("button", name="Run")
    expect(delete).to_be_disabled()
    expect(run).to_be_disabled()
    # Pressed anyway: it says what to do, and no confirm dialog opens.
    delete.click(force=True)
    expect(page.get_by_role("status").filter(has_text="Select products first.")).to_be_visible()
    expect(page.locator("#confirm-dialog")).not_to_be_visible()
    assert Product.objects.filter(account=account).count() == 2

    page.get_by_label("Select CUP-1").check()
    expect(delete).to_be_enabled()
    expect(run).to_be_enabled()
    expect(page.get_by_text("Select products first.")).to_have_count(0)
    page.get_by_label("Select CUP-1").uncheck()
    expect(delete).to_be_disabled()
    page.get_by_label("Select all products on this page").check()
    expect(delete).to_be_enabled()
    delete.click()
    expect(page.locator("#confirm-dialog")).to_be_visible()
    page.locator("#confirm-dialog").get_by_role("button", name="Delete products").click()
    page.wait_for_load_state()
    expect(page.get_by_text("2 products deleted.")).to_be_visible()

    page.goto("/orders/")
    run = page.get_by_role("button", name="Run")
    expect(run).to_be_disabled()
    page.get_by_label("Action for the selected orders").select_option(label="→ Sent")
    run.click(force=True)
    expect(page.get_by_role("status").filter(has_text="Select orders first.")).to_be_visible()
    assert page.url.endswith("/orders/")
    page.get_by_label("Select all orders on this page").check()
    expect(run).to_be_enabled()
