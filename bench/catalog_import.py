"""CSV import of N products (texts in two languages, one price and one stock row each) vs raw COPY.

    .venv/bin/python bench/catalog_import.py [--products 100000] [--repeat 2]

Creates a throw-away account, writes a CSV file of N products to a temporary file, then measures,
alternately and ``--repeat`` times each (each run into a fresh catalog; the best run of each counts, so
that a burst of load from other processes on a shared machine does not decide the ratio):

- baseline: a raw ``COPY`` of the same rows straight into the real tables (products with ids reserved
  from their sequence, texts, prices, stock), in one transaction — the floor for writing those rows;
- the import: ``catalog.imports.import_csv`` on the file, as the Celery job runs it (reads and checks the
  stream, COPY into temp tables, set-based upserts), in one transaction.

Both include the commit (with its deferred foreign-key checks). Peak memory is the process's resident
high-water mark during the imports (reset just before each on Linux; the highest counts). Everything
created is removed at the end. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import os
import resource
import tempfile
import time


def _setup_django() -> None:
    from _setup import django_start

    django_start()


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ean13(number: int) -> str:
    digits = f"{590000000000 + number:012d}"[:12]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def _product(i: int) -> dict:
    return {
        "sku": f"BENCH-{i:07d}",
        "ean": _ean13(i),
        "tax_rate": "23",
        "weight": f"{(i % 500) / 100 + 0.1:.2f}",
        "name_pl": f"Produkt testowy {i} – koszulka bawełniana",
        "name_en": f"Test product {i} – cotton T-shirt",
        "description_en": f"Soft cotton T-shirt, size {('S', 'M', 'L', 'XL')[i % 4]}, item {i}.",
        "stock": i % 1000,
        "price": f"{(i % 10000) / 100 + 1:.2f}",
    }


def write_csv(path: str, count: int, warehouse: str, price_group: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "sku",
                "ean",
                "tax_rate",
                "weight",
                "name_pl",
                "name_en",
                "description_en",
                f"stock_{warehouse}",
                f"price_{price_group}",
            ]
        )
        for i in range(count):
            p = _product(i)
            writer.writerow(
                [
                    p["sku"],
                    p["ean"],
                    p["tax_rate"],
                    p["weight"],
                    p["name_pl"],
                    p["name_en"],
                    p["description_en"],
                    p["stock"],
                    p["price"],
                ]
            )


def baseline_copy(*, account, inventory, warehouse, price_group, count: int) -> float:
    """COPY the same rows into catalog_product / _producttext / _price / _stock; seconds incl. commit."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('catalog_product', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, nextval(%s) + %s)", [sequence, sequence, count])
        last = cursor.fetchone()[0]
    first = last - count + 1
    products, texts, prices, stock = io.StringIO(), io.StringIO(), io.StringIO(), io.StringIO()
    now = "2026-01-01 00:00:00+00"
    for i in range(count):
        p = _product(i)
        pid = first + i
        products.write(
            f"{pid}\t{account.pk}\t{inventory.pk}\t{p['sku']}\t{p['ean']}\t{p['tax_rate']}\t{p['weight']}"
            f"\t0\t0\t0\t0\t0\tf\t{now}\t{now}\n"
        )
        texts.write(f"{pid}\tpl\t{p['name_pl']}\t\t[]\t{{}}\n")
        texts.write(f"{pid}\ten\t{p['name_en']}\t{p['description_en']}\t[]\t{{}}\n")
        prices.write(f"{pid}\t{price_group.pk}\t{p['price']}\n")
        stock.write(f"{pid}\t{warehouse.pk}\t{p['stock']}\n")
    payloads = [
        (
            "COPY catalog_product (id, account_id, inventory_id, sku, ean, tax_rate, weight, height, width,"
            " length, star, average_cost, is_bundle, created_at, updated_at) FROM STDIN",
            products.getvalue(),
        ),
        (
            "COPY catalog_producttext (product_id, language, name, description, features, extra_fields)"
            " FROM STDIN",
            texts.getvalue(),
        ),
        ("COPY catalog_price (product_id, price_group_id, amount) FROM STDIN", prices.getvalue()),
        ("COPY catalog_stock (product_id, warehouse_id, quantity) FROM STDIN", stock.getvalue()),
    ]
    del products, texts, prices, stock
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for statement, data in payloads:
            with cursor.cursor.copy(statement) as copy:
                copy.write(data)
    return time.perf_counter() - started


