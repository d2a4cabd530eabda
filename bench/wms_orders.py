"""Order export to the sandbox Ongoing WMS: N eligible orders, each exactly once.

    .venv/bin/python bench/wms_orders.py [--orders 10000]

Creates its own accounts (products, their articles in the sandbox, N orders with two lines each), a
WMS connection to a sandbox running in its own process, exports the orders in one run and removes
everything again. Baseline (same run): the same export for N/100 orders, printed before the result,
to show the database queries per order do not grow with the batch. The last line is one JSON object:
bench, orders, seconds, orders_per_s, exported_once, duplicates, queries_per_order.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal

from _setup import django_start  # noqa: E402

# The sandbox listens on loopback, which WMS connections may only reach when allowed.
os.environ.setdefault("HURTLINK_OUTBOUND_ALLOWED_HOSTS", "127.0.0.1")

django_start()

from django.db import connection as db  # noqa: E402
from django.db.models.deletion import ProtectedError  # noqa: E402

from accounts.models import Account  # noqa: E402
from accounts.signals import account_created  # noqa: E402
from catalog.models import Inventory, Product, ProductText  # noqa: E402
from orders.models import JournalEntry, Order, OrderLine, OrderSource, OrderStatus  # noqa: E402
from wmsbridge.client import OngoingClient  # noqa: E402
from wmsbridge.models import OrderExport, WmsConnection  # noqa: E402
from wmsbridge.services import connection_create  # noqa: E402
from wmsbridge.sync import connection_sync  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PRODUCTS = 50
SERVE = """
import sys
sys.path.insert(0, {root!r})
from wmsbridge.sandbox import SandboxServer
server = SandboxServer(port=0)
server.start()
server.add_user("bench", "bench", [1, 2])
print(server.port, flush=True)
sys.stdin.read()
server.stop()
"""


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def setup_account(label: str, orders: int, base_url: str, goods_owner: int) -> tuple[Account, WmsConnection]:
    account = Account.objects.create(
        name=f"bench-wms-orders-{label}-{os.getpid()}", country="PL", default_currency="PLN"
    )
    account_created.send(sender=Account, account=account)
    inventory = Inventory.objects.get(account=account, is_default=True)
    products = Product.objects.bulk_create(
        Product(account=account, inventory=inventory, sku=f"BENCH-{i:03d}", weight=Decimal("0.5"))
        for i in range(PRODUCTS)
    )
    ProductText.objects.bulk_create(
        ProductText(product=p, language=inventory.default_language, name=f"Bench {p.sku}") for p in products
    )
    new = OrderStatus.objects.filter(account=account, kind=OrderStatus.Kind.NEW).first()
    source = OrderSource.objects.filter(account=account).first()
    for start in range(0, orders, 2000):
        created = Order.objects.bulk_create(
            Order(
                account=account,
                source=source,
                status=new,
                currency="PLN",
                email=f"buyer{i}@example.test",
                phone="+48600100200",
                delivery_fullname=f"Buyer {i}",
                delivery_address="ul. Polna 1",
                delivery_postcode="00-001",
                delivery_city="Warszawa",
                delivery_country_code="PL",
                user_comments="Bench order",
            )
            for i in range(start, min(orders, start + 2000))
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                product=products[(order.pk + k) % PRODUCTS],
                sku=products[(order.pk + k) % PRODUCTS].sku,
                name="Bench line",
                price_brutto=Decimal("19.99"),
                quantity=1 + k,
            )
            for order in created
            for k in range(2)
        )
    connection = connection_create(
        account=account,
        name="Bench",
        base_url=base_url,
        api_user="bench",
        password="bench",
        goods_owner_id=goods_owner,
        inventory=inventory,
        export_statuses=[new],
    )
    (articles,) = connection_sync(connection_id=connection.pk, kinds=["articles"], trigger="bench")
    assert articles.status == "ok" and articles.created == PRODUCTS, articles.messages
    return account, connection


def export(connection: WmsConnection) -> tuple[float, int, object]:
    counter = QueryCounter()
    started = time.perf_counter()
    with db.execute_wrapper(counter):
        (run,) = connection_sync(connection_id=connection.pk, kinds=["orders"], trigger="bench")
    seconds = time.perf_counter() - started
    assert run.status == "ok", run.messages
    return seconds, counter.count, run


def wms_numbers(base_url: str, goods_owner: int) -> Counter:
    with OngoingClient(base_url, "bench", "bench", goods_owner, timeout=120) as client:
        return Counter(o["orderInfo"]["orderNumber"] for o in client.iter_orders(page_size=1000))


def account_remove(account: Account) -> None:
    WmsConnection.objects.filter(account=account).delete()
    orders = Order.objects.filter(account=account)
    JournalEntry.objects.filter(account=account).delete()
    OrderLine.objects.filter(order__in=orders).delete()
    orders.delete()
    Product.objects.filter(account=account).delete()
    for _ in range(10):
        try:
            account.delete()
            return
        except ProtectedError as exc:
            for obj in exc.protected_objects:
                with contextlib.suppress(ProtectedError):
                    obj.delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE.format(root=ROOT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    base_url = f"http://127.0.0.1:{int(process.stdout.readline())}/sandbox/"
    accounts = []
    try:
        small_orders = max(10, args.orders // 100)
        small, small_connection = setup_account("baseline", small_orders, base_url, goods_owner=2)
        accounts.append(small)
        small_seconds, small_queries, _run = export(small_connection)
        print(
            f"baseline: {small_orders} orders in {small_seconds:.2f} s, "
            f"{small_queries / small_orders:.2f} queries per order",
            file=sys.stderr,
        )
        started = time.perf_counter()
        account, connection = setup_account("main", args.orders, base_url, goods_owner=1)
        accounts.append(account)
        print(f"setup: {args.orders} orders in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        seconds, queries, run = export(connection)
        numbers = wms_numbers(base_url, 1)
        ours = {str(pk) for pk in Order.objects.filter(account=account).values_list("pk", flat=True)}
        exported_once = sum(1 for number in ours if numbers.get(number) == 1)
        duplicates = sum(count - 1 for count in numbers.values() if count > 1) + sum(
            1 for number in numbers if number not in ours
        )
        remembered = OrderExport.objects.filter(connection=connection, state="exported").count()
        print(
            f"main: {args.orders} orders in {seconds:.1f} s, {queries / args.orders:.2f} queries per order, "
            f"{run.requests} requests, {remembered} remembered as exported",
            file=sys.stderr,
        )
    finally:
        for account in accounts:
            account_remove(account)
        process.stdin.close()
        process.wait(timeout=60)
    print(
        json.dumps(
            {
                "bench": "wms_orders",
                "orders": args.orders,
                "seconds": round(seconds, 2),
                "orders_per_s": round(args.orders / seconds, 1),
                "exported_once": exported_once,
                "duplicates": duplicates,
                "queries_per_order": round(queries / args.orders, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
