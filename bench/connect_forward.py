"""Connect forwarding: N contractor orders of three lines each forwarded to the supplier with trade
credit, through the REST API (``POST /api/v1/connect/forwards/``, 100 orders a request, so the
queries per order at 100 and at N compare like for like).

    .venv/bin/python bench/connect_forward.py [--orders 10000]

Creates its own provider (wholesaler) and contractor (shop) accounts, connected through Connect with a
credit limit of exactly what the N orders cost, the provider's catalog (stock reserved by the
forwarded orders) and the shop's N orders. Each order has one line picked from the shared catalog, one
of a product linked to the supplier's and one matched by SKU, so every kind of line matching runs.

Printed before the result (same run):
- the queries per order of forwarding 100 orders, against the same figure at N (they must not grow);
- the baseline: the supplier's orders created directly with ``orders.services.orders_create_many``
  (what a forward has to write at least), per order, and the forward's ratio to it.

Then 100 status changes and 100 packages on the supplier's side measure how fast they reach the
shop: ``measure_propagation`` (from ``bench/connect_propagation.py``).
Everything created is removed at the end. The last line is one JSON object: bench, orders, seconds,
orders_per_s, forwarded_once, duplicates, queries_per_order, status_latency_median_s,
status_latency_p95_s, tracking_latency_median_s, tracking_latency_p95_s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import time
from decimal import Decimal

from _setup import django_start

django_start()

from django.db import connection as db  # noqa: E402
from django.db.models import Count, F, Sum  # noqa: E402
from django.db.models.deletion import ProtectedError  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import Account, Role  # noqa: E402
from accounts.services import api_token_create  # noqa: E402
from accounts.signals import account_created  # noqa: E402
from accounts.tenancy import Tenant  # noqa: E402
from catalog.models import Inventory, Price, Product, ProductLink, ProductText, Stock  # noqa: E402
from changes.models import ChangeEvent  # noqa: E402
from changes.origin import Origin  # noqa: E402
from connect import services  # noqa: E402
from connect.models import ConnectIntegration, ContractorLink, CreditEntry, ForwardedOrder  # noqa: E402
from orders.models import JournalEntry, Order, OrderLine, OrderSource, OrderStatus  # noqa: E402
from orders.services import orders_create_many  # noqa: E402

PROVIDER_PRODUCTS = 300
SHOP_PRODUCTS = 100
REQUEST_SIZE = 100
ORIGIN = Origin.system("Benchmark")
LATENCY_KEYS = (
    "status_latency_median_s",
    "status_latency_p95_s",
    "tracking_latency_median_s",
    "tracking_latency_p95_s",
)


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class Pair:
    """A connected provider and shop with the shop's orders waiting to be forwarded."""

    def __init__(self, label: str, orders: int) -> None:
        suffix = f"{label}-{os.getpid()}"
        self.provider = _account(f"bench-connect-wholesaler-{suffix}")
        self.shop = _account(f"bench-connect-shop-{suffix}")
        provider_inventory = Inventory.objects.get(account=self.provider, is_default=True)
        self.provider_products = _catalog(self.provider, provider_inventory, "P", PROVIDER_PRODUCTS)
        shop_inventory = Inventory.objects.get(account=self.shop, is_default=True)
        shop_products = _catalog(self.shop, shop_inventory, "S", SHOP_PRODUCTS)
        owner_p = Tenant(account=self.provider, role=Role.OWNER)
        integration, code = services.provider_create(
            actor=owner_p,
            display_name="Wholesale for shops",
            orders_enabled=True,
            products_enabled=True,
            order_settings={"match_inventory": provider_inventory, "payment": "source"},
        )
        joined = services.integration_join(
            actor=Tenant(account=self.shop, role=Role.OWNER),
            code=code,
            client_ip=None,
            display_name="Wholesaler",
            settings={"forwarding": "button"},
        )
        self.link = ContractorLink.objects.get(contractor_integration=joined)
        ProductLink.objects.bulk_create(
            ProductLink(
                account=self.shop,
                product=mine,
                storage="connect",
                storage_id=joined.pk,
                external_product=theirs,
                external_id=theirs.pk,
            )
            for mine, theirs in zip(shop_products, self.provider_products, strict=False)
        )
        self.order_ids = _shop_orders(self.shop, shop_products, self.provider_products, orders)
        lines = OrderLine.objects.filter(order__account=self.shop).aggregate(
            total=Sum(F("price_brutto") * F("quantity"))
        )["total"]
        delivery = Order.objects.filter(account=self.shop).aggregate(total=Sum("delivery_price"))["total"]
        self.credit = lines + delivery
        services.credit_settings_update(
            actor=owner_p, link=self.link, credit_limit=self.credit, credit_currency="EUR"
        )
        _token, secret = api_token_create(account=self.shop, name="bench", role=Role.MEMBER)
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        self.integration_id = integration.pk

    def forward(self) -> tuple[float, int]:
        """Forward every order through the API; (seconds, queries)."""
        counter = QueryCounter()
        started = time.perf_counter()
        with db.execute_wrapper(counter):
            for start in range(0, len(self.order_ids), REQUEST_SIZE):
                answer = self.api.post(
                    "/api/v1/connect/forwards/",
                    {"orders": self.order_ids[start : start + REQUEST_SIZE]},
                    format="json",
                )
                assert answer.status_code == 200, answer.content[:500]
                refused = answer.json()["refused"]
                assert not refused, refused[:3]
        return time.perf_counter() - started, counter.count

    def remove(self) -> None:
        ForwardedOrder.objects.filter(link=self.link).delete()
        CreditEntry.objects.filter(link=self.link).delete()
        for account in (self.shop, self.provider):
            _account_remove(account)


