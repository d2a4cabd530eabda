"""Connect stock sync: a provider's bulk stock change reaching its contractors' linked products, vs one
raw ``UPDATE … FROM`` of those rows; then the latency of single changes with a real Celery worker.

    .venv/bin/python bench/connect_stock_sync.py [--products 100000] [--contractors 5] [--repeat 2]
                                                 [--changes 50]

Sets up (set-based SQL, outside the timings) a provider account with N products, each with stock in the
sharing source warehouse, and C contractor accounts joined to its integration with stock sync on, each
with N products linked to the provider's (``ProductLink``) and a stock row in its target warehouse.

1. Throughput, alternately and ``--repeat`` times each (the best run of each counts), the table vacuumed
   before each run:
   - baseline: one raw ``UPDATE catalog_stock … FROM catalog_productlink JOIN catalog_stock`` writing
     new quantities into all N × C linked contractor rows, committed;
   - the sync: the provider changes the stock of all N products with ``catalog.bulk.stock_set_many``
     (the bulk path: COPY, checks, one ``UPDATE … FROM``, its change events in chunks of 10k) and the
     outbox delivers those events to the sync consumer (the same function the worker's task runs, run
     here in this process), which writes the N × C contractor rows. ``seconds`` is the propagation:
     from the provider's commit until every contractor row holds its new value (the same N × C rows
     the baseline writes); the provider's own write of its N rows is timed too and printed
     (``provider_write_seconds``, and the ratio with it included).
2. Latency: a real worker (``celery -A config worker``, a separate process) is started; ``--changes``
   single stock changes are made through the normal service (``catalog.services.product_write``, as
   the product API does), each timed from its commit until all C contractor rows show the new value.

Everything created is removed at the end. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _setup_django() -> None:
    from _setup import django_start

    django_start()


def _owner(account):
    from accounts.models import Membership, Role, User
    from accounts.tenancy import Tenant

    user = User.objects.create(email=f"bench-{account.pk}@example.test", full_name="Bench")
    Membership.objects.create(account=account, user=user, role=Role.OWNER)
    return Tenant(account=account, role=Role.OWNER, user=user)


def _account(name: str):
    from accounts.models import Account
    from accounts.signals import account_created

    account = Account.objects.create(name=name, country="PL", default_currency="PLN")
    account_created.send(sender=Account, account=account)
    return account


def _set_up(products: int, contractors: int):
    """The provider, its products and the contractors with their linked products (set-based SQL)."""
    from django.db import connection, transaction

    from catalog.models import Inventory
    from connect import services
    from connect.models import ContractorLink

    provider = _account("Bench Connect provider")
    provider_tenant = _owner(provider)
    inventory = Inventory.objects.get(account=provider, is_default=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO catalog_product (account_id, inventory_id, sku, ean, tax_rate, weight, height,
                                            width, length, star, average_cost, is_bundle,
                                            created_at, updated_at)
               SELECT %s, %s, 'CS-' || lpad(g::text, 7, '0'), '', 23, 0, 0, 0, 0, 0, 0, false, now(), now()
                 FROM generate_series(1, %s) g""",
            [provider.pk, inventory.pk, products],
        )
        cursor.execute(
            """INSERT INTO catalog_stock (product_id, warehouse_id, quantity)
               SELECT id, %s, 10 FROM catalog_product WHERE inventory_id = %s""",
            [inventory.default_warehouse_id, inventory.pk],
        )
    integration, code = services.provider_create(
        actor=provider_tenant,
        display_name="Bench wholesale",
        code_name="bench",
        orders_enabled=False,
        products_enabled=True,
    )
    links, targets = [], {}
    for n in range(contractors):
        shop = _account(f"Bench Connect contractor {n + 1}")
        shop_inventory = Inventory.objects.get(account=shop, is_default=True)
        supplier = services.integration_join(
            actor=_owner(shop),
            code=code,
            client_ip=None,
            display_name="Bench supplier",
            settings={"stock_sync": True, "warehouse": shop_inventory.default_warehouse},
        )
        link = ContractorLink.objects.get(contractor_integration=supplier)
        links.append(link)
        targets[link.pk] = shop_inventory.default_warehouse_id
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO catalog_product (account_id, inventory_id, sku, ean, tax_rate, weight, height,
                                                width, length, star, average_cost, is_bundle,
                                                created_at, updated_at)
                   SELECT %s, %s, sku, '', 23, 0, 0, 0, 0, 0, 0, false, now(), now()
                     FROM catalog_product WHERE inventory_id = %s""",
                [shop.pk, shop_inventory.pk, inventory.pk],
            )
            # Fresh statistics, or the planner takes the just-copied catalog for empty and joins it
            # by SKU with a nested loop (minutes instead of a second).
            cursor.execute("ANALYZE catalog_product")
            cursor.execute(
                """INSERT INTO catalog_productlink (account_id, product_id, storage, storage_id,
                                                    external_product_id, external_id, created_at)
                   SELECT %s, c.id, 'connect', %s, p.id, p.id, now()
                     FROM catalog_product c JOIN catalog_product p ON p.inventory_id = %s AND p.sku = c.sku
                    WHERE c.inventory_id = %s""",
                [shop.pk, supplier.pk, inventory.pk, shop_inventory.pk],
            )
            cursor.execute(
                """INSERT INTO catalog_stock (product_id, warehouse_id, quantity)
                   SELECT id, %s, 10 FROM catalog_product WHERE inventory_id = %s""",
                [shop_inventory.default_warehouse_id, shop_inventory.pk],
            )
    return provider, provider_tenant, integration, inventory, links, targets


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE catalog_stock")
        cursor.execute("VACUUM ANALYZE catalog_productlink")


def run_baseline(
    *, source_warehouse: int, targets: dict[int, int], links, offset: int, expected: int
) -> float:
    """One raw UPDATE … FROM of every linked contractor row (new value: provider stock + offset)."""
    from django.db import connection, transaction

    storage = [link.contractor_integration_id for link in links]
    warehouses = [targets[link.pk] for link in links]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """UPDATE catalog_stock cs SET quantity = ps.quantity + %s
                 FROM unnest(%s::bigint[], %s::bigint[]) AS w(storage_id, warehouse_id)
                 JOIN catalog_productlink pl ON pl.storage = 'connect' AND pl.storage_id = w.storage_id
                 JOIN catalog_stock ps ON ps.product_id = pl.external_product_id AND ps.warehouse_id = %s
                WHERE cs.product_id = pl.product_id AND cs.warehouse_id = w.warehouse_id""",
            [offset, storage, warehouses, source_warehouse],
        )
        assert cursor.rowcount == expected, (cursor.rowcount, expected)
    return time.perf_counter() - started


def run_sync(
    *, provider, product_ids: list[int], source_warehouse: int, quantity: int
) -> tuple[float, float]:
    """The provider's bulk change and its propagation; (total seconds, seconds of the provider's write)."""
    from accounts.models import Role
    from accounts.tenancy import Tenant
    from catalog.bulk import stock_set_many
    from changes.models import ChangeDelivery
    from changes.origin import Origin
    from changes.services import delivery_run
    from connect.sync import CONSUMER

    started = time.perf_counter()
    stock_set_many(
        actor=Tenant(account=provider, role=Role.OWNER),
        rows=((pk, source_warehouse, quantity) for pk in product_ids),
        origin=Origin.system("bench"),
    )
    written = time.perf_counter()
    pending = list(
        ChangeDelivery.objects.filter(consumer=CONSUMER, delivered_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert all(delivery_run(delivery_id=pk) for pk in pending)
    return time.perf_counter() - started, written - started


def _check(*, links, targets, quantity: int, products: int) -> None:
    from catalog.models import Stock

    for link in links:
        assert (
            Stock.objects.filter(
                product__account_id=link.contractor_account_id,
                warehouse_id=targets[link.pk],
                quantity=quantity,
            ).count()
            == products
        ), f"contractor {link.contractor_account_id} is not in step"


def _start_worker() -> subprocess.Popen:
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-l",
            "WARNING",
            "-n",
            "bench@%h",
        ],
        cwd=ROOT,
        env={**os.environ},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return worker
        if worker.poll() is not None:
            raise RuntimeError("the worker did not start")
    worker.terminate()
    raise RuntimeError("the worker did not answer within 60 s")


def run_latency(*, provider_tenant, inventory, product_ids, links, targets, changes: int) -> list[float]:
    """Single stock changes through the product service; seconds from commit to all contractor rows."""
    from catalog.models import Product, Stock
    from catalog.services import product_write
    from changes.origin import Origin

    worker = _start_worker()
    latencies = []
    try:
        for n in range(changes):
            product = Product.objects.get(pk=product_ids[(n * 7919) % len(product_ids)])
            quantity = 5000 + n
            product_write(
                actor=provider_tenant,
                inventory=inventory,
                origin=Origin.of_user(provider_tenant.user),
                product=product,
                stock={inventory.default_warehouse_id: quantity},
            )
            committed = time.perf_counter()
            copies = Stock.objects.filter(
                product__external_link__external_product_id=product.pk,
                warehouse_id__in=list(targets.values()),
                quantity=quantity,
            )
            deadline = committed + 30
            while copies.count() < len(links):
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"change {n} did not reach the contractors within 30 s")
                time.sleep(0.005)
            latencies.append(time.perf_counter() - committed)
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return latencies


def _clean_up(accounts) -> None:
    from django.db import connection

    ids = [a.pk for a in accounts]
    with connection.cursor() as cursor:
        for table in ("catalog_stock", "catalog_price", "catalog_producttext"):
            cursor.execute(
                f"""DELETE FROM {table}
                     WHERE product_id IN (SELECT id FROM catalog_product WHERE account_id = ANY(%s))""",  # noqa: S608 - constant table names
                [ids],
            )
        cursor.execute("DELETE FROM catalog_productlink WHERE account_id = ANY(%s)", [ids])
        cursor.execute(
            """DELETE FROM changes_changedelivery
                WHERE event_id IN (SELECT id FROM changes_changeevent WHERE account_id = ANY(%s))""",
            [ids],
        )
        cursor.execute("DELETE FROM changes_changeevent WHERE account_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM catalog_product WHERE account_id = ANY(%s)", [ids])
    from catalog.models import Inventory
    from connect.models import ConnectIntegration

    # Sharing settings protect the catalog, warehouse and price group they name: integrations go first.
    ConnectIntegration.objects.filter(account_id__in=ids).delete()
    Inventory.objects.filter(account_id__in=ids).delete()
    for account in accounts:
        account.delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--contractors", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--changes", type=int, default=50)
    args = parser.parse_args()
    _setup_django()

    from accounts.models import Account

    provider, provider_tenant, _integration, inventory, links, targets = _set_up(
        args.products, args.contractors
    )
    accounts = [provider, *Account.objects.filter(pk__in=[link.contractor_account_id for link in links])]
    try:
        from catalog.models import Product

        product_ids = list(
            Product.objects.filter(inventory=inventory).order_by("pk").values_list("pk", flat=True)
        )
        source = inventory.default_warehouse_id
        rows = args.products * args.contractors
        baselines, syncs, provider_writes, totals = [], [], [], []
        for attempt in range(args.repeat):
            _vacuum()
            baselines.append(
                run_baseline(
                    source_warehouse=source,
                    targets=targets,
                    links=links,
                    offset=1000 + attempt,
                    expected=rows,
                )
            )
            _vacuum()
            quantity = 20 + attempt
            total, provider_write = run_sync(
                provider=provider, product_ids=product_ids, source_warehouse=source, quantity=quantity
            )
            syncs.append(total - provider_write)
            provider_writes.append(provider_write)
            totals.append(total)
            _check(links=links, targets=targets, quantity=quantity, products=args.products)
        _vacuum()
        latencies = run_latency(
            provider_tenant=provider_tenant,
            inventory=inventory,
            product_ids=product_ids,
            links=links,
            targets=targets,
            changes=args.changes,
        )
    finally:
        _clean_up(accounts)
    baseline, seconds, total = min(baselines), min(syncs), min(totals)
    median = statistics.median(latencies)
    p95 = (
        statistics.quantiles(latencies, n=20, method="inclusive")[18] if len(latencies) > 1 else latencies[0]
    )
    print(
        f"{args.products} products × {args.contractors} contractors = {rows} linked rows, "
        f"best of {args.repeat}: raw UPDATE … FROM {baseline:.2f} s "
        f"(all: {', '.join(f'{b:.2f}' for b in baselines)}); propagation from the provider's commit "
        f"{seconds:.2f} s (all: {', '.join(f'{x:.2f}' for x in syncs)}), {seconds / baseline:.2f} ×; "
        f"with the provider's own write of its {args.products} rows "
        f"({min(provider_writes):.2f} s) {total:.2f} s, {total / baseline:.2f} ×"
    )
    print(
        f"{len(latencies)} single changes with a worker: median {median:.3f} s, p95 {p95:.3f} s, "
        f"max {max(latencies):.3f} s"
    )
    print(
        json.dumps(
            {
                "bench": "connect_stock_sync",
                "products": args.products,
                "contractors": args.contractors,
                "seconds": round(seconds, 3),
                "baseline_seconds": round(baseline, 3),
                "ratio": round(seconds / baseline, 3),
                "provider_write_seconds": round(min(provider_writes), 3),
                "ratio_with_provider_write": round(total / baseline, 3),
                "latency_median_s": round(median, 3),
                "latency_p95_s": round(p95, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
