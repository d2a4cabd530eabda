"""In a real browser, on a phone (390 px) and a desktop (1366 px): no page is wider than the screen
(tables scroll inside their card), long values wrap instead of pushing it wider, and what matters stays
on the screen and legible — the supplier's pages in Connect, the order form's totals, the dashboard and
the order list with a long buyer name, the order card, the WMS sync chart, and the WMS sandbox page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from connect import services
from connect.models import ProductSync
from orders.services import order_create
from tests.browser.conftest import log_in
from tests.connect.sync_setup import shared_catalog
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD
from tests.factories.connect import owner_tenant
from tests.factories.wms import wms_connection
from tests.origins import TEST_ORIGIN
from tests.wmsbridge.test_sync_fixtures import sandbox_fixture  # noqa: F401 - fixture
from wmsbridge.models import SyncRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = "X" * 100  # a buyer's name of the longest kind, without a space to wrap at
EMAIL = "p.wisniewski@example.test"


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def sticking_out(page, selector: str) -> list[str]:
    """Elements inside ``selector`` whose right edge is past that element's own (a few, for the message);
    not those inside a box that scrolls them (tabs, a table's wrapper)."""
    return page.locator(selector).evaluate(
        """box => {
          const right = box.getBoundingClientRect().right + 0.5;
          const scrolled = el => {
            for (let up = el.parentElement; up && up !== box; up = up.parentElement) {
              if (getComputedStyle(up).overflowX !== 'visible') return true;
            }
            return false;
          };
          return Array.from(box.querySelectorAll('*'))
            .filter(el => el.getBoundingClientRect().right > right && !scrolled(el))
            .slice(0, 5).map(el => el.outerHTML.slice(0, 120));
        }"""
    )


def line_count(locator) -> int:
    """How many lines the element's text takes."""
    return locator.evaluate(
        """el => {
          const range = document.createRange();
          range.selectNodeContents(el);
          return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size;
        }"""
    )


@pytest.mark.parametrize(("width", "language"), [(390, "pl"), (390, "en"), (1366, "pl")])
def test_no_tab_of_a_suppliers_page_is_wider_than_the_screen(page, width, language):
    wholesaler = MembershipFactory(account__name="Alpha Wholesale")
    shop = MembershipFactory(account__name="Beta Shop", account__default_currency="EUR")
    shop.user.language = language  # Polish labels are the longest
    shop.user.save(update_fields=["language"])
    shared = shared_catalog(wholesaler.account, shop.account, count=2)
    provider = owner_tenant(wholesaler.account)
    services.credit_settings_update(
        actor=provider, link=shared.link, credit_limit="1000", credit_currency="EUR"
    )
    services.credit_payment_record(
        actor=provider,
        link=shared.link,
        amount="150",
        description="Wire transfer 2026-11 for invoices FV/2026/11/0042 and FV/2026/11/0043",
    )
    now = timezone.now()
    ProductSync.objects.update_or_create(
        integration=shared.supplier,
        defaults={
            "stock_synced_at": now,
            "prices_synced_at": now,
            "resynced_at": now,
            "checked_at": now,
            "repaired_at": now - timedelta(hours=1),
            "repaired_stock": 12,
            "repaired_prices": 3,
        },
    )
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, shop.user.email, TEST_PASSWORD)

    page.goto(f"/connect/supplier/{shared.supplier.pk}/")
    tabs = page.locator("nav.tabs a")
    urls = [tabs.nth(i).get_attribute("href") for i in range(tabs.count())]
    assert len(urls) >= 4  # connection, products, prices, stock (and statuses)
    # The ledger scrolls inside its own box; the page does not.
    ledger = page.locator("#ledger")
    expect(ledger).to_contain_text("Wire transfer 2026-11")
    wrap = ledger.locator("xpath=..")
    assert "table-wrap" in wrap.get_attribute("class")
    box = wrap.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    for url in urls:
        page.goto(url)
        assert page_width(page) <= width, url
        assert sticking_out(page, "main") == [], url
        if page.locator("#sync-status").count():
            # Every value of the sync card stays inside the card.
            assert sticking_out(page, "#sync-status") == [], url


