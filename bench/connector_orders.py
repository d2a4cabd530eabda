"""BaseLinker's API (/connector.php) against its floors: getOrders with 100 orders and their lines vs
one SQL query building the same JSON, and updateInventoryProductsStock of 1,000 products vs the bulk
stock layer called directly.

    .venv/bin/python bench/connector_orders.py [--orders 2000] [--stock-products 1000] [--repeat 30]

Creates a throw-away account with demo data (``demo.data``: products with variants, orders
with 2–4 catalog lines each) and an API token, vacuums and analyzes the tables, then measures
in-process, each call and its floor alternately, ``--repeat`` times after a warm-up (the medians count):

- ``getOrders`` with ``date_confirmed_from`` — the first page of 100 confirmed orders — through
  Django's test client as BaseLinker's clients send it (a form POST, the token in ``X-BLToken``):
  token look-up, the request limit (Redis), parameters, the page's ids and its JSON, the envelope;
- the floor: one hand-written SQL query returning the same 100 orders with their lines as the same
  JSON text (it is compared field by field with the API's answer first);
- ``updateInventoryProductsStock`` setting the stock of ``--stock-products`` products in the default
  warehouse (new quantities every run, committed), through the same client;
- its floor: ``catalog.bulk.stock_set_many`` with the same (product, warehouse, quantity) items.

Everything created is removed at the end. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from urllib.parse import urlencode

TARGET_RATIO = 4.0
TARGET_STOCK_RATIO = 2.0


def _setup_django() -> None:
    from _setup import django_start

    django_start()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # "testserver" as an allowed host for the in-process client


FLOOR_SQL = """
    WITH page AS (
        SELECT id, row_number() OVER (ORDER BY date_confirmed, id) AS ord
          FROM orders_order
         WHERE account_id = %(account)s AND confirmed AND date_confirmed >= to_timestamp(0)
         ORDER BY date_confirmed, id
         LIMIT 100)
    SELECT coalesce(json_agg(o ORDER BY page.ord), '[]'::json)::text FROM page CROSS JOIN LATERAL (
      SELECT o.id AS order_id, o.shop_order_id, o.external_order_id, s.kind AS order_source,
             o.source_id AS order_source_id, '-' AS order_source_info, o.status_id AS order_status_id,
             o.confirmed, floor(extract(epoch FROM o.date_confirmed))::bigint AS date_confirmed,
             floor(extract(epoch FROM o.date_add))::bigint AS date_add,
             floor(extract(epoch FROM o.date_in_status))::bigint AS date_in_status,
             o.user_login, o.phone, o.email, o.user_comments, o.admin_comments, o.currency,
             o.payment_method, CASE WHEN o.payment_method_cod THEN '1' ELSE '0' END AS payment_method_cod,
             o.payment_done AS payment_done, 0 AS delivery_method_id, o.delivery_method,
             o.delivery_price AS delivery_price, o.delivery_package_module, o.delivery_package_nr,
             o.delivery_fullname, o.delivery_company, o.delivery_address, o.delivery_city, o.delivery_state,
             o.delivery_postcode, o.delivery_country_code, o.delivery_point_id, o.delivery_point_name,
             o.delivery_point_address, o.delivery_point_postcode, o.delivery_point_city, o.invoice_fullname,
             o.invoice_company, o.invoice_nip, o.invoice_address, o.invoice_city, o.invoice_state,
             o.invoice_postcode, o.invoice_country_code,
             CASE WHEN o.want_invoice THEN '1' ELSE '0' END AS want_invoice, o.extra_field_1, o.extra_field_2,
             '' AS order_page, 0 AS pick_state, 0 AS pack_state,
             coalesce(%(countries)s::jsonb ->> o.delivery_country_code, '') AS delivery_country,
             coalesce(%(countries)s::jsonb ->> o.invoice_country_code, '') AS invoice_country,
             o.star, 0 AS crm_client_id,
             (SELECT coalesce(json_agg(l ORDER BY l.order_product_id), '[]'::json) FROM (
                SELECT l.storage, l.storage_id, l.id AS order_product_id,
                       coalesce(coalesce(p.parent_id, l.product_id)::text, '') AS product_id,
                       l.variant_id::text AS variant_id, l.name, l.attributes, l.sku, l.ean, '' AS location,
                       coalesce(l.warehouse_id, 0) AS warehouse_id, '0' AS auction_id,
                       l.price_brutto AS price_brutto, l.tax_rate AS tax_rate, l.quantity,
                       l.weight AS weight, 0 AS bundle_id
                  FROM orders_orderline l LEFT JOIN catalog_product p ON p.id = l.product_id
                 WHERE l.order_id = o.id) l) AS products
        FROM orders_order o JOIN orders_ordersource s ON s.id = o.source_id
       WHERE o.id = page.id) o
"""


def _vacuum() -> None:
    """Fresh statistics and no dead rows from earlier runs (the server may run without autovacuum)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "orders_order",
            "orders_orderline",
            "catalog_product",
            "catalog_stock",
            "accounts_apitoken",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


