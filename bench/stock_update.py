"""Bulk stock update of N existing stock rows vs one raw ``UPDATE … FROM`` of the same rows.

    .venv/bin/python bench/stock_update.py [--rows 100000] [--repeat 2]

Creates a throw-away account with N products, each with a stock row in the default warehouse, then
times, alternately and ``--repeat`` times each (the best run of each counts):

- baseline: one ``UPDATE catalog_stock … FROM unnest(product ids, warehouse ids, quantities)`` with the
  new quantities passed as three arrays, committed;
- the bulk path: ``catalog.bulk.stock_set_many`` with the same (product id, warehouse id, quantity)
  items — item checks, COPY into a temp table, account/warehouse/duplicate checks in SQL, row locks in
  primary-key order, ``UPDATE … FROM`` and ``INSERT`` of missing rows, committed.

The table is vacuumed before every run so that no run pays for the previous one's dead rows. Everything
created is removed at the end. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time


def _setup_django() -> None:
    from _setup import django_start

    django_start()


def _create_products(*, account, inventory, warehouse, count: int) -> list[int]:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO catalog_product (account_id, inventory_id, sku, ean, tax_rate, weight, height,
                                            width, length, star, average_cost, is_bundle,
                                            created_at, updated_at)
               SELECT %s, %s, 'STOCK-' || lpad(g::text, 7, '0'), '', 23, 0, 0, 0, 0, 0, 0, false, now(), now()
                 FROM generate_series(1, %s) g""",
            [account.pk, inventory.pk, count],
        )
        cursor.execute(
            """INSERT INTO catalog_stock (product_id, warehouse_id, quantity)
               SELECT id, %s, 10 FROM catalog_product WHERE inventory_id = %s""",
            [warehouse.pk, inventory.pk],
        )
        cursor.execute("SELECT id FROM catalog_product WHERE inventory_id = %s ORDER BY id", [inventory.pk])
        return [row[0] for row in cursor.fetchall()]


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE catalog_stock")


def run_baseline(product_ids: list[int], warehouse_id: int, quantities: list[int]) -> float:
    from django.db import connection, transaction

    warehouses = [warehouse_id] * len(product_ids)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """UPDATE catalog_stock s SET quantity = v.quantity
                 FROM unnest(%s::bigint[], %s::bigint[], %s::integer[])
                      AS v(product_id, warehouse_id, quantity)
                WHERE s.product_id = v.product_id AND s.warehouse_id = v.warehouse_id""",
            [product_ids, warehouses, quantities],
        )
        assert cursor.rowcount == len(product_ids)
    return time.perf_counter() - started


def run_bulk(account, product_ids: list[int], warehouse_id: int, quantities: list[int]) -> float:
    from accounts.models import Role
    from accounts.tenancy import Tenant
    from catalog.bulk import stock_set_many
    from changes.origin import Origin

    started = time.perf_counter()
    result = stock_set_many(
        actor=Tenant(account=account, role=Role.ADMIN),
        rows=zip(product_ids, [warehouse_id] * len(product_ids), quantities, strict=True),
        origin=Origin.system(),
    )
    elapsed = time.perf_counter() - started
    assert result.updated == len(product_ids) and result.created == 0, result
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    _setup_django()

    from django.db import connection

    from accounts.models import Account
    from accounts.signals import account_created
    from catalog.models import Inventory, Stock

    account = Account.objects.create(name="Bench stock update", country="PL", default_currency="PLN")
    account_created.send(sender=Account, account=account)
    inventory = Inventory.objects.get(account=account, is_default=True)
    warehouse = inventory.default_warehouse
    try:
        product_ids = _create_products(
            account=account, inventory=inventory, warehouse=warehouse, count=args.rows
        )
        baselines, bulks = [], []
        for attempt in range(args.repeat):
            _vacuum()
            baselines.append(
                run_baseline(product_ids, warehouse.pk, [(i + attempt) % 997 for i in range(args.rows)])
            )
            _vacuum()
            bulks.append(
                run_bulk(
                    account, product_ids, warehouse.pk, [(i + attempt + 500) % 991 for i in range(args.rows)]
                )
            )
        expected = {pid: (i + args.repeat - 1 + 500) % 991 for i, pid in enumerate(product_ids[:1000])}
        got = dict(
            Stock.objects.filter(product_id__in=expected, warehouse=warehouse).values_list(
                "product_id", "quantity"
            )
        )
        assert got == expected
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM catalog_stock WHERE product_id IN"
                " (SELECT id FROM catalog_product WHERE account_id = %s)",
                [account.pk],
            )
            cursor.execute("DELETE FROM catalog_product WHERE account_id = %s", [account.pk])
        Inventory.objects.filter(account=account).delete()
        account.delete()
    baseline, seconds = min(baselines), min(bulks)
    print(
        f"{args.rows} stock rows, best of {args.repeat}: raw UPDATE … FROM {baseline:.2f} s "
        f"(all: {', '.join(f'{b:.2f}' for b in baselines)}), stock_set_many {seconds:.2f} s "
        f"(all: {', '.join(f'{b:.2f}' for b in bulks)}), {seconds / baseline:.2f} ×"
    )
    print(
        json.dumps(
            {
                "bench": "stock_update",
                "rows": args.rows,
                "seconds": round(seconds, 3),
                "baseline_seconds": round(baseline, 3),
                "ratio": round(seconds / baseline, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
