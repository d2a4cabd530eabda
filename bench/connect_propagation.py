"""Connect propagation latency: a change committed on the provider's order → applied on the contractor's.

    .venv/bin/python bench/connect_propagation.py [--pairs 1000] [--changes 100] [--packages 100]

Creates a provider and a contractor account linked through Connect and N forwarded pairs (set-based
inserts), maps "Sent" both ways, keeps the provider's "shipments" on and starts a real Celery worker
process. Then, on the provider side, 10 a second (``--rate``; 0: all at once): 100 status changes
(→ "Sent"), then 100 packages (a courier's tracking number and URL; rendering labels here would
only take the worker's CPU on a small machine, and is not part of what is measured). A watcher polls
the contractor's orders every 50 ms; the latency of a change is from the commit of the provider's
change to the moment the contractor's order shows it (committed). Everything is removed again at the end.

Baseline (same run, same worker): the round trip of an empty Celery task (publish → run → result
read), i.e. what any after-commit work costs at the least; the figures are printed as ratios to it.

``measure_propagation(link=...)`` is the measuring part, for other benchmarks (``bench/connect_forward.py``
calls it on the pairs it has forwarded). The last line is one JSON object: bench, pairs,
status_latency_median_s, status_latency_p95_s, tracking_latency_median_s, tracking_latency_p95_s,
baseline_task_round_trip_s.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal

from _setup import ROOT, django_start

WAIT_PER_CHANGE = 60.0  # seconds; a change not applied by then counts as lost
POLL_INTERVAL = 0.05
# Changes made per second on the provider side: a busy warehouse's pace. 0 (``--rate 0``) makes them all
# at once, which measures how fast the backlog of a bulk change drains rather than the latency of one.
RATE = 10.0


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def worker_start(concurrency: int = 2) -> subprocess.Popen:
    """A Celery worker process on the same database and Redis as this process."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", f"--concurrency={concurrency}"]
        + ["--loglevel=WARNING", "--without-mingle", "--without-gossip", "--without-heartbeat"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_CONN_MAX_AGE": "60"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def worker_stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def task_round_trips(count: int = 20, timeout: float = 120.0) -> list[float]:
    """Round trips of an empty task (delivering an event that does not exist); the first one waits
    for the worker to be up and is not counted."""
    from changes.tasks import changes_deliver

    changes_deliver.delay(-1).get(timeout=timeout)
    times = []
    for _ in range(count):
        started = time.monotonic()
        changes_deliver.delay(-1).get(timeout=30)
        times.append(time.monotonic() - started)
    return times


class Watcher(threading.Thread):
    """Polls, on its own database connection, until each watched id satisfies its check; records
    when it first did."""

    def __init__(self, check) -> None:
        super().__init__(daemon=True)
        self.check = check  # check(set of ids) -> set of ids done now
        self.pending: set[int] = set()
        self.done: dict[int, float] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def watch(self, key: int) -> None:
        with self.lock:
            self.pending.add(key)

    def run(self) -> None:
        from django.db import connection

        try:
            while not self.stopping.is_set():
                with self.lock:
                    pending = set(self.pending)
                if pending:
                    now_done = self.check(pending)
                    seen = time.monotonic()
                    with self.lock:
                        for key in now_done:
                            self.done.setdefault(key, seen)
                        self.pending -= now_done
                time.sleep(POLL_INTERVAL)
        finally:
            connection.close()

    def wait_all(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if not self.pending:
                    return
            time.sleep(0.05)


def _actor(account):
    from accounts.models import Membership, Role
    from accounts.tenancy import Tenant

    membership = Membership.objects.filter(account=account, role=Role.OWNER).select_related("user").first()
    return Tenant(account=account, role=Role.OWNER, user=membership.user if membership else None)


def _sent(account):
    from orders.models import OrderStatus

    return (
        OrderStatus.objects.filter(account=account, kind=OrderStatus.Kind.SENT)
        .order_by("position", "id")
        .first()
    )


def propagation_prepare(link) -> None:
    """Both sides send and receive statuses, each maps its "Sent" to the other's, shipments on."""
    from connect import services

    provider, contractor = link.provider_account, link.contractor_account
    for integration in (link.provider_integration, link.contractor_integration):
        services.integration_statuses_update(
            actor=_actor(integration.account),
            integration=integration,
            send_statuses=True,
            receive_statuses=True,
        )
    pairs = [(_sent(provider), _sent(contractor))]
    back = [(_sent(contractor), _sent(provider))]
    services.status_mappings_replace(actor=_actor(provider), link=link, direction="send", pairs=pairs)
    services.status_mappings_replace(actor=_actor(provider), link=link, direction="receive", pairs=pairs)
    services.status_mappings_replace(actor=_actor(contractor), link=link, direction="send", pairs=back)
    services.status_mappings_replace(actor=_actor(contractor), link=link, direction="receive", pairs=back)
    services.provider_update(
        actor=_actor(provider), integration=link.provider_integration, order_settings={"shipments": True}
    )


def measure_propagation(
    *,
    link,
    status_changes: int = 100,
    packages: int = 100,
    rate: float = RATE,
    start_worker: bool = True,
    concurrency: int = 2,
) -> dict:
    """Make ``status_changes`` status changes and ``packages`` packages on provider orders of ``link``'s
    forwards (each on its own pair, neither side already "Sent", no package yet), ``rate`` a second (0:
    as fast as the services take them, a burst), and measure commit → visible on the contractor's
    order. Sets the link up for it first (:func:`propagation_prepare`). With ``start_worker``, runs its
    own Celery worker process meanwhile (else one must be running). Returns the medians and 95th
    percentiles in seconds, the baseline task round trip and how many changes did not arrive within a
    minute (``lost``)."""
    from django.db.models import Exists, OuterRef

    from changes.origin import Origin
    from connect.models import ForwardedOrder
    from orders.models import Order
    from orders.services import order_set_status
    from shipments.models import Package
    from shipments.services import package_create

    propagation_prepare(link)
    provider_sent, contractor_sent = _sent(link.provider_account), _sent(link.contractor_account)
    forwards = list(
        ForwardedOrder.objects.filter(link=link, state="forwarded", provider_order__isnull=False)
        .exclude(provider_order__status=provider_sent)
        .exclude(contractor_order__status=contractor_sent)
        .exclude(Exists(Package.objects.filter(order_id=OuterRef("provider_order_id"))))
        .exclude(Exists(Package.objects.filter(order_id=OuterRef("contractor_order_id"))))
        .order_by("pk")
        .values("provider_order_id", "contractor_order_id")[: status_changes + packages]
    )
    if len(forwards) < status_changes + packages:
        raise ValueError(
            f"{status_changes + packages} forwarded pairs are needed, {len(forwards)} are usable"
        )
    for_status, for_packages = forwards[:status_changes], forwards[status_changes:]
    origin = Origin.system("Benchmark")

    worker = worker_start(concurrency) if start_worker else None
    try:
        baseline = task_round_trips()

        def statuses_arrived(ids: set[int]) -> set[int]:
            return set(Order.objects.filter(pk__in=ids, status=contractor_sent).values_list("pk", flat=True))

        def packages_arrived(ids: set[int]) -> set[int]:
            return set(Package.objects.filter(order_id__in=ids).values_list("order_id", flat=True))

        results = {}
        for name, rows, arrived, make in (
            (
                "status",
                for_status,
                statuses_arrived,
                lambda row: order_set_status(
                    order=Order.objects.get(pk=row["provider_order_id"]), status=provider_sent, origin=origin
                ),
            ),
            (
                "tracking",
                for_packages,
                packages_arrived,
                lambda row: package_create(
                    order=Order.objects.get(pk=row["provider_order_id"]),
                    courier_code="manual",
                    tracking_number=f"BENCH{row['provider_order_id']:012d}",
                    tracking_url=f"https://tracking.example/BENCH{row['provider_order_id']:012d}",
                    weight=Decimal("1.2"),
                    origin=origin,
                ),
            ),
        ):
            watcher = Watcher(arrived)
            watcher.start()
            committed: dict[int, float] = {}
            started = time.monotonic()
            for index, row in enumerate(rows):
                if rate:
                    time.sleep(max(0.0, started + index / rate - time.monotonic()))
                make(row)  # each service commits before it returns
                committed[row["contractor_order_id"]] = time.monotonic()
                watcher.watch(row["contractor_order_id"])
            watcher.wait_all(WAIT_PER_CHANGE)
            watcher.stopping.set()
            watcher.join(timeout=10)
            latencies = [watcher.done[key] - at for key, at in committed.items() if key in watcher.done]
            if os.environ.get("BENCH_VERBOSE"):
                from django.db.models import Max, Min

                from changes.models import ChangeDelivery

                span = ChangeDelivery.objects.filter(
                    event__account_id=link.provider_account_id, delivered_at__isnull=False
                ).aggregate(first=Min("event__created_at"), last=Max("delivered_at"))
                print(name, [round(x, 2) for x in latencies], span, file=sys.stderr)
            results[name] = (latencies, len(committed) - len(latencies))
    finally:
        if worker is not None:
            worker_stop(worker)

    (status_latencies, status_lost), (tracking_latencies, tracking_lost) = (
        results["status"],
        results["tracking"],
    )
    return {
        "status_latency_median_s": round(statistics.median(status_latencies), 3)
        if status_latencies
        else None,
        "status_latency_p95_s": round(_percentile(status_latencies, 0.95), 3) if status_latencies else None,
        "tracking_latency_median_s": round(statistics.median(tracking_latencies), 3)
        if tracking_latencies
        else None,
        "tracking_latency_p95_s": round(_percentile(tracking_latencies, 0.95), 3)
        if tracking_latencies
        else None,
        "baseline_task_round_trip_s": round(statistics.median(baseline), 4),
        "lost": status_lost + tracking_lost,
        "rate_per_s": rate,
    }


# -- the stand-alone run -----------------------------------------------------------------------------


def _account(name: str):
    from accounts.models import Account, Membership, Role, User
    from accounts.signals import account_created

    account = Account.objects.create(name=name, country="PL", default_currency="PLN")
    account_created.send(sender=Account, account=account)
    user = User.objects.create_user(email=f"bench-{account.pk}-{os.getpid()}@example.test")
    Membership.objects.create(account=account, user=user, role=Role.OWNER)
    return account


def pairs_create(link, count: int) -> None:
    """``count`` contractor orders, their provider orders (one line each) and the forwards tying them,
    in a few multi-row inserts."""
    from connect.models import ForwardedOrder
    from orders.models import Order, OrderLine, OrderSource, OrderStatus

    sides = {}
    for account in (link.contractor_account, link.provider_account):
        status = OrderStatus.objects.filter(account=account).order_by("position", "id").first()
        source = OrderSource.objects.filter(account=account).first()
        orders = Order.objects.bulk_create(
            Order(
                account=account,
                status=status,
                source=source,
                currency="PLN",
                delivery_fullname=f"Buyer {i}",
                delivery_country_code="PL",
            )
            for i in range(count)
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                name="Garden chair",
                quantity=1,
                price_brutto=Decimal("49.90"),
                weight=Decimal("1.2"),
            )
            for order in orders
        )
        sides[account.pk] = orders
    ForwardedOrder.objects.bulk_create(
        ForwardedOrder(
            link=link,
            contractor_account_id=link.contractor_account_id,
            provider_account_id=link.provider_account_id,
            contractor_order=contractor,
            provider_order=provider,
        )
        for contractor, provider in zip(
            sides[link.contractor_account_id], sides[link.provider_account_id], strict=True
        )
    )


def accounts_remove(link, accounts) -> None:
    from connect.models import ConnectIntegration, ContractorLink, ForwardedOrder
    from demo.data import demo_account_delete

    ForwardedOrder.objects.filter(link=link).delete()
    ContractorLink.objects.filter(pk=link.pk).delete()
    ConnectIntegration.objects.filter(account__in=accounts).delete()
    for account in accounts:
        demo_account_delete(account)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--packages", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--rate", type=float, default=RATE, help="changes per second (0: all at once)")
    args = parser.parse_args()
    django_start()
    logging.disable(logging.WARNING)

    from connect import services
    from connect.models import ContractorLink

    provider = _account(f"bench-connect-provider-{os.getpid()}")
    contractor = _account(f"bench-connect-contractor-{os.getpid()}")
    integration, code = services.provider_create(
        actor=_actor(provider),
        display_name="Bench wholesaler",
        code_name="bench",
        orders_enabled=True,
        products_enabled=False,
    )
    joined = services.integration_join(
        actor=_actor(contractor), code=code, client_ip=None, display_name="Bench supplier"
    )
    link = ContractorLink.objects.get(contractor_integration=joined)
    try:
        started = time.perf_counter()
        pairs_create(link, max(args.pairs, args.changes + args.packages))
        print(
            f"setup: {args.pairs} forwarded pairs in {time.perf_counter() - started:.1f} s", file=sys.stderr
        )
        result = measure_propagation(
            link=link,
            status_changes=args.changes,
            packages=args.packages,
            rate=args.rate,
            concurrency=args.concurrency,
        )
    finally:
        accounts_remove(link, [provider, contractor])
    baseline = result["baseline_task_round_trip_s"]
    for kind in ("status", "tracking"):
        median, p95 = result[f"{kind}_latency_median_s"], result[f"{kind}_latency_p95_s"]
        print(
            f"{kind}: median {median:.3f} s ({median / baseline:.1f}x an empty task's round trip of "
            f"{baseline * 1000:.1f} ms), p95 {p95:.3f} s",
            file=sys.stderr,
        )
    if result["lost"]:
        print(
            f"LOST: {result['lost']} changes did not arrive within {WAIT_PER_CHANGE:.0f} s", file=sys.stderr
        )
    print(json.dumps({"bench": "connect_propagation", "pairs": args.pairs, **result}))


if __name__ == "__main__":
    main()
