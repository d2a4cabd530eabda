"""Article sync to the sandbox Ongoing WMS: first full sync, a run with nothing changed, 1% changed.

    .venv/bin/python bench/wms_articles.py [--products 100000]

Creates its own account with N products (set-based SQL), a WMS connection to a sandbox running in its
own process, runs the articles sync three times and removes everything again. Baseline (same run):
bare ``http.client`` PUT /articles throughput against the same sandbox, printed before the result.
The last line is one JSON object: bench, products, first_seconds, first_requests_per_s,
nochange_writes, nochange_seconds, changed_writes.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import http.client
import json
import logging
import os
import subprocess
import sys
import time

from _setup import django_start  # noqa: E402

# The sandbox listens on loopback, which WMS connections may only reach when allowed.
os.environ.setdefault("HURTLINK_OUTBOUND_ALLOWED_HOSTS", "127.0.0.1")

django_start()

from django.db import connection as db  # noqa: E402
from django.db.models.deletion import ProtectedError  # noqa: E402

from accounts.models import Account  # noqa: E402
from accounts.signals import account_created  # noqa: E402
from catalog.models import Inventory  # noqa: E402
from wmsbridge.models import WmsConnection  # noqa: E402
from wmsbridge.services import connection_create  # noqa: E402
from wmsbridge.sync import connection_sync  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOODS_OWNER = 1
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


def sandbox_start() -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE.format(root=ROOT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    return process, int(process.stdout.readline())


def sandbox_writes(port: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/_sandbox/counters")
    counters = json.loads(connection.getresponse().read())
    connection.close()
    return int(counters.get("writes", 0))


def baseline_rate(port: int, count: int) -> float:
    """Bare keep-alive http.client PUT /articles (goods owner 2, so the bench's data stays apart)."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    headers = {
        "Authorization": "Basic " + base64.b64encode(b"bench:bench").decode(),
        "Content-Type": "application/json",
    }
    started = time.perf_counter()
    for i in range(count):
        body = {
            "goodsOwnerId": 2,
            "articleNumber": f"RAW-{i:07d}",
            "articleName": f"Article {i}",
            "weight": 1.5,
        }
        connection.request("PUT", "/sandbox/api/v1/articles", body=json.dumps(body), headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, response.status
    elapsed = time.perf_counter() - started
    connection.close()
    return count / elapsed


def account_create(products: int) -> tuple[Account, Inventory]:
    account = Account.objects.create(
        name=f"bench-wms-articles-{os.getpid()}", country="PL", default_currency="PLN"
    )
    account_created.send(sender=Account, account=account)
    inventory = Inventory.objects.get(account=account, is_default=True)
    with db.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO catalog_product (account_id, inventory_id, sku, ean, tax_rate, weight, height, width,
                length, star, average_cost, is_bundle, created_at, updated_at)
            SELECT %s, %s, 'BENCH-' || lpad(g::text, 7, '0'), (5900000000000 + g)::text, 23,
                   (g %% 50) / 10.0, 10, 20, 30, 0, 0, false, now(), now()
            FROM generate_series(1, %s) g
            """,
            [account.pk, inventory.pk, products],
        )
        cursor.execute(
            """
            INSERT INTO catalog_producttext (product_id, language, name, description, features, extra_fields)
            SELECT p.id, %s, 'Bench product ' || p.sku, 'Description of ' || p.sku, '[]', '{}'
            FROM catalog_product p WHERE p.inventory_id = %s
            """,
            [inventory.default_language, inventory.pk],
        )
    return account, inventory


def account_remove(account: Account) -> None:
    WmsConnection.objects.filter(account=account).delete()  # states and runs go with it (fast deletes)
    with db.cursor() as cursor:
        cursor.execute(
            "DELETE FROM catalog_producttext WHERE product_id IN "
            "(SELECT id FROM catalog_product WHERE account_id = %s)",
            [account.pk],
        )
        cursor.execute(
            "DELETE FROM catalog_stock WHERE product_id IN "
            "(SELECT id FROM catalog_product WHERE account_id = %s)",
            [account.pk],
        )
        cursor.execute("DELETE FROM catalog_product WHERE account_id = %s", [account.pk])
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
    parser.add_argument("--products", type=int, default=100_000)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    process, port = sandbox_start()
    account = None
    try:
        baseline = baseline_rate(port, min(args.products, 5000))
        print(f"baseline: bare http.client PUT /articles {baseline:.0f} req/s", file=sys.stderr)
        started = time.perf_counter()
        account, inventory = account_create(args.products)
        print(f"setup: {args.products} products in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        connection = connection_create(
            account=account,
            name="Bench",
            base_url=f"http://127.0.0.1:{port}/sandbox/",
            api_user="bench",
            password="bench",
            goods_owner_id=GOODS_OWNER,
            inventory=inventory,
        )

        def run() -> tuple[float, object, int]:
            writes_before = sandbox_writes(port)
            started = time.perf_counter()
            (result,) = connection_sync(connection_id=connection.pk, kinds=["articles"], trigger="bench")
            seconds = time.perf_counter() - started
            assert result.status == "ok", result.messages
            return seconds, result, sandbox_writes(port) - writes_before

        first_seconds, first, first_writes = run()
        assert first.created == args.products, (first.created, first.messages)
        rate = first.requests / first_seconds
        print(
            f"first: {first_seconds:.1f} s, {first.requests} requests, {first_writes} writes "
            f"({rate:.0f} req/s = {rate / baseline:.2f} × baseline)",
            file=sys.stderr,
        )
        nochange_seconds, nochange, nochange_writes = run()
        print(f"no change: {nochange_seconds:.2f} s, {nochange_writes} writes", file=sys.stderr)
        with db.cursor() as cursor:  # 1% of the products: a new name
            cursor.execute(
                "UPDATE catalog_producttext t SET name = t.name || ' (new)' FROM catalog_product p "
                "WHERE p.id = t.product_id AND p.inventory_id = %s AND p.id %% 100 = 0",
                [inventory.pk],
            )
            changed_expected = cursor.rowcount
        changed_seconds, changed, changed_writes = run()
        print(
            f"1% changed: {changed_seconds:.2f} s, {changed_writes} writes (expected {changed_expected})",
            file=sys.stderr,
        )
    finally:
        if account is not None:
            account_remove(account)
        process.stdin.close()
        process.wait(timeout=60)
    print(
        json.dumps(
            {
                "bench": "wms_articles",
                "products": args.products,
                "first_seconds": round(first_seconds, 2),
                "first_requests_per_s": round(first.requests / first_seconds, 1),
                "nochange_writes": nochange_writes,
                "nochange_seconds": round(nochange_seconds, 2),
                "changed_writes": changed_writes,
            }
        )
    )


if __name__ == "__main__":
    main()
