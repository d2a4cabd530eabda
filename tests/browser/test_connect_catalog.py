"""In a real browser: a shop browses its supplier's shared catalog from the product list, opens a
product, imports the catalog with the progress bar reaching 100 %, and finds the products linked."""

from __future__ import annotations

import pytest

from catalog.models import Product, ProductLink
from tests.browser.conftest import log_in
from tests.connect.shared_setup import shared_catalog_setup
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_shop_browses_the_shared_catalog_and_imports_it(page, page_problems, celery_worker):
    wholesaler = MembershipFactory(account__name="Alpha Wholesale")
    shop = MembershipFactory(account__name="Beta Shop", account__default_currency="EUR")
    shared = shared_catalog_setup(wholesaler.account, shop.account)
    # The sample products' image addresses do not resolve here.
    page_problems.allow("Failed to load resource")

    log_in(page, shop.user.email, TEST_PASSWORD)
    page.get_by_role("link", name="Products").first.click()
    page.get_by_label("Catalog").select_option(label="My supplier (Connect)")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(f"**/connect/catalog/{shared.contractor_integration.pk}/")
    table = page.locator("#shared-products").inner_text()
    assert "Cordless drill" in table and "Garden saw" in table and "Unshared prototype" not in table

    page.get_by_role("link", name="Cordless drill").click()
    assert "Strong 18V drill" in page.locator("#shared-description").inner_text()
    assert "DRILL-1-RED" in page.content()

    page.get_by_role("button", name="Import…").click()
    page.get_by_label("All shared products").check()
    page.get_by_label("Keep importing").check()
    page.get_by_role("button", name="Start the import").click()
    # The progress section polls until the job is done, without a reload.
    page.locator("#import-job table").first.wait_for(timeout=30_000)
    section = page.locator("#import-job")
    assert section.locator("progress").get_attribute("value") == "1"
    assert "5 products created" in section.inner_text()

    assert ProductLink.objects.filter(account=shop.account).count() == 5
    drill = Product.objects.get(account=shop.account, sku="DRILL-1")
    page.goto(f"/catalog/{drill.pk}/")
    assert "My supplier (Connect)" in page.locator("#product-link").inner_text()
