"""In a real browser: "Sync now" puts the run in the history at once and the history follows it live
(queued → running → done) without a reload, until every kind has finished; it lines up with the buttons
beside it on a phone and on a desktop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD
from tests.factories.wms import wms_connection
from tests.wmsbridge.test_sync_fixtures import (  # noqa: F401 - fixtures
    fast_client_fixture,
    make_connection,
    make_product,
    sandbox_fixture,
)
from wmsbridge.models import SyncRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sync_now_shows_the_run_at_once_and_follows_it_live(page, sandbox, fast_client, celery_worker):
    owner = MembershipFactory(account__name="Alpha Wholesale", role="owner")
    make_product(owner.account, "SKU-1")
    connection = make_connection(owner.account, sandbox)
    log_in(page, owner.user.email, TEST_PASSWORD)
    page.goto(f"/wms/connections/{connection.pk}/")
    history = page.locator("#wms-runs")
    expect(history).to_contain_text("No sync has run yet")

    page.get_by_role("button", name="Sync now").click()
    page.wait_for_load_state()
    # At once: the run is queued or already running or done — never "no sync yet".
    expect(history).not_to_contain_text("No sync has run yet")
    expect(history.locator("tbody tr").first).to_contain_text(re.compile("Queued|Running|OK|Failed|Skipped"))
    # Live: every kind finishes in the table without a reload, and then the polling stops.
    for kind in ("Articles", "Orders", "Shipments"):
        expect(history).to_contain_text(kind, timeout=30_000)
    expect(page.locator("#wms-runs[data-polling]")).to_have_count(0, timeout=30_000)
    expect(history).not_to_contain_text("Queued")
    assert not SyncRun.objects.filter(connection=connection, status="running").exists()
    assert SyncRun.objects.filter(connection=connection, kind="shipments").exists()
    assert page.url.endswith(f"/wms/connections/{connection.pk}/")


def _rows_of_controls(page) -> list[list[dict]]:
    """The action bar's controls grouped by the line they stand on (boxes that overlap vertically)."""
    controls = page.locator(".wms-actions :is(select, button, a[role=button])")
    boxes = [controls.nth(i).bounding_box() for i in range(controls.count())]
    rows: list[list[dict]] = []
    for box in sorted(boxes, key=lambda b: b["y"]):
        if rows and box["y"] < rows[-1][0]["y"] + rows[-1][0]["height"] / 2:
            rows[-1].append(box)
        else:
            rows.append([box])
    return rows


@pytest.mark.parametrize("width", [1366, 390])
def test_sync_now_lines_up_with_the_buttons_beside_it(page, width):
    owner = MembershipFactory(account__name="Alpha Wholesale", role="owner")
    connection = wms_connection(owner.account)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, owner.user.email, TEST_PASSWORD)
    page.goto(f"/wms/connections/{connection.pk}/")
    expect(page.get_by_role("button", name="Sync now")).to_be_visible()

    rows = _rows_of_controls(page)
    assert sum(len(row) for row in rows) == 5  # what to sync, Sync now, Test connection, Edit, Delete
    for row in rows:
        # Every control of a line: the same top and the same height (no one lifted by a margin).
        assert max(b["y"] for b in row) - min(b["y"] for b in row) < 1, rows
        assert max(b["height"] for b in row) - min(b["height"] for b in row) < 1, rows
    if width == 1366:
        assert len(rows) == 1, rows
    # Nothing runs past the screen's edge.
    assert all(b["x"] + b["width"] <= width for row in rows for b in row), rows
