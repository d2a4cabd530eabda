"""A Celery worker SIGKILLed in the middle of a propagation: after another worker starts, the status and
the package arrive on the other side exactly once.

The worker is a real ``celery worker`` process. The test stops it half-way by holding a row lock on the
partner's order in a session of its own: the propagation has started its transaction (and, for a
package, claimed the copy) and waits for that lock when the whole worker is killed. Its transaction
never commits; the delivery stays pending and its message unacknowledged, and the next worker (the
broker hands the message over once the visibility timeout has passed) carries the change once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest

from changes.models import ChangeDelivery
from changes.origin import Origin
from config.celery import app
from connect.models import PackageCopy
from connect.propagation import CONSUMER
from orders.models import JournalEntry, Order
from orders.services import order_set_status
from shipments.models import Package
from shipments.services import package_create
from tests.factories.connect import owner_tenant
from tests.processes import ROOT
from tests.processes import test_database_url as database_url
from tests.waiting import wait_for

from .forwarded_pairs import forwarded_pair, status, statuses_both_ways

pytestmark = pytest.mark.django_db(transaction=True)

VISIBILITY_TIMEOUT = 2


def _worker() -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1"]
        + ["--loglevel=WARNING", "--without-mingle", "--without-gossip", "--without-heartbeat"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the kill takes the pool's child too
    )


def _kill(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=20)


def _purge_queue() -> None:
    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(app.conf.task_default_queue)


def _waiting_for_a_lock_anywhere() -> bool:
    """Some session of the test database waits for a lock (a fresh session: statistics are read once
    per transaction)."""
    with psycopg.connect(database_url(), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        ).fetchone()
    return row[0] > 0


def _killed_half_way(order_id: int, change) -> None:
    """Hold a lock on order ``order_id``, make ``change`` (committed), let a worker start carrying it
    until it waits for the lock, SIGKILL the worker, then release the lock."""
    _purge_queue()
    holder = psycopg.connect(database_url(), autocommit=False)
    worker = _worker()
    try:
        holder.execute("SELECT id FROM orders_order WHERE id = %s FOR UPDATE", [order_id])
        change()
        wait_for(
            lambda: worker.poll() is not None or _waiting_for_a_lock_anywhere(),
            what="the worker to start the propagation",
            timeout=60,
        )
        assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
        _kill(worker)
    finally:
        _kill(worker)
        holder.rollback()
        holder.close()
    # The killed worker's session is gone without a commit: nothing arrived, the delivery waits.
    wait_for(lambda: not _waiting_for_a_lock_anywhere(), what="the killed worker's session to end")
    assert ChangeDelivery.objects.filter(consumer=CONSUMER, delivered_at__isnull=True).count() == 1
    time.sleep(VISIBILITY_TIMEOUT + 0.5)  # the broker hands the message to the next worker


def _restarted_until(condition, what: str) -> None:
    worker = _worker()
    try:
        wait_for(condition, what=what, timeout=60)
        wait_for(
            lambda: not ChangeDelivery.objects.filter(delivered_at__isnull=True).exists(),
            what="every change delivered",
            timeout=60,
        )
    finally:
        _kill(worker)


def test_a_status_arrives_once_after_the_worker_is_killed_mid_propagation(pair, account_a, account_b):
    _integration, link = pair
    statuses_both_ways(link, {"Sent": "Sent"})
    forward = forwarded_pair(link)
    sent = status(account_a, "Sent")
    by_user = Origin.of_user(owner_tenant(account_a).user)

    _killed_half_way(
        forward.contractor_order_id,
        lambda: order_set_status(order=forward.provider_order, status=sent, origin=by_user),
    )
    assert Order.objects.get(pk=forward.contractor_order_id).status.name == "New orders"

    _restarted_until(
        lambda: Order.objects.get(pk=forward.contractor_order_id).status.name == "Sent",
        what="the status on the contractor's order",
    )
    changes = JournalEntry.objects.filter(
        order_id=forward.contractor_order_id, type=JournalEntry.Type.STATUS_CHANGED
    )
    assert list(changes.values_list("origin_kind", "origin_id")) == [("connect", link.pk)]


def test_a_package_arrives_once_after_the_worker_is_killed_mid_propagation(pair, account_a, account_b):
    _integration, link = pair
    forward = forwarded_pair(link)
    by_user = Origin.of_user(owner_tenant(account_a).user)
    made = {}

    def create() -> None:
        made["package"] = package_create(
            order=forward.provider_order, courier_code="hurtlink", origin=by_user
        )

    _killed_half_way(forward.contractor_order_id, create)
    assert not Package.objects.filter(order_id=forward.contractor_order_id).exists()
    assert not PackageCopy.objects.exists()  # the killed claim went with its transaction

    _restarted_until(
        lambda: Package.objects.filter(order_id=forward.contractor_order_id).exists(),
        what="the package on the contractor's order",
    )
    (copy,) = Package.objects.filter(order_id=forward.contractor_order_id)
    assert copy.courier_package_nr == made["package"].courier_package_nr
    assert copy.events.count() == 1  # "label created", once
    created = JournalEntry.objects.filter(
        order_id=forward.contractor_order_id, type=JournalEntry.Type.PACKAGE_CREATED
    )
    assert created.count() == 1