@pytest.mark.parametrize("width", [1366, 390])
def test_the_order_forms_totals_show_no_absurd_amounts_and_keep_the_page_width(page, width):
    owner = MembershipFactory(account__name="Alpha Wholesale", account__default_currency="EUR", role="owner")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, owner.user.email, TEST_PASSWORD)
    page.goto("/orders/new/")
    grand = page.locator("[data-total-grand]")
    value = page.locator("[data-line=line-0] [data-line-value]")
    page.locator("[name=line-0-name]").fill("Usługa")
    page.locator("[name=line-0-price_brutto]").fill("10")
    delivery = page.get_by_label("Delivery price (gross)")
    delivery.fill("12")
    expect(grand).to_have_text("€22.00")

    delivery.fill("1e308")  # a finite float, with 309 digits
    expect(grand).to_have_text("—")
    expect(page.locator("[data-total-delivery]")).to_have_text("—")
    assert page_width(page) <= width
    bar = page.locator(".sticky-actions").bounding_box()
    assert bar["x"] + bar["width"] <= width
    # At the form's maximum an amount is shown; past it (with the line's 10) the total is not.
    delivery.fill("999999999999.99")
    expect(page.locator("[data-total-delivery]")).to_have_text("€999,999,999,999.99")
    expect(grand).to_have_text("—")

    delivery.fill("0")
    page.locator("[name=line-0-price_brutto]").fill("1e308")
    expect(value).to_have_text("—")
    expect(page.locator("[data-total-lines]")).to_have_text("—")
    expect(grand).to_have_text("—")
    assert page_width(page) <= width
    page.locator("[name=line-0-price_brutto]").fill("1e999")  # beyond a float: not finite
    expect(value).to_have_text("—")
    expect(grand).to_have_text("—")
    page.locator("[name=line-0-price_brutto]").fill("10")
    page.locator("[name=line-0-quantity]").fill("1000000000000")  # 10 × 10¹²: over the maximum
    expect(value).to_have_text("—")
    page.locator("[name=line-0-quantity]").fill("3")
    expect(value).to_have_text("€30.00")
    expect(grand).to_have_text("€30.00")


@pytest.mark.parametrize("width", [1366, 390])
def test_a_long_unbroken_buyer_name_wraps_on_the_dashboard_and_the_order_list(page, width):
    owner = MembershipFactory(account__name="Alpha Wholesale", role="owner")
    order_create(
        account=owner.account,
        lines=[{"name": "A", "quantity": 1, "price_brutto": Decimal(10)}],
        origin=TEST_ORIGIN,
        delivery_fullname=LONG_NAME,
        email="y" * 60 + "@example.test",
    )
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, owner.user.email, TEST_PASSWORD)

    for url, table in (("/", "main table"), ("/orders/", "main .table-wrap table")):
        page.goto(url)
        assert page_width(page) <= width, url
        cell = page.locator(f"{table} td", has_text="XXXXXXXXXX")
        assert LONG_NAME in cell.inner_text()
        # The name wraps inside its cell instead of running past it.
        assert cell.evaluate("el => el.scrollWidth <= el.clientWidth"), url
        assert line_count(cell) > 1, url
        if width == 1366:  # on a desktop the table fits its box: nothing to scroll sideways
            assert page.locator(table).evaluate(
                "t => t.parentElement.scrollWidth <= t.parentElement.clientWidth"
            )


def test_the_buyers_email_on_the_order_card_stays_whole_where_the_card_has_room(page):
    owner = MembershipFactory(account__name="Alpha Wholesale", role="owner")
    order = order_create(
        account=owner.account,
        lines=[{"name": "Lampka nocna", "quantity": 2, "price_brutto": Decimal("89.00")}],
        origin=TEST_ORIGIN,
        email=EMAIL,
        delivery_fullname="Piotr Wiśniewski",
        user_comments="Proszę o szybką wysyłkę",
    )
    long_one = order_create(
        account=owner.account,
        lines=[{"name": "A", "quantity": 1, "price_brutto": Decimal(10)}],
        origin=TEST_ORIGIN,
        email="z" * 120 + "@example.test",
    )
    log_in(page, owner.user.email, TEST_PASSWORD)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/orders/{order.pk}/")
        email = page.locator("dl.facts dd", has_text=EMAIL)
        assert line_count(email) == 1, width  # not "p.wisniewski@example.te / st"
        assert page_width(page) <= width
        # One that cannot fit breaks, inside the card.
        page.goto(f"/orders/{long_one.pk}/")
        card = page.locator(".cards article", has_text="E-mail").first
        assert line_count(card.locator("dd", has_text="@example.test")) > 1
        assert sticking_out(page, ".cards >> nth=0") == []
        assert page_width(page) <= width