def cleanup(account) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("catalog_producttext", "catalog_price", "catalog_stock", "catalog_product_tags"):
            cursor.execute(
                f"DELETE FROM {table} WHERE product_id IN"
                " (SELECT id FROM catalog_product WHERE account_id = %s)",
                [account.pk],
            )
        cursor.execute(
            "DELETE FROM catalog_product WHERE account_id = %s AND parent_id IS NOT NULL", [account.pk]
        )
        cursor.execute("DELETE FROM catalog_product WHERE account_id = %s", [account.pk])
    from catalog.models import Inventory

    Inventory.objects.filter(account=account).delete()
    account.delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    _setup_django()

    from accounts.models import Account, Role
    from accounts.signals import account_created
    from accounts.tenancy import Tenant
    from catalog.imports import import_csv
    from catalog.models import Inventory, Price, Product, ProductText, Stock
    from changes.origin import Origin

    account = Account.objects.create(name="Bench import", country="PL", default_currency="PLN")
    account_created.send(sender=Account, account=account)
    default = Inventory.objects.get(account=account, is_default=True)
    warehouse, price_group = default.default_warehouse, default.default_price_group

    def new_catalog(name: str) -> Inventory:
        return Inventory.objects.create(
            account=account,
            name=name,
            languages=["en", "pl"],
            default_language="pl",
            default_warehouse=warehouse,
            default_price_group=price_group,
        )

    handle, path = tempfile.mkstemp(suffix=".csv")
    os.close(handle)
    baselines, imports, peaks = [], [], []
    exact_peak = True
    try:
        write_csv(path, args.products, warehouse.name, price_group.name)
        size_mb = os.path.getsize(path) / 2**20
        for attempt in range(args.repeat):
            baselines.append(
                baseline_copy(
                    account=account,
                    inventory=new_catalog(f"Bench baseline {attempt}"),
                    warehouse=warehouse,
                    price_group=price_group,
                    count=args.products,
                )
            )
            target = new_catalog(f"Bench import {attempt}")
            gc.collect()
            exact_peak = _reset_peak() and exact_peak
            started = time.perf_counter()
            with open(path, "rb") as fileobj:
                report = import_csv(
                    actor=Tenant(account=account, role=Role.ADMIN),
                    inventory=target,
                    fileobj=fileobj,
                    origin=Origin.system(),
                )
            imports.append(time.perf_counter() - started)
            peaks.append(_peak_mb())
            assert report.ok, report.errors[:5]
            assert report.created == args.products, report
            assert Product.objects.filter(inventory=target).count() == args.products
            assert ProductText.objects.filter(product__inventory=target).count() == 2 * args.products
            assert Stock.objects.filter(product__inventory=target).count() == args.products
            assert Price.objects.filter(product__inventory=target).count() == args.products
    finally:
        os.unlink(path)
        cleanup(account)
    baseline, seconds, peak = min(baselines), min(imports), max(peaks)
    print(
        f"{args.products} products, CSV {size_mb:.1f} MB, best of {args.repeat}: raw COPY {baseline:.2f} s "
        f"(all: {', '.join(f'{b:.2f}' for b in baselines)}), import {seconds:.2f} s "
        f"(all: {', '.join(f'{b:.2f}' for b in imports)}), {seconds / baseline:.2f} ×, peak RSS {peak:.0f} MB"
        + ("" if exact_peak else " (whole process)")
    )
    print(
        json.dumps(
            {
                "bench": "catalog_import",
                "rows": args.products,
                "seconds": round(seconds, 3),
                "baseline_seconds": round(baseline, 3),
                "ratio": round(seconds / baseline, 3),
                "peak_mb": round(peak, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