def _account(name: str) -> Account:
    account = Account.objects.create(name=name, country="PL", default_currency="EUR")
    account_created.send(sender=Account, account=account)
    return account


def _catalog(account: Account, inventory: Inventory, prefix: str, count: int) -> list[Product]:
    products = Product.objects.bulk_create(
        Product(
            account=account,
            inventory=inventory,
            sku=f"{prefix}-{i:04d}",
            ean=f"59{i:011d}",
            weight=Decimal("0.5"),
            tax_rate=Decimal("23"),
        )
        for i in range(count)
    )
    ProductText.objects.bulk_create(
        ProductText(product=p, language=inventory.default_language, name=f"Product {p.sku}") for p in products
    )
    Stock.objects.bulk_create(
        Stock(product=p, warehouse_id=inventory.default_warehouse_id, quantity=10_000_000) for p in products
    )
    Price.objects.bulk_create(
        Price(product=p, price_group_id=inventory.default_price_group_id, amount=Decimal("9.99"))
        for p in products
    )
    return products


def _shop_orders(shop: Account, mine: list[Product], theirs: list[Product], count: int) -> list[int]:
    """The shop's orders: a shared-catalog line, a linked product's line, a line matched by SKU."""
    status = OrderStatus.objects.filter(account=shop).order_by("position", "id").first()
    source = OrderSource.objects.filter(account=shop).first()
    warehouse = Inventory.objects.get(account=shop, is_default=True).default_warehouse_id
    ids: list[int] = []
    for start in range(0, count, 1000):
        batch = []
        for i in range(start, min(count, start + 1000)):
            shared = theirs[100 + i % 100]
            by_sku = theirs[200 + i % 100]
            linked = mine[i % len(mine)]
            batch.append(
                {
                    "fields": {
                        "status": status,
                        "source": source,
                        "currency": "EUR",
                        "email": f"buyer{i}@example.test",
                        "delivery_fullname": f"Buyer {i}",
                        "delivery_address": "ul. Polna 1",
                        "delivery_postcode": "00-001",
                        "delivery_city": "Warszawa",
                        "delivery_country_code": "PL",
                        "delivery_price": Decimal("9.90"),
                        "payment_done": Decimal("0"),
                    },
                    "lines": [
                        {
                            "name": f"Shared {shared.sku}",
                            "sku": shared.sku,
                            "external_product_id": shared.pk,
                            "price_brutto": Decimal("19.99"),
                            "quantity": 1,
                        },
                        {
                            "product_id": linked.pk,
                            "warehouse_id": warehouse,
                            "name": f"Linked {linked.sku}",
                            "sku": linked.sku,
                            "price_brutto": Decimal("24.50"),
                            "quantity": 2,
                        },
                        {
                            "name": f"By SKU {by_sku.sku}",
                            "sku": by_sku.sku,
                            "price_brutto": Decimal("5.00"),
                            "quantity": 3,
                        },
                    ],
                }
            )
        ids.extend(o.pk for o in orders_create_many(account=shop, orders=batch, origin=ORIGIN))
    return ids


