"""Stock: the WMS's sellable quantity → the chosen warehouse's stock, in one set-based update."""

from __future__ import annotations

import math

from django.db import connection as db
from django.db import transaction
from django.utils.translation import gettext_noop

from accounts.models import Role
from accounts.tenancy import Tenant
from catalog.bulk import stock_set_by_sku
from changes.origin import Origin
from config.stored_messages import Message
from wmsbridge.client import OngoingClient
from wmsbridge.models import WmsConnection
from wmsbridge.sync.runner import RunRecorder

PAGE_SIZE = 1000

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
        recorder.message(
            "", Message(gettext_noop("Stock push is off for this connection; nothing was changed."))
        )
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
        result = stock_set_by_sku(
            # The sync acts for the connection's account with a member's rights, the least that may
            # write stock.
            actor=Tenant(account=connection.account, role=Role.MEMBER),
            inventory_id=connection.inventory_id,
            warehouse_id=connection.stock_warehouse_id,
            skus=numbers,
            quantities=quantities,
            origin=Origin.wms(connection.pk, connection.name),
        )
        run.created, run.updated = result.created, result.updated
        cursor.execute(_UNMATCHED, params)
        unmatched = [row[0] for row in cursor.fetchall()]
    run.skipped = len(unmatched)
    run.unchanged = len(numbers) - len(unmatched) - run.created - run.updated
    for number in unmatched:
        recorder.message(
            number, Message(gettext_noop("No product with this SKU in the catalog; its stock was not taken."))
        )
    recorder.progress(len(numbers), len(numbers), force=True)