def _medians(first, second, repeat: int, *, prepare=None) -> tuple[list[float], list[float]]:
    """Run ``first`` and ``second`` alternately (so a busy moment of the machine weighs on both), three
    warm-up rounds then ``repeat`` measured ones; ``prepare(round)`` runs before each pair."""
    runs: tuple[list[float], list[float]] = ([], [])
    for index in range(repeat + 3):
        if prepare is not None:
            prepare(index)
        for call, times in ((first, runs[0]), (second, runs[1])):
            started = time.perf_counter()
            call()
            if index >= 3:
                times.append(time.perf_counter() - started)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--stock-products", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    _setup_django()

    from django.db import connection
    from django.test import Client

    from accounts.models import Account, ApiToken, Role
    from accounts.services import api_token_create
    from accounts.signals import account_created
    from accounts.tenancy import Tenant
    from blconnector.selectors import country_names_json
    from catalog.bulk import stock_set_many
    from catalog.models import Inventory, Product, Stock
    from changes.origin import Origin
    from demo.data import demo_account_delete, demo_data_create

    account = Account.objects.create(name="Bench connector.php", country="PL", default_currency="PLN")
    account_created.send(sender=Account, account=account)
    try:
        result = demo_data_create(
            account,
            products=max(args.stock_products, args.orders // 4),
            orders=args.orders,
            lines=(2, 4),
            seed=1,
        )
        _vacuum()
        token, secret = api_token_create(account=account, name="bench", role="admin")
        ApiToken.objects.filter(pk=token.pk).update(connector_rate_limit=10**9)
        client = Client()

        def form(method: str, parameters: dict) -> str:
            return urlencode({"method": method, "parameters": json.dumps(parameters)})

        def connector(body: str) -> bytes:
            response = client.post(
                "/connector.php",
                body,
                content_type="application/x-www-form-urlencoded",
                headers={"X-BLToken": secret},
            )
            assert response.status_code == 200 and response.content.startswith(b'{"status":"SUCCESS"'), (
                response.content[:500]
            )
            return response.content

        # getOrders vs its floor, after checking they build the same document.
        orders_form = form("getOrders", {"date_confirmed_from": 0, "get_unconfirmed_orders": False})

        def get_orders() -> bytes:
            return connector(orders_form)

        params = {"account": account.pk, "countries": country_names_json("en")}

        def floor() -> str:
            with connection.cursor() as cursor:
                cursor.execute(FLOOR_SQL, params)
                return cursor.fetchone()[0]

        api_orders, sql_orders = json.loads(get_orders())["orders"], json.loads(floor())
        assert len(api_orders) == 100 and api_orders == sql_orders
        lines_returned = sum(len(order["products"]) for order in api_orders)
        runs, floor_runs = _medians(get_orders, floor, args.repeat)
        seconds, baseline = statistics.median(runs), statistics.median(floor_runs)

        # updateInventoryProductsStock vs the bulk layer, new quantities every run.
        inventory = Inventory.objects.get(account=account, is_default=True)
        warehouse = inventory.default_warehouse_id
        product_ids = list(
            Product.objects.filter(inventory=inventory)
            .order_by("id")
            .values_list("id", flat=True)[: args.stock_products]
        )
        assert len(product_ids) == args.stock_products
        BENCH_ORIGIN = Origin.system("Benchmark")  # noqa: N806 - a constant of this run
        stock_form: list[str] = [""]
        rows: list = []

        def prepare(index: int) -> None:
            # The client's encoding of the request is not the server's work: it is done before timing.
            products = {str(pk): {f"bl_{warehouse}": (i + index) % 997} for i, pk in enumerate(product_ids)}
            stock_form[0] = form(
                "updateInventoryProductsStock", {"inventory_id": inventory.pk, "products": products}
            )
            rows[:] = [(pk, warehouse, (i + index + 500) % 991) for i, pk in enumerate(product_ids)]

        def update_stock() -> None:
            body = json.loads(connector(stock_form[0]))
            assert body["counter"] == len(product_ids) and body["warnings"] == {}, body

        def bulk() -> None:
            stock_set_many(actor=Tenant(account=account, role=Role.ADMIN), rows=rows, origin=BENCH_ORIGIN)

        stock_runs, bulk_runs = _medians(update_stock, bulk, args.repeat, prepare=prepare)
        stock_seconds, stock_baseline = statistics.median(stock_runs), statistics.median(bulk_runs)
        last = args.repeat + 2
        expected = {pk: (i + last + 500) % 991 for i, pk in enumerate(product_ids)}
        got = dict(
            Stock.objects.filter(product_id__in=product_ids, warehouse_id=warehouse).values_list(
                "product_id", "quantity"
            )
        )
        assert got == expected
    finally:
        demo_account_delete(account)

    ratio, stock_ratio = seconds / baseline, stock_seconds / stock_baseline
    print(
        f"{args.orders} orders ({result.lines} lines): getOrders of 100 orders ({lines_returned} lines) "
        f"median {seconds * 1000:.1f} ms (min {min(runs) * 1000:.1f}), one SQL query building the same JSON "
        f"median {baseline * 1000:.1f} ms (min {min(floor_runs) * 1000:.1f}), "
        f"{ratio:.2f} × (target ≤ {TARGET_RATIO})"
    )
    print(
        f"updateInventoryProductsStock of {len(product_ids)} products median {stock_seconds * 1000:.1f} ms "
        f"(min {min(stock_runs) * 1000:.1f}), stock_set_many of the same items median "
        f"{stock_baseline * 1000:.1f} ms (min {min(bulk_runs) * 1000:.1f}), {stock_ratio:.2f} × "
        f"(target ≤ {TARGET_STOCK_RATIO})"
    )
    print(
        json.dumps(
            {
                "bench": "connector_orders",
                "orders": len(api_orders),
                "seconds": round(seconds, 5),
                "baseline_seconds": round(baseline, 5),
                "ratio": round(ratio, 3),
                "stock_products": len(product_ids),
                "stock_seconds": round(stock_seconds, 5),
                "stock_baseline_seconds": round(stock_baseline, 5),
                "stock_ratio": round(stock_ratio, 3),
                "orders_in_account": args.orders,
                "lines_returned": lines_returned,
                "target_ratio": TARGET_RATIO,
                "target_stock_ratio": TARGET_STOCK_RATIO,
            }
        )
    )


if __name__ == "__main__":
    main()
