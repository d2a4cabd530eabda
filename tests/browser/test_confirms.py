"""In a real browser: destructive actions ask first and say what is lost; Cancel changes nothing. A new
API token has a copy button."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.models import ApiToken
from catalog.models import Inventory, Price, Product, ProductText, Stock
from catalog.services import stock_adjust_many
from changes.origin import Origin
from orders.models import AutomationRule
from orders.services import order_create
from tests.browser.conftest import log_in
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD
from tests.origins import TEST_ORIGIN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner(transactional_db):
    return MembershipFactory(account__name="Alpha Wholesale", role="owner")


def test_removing_an_order_line_asks_first_and_says_the_stock_goes_back(page, owner):
    account = owner.account
    inventory = Inventory.objects.get(account=account, is_default=True)
    lamp = Product.objects.create(account=account, inventory=inventory, sku="LAMP-1")
    ProductText.objects.create(product=lamp, language=inventory.default_language, name="Lampka nocna")
    Price.objects.create(product=lamp, price_group=inventory.default_price_group, amount=Decimal("89"))
    stock_adjust_many(
        origin=Origin.system(), account=account, changes=[(lamp.pk, inventory.default_warehouse_id, 5)]
    )
    order = order_create(
        account=account,
        lines=[
            {"product": lamp, "quantity": 2, "price_brutto": Decimal("89")},
            {"name": "Grawer", "quantity": 1, "price_brutto": Decimal("11")},
        ],
        origin=TEST_ORIGIN,
    )
    log_in(page, owner.user.email, TEST_PASSWORD)
    page.goto(f"/orders/{order.pk}/")
    row = page.locator("tr", has_text="Lampka nocna")
    row.get_by_role("button", name="Remove line").click()
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Remove 2 × Lampka nocna from the order?")
    expect(dialog).to_contain_text("Its 2 reserved units go back to")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert order.lines.count() == 2

    row.get_by_role("button", name="Remove line").click()
    dialog.get_by_role("button", name="Remove line").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("Line removed")
    assert list(order.lines.values_list("name", flat=True)) == ["Grawer"]
    assert Stock.objects.get(product=lamp).quantity == 5


def test_deleting_a_rule_asks_first(page, owner):
    rule = AutomationRule.objects.create(
        account=owner.account, name="Note every order", event="order_created"
    )
    log_in(page, owner.user.email, TEST_PASSWORD)
    page.goto("/orders/settings/rules/")
    page.locator("tr", has_text="Note every order").get_by_role("button", name="Delete").click()
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog).to_contain_text("Delete the rule “Note every order”?")
    expect(dialog).to_contain_text("stops running")
    dialog.get_by_role("button", name="Cancel").click()
    assert AutomationRule.objects.filter(pk=rule.pk).exists()
    page.locator("tr", has_text="Note every order").get_by_role("button", name="Delete").click()
    dialog.get_by_role("button", name="Delete rule").click()
    expect(page.locator(".messages")).to_contain_text("Rule deleted")
    assert not AutomationRule.objects.filter(pk=rule.pk).exists()


def test_a_new_token_is_copied_with_one_click_and_revoking_asks_first(page, owner):
    log_in(page, owner.user.email, TEST_PASSWORD)
    page.goto("/settings/tokens/")
    page.get_by_label("Name").fill("Shop sync")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#new-token").input_value()
    assert secret.startswith("hl_")
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("[data-copy]")).to_contain_text("Copied")
    # What the button copied is what the clipboard (or, over plain http, the selection) holds.
    page.locator("#new-token").click()
    assert page.evaluate("window.getSelection().toString() || document.activeElement.value") == secret

    page.locator("tr", has_text="Shop sync").get_by_role("button", name="Revoke").click()
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog).to_contain_text("Revoke the API token “Shop sync”?")
    expect(dialog).to_contain_text("cannot be restored")
    dialog.get_by_role("button", name="Revoke token").click()
    page.wait_for_load_state()
    assert ApiToken.objects.get(account=owner.account, name="Shop sync").revoked_at is not None


def test_recording_a_ledger_adjustment_asks_first_in_the_apps_dialog(page, owner):
    from connect import services as connect_services
    from connect.models import CreditEntry
    from tests.factories.accounts import AccountFactory
    from tests.factories.connect import connected_pair, owner_tenant

    integration, link = connected_pair(owner.account, AccountFactory(name="Beta Shop"))
    connect_services.credit_settings_update(
        actor=owner_tenant(owner.account), link=link, credit_limit="100", credit_currency="EUR"
    )
    # The browser's own confirm() would be answered here; the app's dialog must be the one that asks.
    page.on("dialog", lambda native: native.dismiss())
    log_in(page, owner.user.email, TEST_PASSWORD)
    page.goto(f"/connect/provider/{integration.pk}/contractors/{link.pk}/")
    page.get_by_text("Adjust", exact=True).click()
    adjust = page.locator("#adjust")
    adjust.get_by_label("Amount").fill("-10")
    adjust.get_by_label("Description").fill("Late fee")
    adjust.get_by_role("button", name="Record adjustment").click()
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Write this adjustment into the ledger?")
    expect(dialog).to_contain_text("It cannot be deleted; a mistake is corrected by another adjustment.")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert not CreditEntry.objects.filter(link=link).exists()

    adjust.get_by_role("button", name="Record adjustment").click()
    dialog.get_by_role("button", name="Record adjustment").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("Adjustment recorded")
    assert list(CreditEntry.objects.filter(link=link).values_list("amount", "description")) == [
        (Decimal("-10.00"), "Late fee")
    ]


def test_regenerating_and_deleting_an_integration_ask_in_the_apps_dialog(page, owner):
    from connect.models import ConnectIntegration
    from tests.factories.connect import provider_create

    integration, code = provider_create(owner.account, name="Alpha for shops")
    page.on("dialog", lambda native: native.dismiss())  # a native confirm() would refuse here
    log_in(page, owner.user.email, TEST_PASSWORD)
    page.goto(f"/connect/provider/{integration.pk}/")
    dialog = page.locator("dialog#confirm-dialog")

    page.get_by_role("button", name="Regenerate the code").click()
    expect(dialog).to_contain_text("Generate a new code?")
    expect(dialog).to_contain_text("connected contractors stay connected")
    dialog.get_by_role("button", name="Cancel").click()
    page.get_by_role("button", name="Delete integration").click()
    expect(dialog).to_contain_text("Delete this integration?")
    dialog.get_by_role("button", name="Delete integration").click()
    page.wait_for_url("**/connect/**")
    assert ConnectIntegration.objects.get(pk=integration.pk).deleted_at is not None
