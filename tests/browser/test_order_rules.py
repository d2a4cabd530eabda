"""In a real browser: the automatic-action form shows only the fields of the event and of the action
type chosen."""

from __future__ import annotations

import pytest

from orders.models import AutomationRule
from tests.browser.conftest import log_in
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_action_slot_shows_the_fields_of_its_type_only(page):
    owner = MembershipFactory(account__name="Alpha Wholesale", role="owner")
    log_in(page, owner.user.email, TEST_PASSWORD)
    page.goto("/orders/settings/rules/")
    status = page.locator("[name=a0_set_status_status]")
    comment = page.locator("[name=a0_add_comment_text]")
    courier = page.locator("[name=a0_create_package_courier]")
    assert not status.is_visible() and not comment.is_visible() and not courier.is_visible()

    page.get_by_label("Action 1").select_option("add_comment")
    assert comment.is_visible() and not status.is_visible() and not courier.is_visible()
    page.get_by_label("Action 1").select_option("set_status")
    assert status.is_visible() and not comment.is_visible()

    page.get_by_label("Action 1").select_option("add_comment")
    page.locator("[name=name]").fill("Note every order")
    page.locator("[name=event]").select_option("order_created")
    comment.fill("Seen")
    page.get_by_role("button", name="Save rule").click()
    page.wait_for_load_state()
    rule = AutomationRule.objects.get(account=owner.account, name="Note every order")
    assert rule.actions == [{"type": "add_comment", "text": "Seen"}]


def test_the_rule_shows_only_the_fields_of_its_event(page):
    owner = MembershipFactory(account__name="Alpha Wholesale", role="owner")
    log_in(page, owner.user.email, TEST_PASSWORD)
    page.goto("/orders/settings/rules/")
    event = page.locator("[name=event]")
    to_status = page.locator("[name=event_status]")
    button = page.locator("[name=event_button]")
    paid = page.locator("[name=c_paid]")

    event.select_option("order_created")
    assert not to_status.is_visible() and not button.is_visible() and paid.is_visible()
    event.select_option("status_changed")
    assert to_status.is_visible() and not button.is_visible()
    event.select_option("button")
    assert button.is_visible() and not to_status.is_visible()
    event.select_option("payment_received")  # fires only once paid in full: no payment condition
    assert not paid.is_visible() and not to_status.is_visible() and not button.is_visible()
