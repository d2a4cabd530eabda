"""Import of N shared products (texts, one price, one stock each) from a Connect supplier vs raw COPY.

    .venv/bin/python bench/connect_import.py [--products 100000] [--repeat 2]

Creates a throw-away provider account with N products (written with COPY: this is the fixture, not
what is measured) sharing its catalog with a throw-away contractor (through the real Connect services,
price and stock sync on, a multiplier and a quantity correction). Then, alternately and ``--repeat``
times each, into a fresh catalog of the contractor (the best run of each counts, so a burst of load
from other processes on a shared machine does not decide the ratio):

- baseline: a raw ``COPY`` of the same rows straight into the contractor's tables (products with ids
  reserved from their sequence, texts, prices, stock), in one transaction — the floor for those rows;
- the import: ``connect.imports.connect_import_execute`` as the Celery job runs it (the shared catalog
  read through its selectors in batches into a staging table, checked, then written set-based, with
  the product links), including its commit.

Then the last import runs again with nothing changed: the rows it writes in the real tables are counted
(``pg_stat_xact_user_tables`` of its own transaction) and must be 0. Peak memory is the process's
resident high-water mark during the imports. Everything created is removed at the end. The last line
printed is one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import time

from catalog_import import _peak_mb, _reset_peak


def _setup_django() -> None:
    from _setup import django_start

    django_start()


def _row(i: int) -> dict:
    return {
        "sku": f"CX-{i:07d}",
        "ean": f"{590000000000 + i:013d}",
        "weight": f"{(i % 500) / 100 + 0.1:.2f}",
        "name": f"Shared product {i} – cotton T-shirt",
        "description": f"Soft cotton T-shirt, size {('S', 'M', 'L', 'XL')[i % 4]}, item {i}.",
        "stock": i % 1000,
        "price": f"{(i % 10000) / 100 + 1:.2f}",
    }


def _copy_products(*, account_id, inventory_id, warehouse_id, price_group_id, count, language) -> None:
    """COPY ``count`` products with one text, price and stock each into the given catalog."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('catalog_product', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, nextval(%s) + %s)", [sequence, sequence, count])
        last = cursor.fetchone()[0]
        first = last - count + 1
        products, texts, prices, stock = io.StringIO(), io.StringIO(), io.StringIO(), io.StringIO()
        now = "2026-01-01 00:00:00+00"
        for i in range(count):
            r = _row(i)
            pid = first + i
            products.write(
                f"{pid}\t{account_id}\t{inventory_id}\t{r['sku']}\t{r['ean']}\t23\t{r['weight']}"
                f"\t0\t0\t0\t0\t0\tf\t{now}\t{now}\n"
            )
            texts.write(f"{pid}\t{language}\t{r['name']}\t{r['description']}\t[]\t{{}}\n")
            prices.write(f"{pid}\t{price_group_id}\t{r['price']}\n")
            stock.write(f"{pid}\t{warehouse_id}\t{r['stock']}\n")
        for statement, data in (
            (
                "COPY catalog_product (id, account_id, inventory_id, sku, ean, tax_rate, weight, height,"
                " width, length, star, average_cost, is_bundle, created_at, updated_at) FROM STDIN",
                products,
            ),
            (
                "COPY catalog_producttext (product_id, language, name, description, features, extra_fields)"
                " FROM STDIN",
                texts,
            ),
            ("COPY catalog_price (product_id, price_group_id, amount) FROM STDIN", prices),
            ("COPY catalog_stock (product_id, warehouse_id, quantity) FROM STDIN", stock),
        ):
            with cursor.cursor.copy(statement) as copy:
                copy.write(data.getvalue())


def _written_rows(cursor) -> int:
    cursor.execute(
        """SELECT COALESCE(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables
            WHERE schemaname = 'public'"""
    )
    return int(cursor.fetchone()[0])


