"""Stock: the WMS's sellable quantity → the chosen warehouse's stock, in one set-based update."""

from __future__ import annotations

import math

from django.db import connection as db
from django.db import transaction
from django.utils.translation import gettext as _

from wmsbridge.client import OngoingClient
from wmsbridge.models import WmsConnection
from wmsbridge.sync.runner import RunRecorder

PAGE_SIZE = 1000

# Matched = products of the connection's catalog whose SKU is an article number of the WMS.
_MATCHED = """
    WITH wms AS (SELECT * FROM unnest(%(numbers)s::text[], %(quantities)s::integer[]) AS w(sku, qty)),
    matched AS (
        SELECT DISTINCT ON (p.id) p.id AS product_id, wms.qty
        FROM wms JOIN catalog_product p
          ON p.sku = wms.sku AND p.inventory_id = %(inventory)s AND p.account_id = %(account)s
        WHERE p.sku <> ''
        ORDER BY p.id
    )
"""

# Products without a stock row in the warehouse get one, already with the WMS quantity.
_INSERT_MISSING = f"""{_MATCHED}
    INSERT INTO catalog_stock (product_id, warehouse_id, quantity)
    SELECT m.product_id, %(warehouse)s, m.qty FROM matched m
    ON CONFLICT (product_id, warehouse_id) DO NOTHING
"""  # noqa: S608 - composed of constants; values are parameters

# One UPDATE … FROM for every row that differs; rows are locked in primary-key order, as the catalog's
# stock movements lock them, so a sync and an order taking stock never deadlock.
_UPDATE = f"""{_MATCHED}
    UPDATE catalog_stock s SET quantity = x.qty
    FROM (
        SELECT s2.id, m.qty FROM catalog_stock s2 JOIN matched m ON m.product_id = s2.product_id
        WHERE s2.warehouse_id = %(warehouse)s AND s2.quantity <> m.qty
        ORDER BY s2.id
        FOR UPDATE OF s2
    ) x
    WHERE s.id = x.id
"""  # noqa: S608 - composed of constants; values are parameters

_UNMATCHED = """
    SELECT w.sku FROM unnest(%(numbers)s::text[]) AS w(sku)
    WHERE NOT EXISTS (
        SELECT 1 FROM catalog_product p
        WHERE p.sku = w.sku AND p.inventory_id = %(inventory)s AND p.account_id = %(account)s
    )
    ORDER BY w.sku
"""


def sellable(article: dict) -> int:
    """``max(0, floor(sellableNumberOfItems))`` — the WMS's figure can be negative (oversold)."""
    value = (article.get("inventoryInfo") or {}).get("sellableNumberOfItems") or 0
    try:
        return max(0, math.floor(float(value)))
    except (TypeError, ValueError):
        return 0


def stock_sync(*, connection: WmsConnection, client: OngoingClient, recorder: RunRecorder) -> None:
    """Replace the stock of ``connection.stock_warehouse`` with the WMS's sellable quantities.

    Reads all articles of the goods owner (keyset paging), then applies them in one transaction: an
    INSERT for products that have no stock row in the warehouse yet and one ``UPDATE … FROM`` for the
    rows whose quantity differs. Articles without a product of that SKU in the catalog are counted as
    skipped. Idempotent: running it twice changes nothing the second time.
    """
    run = recorder.run
    if not connection.stock_push or connection.stock_warehouse_id is None:
        recorder.message("", _("Stock push is off for this connection; nothing was changed."))
        return
    numbers: list[str] = []
    quantities: list[int] = []
    seen: set[str] = set()
    for article in client.iter_articles(page_size=PAGE_SIZE):
        number = str(article.get("articleNumber") or "")
        if not number or number in seen:
            continue
        seen.add(number)
        numbers.append(number)
        quantities.append(sellable(article))
        if len(numbers) % PAGE_SIZE == 0:
            recorder.progress(len(numbers))
    params = {
        "numbers": numbers,
        "quantities": quantities,
        "inventory": connection.inventory_id,
        "account": connection.account_id,
        "warehouse": connection.stock_warehouse_id,
    }
    with transaction.atomic(), db.cursor() as cursor:
        cursor.execute(_INSERT_MISSING, params)
        run.created = cursor.rowcount
        cursor.execute(_UPDATE, params)
        run.updated = cursor.rowcount
        cursor.execute(_UNMATCHED, params)
        unmatched = [row[0] for row in cursor.fetchall()]
    run.skipped = len(unmatched)
    run.unchanged = len(numbers) - len(unmatched) - run.created - run.updated
    for number in unmatched:
        recorder.message(number, _("No product with this SKU in the catalog; its stock was not taken."))
    recorder.progress(len(numbers), len(numbers), force=True)
