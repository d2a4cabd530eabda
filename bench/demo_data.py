"""Demo data generator: N products + M orders on a fresh account vs a bare INSERT … SELECT of the rows.

    .venv/bin/python bench/demo_data.py [--products 100000] [--orders 100000]

Creates a throw-away account (with every app's defaults), then measures, each in one transaction with
its commit (and so its deferred foreign-key checks):

- baseline: one raw ``INSERT … SELECT generate_series`` of N product rows and one of M order rows,
  with no texts, variants, stock, prices, lines, journal or packages — the floor for writing the rows;
- the generator: ``demo.data.demo_data_create`` (products with texts in two languages, variants,
  images, stock, prices, tags; orders with lines, payments, journal entries and packages).

Then it deletes the account and everything in it (``demo_account_delete``: one DELETE per big table),
reports how long that took, and vacuums the tables it used. The target is ``target_seconds`` (60 s)
for the generator. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time

TARGET_SECONDS = 60


def _setup_django() -> None:
    from _setup import django_start

    django_start()


def run_baseline(*, account, products: int, orders: int) -> float:
    from django.db import connection, transaction

    from catalog.models import Inventory
    from orders.models import OrderSource, OrderStatus

    inventory = Inventory.objects.get(account=account, is_default=True)
    status = OrderStatus.objects.filter(account=account).order_by("position").first()
    source = OrderSource.objects.filter(account=account).first()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO catalog_product (account_id, inventory_id, sku, ean, tax_rate, weight, height,
                                            width, length, star, average_cost, is_bundle, created_at,
                                            updated_at)
               SELECT %s, %s, 'BASE-' || g, '', 23, 0, 0, 0, 0, 0, 0, false, now(), now()
                 FROM generate_series(1, %s) g""",
            [account.pk, inventory.pk, products],
        )
        cursor.execute(
            """INSERT INTO orders_order (account_id, source_id, status_id, date_add, date_in_status,
                   confirmed, shop_order_id, external_order_id, user_login, email, phone, user_comments,
                   admin_comments, currency, payment_method, payment_method_cod, payment_done,
                   delivery_method, delivery_price, delivery_package_module, delivery_package_nr,
                   delivery_fullname, delivery_company,
                   delivery_address, delivery_city, delivery_state, delivery_postcode, delivery_country_code,
                   delivery_point_id, delivery_point_name, delivery_point_address, delivery_point_postcode,
                   delivery_point_city, invoice_fullname, invoice_company, invoice_nip, invoice_address,
                   invoice_city, invoice_state, invoice_postcode, invoice_country_code, want_invoice,
                   extra_field_1, extra_field_2, custom_extra_fields, star, is_technical)
               SELECT %s, %s, %s, now(), now(), false, 0, '', '', '', '', '', '', 'PLN', '', false, 0, '', 0,
                      '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '',
                      false, '', '', '{}', 0, false
                 FROM generate_series(1, %s) g""",
            [account.pk, source.pk, status.pk, orders],
        )
    return time.perf_counter() - started


def _delete_rows(account) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM orders_order WHERE account_id = %s", [account.pk])
        cursor.execute("DELETE FROM catalog_product WHERE account_id = %s", [account.pk])


TABLES = (
    "catalog_product",
    "catalog_producttext",
    "catalog_productimage",
    "catalog_product_tags",
    "catalog_stock",
    "catalog_price",
    "orders_order",
    "orders_orderline",
    "orders_journalentry",
    "shipments_package",
)


def _vacuum(tables=TABLES) -> None:
    """No dead rows left by earlier runs or by this one (the server may run without autovacuum)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=100_000)
    args = parser.parse_args()
    _setup_django()

    from accounts.models import Account
    from accounts.signals import account_created
    from catalog.models import Price, Product, ProductImage, ProductText, Stock
    from demo.data import demo_account_delete, demo_data_create
    from orders.models import JournalEntry, Order, OrderLine
    from shipments.models import Package

    account = Account.objects.create(name="Bench demo data", country="PL", default_currency="PLN")
    account_created.send(sender=Account, account=account)
    delete_seconds = None
    try:
        baseline = run_baseline(account=account, products=args.products, orders=args.orders)
        _delete_rows(account)
        _vacuum()
        started = time.perf_counter()
        result = demo_data_create(account, products=args.products, orders=args.orders)
        seconds = time.perf_counter() - started
        products = Product.objects.filter(account=account)
        rows = {
            "products": products.count(),
            "texts": ProductText.objects.filter(product__account=account).count(),
            "images": ProductImage.objects.filter(product__account=account).count(),
            "product tags": Product.tags.through.objects.filter(product__account=account).count(),
            "stock": Stock.objects.filter(product__account=account).count(),
            "prices": Price.objects.filter(product__account=account).count(),
            "orders": Order.objects.filter(account=account).count(),
            "lines": OrderLine.objects.filter(order__account=account).count(),
            "journal": JournalEntry.objects.filter(account=account).count(),
            "packages": Package.objects.filter(account=account).count(),
        }
        assert rows["products"] == result.products + result.variants
        assert rows["orders"] == args.orders and rows["journal"] == args.orders + rows["packages"]
        assert not Stock.objects.filter(product__account=account, quantity__lt=0).exists()
    finally:
        started = time.perf_counter()
        demo_account_delete(account)
        delete_seconds = time.perf_counter() - started
        _vacuum()
    total_rows = sum(rows.values())
    print(
        f"{args.products} products (+{result.variants} variants) and {args.orders} orders: "
        f"demo_data_create {seconds:.1f} s (target {TARGET_SECONDS} s; steps "
        + ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
        + f", the rest is the commit), bare INSERT … SELECT of the product and order rows {baseline:.1f} s "
        f"({seconds / baseline:.1f} ×); {total_rows} rows in the main tables ("
        + ", ".join(f"{k} {v}" for k, v in rows.items())
        + f"); deleting the account {delete_seconds:.1f} s"
    )
    print(
        json.dumps(
            {
                "bench": "demo_data",
                "rows": total_rows,
                "seconds": round(seconds, 3),
                "baseline_seconds": round(baseline, 3),
                "ratio": round(seconds / baseline, 3),
                "products": args.products,
                "orders": args.orders,
                "target_seconds": TARGET_SECONDS,
                "delete_seconds": round(delete_seconds, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