def cleanup(*accounts) -> None:
    from django.db import connection

    from catalog.models import Inventory

    with connection.cursor() as cursor:
        for account in accounts:
            cursor.execute("DELETE FROM catalog_productlink WHERE account_id = %s", [account.pk])
            for table in ("catalog_producttext", "catalog_price", "catalog_stock", "catalog_product_tags"):
                cursor.execute(
                    f"DELETE FROM {table} WHERE product_id IN"  # noqa: S608 - constant table names
                    " (SELECT id FROM catalog_product WHERE account_id = %s)",
                    [account.pk],
                )
            cursor.execute("DELETE FROM catalog_product WHERE account_id = %s", [account.pk])
    for account in accounts:
        from connect.models import ConnectImport, ConnectIntegration

        ConnectImport.objects.filter(account=account).delete()
        ConnectIntegration.objects.filter(account=account).delete()
        Inventory.objects.filter(account=account).delete()
        account.delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    _setup_django()

    from decimal import Decimal

    from django.db import connection, transaction

    from accounts.models import Account, Membership, Role, User
    from accounts.signals import account_created
    from accounts.tenancy import Tenant
    from catalog.models import Inventory, Price, Product, ProductLink, ProductText, Stock
    from changes.origin import Origin
    from connect import services
    from connect.imports import connect_import_execute
    from connect.models import ConnectImport, ContractorLink

    stamp = int(time.time())
    provider = Account.objects.create(name=f"Bench supplier {stamp}", country="PL", default_currency="PLN")
    shop = Account.objects.create(name=f"Bench shop {stamp}", country="DE", default_currency="EUR")
    tenants = []
    for account in (provider, shop):
        account_created.send(sender=Account, account=account)
        user = User.objects.create_user(email=f"bench-{account.pk}-{stamp}@bench.test", password=None)
        Membership.objects.create(user=user, account=account, role=Role.OWNER)
        tenants.append(Tenant(account=account, role=Role.OWNER, user=user))
    try:
        source = Inventory.objects.get(account=provider, is_default=True)
        _copy_products(
            account_id=provider.pk,
            inventory_id=source.pk,
            warehouse_id=source.default_warehouse_id,
            price_group_id=source.default_price_group_id,
            count=args.products,
            language=source.default_language,
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_product; ANALYZE catalog_producttext")
        _integration, code = services.provider_create(
            actor=tenants[0], display_name="Bench supplier", orders_enabled=False, products_enabled=True
        )
        joined = services.integration_join(actor=tenants[1], code=code, client_ip=None, display_name="Bench")
        mine = Inventory.objects.get(account=shop, is_default=True)
        services.contractor_update(
            actor=tenants[1],
            integration=joined,
            price_multiplier=Decimal("1.30"),
            quantity_subtract=1,
            stock_sync=True,
            warehouse=mine.default_warehouse,
            price_sync=True,
            price_group=mine.default_price_group,
        )
        link = ContractorLink.objects.get(contractor_integration=joined)
        origin = Origin.connect(link.pk, "bench")

        def new_catalog(name: str) -> Inventory:
            return Inventory.objects.create(
                account=shop,
                name=name,
                languages=[source.default_language],
                default_language=source.default_language,
                default_warehouse=mine.default_warehouse,
                default_price_group=mine.default_price_group,
            )

        baselines, imports, peaks = [], [], []
        exact_peak = True
        saved = None
        for attempt in range(args.repeat):
            base = new_catalog(f"Bench baseline {attempt}")
            started = time.perf_counter()
            with transaction.atomic():
                _copy_products(
                    account_id=shop.pk,
                    inventory_id=base.pk,
                    warehouse_id=mine.default_warehouse_id,
                    price_group_id=mine.default_price_group_id,
                    count=args.products,
                    language=source.default_language,
                )
            baselines.append(time.perf_counter() - started)
            # Each run imports into a fresh catalog: the previous run's links are let go first.
            ProductLink.objects.filter(account=shop).delete()
            target = new_catalog(f"Bench import {attempt}")
            saved = ConnectImport.objects.create(account=shop, integration=joined, inventory=target)
            gc.collect()
            exact_peak = _reset_peak() and exact_peak
            started = time.perf_counter()
            with transaction.atomic():
                report = connect_import_execute(saved, origin=origin, valid_rows_only=False)
            imports.append(time.perf_counter() - started)
            peaks.append(_peak_mb())
            assert not report.problems, report.problems[:5]
            assert report.result.created == args.products, report.result
            assert Product.objects.filter(inventory=target).count() == args.products
            assert ProductText.objects.filter(product__inventory=target).count() == args.products
            assert Stock.objects.filter(product__inventory=target).count() == args.products
            assert Price.objects.filter(product__inventory=target).count() == args.products
        with transaction.atomic(), connection.cursor() as cursor:
            before = _written_rows(cursor)
            again = connect_import_execute(saved, origin=origin, valid_rows_only=False)
            nochange_writes = _written_rows(cursor) - before
        assert again.result.unchanged == args.products, again.result
        sample = Product.objects.filter(inventory=saved.inventory, sku="CX-0000007").first()
        assert sample is not None
        assert Price.objects.get(product=sample).amount == Decimal("1.39")  # 1.07 × 1.30
        assert Stock.objects.get(product=sample).quantity == 6  # 7 − 1
    finally:
        cleanup(shop, provider)
    baseline, seconds, peak = min(baselines), min(imports), max(peaks)
    print(
        f"{args.products} shared products, best of {args.repeat}: raw COPY {baseline:.2f} s "
        f"(all: {', '.join(f'{b:.2f}' for b in baselines)}), import {seconds:.2f} s "
        f"(all: {', '.join(f'{b:.2f}' for b in imports)}), {seconds / baseline:.2f} ×, peak RSS {peak:.0f} MB"
        + ("" if exact_peak else " (whole process)")
        + f"; again with nothing changed: {nochange_writes} rows written"
    )
    print(
        json.dumps(
            {
                "bench": "connect_import",
                "products": args.products,
                "seconds": round(seconds, 3),
                "baseline_seconds": round(baseline, 3),
                "ratio": round(seconds / baseline, 3),
                "peak_mb": round(peak, 1),
                "nochange_writes": nochange_writes,
            }
        )
    )


if __name__ == "__main__":
    main()
