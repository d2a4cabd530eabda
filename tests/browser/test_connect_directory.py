"""In a real browser: a new account finds a wholesaler in the partner directory by country and service,
browses its products and opens one (on a phone), sends a connection request, and the wholesaler accepts
it from its dashboard; the shop's page follows."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from catalog import demo_images
from catalog.models import Inventory, Product
from catalog.services import product_save
from changes.origin import Origin
from connect.models import ContractorLink
from tests.actors import admin_of
from tests.browser.conftest import log_in
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD, AccountFactory
from tests.factories.connect import listed_publication, provider_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_account_finds_a_wholesaler_sends_a_request_and_is_accepted(
    browser, page, live_server, page_problems
):
    wholesaler = MembershipFactory(account__name="Alpha Wholesale", role="owner")
    integration, _code = provider_create(wholesaler.account, name="Alpha for shops")
    inventory = Inventory.objects.get(account=wholesaler.account, is_default=True)
    images = [demo_images.file_name("CHAIR-1", n) for n in range(3)]
    for n, name in enumerate(images):
        demo_images.image_write(name=name, product_name="Teak garden chair", seed=f"chair-{n}")
    product_save(
        actor=admin_of(wholesaler.account),
        product=Product(account=wholesaler.account, inventory=inventory, sku="CHAIR-1", ean="5901234123457"),
        origin=Origin.system(),
        texts={
            inventory.default_language: {
                "name": "Teak garden chair",
                "description": "Folding chair of oiled teak, for balconies and small gardens.",
                "features": [["Material", "teak"], ["Seat height", "45 cm"]],
            }
        },
        stock=[(inventory.default_warehouse_id, 7)],
        images=[demo_images.image_url(name) for name in images],
    )
    listed_publication(
        integration,
        show_products=True,
        company_name="Alpha Wholesale",
        description="Garden furniture for shops in Poland and Germany.",
        countries=["PL", "DE"],
        services=["wholesaler", "dropshipping"],
        approval_required=True,
    )
    listed_publication(
        provider_create(AccountFactory(name="Cargo Fulfilment"), name="Cargo")[0],
        company_name="Cargo Fulfilment",
        countries=["FR"],
        services=["fulfilment"],
    )
    shop = MembershipFactory(account__name="Beta Shop", account__default_currency="EUR", role="owner")

    shop_context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    shop_page = shop_context.new_page()
    shop_page.on("pageerror", lambda exc: page_problems.add(f"JavaScript error: {exc}"))
    shop_page.on("console", lambda m: m.type == "error" and page_problems.add(f"console error: {m.text}"))
    log_in(shop_page, shop.user.email, TEST_PASSWORD)
    shop_page.get_by_role("navigation").get_by_role("link", name="Integrations").click()
    shop_page.get_by_role("link", name="Publications").click()
    shop_page.wait_for_url("**/connect/directory/")
    assert "2 partners" in shop_page.locator("main").inner_text()
    # The country filter offers the countries listed entries serve, in a compact dropdown.
    countries = shop_page.locator("#country-filter")
    countries.locator("summary").click()
    assert countries.locator("input[type=checkbox]").count() == 3  # France, Germany, Poland
    countries.get_by_label("Poland").check()
    # The summary names the choice at once, before the filter is applied.
    expect(countries.locator("summary")).to_have_text("Poland")
    countries.get_by_label("France").check()
    expect(countries.locator("summary")).to_have_text("France, Poland")
    countries.get_by_label("France").uncheck()
    countries.locator("summary").click()  # closes the list (Pico: so does a click anywhere beside it)
    shop_page.get_by_label("Wholesaler").check()
    shop_page.get_by_role("button", name="Filter").click()
    shop_page.wait_for_url("**/connect/directory/?*")
    listing = shop_page.locator(".cx-directory").inner_text()
    assert "Alpha Wholesale" in listing and "Cargo Fulfilment" not in listing
    assert "1 partner" in shop_page.locator("main").inner_text()
    assert shop_page.locator("#country-filter summary").inner_text() == "Poland"

    shop_page.get_by_role("link", name="Alpha Wholesale").click()
    shop_page.wait_for_url("**/connect/directory/*/")
    assert "Garden furniture for shops" in shop_page.locator("main").inner_text()
    # Get in touch without a message: the form comes back with its error (no failed request).
    shop_page.get_by_text("Get in touch").click()
    shop_page.get_by_role("button", name="Send message").click()
    shop_page.wait_for_url("**/connect/directory/*/message/")
    assert "This field is required." in shop_page.locator("#get-in-touch").inner_text()
    shop_page.get_by_role("button", name="See products").click()
    shop_page.wait_for_url("**/connect/directory/*/products/")
    assert "Teak garden chair" in shop_page.locator("#directory-products").inner_text()
    shop_page.get_by_role("link", name="Teak garden chair").click()
    shop_page.wait_for_url("**/connect/directory/*/products/*/")
    facts = shop_page.locator("#product-facts").inner_text()
    assert "5901234123457" in facts and "in stock" in facts and "Shown once you are connected." in facts
    assert "Seat height" in shop_page.locator("#shared-parameters").inner_text()
    assert shop_page.locator("#product-images img").count() == 3
    assert shop_page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    shop_page.get_by_role("button", name="Back to the products").click()
    shop_page.wait_for_url("**/connect/directory/*/products/")
    shop_page.get_by_role("button", name="Back to the partner").click()
    shop_page.wait_for_url("**/connect/directory/*/")
    shop_page.get_by_role("button", name="Send connection request").click()
    assert "accepts each new contractor" in shop_page.locator("#approval-note").inner_text()
    shop_page.get_by_role("button", name="Send connection request").click()
    shop_page.wait_for_url("**/connect/supplier/*/")
    assert "Request sent, waiting for Alpha Wholesale" in shop_page.locator("#request-state").inner_text()
    assert ContractorLink.objects.get().state == "awaiting"

    log_in(page, wholesaler.user.email, TEST_PASSWORD)
    requests = page.locator("#connect-requests")
    assert "Beta Shop" in requests.inner_text()
    requests.get_by_placeholder("Message to the contractor (optional)").fill("Welcome, Beta Shop!")
    requests.get_by_role("button", name="Accept").click()
    assert "accepted: it is an active contractor now" in page.locator(".messages").inner_text()
    page.goto(f"/connect/provider/{integration.pk}/contractors/")
    assert "Active" in page.locator("table").last.inner_text()

    shop_page.reload()
    state = shop_page.locator("#request-state").inner_text()
    assert "Alpha Wholesale accepted your connection request" in state and "Welcome, Beta Shop!" in state
    assert ContractorLink.objects.get().is_open
    shop_context.close()