def test_the_order_cards_lines_show_quantity_value_and_total_on_a_phone(phone_page):
    owner = MembershipFactory(account__name="Alpha Wholesale", account__default_currency="EUR", role="owner")
    order = order_create(
        account=owner.account,
        lines=[
            {
                "name": "Lampka nocna z abażurem i długą nazwą",
                "quantity": 2,
                "price_brutto": Decimal("89.00"),
            },
            {"name": "Kubek", "quantity": 1, "price_brutto": Decimal("12.50")},
        ],
        origin=TEST_ORIGIN,
        delivery_price=Decimal("15.00"),
    )
    log_in(phone_page, owner.user.email, TEST_PASSWORD)
    phone_page.goto(f"/orders/{order.pk}/")
    lines = phone_page.locator(".order-card-lines")
    # Nothing to swipe: the lines' box does not scroll sideways, and the page is as wide as the phone.
    assert lines.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    assert page_width(phone_page) <= 390

    def on_screen(locator) -> bool:
        box = locator.bounding_box()
        return box is not None and box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= 390

    first = lines.locator("tbody tr").first
    assert first.locator("input[name=quantity]").input_value() == "2"
    for part in (
        first.locator("input[name=quantity]"),
        first.locator("input[name=price_brutto]"),
        first.get_by_role("button", name="Save"),
        first.locator(".oc-value"),
        first.get_by_role("button", name="Remove line"),
    ):
        assert on_screen(part), part
    expect(first.locator(".oc-value")).to_contain_text("€178.00")
    total = lines.locator("tfoot tr").last
    expect(total).to_contain_text("Total")
    expect(total).to_contain_text("€205.50")
    assert on_screen(total.locator(".num"))

    # On a desktop it stays a table with its header.
    phone_page.set_viewport_size({"width": 1366, "height": 900})
    expect(lines.locator("thead")).to_be_visible()
    assert lines.evaluate("t => getComputedStyle(t).display") == "table"


@pytest.mark.parametrize("width", [390, 1366])
def test_the_sync_history_charts_labels_stay_legible(page, width):
    owner = MembershipFactory(account__name="Alpha Wholesale", role="owner")
    connection = wms_connection(owner.account)
    now = timezone.now()
    for i in range(40):
        SyncRun.objects.create(
            connection=connection,
            kind=("articles", "orders", "stock", "shipments")[i % 4],
            status="failed" if i == 7 else "ok",
            started_at=now - timedelta(minutes=15 * i),
            finished_at=now - timedelta(minutes=15 * i, seconds=-(i % 5 + 1)),
            created=i,
            updated=1000 + 2 * i,
            failed=3 if i == 7 else 0,
        )
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, owner.user.email, TEST_PASSWORD)
    page.goto(f"/wms/connections/{connection.pk}/")
    chart = page.get_by_role("img", name="Sync history chart")
    expect(chart).to_be_visible()
    labels = chart.locator(".wms-chart-axis span")
    assert labels.all_inner_texts() == ["1,117", "0", "5.0 s"]
    for i in range(labels.count()):
        size = labels.nth(i).evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
        box = labels.nth(i).bounding_box()
        assert size >= 10 and box["height"] >= 10, (i, size, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    plot = chart.locator("svg").bounding_box()
    assert plot["width"] > width / 2 and plot["height"] >= 100
    assert chart.locator("svg rect").count() == 41  # one bar a run, and the failed part of one
    assert page_width(page) <= width
    # The settings opened: the webhook's long URL breaks inside the page.
    page.locator("summary", has_text="Settings").click()
    expect(page.locator("#wms-webhook-url")).to_be_visible()
    assert page_width(page) <= width


@pytest.mark.parametrize("width", [390, 1366])
def test_the_wms_sandbox_page_asks_for_nothing_that_fails(page, sandbox, width):
    """Its icon is given in the page: no request for a /favicon.ico the sandbox does not have (the
    console error of that 404 fails the test through the ``page`` fixture). Its tables scroll inside
    their sections."""
    page.set_viewport_size({"width": width, "height": 900})
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(sandbox.control_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ongoing WMS sandbox")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # the browser asks for the icon after the page has loaded
    assert page.locator("link[rel=icon]").get_attribute("href").startswith("data:image/svg+xml,")
    assert errors == []
    assert page_width(page) <= width
