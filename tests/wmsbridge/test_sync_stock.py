"""Stock: off by default; when on, the WMS's sellable quantity replaces the chosen warehouse's stock."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from catalog.models import Stock, Warehouse
from tests.wmsbridge.test_sync_fixtures import (  # noqa: F401 - fixtures
    GOODS_OWNER_A,
    fast_client_fixture,
    inventory_of,
    make_connection,
    make_order,
    make_product,
    sandbox_fixture,
    sync,
)

pytestmark = pytest.mark.django_db(transaction=True)


def stock(product, warehouse):
    row = Stock.objects.filter(product=product, warehouse=warehouse).first()
    return row.quantity if row else None


def test_stock_is_not_taken_unless_switched_on(account_a, sandbox, fast_client):
    product = make_product(account_a, "SKU-1", stock=7)
    connection = make_connection(account_a, sandbox)
    assert connection.stock_push is False
    sync(connection, "articles")
    sandbox.set_stock(GOODS_OWNER_A, "SKU-1", 100)

    runs = sync(connection)

    assert "stock" not in runs
    assert stock(product, inventory_of(account_a).default_warehouse) == 7


def test_sellable_quantity_replaces_the_chosen_warehouse_stock(account_a, sandbox, fast_client):
    main = inventory_of(account_a).default_warehouse
    wms_warehouse = Warehouse.objects.create(account=account_a, name="Ongoing")
    counted = make_product(account_a, "COUNTED", stock=0)
    Stock.objects.create(product=counted, warehouse=wms_warehouse, quantity=3)
    oversold = make_product(account_a, "OVERSOLD", stock=50)
    Stock.objects.create(product=oversold, warehouse=wms_warehouse, quantity=9)
    fresh = make_product(account_a, "FRESH", stock=0)  # no row in the WMS warehouse yet
    connection = make_connection(account_a, sandbox, stock_push=True, stock_warehouse=wms_warehouse)
    sync(connection, "articles")
    sandbox.set_stock(GOODS_OWNER_A, "COUNTED", 12)
    sandbox.set_stock(GOODS_OWNER_A, "FRESH", 4)
    sandbox.set_stock(GOODS_OWNER_A, "OVERSOLD", 1)
    sandbox.state.put_article(sandbox.state.users["alpha"], {"goodsOwnerId": 1, "articleNumber": "WMS-ONLY"})
    # An order of 3 OVERSOLD exported to the WMS books 3 of its 1: sellable -2 → 0 in Hurtlink.
    make_order(account_a, [oversold], quantity=3)

    run = sync(connection, "orders", "stock")["stock"]

    assert stock(counted, wms_warehouse) == 12
    assert stock(fresh, wms_warehouse) == 4
    assert stock(oversold, wms_warehouse) == 0
    assert stock(oversold, main) == 47  # other warehouses are not touched
    assert (run.created, run.updated, run.skipped) == (1, 2, 1)
    assert run.messages_shown()[0]["item"] == "WMS-ONLY"

    again = sync(connection, "stock")["stock"]
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_stock_is_applied_set_based_whatever_the_number_of_articles(account_a, sandbox, fast_client):
    wms_warehouse = Warehouse.objects.create(account=account_a, name="Ongoing")
    connection = make_connection(account_a, sandbox, stock_push=True, stock_warehouse=wms_warehouse)

    def queries_for(count: int, start: int) -> int:
        for i in range(start, start + count):
            make_product(account_a, f"S-{i}", stock=0)
        sync(connection, "articles")
        for i in range(start, start + count):
            sandbox.set_stock(GOODS_OWNER_A, f"S-{i}", i + 1)
        with CaptureQueriesContext(db) as queries:
            sync(connection, "stock")
        return len(queries)

    assert queries_for(3, 0) == queries_for(40, 100)
    assert Stock.objects.filter(warehouse=wms_warehouse).count() == 43
