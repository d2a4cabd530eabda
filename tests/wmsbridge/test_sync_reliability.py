"""Reliability: faults of every kind, two runs at once, a killed worker, failures, backoff and pausing,
and a sync that touches only its own account."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.utils import timezone

from catalog.models import Stock, Warehouse
from shipments.models import Package
from tests.waiting import wait_for
from tests.wmsbridge.test_sync_fixtures import (  # noqa: F401 - fixtures
    FAST_CLIENT,
    GOODS_OWNER_A,
    GOODS_OWNER_B,
    fast_client_fixture,
    inventory_of,
    make_connection,
    make_order,
    make_product,
    sandbox_fixture,
    sync,
)
from wmsbridge.models import ArticleState, OrderExport, SyncRun, WmsConnection
from wmsbridge.sandbox import FAULT_KINDS
from wmsbridge.services import connection_resume
from wmsbridge.sync import connection_sync
from wmsbridge.sync.runner import AUTH_FAILURES_BEFORE_PAUSE
from wmsbridge.tasks import wms_dispatch

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def sync_until_clean(connection, *, attempts=12) -> list[SyncRun]:
    """Run full syncs until one completes every kind without a failed item (or give up)."""
    history = []
    for _ in range(attempts):
        runs = connection_sync(connection_id=connection.pk)
        history += runs
        if (
            all(r.status == "ok" and r.failed == 0 for r in runs)
            and not OrderExport.objects.filter(
                connection=connection, state="exported", shipped_back_at__isnull=True, wms_status__gte=450
            ).exists()
        ):
            return history
    raise AssertionError(f"no clean run after {attempts} attempts: {[(r.kind, r.status) for r in history]}")


def test_every_article_and_order_exists_exactly_once_with_20_percent_faults(account_a, sandbox, settings):
    settings.WMSBRIDGE_CLIENT_OPTIONS = {**FAST_CLIENT, "timeout": 0.5}
    products = [make_product(account_a, f"SKU-{i:02d}") for i in range(25)]
    orders = [make_order(account_a, [products[i % 25], products[(i + 7) % 25]]) for i in range(30)]
    connection = make_connection(account_a, sandbox)
    sandbox.set_faults(
        rate=0.2,
        kinds=dict.fromkeys(
            FAULT_KINDS, 1.0
        ),  # 5xx, 429 with and without Retry-After, slow, drop, success false
        phase="random",  # half of the write faults strike after the write was done: the answer is lost
        slow_seconds=0.7,
        retry_after=1,
        seed=20,
    )
    runs = sync_until_clean(connection)
    # Half the orders are sent by the warehouse; ship-back runs under the same faults.
    sandbox.clear_faults()
    for export in OrderExport.objects.filter(connection=connection)[:15]:
        sandbox.send_order(export.wms_order_id)
    sandbox.set_faults(
        rate=0.2, kinds=dict.fromkeys(FAULT_KINDS, 1.0), phase="random", slow_seconds=0.7, seed=21
    )
    runs += sync_until_clean(connection)
    sandbox.clear_faults()

    assert sandbox.state.counters["faults"] > 20, "the faults were injected"
    articles = [a["articleNumber"] for a in sandbox.state.articles(GOODS_OWNER_A)]
    assert sorted(articles) == sorted(p.sku for p in products)
    numbers = [o["orderInfo"]["orderNumber"] for o in sandbox.state.orders(GOODS_OWNER_A)]
    assert sorted(numbers) == sorted(str(o.pk) for o in orders)
    assert OrderExport.objects.filter(connection=connection, state="exported").count() == 30
    shipped = OrderExport.objects.filter(connection=connection, shipped_back_at__isnull=False)
    assert shipped.count() == 15
    for export in shipped:
        assert Package.objects.filter(order_id=export.order_id).count() == 1
        files = sandbox.state.orders_by_id[export.wms_order_id].files
        assert len(files) == 1
        assert len(sandbox.state.orders_by_id[export.wms_order_id].tracking) == 1


def test_two_runs_at_once_one_works_and_the_other_is_skipped_at_once(account_a, sandbox, fast_client):
    for i in range(6):
        make_product(account_a, f"SKU-{i}")
    connection = make_connection(account_a, sandbox)
    sandbox.set_faults(rate=1.0, kinds={"slow": 1.0}, slow_seconds=0.3, scope="writes")
    results = {}

    def first_run():
        try:
            results["first"] = connection_sync(connection_id=connection.pk, kinds=["articles"])
        finally:
            connections.close_all()

    worker = threading.Thread(target=first_run)
    worker.start()
    wait_for(lambda: SyncRun.objects.filter(status="running").exists(), what="the first run to start")
    started = time.monotonic()
    second = connection_sync(connection_id=connection.pk, kinds=["articles"])
    elapsed = time.monotonic() - started
    worker.join(timeout=30)

    assert elapsed < 1.0
    assert [r.status for r in second] == ["skipped"]
    assert "running" in second[0].messages_shown()[0]["message"]
    assert [(r.status, r.created) for r in results["first"]] == [("ok", 6)]
    assert len(sandbox.state.articles(GOODS_OWNER_A)) == 6


def _test_database_url() -> str:
    """The test database as a URL for a subprocess; a socket folder (embedded PostgreSQL) as the host
    is percent-encoded, as config/embedded.py writes it."""
    from urllib.parse import quote

    db = django_settings.DATABASES["default"]
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = quote(db["HOST"], safe="") if db["HOST"].startswith("/") else db["HOST"]
    return f"postgresql://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def test_a_worker_killed_mid_run_leaves_no_duplicate_and_loses_nothing(account_a, sandbox, fast_client):
    products = [make_product(account_a, f"SKU-{i}") for i in range(3)]
    orders = [make_order(account_a, [products[i % 3]]) for i in range(40)]
    connection = make_connection(account_a, sandbox)
    sync(connection, "articles")
    # Every write takes 50 ms (the answer of the last one may be lost when the worker dies).
    sandbox.set_faults(rate=1.0, kinds={"slow": 1.0}, slow_seconds=0.05, scope="writes")
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "DATABASE_CONN_MAX_AGE": "0"}
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "wms_sync", "--connection", str(connection.pk), "--kind", "orders"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(
            lambda: (
                worker.poll() is not None or OrderExport.objects.filter(connection=connection).count() >= 8
            ),
            what="the worker to export some orders",
            timeout=60,
        )
        assert worker.poll() is None, f"the worker ended by itself: {worker.stderr.read().decode()[-2000:]}"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    exported_before = OrderExport.objects.filter(connection=connection).count()
    assert 8 <= exported_before < 40, "killed in the middle"
    assert SyncRun.objects.get(connection=connection, kind="orders").status == "running"
    sandbox.clear_faults()

    rerun = sync(connection, "orders")["orders"]

    assert rerun.status == "ok"
    numbers = [o["orderInfo"]["orderNumber"] for o in sandbox.state.orders(GOODS_OWNER_A)]
    assert sorted(numbers) == sorted(str(o.pk) for o in orders)  # none twice, none missing
    assert OrderExport.objects.filter(connection=connection, state="exported").count() == 40
    interrupted = SyncRun.objects.filter(connection=connection, kind="orders").exclude(pk=rerun.pk).get()
    assert interrupted.status == "failed"
    assert "Interrupted" in interrupted.messages_shown()[-1]["message"]


def test_unreachable_wms_fails_the_run_with_a_clear_message_and_backs_off(account_a, sandbox, fast_client):
    make_product(account_a, "SKU-1")
    connection = make_connection(account_a, sandbox, base_url="http://127.0.0.1:9/nowhere/")

    runs = connection_sync(connection_id=connection.pk)

    assert [r.status for r in runs] == ["failed"]  # the remaining kinds are not attempted
    assert "did not answer" in runs[0].messages_shown()[-1]["message"]
    connection.refresh_from_db()
    assert connection.consecutive_failures == 1
    assert connection.next_attempt_at > timezone.now() + timedelta(minutes=14)
    assert connection.pk not in wms_dispatch()  # not retried in a tight loop
    connection_sync(connection_id=connection.pk)
    connection.refresh_from_db()
    assert connection.next_attempt_at > timezone.now() + timedelta(minutes=29)


def test_repeated_wrong_credentials_pause_the_connection_with_a_notice(
    account_a, sandbox, fast_client, client_a
):
    make_product(account_a, "SKU-1")
    connection = make_connection(account_a, sandbox, password="wrong-password")

    for _ in range(AUTH_FAILURES_BEFORE_PAUSE):
        runs = connection_sync(connection_id=connection.pk)
        assert runs[0].status == "failed"

    connection.refresh_from_db()
    assert connection.paused_at is not None
    assert "password" in str(connection.paused_reason)
    WmsConnection.objects.filter(pk=connection.pk).update(next_attempt_at=None)
    assert connection.pk not in wms_dispatch()
    page = client_a.get(f"/wms/connections/{connection.pk}/").content.decode()
    assert "Paused" in page and "rejected" in page

    connection_resume(connection=connection)
    connection.refresh_from_db()
    assert connection.paused_at is None
    assert connection.pk in wms_dispatch()


def test_the_dispatcher_starts_enabled_due_connections_only(account_a, sandbox, fast_client):
    due = make_connection(account_a, sandbox, name="Due")
    off = make_connection(account_a, sandbox, name="Off", enabled=False)
    waiting = make_connection(account_a, sandbox, name="Backing off")
    WmsConnection.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now() + timedelta(hours=1))

    started = wms_dispatch()

    assert due.pk in started and off.pk not in started and waiting.pk not in started


def test_a_sync_touches_only_its_own_account(account_a, account_b, sandbox, fast_client):
    mine = make_product(account_a, "SHARED-SKU")
    theirs = make_product(account_b, "SHARED-SKU", stock=5)
    their_order = make_order(account_b, [theirs])
    make_order(account_a, [mine])
    wms_a = Warehouse.objects.create(account=account_a, name="Ongoing A")
    connection_a = make_connection(account_a, sandbox, stock_push=True, stock_warehouse=wms_a)
    connection_b = make_connection(account_b, sandbox, goods_owner=GOODS_OWNER_B, user="beta")

    sync(connection_a)
    sandbox.set_stock(GOODS_OWNER_A, "SHARED-SKU", 99)
    sync(connection_a, "stock")

    assert ArticleState.objects.filter(connection=connection_a).get().product == mine
    assert not ArticleState.objects.filter(product=theirs).exists()
    assert not OrderExport.objects.filter(order=their_order).exists()
    assert sandbox.state.articles(GOODS_OWNER_B) == []
    assert sandbox.state.orders(GOODS_OWNER_B) == []
    assert (
        Stock.objects.get(product=theirs, warehouse=inventory_of(account_b).default_warehouse).quantity == 4
    )
    assert Stock.objects.get(product=mine, warehouse=wms_a).quantity == 98
    assert not SyncRun.objects.filter(connection=connection_b).exists()


def test_editing_a_connection_while_it_syncs_says_so_instead_of_hanging(account_a, sandbox, fast_client):
    from django.core.exceptions import ValidationError

    from wmsbridge.services import connection_update
    from wmsbridge.sync.runner import run_lock

    connection = make_connection(account_a, sandbox)
    with run_lock(connection.pk) as lock:
        assert lock is not None
        started = time.monotonic()
        with pytest.raises(ValidationError, match="running"):
            connection_update(connection=WmsConnection.objects.get(pk=connection.pk), name="Renamed")
        assert time.monotonic() - started < 10
    connection_update(connection=WmsConnection.objects.get(pk=connection.pk), name="Renamed")
    assert WmsConnection.objects.get(pk=connection.pk).name == "Renamed"