def _account_remove(account: Account) -> None:
    orders = Order.objects.filter(account=account)
    JournalEntry.objects.filter(account=account).delete()
    OrderLine.objects.filter(order__in=orders).delete()
    Order.merged_from.through.objects.filter(from_order__in=orders).delete()
    orders.delete()
    ChangeEvent.objects.filter(account=account).delete()
    ContractorLink.objects.filter(provider_account=account).delete()
    ContractorLink.objects.filter(contractor_account=account).delete()
    ConnectIntegration.objects.filter(account=account).delete()
    Product.objects.filter(account=account).delete()
    for _ in range(10):
        try:
            account.delete()
            return
        except ProtectedError as exc:
            for obj in exc.protected_objects:
                with contextlib.suppress(ProtectedError):
                    obj.delete()


def baseline(pair: Pair, orders: int) -> float:
    """Seconds per order to create the supplier's orders directly (no forwarding around it): the same
    fields and matched lines as the forwarded ones, in batches of 100 like the forwards."""
    template = Order.objects.filter(account=pair.provider).first()
    lines = [
        {
            "product_id": line.product_id,
            "warehouse_id": line.warehouse_id,
            "name": line.name,
            "sku": line.sku,
            "price_brutto": line.price_brutto,
            "quantity": line.quantity,
            "tax_rate": line.tax_rate,
            "weight": line.weight,
        }
        for line in template.lines.all()
    ]
    fields = {
        "status": template.status,
        "source": template.source,
        "currency": template.currency,
        "delivery_fullname": template.delivery_fullname,
        "delivery_price": template.delivery_price,
    }
    started = time.perf_counter()
    for start in range(0, orders, 100):
        orders_create_many(
            account=pair.provider,
            orders=[{"fields": fields, "lines": lines}] * min(100, orders - start),
            origin=ORIGIN,
        )
    return (time.perf_counter() - started) / orders


def measure_propagation(pair: Pair, *, status_changes: int = 100, packages: int = 100) -> dict:
    """Status and tracking propagation latency on the forwarded orders, with a real worker process:
    ``status_changes`` status changes and ``packages`` packages on the supplier's orders, each timed from
    its commit until the shop's order shows the mapped status / the tracking number
    (``bench/connect_propagation.py``); the median and 95th percentile in seconds under ``LATENCY_KEYS``."""
    from connect_propagation import measure_propagation as measure

    figures = measure(link=pair.link, status_changes=status_changes, packages=packages)
    return {key: figures.get(key) for key in LATENCY_KEYS}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    setup_test_environment()  # "testserver" as an allowed host for the in-process API client
    pairs: list[Pair] = []
    try:
        small = Pair("100", 100)
        pairs.append(small)
        small_seconds, small_queries = small.forward()
        per_order_base = baseline(small, min(args.orders, 1000))
        print(
            f"100 orders: {small_seconds:.2f} s, {small_queries / 100:.2f} queries per order; "
            f"baseline (orders_create_many alone): {1 / per_order_base:.0f} orders/s",
            file=sys.stderr,
        )
        started = time.perf_counter()
        pair = Pair("main", args.orders)
        pairs.append(pair)
        print(f"setup: {args.orders} shop orders in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        seconds, queries = pair.forward()
        per_order = seconds / args.orders
        again, _q = pair.forward()  # everything again: each answers "already", nothing is created
        provider_orders = Order.objects.filter(account=pair.provider)
        made = dict(
            provider_orders.values_list("external_order_id")
            .annotate(n=Count("id"))
            .values_list("external_order_id", "n")
        )
        forwarded_once = sum(1 for pk in pair.order_ids if made.get(str(pk)) == 1)
        duplicates = sum(n - 1 for n in made.values() if n > 1)
        charged = CreditEntry.objects.filter(link=pair.link, kind="charge").aggregate(s=Sum("amount"))["s"]
        print(
            f"main: {args.orders} orders in {seconds:.1f} s ({args.orders / seconds:.0f} orders/s), "
            f"{queries / args.orders:.2f} queries per order (100 orders: {small_queries / 100:.2f}); "
            f"{per_order / per_order_base:.2f}× the time of creating the supplier's orders alone; "
            f"forwarding all again: {again:.1f} s, nothing new; charged {charged} of {pair.credit} EUR",
            file=sys.stderr,
        )
        latency = measure_propagation(pair)
    finally:
        for each in pairs:
            each.remove()
    print(
        json.dumps(
            {
                "bench": "connect_forward",
                "orders": args.orders,
                "seconds": round(seconds, 2),
                "orders_per_s": round(args.orders / seconds, 1),
                "forwarded_once": forwarded_once,
                "duplicates": duplicates,
                "queries_per_order": round(queries / args.orders, 2),
                "queries_per_order_at_100": round(small_queries / 100, 2),
                "ratio_to_order_creation": round(per_order / per_order_base, 2),
                **latency,
            }
        )
    )


if __name__ == "__main__":
    main()
