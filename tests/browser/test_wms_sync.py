"""In a real browser: "Sync now" puts the run in the history at once and the history follows it live
(queued → running → done) without a reload, until every kind has finished."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD
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
