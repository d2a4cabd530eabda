"""The order list endpoint (a page of orders with their lines) vs one SQL query that builds the same JSON.

    .venv/bin/python bench/orders_api.py [--orders 2000] [--page-size 100] [--repeat 30] [--profile]

Creates a throw-away account with demo data (``demo.data``: orders with 2–4 catalog lines each)
and an API token, vacuums and analyzes the order tables, then measures in-process, ``--repeat`` times
each after a warm-up (the median counts):

- the endpoint: ``GET /api/v1/orders/?page_size=N`` through Django's test client with
  ``Authorization: Bearer <token>`` — authentication, tenancy, filters, pagination (with its count),
  the orders and their prefetched lines, DRF serialization and JSON rendering;
- the floor: one raw SQL query returning the same page as JSON text, built by PostgreSQL
  (``json_agg`` of the orders, each with a ``json_agg`` subquery of its lines, plus the count and the
  next-page link), fetched through the same Django connection.

It also counts the queries of one request for page sizes 10 and N (they must be equal), and with
``--profile`` prints where the endpoint spends its time (cProfile, top functions by own time).
Everything created is removed at the end. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import time

TARGET_RATIO = 4.0


def _setup_django() -> None:
    from _setup import django_start

    django_start()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # "testserver" as an allowed host for the in-process client


def floor_sql() -> str:
    """One query: ``{"count", "next", "previous", "results": [order, … with "lines": [line, …]]}``."""
    from orders.api import ORDER_FIELDS, OrderLineSerializer
    from orders.models import Order, OrderLine

    def columns(model, fields, alias):
        out = []
        for name in fields:
            if name == "lines":
                continue
            field = model._meta.get_field(name)
            column = f"{alias}.{field.column}"
            if field.get_internal_type() == "DecimalField":
                column += "::text"  # DRF renders decimals as strings
            out.append(f"{column} AS {name}")
        return ", ".join(out)

    line_columns = columns(OrderLine, OrderLineSerializer.Meta.fields, "l")
    order_columns = columns(Order, ORDER_FIELDS, "o")
    return f"""
        WITH total AS (SELECT count(*) AS n FROM orders_order WHERE account_id = %(account)s)
        SELECT json_build_object(
            'count', total.n,
            'next', CASE WHEN total.n > %(size)s THEN %(next)s END,
            'previous', NULL,
            'results', (SELECT coalesce(json_agg(page ORDER BY page.id DESC), '[]'::json)
                          FROM (SELECT {order_columns},
                                       (SELECT coalesce(json_agg(line ORDER BY line.id), '[]'::json)
                                          FROM (SELECT {line_columns} FROM orders_orderline l
                                                 WHERE l.order_id = o.id) line) AS lines
                                  FROM orders_order o
                                 WHERE o.account_id = %(account)s
                                 ORDER BY o.id DESC
                                 LIMIT %(size)s) page)
        )::text
          FROM total
    """  # noqa: S608 - column names come from the models; values are parameters


def _vacuum() -> None:
    """Fresh statistics and no dead rows from earlier runs (the server may run without autovacuum)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("orders_order", "orders_orderline", "accounts_apitoken"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def _median_seconds(call, repeat: int) -> tuple[float, list[float]]:
    for _ in range(3):
        call()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="print the endpoint's cProfile top functions")
    args = parser.parse_args()
    _setup_django()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from rest_framework.test import APIClient

    from accounts.models import Account
    from accounts.services import api_token_create
    from accounts.signals import account_created
    from demo.data import demo_account_delete, demo_data_create

    account = Account.objects.create(name="Bench orders API", country="PL", default_currency="PLN")
    account_created.send(sender=Account, account=account)
    try:
        result = demo_data_create(
            account, products=max(200, args.orders // 4), orders=args.orders, lines=(2, 4), seed=1
        )
        _vacuum()
        _token, secret = api_token_create(account=account, name="bench", role="admin")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        url = reverse("api:order-list")
        page_url = f"{url}?page_size={args.page_size}"
        next_url = f"http://testserver{url}?page=2&page_size={args.page_size}"
        sql = floor_sql()
        params = {"account": account.pk, "size": args.page_size, "next": next_url}

        def endpoint() -> bytes:
            response = client.get(page_url)
            assert response.status_code == 200, response.content[:500]
            return response.content

        def floor() -> str:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()[0]

        # The floor builds the same document: same orders, fields, lines and amounts.
        api_page, sql_page = json.loads(endpoint()), json.loads(floor())
        assert api_page["count"] == sql_page["count"] == args.orders
        assert api_page["next"] == sql_page["next"]
        for mine, theirs in zip(api_page["results"], sql_page["results"], strict=True):
            assert mine.keys() == theirs.keys()
            assert {k: v for k, v in mine.items() if not k.startswith("date")} == {
                k: v for k, v in theirs.items() if not k.startswith("date")
            }

        def queries(size: int) -> int:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(f"{url}?page_size={size}")
            assert response.status_code == 200 and len(response.json()["results"]) == size
            return len(captured)

        counted = {size: queries(size) for size in sorted({10, 100, args.page_size}) if size <= args.orders}
        queries_10, queries_100, queries_page = counted[10], counted.get(100), counted[args.page_size]
        seconds, runs = _median_seconds(endpoint, args.repeat)
        baseline, floor_runs = _median_seconds(floor, args.repeat)

        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.repeat):
                endpoint()
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(40)
            print(out.getvalue())
    finally:
        demo_account_delete(account)

    ratio = seconds / baseline
    print(
        f"{args.orders} orders ({result.lines} lines), page of {args.page_size}: "
        f"GET {url} median {seconds * 1000:.1f} ms (min {min(runs) * 1000:.1f}), "
        f"one SQL query building the JSON median {baseline * 1000:.1f} ms "
        f"(min {min(floor_runs) * 1000:.1f}), "
        f"{ratio:.2f} × (target ≤ {TARGET_RATIO}); queries per request: "
        + ", ".join(f"{n} for {size} orders" for size, n in counted.items())
    )
    print(
        json.dumps(
            {
                "bench": "orders_api",
                "rows": args.page_size,
                "seconds": round(seconds, 5),
                "baseline_seconds": round(baseline, 5),
                "ratio": round(ratio, 3),
                "queries_per_request": queries_page,
                "queries_page_10": queries_10,
                "queries_page_100": queries_100,
                "orders": args.orders,
                "target_ratio": TARGET_RATIO,
            }
        )
    )


if __name__ == "__main__":
    main()
