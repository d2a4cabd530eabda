"""In a real browser: a wholesaler generates a connection code, a shop verifies it and connects, the
wholesaler gives the shop trade credit and records a payment; blocking shows on both sides."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from connect.models import ContractorLink
from tests.browser.conftest import log_in
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_wholesaler_and_a_shop_connect_and_run_trade_credit(browser, page, live_server, page_problems):
    wholesaler = MembershipFactory(account__name="Alpha Wholesale")
    shop = MembershipFactory(account__name="Beta Shop", account__default_currency="EUR")

    log_in(page, wholesaler.user.email, TEST_PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Integrations").click()
    page.get_by_role("button", name="Generate a connection code").click()
    page.get_by_label("Display name").fill("Alpha for shops")
    # Sharing products opens its settings section; downloading orders is on by default.
    assert page.locator("#sharing-section").is_hidden()
    page.get_by_label("Sharing products").check()
    assert page.locator("#sharing-section").is_visible()
    page.get_by_role("button", name="Generate the code").click()
    code = page.locator("#connection-code").inner_text()
    assert len(code) == 34 and code.count("-") == 6

    shop_context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    shop_page = shop_context.new_page()
    shop_page.on("pageerror", lambda exc: page_problems.add(f"JavaScript error: {exc}"))
    log_in(shop_page, shop.user.email, TEST_PASSWORD)
    shop_page.goto("/connect/join/")
    shop_page.get_by_label("Connection code").fill(code.lower().replace("-", " "))
    shop_page.get_by_role("button", name="Verify").click()
    offer = shop_page.locator("#offer").inner_text()
    assert "Alpha Wholesale" in offer and "Alpha for shops" in offer
    # Invoice fields appear only when overwriting invoice data is chosen, prefilled with the company.
    assert shop_page.get_by_label("Invoice: company").is_hidden()
    shop_page.get_by_label("Overwrite invoice data").check()
    assert shop_page.get_by_label("Invoice: company").input_value() == "Beta Shop"
    assert shop_page.get_by_label("Invoice: country").input_value() == str(shop.account.country)
    shop_page.get_by_label("Invoice: address").fill("Hauptstr. 1")
    shop_page.get_by_label("Invoice: city").fill("Berlin")
    shop_page.get_by_label("Invoice: postcode").fill("10115")
    shop_page.get_by_label("Invoice: country").select_option("DE")
    shop_page.get_by_role("button", name="Connect").click()
    shop_page.wait_for_url("**/connect/supplier/*/")
    assert "Connected with Alpha Wholesale" in shop_page.locator(".messages").inner_text()

    link = ContractorLink.objects.get()
    page.goto(f"/connect/provider/{link.provider_integration_id}/contractors/")
    page.get_by_role("link", name="Beta Shop").click()
    page.get_by_label("Credit limit").fill("1000")
    page.get_by_label("Settlement currency").select_option("EUR")
    page.get_by_role("button", name="Save trade credit").click()
    page.get_by_text("Record a payment", exact=True).click()
    page.get_by_label("Amount paid").fill("150")
    page.get_by_label("Description").first.fill("Wire 2026-11")
    page.get_by_role("button", name="Record payment").click()
    assert "Wire 2026-11" in page.locator("#ledger").inner_text()
    assert "€1,150.00" in page.locator("#credit-summary").inner_text()  # en-GB, the ledger's currency

    page.get_by_role("button", name="Block").click()
    dialog = page.locator("dialog#confirm-dialog")  # the app's own dialog, not the browser's confirm()
    expect(dialog).to_contain_text("Block this contractor?")
    dialog.get_by_role("button", name="Block").click()
    page.wait_for_load_state()
    assert "Blocked" in page.locator("h2").first.inner_text()
    shop_page.reload()
    assert "has blocked this connection" in shop_page.locator("#blocked-notice").inner_text()
    shop_context.close()


def test_an_empty_contractors_tab_shows_its_whole_message_on_a_phone(phone_page):
    from tests.factories.connect import provider_create

    wholesaler = MembershipFactory(account__name="Alpha Wholesale")
    integration, _code = provider_create(wholesaler.account)
    log_in(phone_page, wholesaler.user.email, TEST_PASSWORD)
    phone_page.goto(f"/connect/provider/{integration.pk}/contractors/")
    cell = phone_page.locator("tbody td", has_text="No contractor here")
    assert "No contractor here. Give your connection code" in cell.inner_text()
    box = cell.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    # The text wraps inside the cell instead of running past it.
    assert cell.evaluate("el => el.scrollWidth <= el.clientWidth")
