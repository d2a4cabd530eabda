"""In a real browser: the package form with the Hurtlink label courier hides the tracking number and URL
(the courier generates them) and says so; with a manual shipment they are back."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from shipments.models import Package
from tests.browser.conftest import log_in
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD
from tests.shipments.helpers import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_label_courier_hides_the_tracking_fields_it_fills_itself(page):
    owner = MembershipFactory(account__name="Alpha Wholesale", role="owner")
    order = make_order(owner.account)
    log_in(page, owner.user.email, TEST_PASSWORD)
    page.goto(reverse("shipments:package-create", args=[order.pk]))

    courier = page.locator("[name=courier_code]")
    number = page.get_by_label("Tracking number")
    url = page.get_by_label("Tracking URL")
    note = page.get_by_text("This courier generates the tracking number and link")
    expect(number).to_be_visible()
    expect(note).to_be_hidden()
    number.fill("MY-OWN-1")

    courier.select_option("hurtlink")
    expect(number).to_be_hidden()
    expect(url).to_be_hidden()
    expect(note).to_be_visible()
    courier.select_option("manual")
    expect(number).to_be_visible()
    expect(number).to_have_value("MY-OWN-1")
    expect(note).to_be_hidden()

    courier.select_option("hurtlink")
    page.get_by_role("button", name="Create package").click()
    page.wait_for_url(f"**/orders/{order.pk}/**")
    package = Package.objects.get(order=order)
    assert package.courier_code == "hurtlink" and package.courier_package_nr.startswith("HL")
