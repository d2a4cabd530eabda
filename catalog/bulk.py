"""Bulk stock and price setting: many (product, warehouse/price group, value) items in one set-based write.

Items are checked one by one in Python (types, negative values), streamed with ``COPY`` into a
temporary table, checked together in SQL (products and warehouses/price groups of the account, the
same pair twice), then written with one ``UPDATE … FROM`` and one ``INSERT … ON CONFLICT`` for the
pairs that had no row yet. All or nothing: any problem raises :class:`BulkItemErrors` listing every
problem item and nothing is written.

Also here: the set-based writes of the CSV import, the WMS stock sync by SKU, Connect's stock and price
sync and imports from a supplier's shared catalog, and products built by a query (the demo). Writes
someone asks for take the ``actor`` and check its role here (as ``catalog.services`` does); Connect's
writers cross from a provider to its contractors and are called only by Connect's services, which have
checked the link and the actor already — they take the accounts of the rows they write.
"""

from __future__ import annotations

import io
import logging
import tempfile
import uuid
from collections.abc import Iterable
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from decimal import Decimal

import psycopg
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from accounts import roles
from accounts.tenancy import Tenant, require_role
from catalog.events import record_set, wanted
from changes import topics
from changes.origin import Origin
from config.fields import ID_MAX, decimal_number, id_number, whole_number
from config.stored_messages import Message

logger = logging.getLogger(__name__)

STOCK_MAX = 2**31 - 1
SPOOL_IN_MEMORY = 32 * 2**20
MONEY_LIMIT = Decimal(10) ** 12
COPY_CHUNK = 1 << 16
NULL = "\\N"  # COPY's text format
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass
class BulkResult:
    """How many existing rows got a new value and how many rows were created."""

    updated: int
    created: int


class BulkItemErrors(Exception):
    """Some items are wrong; nothing was written. ``errors`` maps the item's index to field → messages."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        self.errors = dict(sorted(errors.items()))
        count = len(errors)
        super().__init__(
            ngettext(
                "%(count)s item has a problem; nothing was changed.",
                "%(count)s items have problems; nothing was changed.",
                count,
            )
            % {"count": count}
        )


@dataclass(frozen=True)
class _Kind:
    table: str
    target_table: str
    target_column: str  # also the item's field name, e.g. "warehouse_id"
    value_column: str  # also the item's field name, e.g. "quantity"
    value_type: str
    unknown_target: str
    topic: str
    targets_key: str  # the event payload's name for the targets


def _actor_may(actor: Tenant, act: str) -> None:
    """The actor's role allows ``act`` on products, stock and prices (the role matrix's PRODUCTS area):
    PermissionDenied otherwise."""
    require_role(actor, roles.PRODUCTS.role_for(act))


def _add(errors: dict, index: int, field: str, message: str) -> None:
    errors.setdefault(index, {}).setdefault(field, []).append(message)


def _as_id(value) -> int | None:
    try:
        return id_number(value)
    except ValidationError:
        return None


def _quantity(value) -> tuple[str | None, str | None]:
    try:
        number = whole_number(value)
    except ValidationError:
        return None, _("A whole number is required.")
    if number < 0:
        return None, _("Stock cannot be negative.")
    if number > STOCK_MAX:
        return None, _("Too large.")
    return str(number), None


def _amount(value) -> tuple[str | None, str | None]:
    try:
        number = decimal_number(value, decimal_comma=True)
    except ValidationError:
        return None, _("A number is required.")
    if number < 0:
        return None, _("A price cannot be negative.")
    if number >= MONEY_LIMIT:
        return None, _("Too large.")
    if -number.as_tuple().exponent > 2:
        return None, _("At most 2 digits after the decimal point.")
    return str(number), None


STOCK = _Kind(
    table="catalog_stock",
    target_table="catalog_warehouse",
    target_column="warehouse_id",
    value_column="quantity",
    value_type="integer",
    unknown_target="There is no such warehouse in this account.",
    topic=topics.STOCK_CHANGED,
    targets_key="warehouse_ids",
)
PRICE = _Kind(
    table="catalog_price",
    target_table="catalog_pricegroup",
    target_column="price_group_id",
    value_column="amount",
    value_type="numeric",
    unknown_target="There is no such price group in this account.",
    topic=topics.PRICE_CHANGED,
    targets_key="price_group_ids",
)


def stock_set_many(
    *, actor: Tenant, rows: Iterable[tuple], origin: Origin, inventory_id: int | None = None
) -> BulkResult:
    """Set stock quantities: ``rows`` of ``(product_id or sku, warehouse_id, quantity[, inventory_id])``.

    An ``int`` is a product id, a ``str`` a SKU (so numeric SKUs work); a SKU names a product of the
    catalog given in the row's fourth element or by ``inventory_id``. Rows already there are updated
    (existing rows are locked in primary-key order first, like every stock writer, so concurrent writers
    do not deadlock); missing ones are created. All or nothing: raises BulkItemErrors (keyed by the
    item's 0-based position) and writes nothing on any problem. Members and up (the role matrix's
    PRODUCTS write).
    """
    _actor_may(actor, "write")
    return _set_many(
        STOCK, _quantity, account=actor.account, rows=rows, origin=origin, inventory_id=inventory_id
    )


def price_set_many(
    *, actor: Tenant, rows: Iterable[tuple], origin: Origin, inventory_id: int | None = None
) -> BulkResult:
    """Set prices: ``rows`` of ``(product_id or sku, price_group_id, amount[, inventory_id])``.

    Same rules as :func:`stock_set_many`: amounts ≥ 0 with at most two decimals, all or nothing.
    """
    _actor_may(actor, "write")
    return _set_many(
        PRICE, _amount, account=actor.account, rows=rows, origin=origin, inventory_id=inventory_id
    )


def _staged_lines(kind: _Kind, parse, rows: Iterable[tuple], default_inventory, errors: dict, flags: dict):
    """Yield COPY text lines for the valid items; fill ``errors`` for the others."""
    for index, row in enumerate(rows):
        flags["count"] = index + 1
        try:
            product, target, value, *rest = row
        except (TypeError, ValueError):
            _add(errors, index, "non_field_errors", _("An item needs a product, a target and a value."))
            continue
        inventory = rest[0] if rest and rest[0] is not None else default_inventory
        product_id = sku = inventory_id = None
        if isinstance(product, str):
            sku = product.strip()
            if not sku or len(sku) > 50 or "\x00" in sku:
                _add(errors, index, "sku", _("Not a valid SKU."))
            inventory_id = _as_id(inventory)
            if inventory_id is None:
                _add(errors, index, "inventory_id", _("A catalog id is required with a SKU."))
            flags["skus"] = True
            sku = sku.translate(_COPY_ESCAPES)
        elif isinstance(product, int) and not isinstance(product, bool) and 0 < product <= ID_MAX:
            product_id = product
        else:
            _add(errors, index, "product_id", _("A product id is required."))
        target_id = _as_id(target)
        if target_id is None:
            _add(errors, index, kind.target_column, _("An id is required."))
        text, message = parse(value)
        if message:
            _add(errors, index, kind.value_column, message)
        if index in errors:
            continue
        yield f"{index}\t{product_id or NULL}\t{sku or NULL}\t{inventory_id or NULL}\t{target_id}\t{text}\n"


def _set_many(
    kind: _Kind, parse, *, account, rows: Iterable[tuple], origin: Origin, inventory_id: int | None
) -> BulkResult:
    errors: dict[int, dict[str, list[str]]] = {}
    flags: dict = {"count": 0, "skus": False}
    temp = f"bulk_{kind.value_column}_{uuid.uuid4().hex[:12]}"
    target, value = kind.target_column, kind.value_column
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {temp} (item integer, product_id bigint, sku text, inventory_id bigint,
                target_id bigint, value {kind.value_type}) ON COMMIT DROP"""
        )
        with cursor.cursor.copy(f"COPY {temp} FROM STDIN") as copy:
            buffer = io.StringIO()
            for line in _staged_lines(kind, parse, rows, inventory_id, errors, flags):
                buffer.write(line)
                if buffer.tell() > COPY_CHUNK:
                    copy.write(buffer.getvalue())
                    buffer.seek(0)
                    buffer.truncate()
            copy.write(buffer.getvalue())
        if flags["skus"]:
            cursor.execute(
                f"""UPDATE {temp} t SET product_id = p.id FROM catalog_product p
                     WHERE t.sku IS NOT NULL AND p.account_id = %s AND p.inventory_id = t.inventory_id
                       AND p.sku = t.sku""",  # noqa: S608 - generated table names; values are parameters
                [account.pk],
            )
        cursor.execute(f"ANALYZE {temp}")
        cursor.execute(
            f"""SELECT t.item, t.sku FROM {temp} t
                 WHERE NOT EXISTS (SELECT 1 FROM catalog_product p
                                    WHERE p.id = t.product_id AND p.account_id = %s)""",  # noqa: S608 - generated table names; values are parameters
            [account.pk],
        )
        for item, sku in cursor.fetchall():
            if sku is None:
                _add(errors, item, "product_id", _("There is no such product in this account."))
            else:
                _add(errors, item, "sku", _("There is no product with this SKU in that catalog."))
        cursor.execute(
            f"""SELECT t.item FROM {temp} t
                 WHERE NOT EXISTS (SELECT 1 FROM {kind.target_table} w
                                    WHERE w.id = t.target_id AND w.account_id = %s)""",  # noqa: S608 - generated table names; values are parameters
            [account.pk],
        )
        for (item,) in cursor.fetchall():
            _add(errors, item, target, _(kind.unknown_target))
        cursor.execute(
            f"""SELECT item, first FROM (
                  SELECT item, min(item) OVER (PARTITION BY product_id, target_id) AS first
                    FROM {temp} WHERE product_id IS NOT NULL) d
                 WHERE item <> first"""  # noqa: S608 - generated table names; values are parameters
        )
        for item, first in cursor.fetchall():
            _add(
                errors,
                item,
                "non_field_errors",
                _("The same product and target as item %(n)s.") % {"n": first},
            )
        if errors:
            raise BulkItemErrors(errors)

        # Lock the rows to change in primary-key order, as stock_adjust_many does: no deadlocks.
        cursor.execute(
            f"""SELECT count(*) FROM (
                  SELECT s.id FROM {kind.table} s JOIN {temp} t
                      ON s.product_id = t.product_id AND s.{target} = t.target_id
                   ORDER BY s.id FOR UPDATE OF s) locked"""  # noqa: S608 - generated table names; values are parameters
        )
        cursor.execute(
            f"""UPDATE {kind.table} s SET {value} = t.value FROM {temp} t
                 WHERE s.product_id = t.product_id AND s.{target} = t.target_id"""  # noqa: S608 - generated table names; values are parameters
        )
        updated = cursor.rowcount
        cursor.execute(
            f"""INSERT INTO {kind.table} (product_id, {target}, {value})
                SELECT t.product_id, t.target_id, t.value FROM {temp} t
                 WHERE NOT EXISTS (SELECT 1 FROM {kind.table} s
                                    WHERE s.product_id = t.product_id AND s.{target} = t.target_id)
                ON CONFLICT (product_id, {target}) DO UPDATE SET {value} = EXCLUDED.{value}"""  # noqa: S608 - generated table names; values are parameters
        )
        created = cursor.rowcount
        if wanted(kind.topic, origin):
            # One event for the whole statement (one per chunk of ids when it is very large).
            cursor.execute(
                f"""SELECT array_agg(DISTINCT product_id), array_agg(DISTINCT target_id) FROM {temp}"""  # noqa: S608 - generated table names
            )
            product_ids, target_ids = cursor.fetchone()
            record_set(
                account_id=account.pk,
                topic=kind.topic,
                origin=origin,
                product_ids=product_ids or [],
                targets={kind.targets_key: target_ids or []},
            )
        cursor.execute(f"DROP TABLE {temp}")
    return BulkResult(updated=updated, created=created)


# --- catalog import -----------------------------------------------------------------------------------


def _copy_across(cursor, select: str, params, target: str) -> None:
    """Write the rows of ``select`` into ``target`` with COPY, through a spool file (one connection runs
    one COPY at a time)."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        with cursor.cursor.copy(f"COPY ({select}) TO STDOUT", params) as out:
            for chunk in out:
                spool.write(chunk)
        if not spool.tell():
            return
        spool.seek(0)
        with cursor.cursor.copy(f"COPY {target} FROM STDIN") as into:
            while chunk := spool.read(1 << 20):
                into.write(chunk)


def products_import_write(cursor, *, staging, actor: Tenant, inventory, origin: Origin) -> tuple[int, int]:
    """The set-based writes of a catalog import, inside the caller's transaction: products (COPY for new
    ones, ``INSERT … ON CONFLICT`` for the others), texts, stock, prices and tags from the staging table
    ``staging.rows`` (columns and targets in ``staging.layout``); ``staging.ids`` collects the written
    product ids. Records one event per kind of change (chunked by ids). Returns (created, updated).
    Members and up (the role matrix's PRODUCTS write), into a catalog of the actor's account."""
    _actor_may(actor, "write")
    account = actor.account
    if inventory.account_id != account.pk:
        raise ValueError(f"Catalog {inventory.pk} belongs to another account.")
    layout, rows, ids = staging.layout, staging.rows, staging.ids
    params = {"account": account.pk, "inventory": inventory.pk}
    present = layout.product
    if "manufacturer" in present:
        cursor.execute(
            f"""INSERT INTO catalog_manufacturer (account_id, name)
                SELECT DISTINCT %(account)s, manufacturer FROM {rows} WHERE manufacturer IS NOT NULL
                ON CONFLICT (account_id, name) DO NOTHING""",  # noqa: S608 - generated table names; values are parameters
            params,
        )
    if "tags" in present:
        cursor.execute(
            f"""INSERT INTO catalog_tag (account_id, name)
                SELECT DISTINCT %(account)s, unnest(string_to_array(tags, '|')) FROM {rows}
                 WHERE tags IS NOT NULL
                ON CONFLICT (account_id, name) DO NOTHING""",  # noqa: S608 - generated table names; values are parameters
            params,
        )
    manufacturer_join = (
        "LEFT JOIN catalog_manufacturer m ON m.account_id = %(account)s AND m.name = t.manufacturer"
        if "manufacturer" in present
        else ""
    )
    manufacturer_id = (
        "COALESCE(m.id, e.manufacturer_id)" if "manufacturer" in present else "e.manufacturer_id"
    )
    cursor.execute("SELECT pg_get_serial_sequence('catalog_product', 'id')")
    params["sequence"] = cursor.fetchone()[0]
    # Main products first, so that variants find a parent created by this file.
    for variants in (False, True):
        kind = "t.parent_sku IS NOT NULL" if variants else "t.parent_sku IS NULL"
        parent_join = (
            "JOIN catalog_product par ON par.inventory_id = %(inventory)s AND par.sku = t.parent_sku"
            if variants
            else ""
        )
        # New products go in with COPY (ids taken from the table's sequence). Should another transaction
        # create one of these SKUs meanwhile, the COPY fails on the unique constraint, its savepoint is
        # rolled back and the upsert below takes those rows too.
        try:
            with transaction.atomic():
                cursor.execute(
                    f"""INSERT INTO {ids} (id, sku, inserted)
                        SELECT nextval(%(sequence)s::regclass), t.sku, true FROM {rows} t
                         WHERE {kind} AND NOT EXISTS (
                               SELECT 1 FROM catalog_product e
                                WHERE e.inventory_id = %(inventory)s AND e.sku = t.sku AND e.sku <> '')""",  # noqa: S608 - generated table names; values are parameters
                    params,
                )
                if cursor.rowcount:
                    _copy_across(
                        cursor,
                        f"""SELECT i.id, %(account)s, %(inventory)s,
                                   {"par.id" if variants else "NULL"}, t.sku,
                                   COALESCE(t.ean, ''), COALESCE(t.tax_rate, 23), COALESCE(t.weight, 0),
                                   COALESCE(t.height, 0), COALESCE(t.width, 0), COALESCE(t.length, 0),
                                   t.category_id, {"m.id" if "manufacturer" in present else "NULL"},
                                   0, 0, false, now(), now()
                              FROM {rows} t JOIN {ids} i ON i.sku = t.sku AND i.inserted
                              {manufacturer_join}
                              {parent_join}
                             WHERE {kind}""",  # noqa: S608 - generated table names; values are parameters
                        params,
                        "catalog_product (id, account_id, inventory_id, parent_id, sku, ean, tax_rate,"
                        " weight, height, width, length, category_id, manufacturer_id, star, average_cost,"
                        " is_bundle, created_at, updated_at)",
                    )
        except (IntegrityError, psycopg.IntegrityError):
            logger.info("Import into catalog %s met a concurrent insert; upserting instead", inventory.pk)
        # Products already in the catalog (and any the COPY could not take): INSERT … ON CONFLICT DO UPDATE.
        cursor.execute(
            f"""
            WITH upserted AS (
              INSERT INTO catalog_product AS p (
                account_id, inventory_id, parent_id, sku, ean, tax_rate, weight, height, width, length,
                category_id, manufacturer_id, star, average_cost, is_bundle, created_at, updated_at)
              SELECT %(account)s, %(inventory)s, {"par.id" if variants else "e.parent_id"}, t.sku,
                     COALESCE(t.ean, e.ean, ''), COALESCE(t.tax_rate, e.tax_rate, 23),
                     COALESCE(t.weight, e.weight, 0), COALESCE(t.height, e.height, 0),
                     COALESCE(t.width, e.width, 0), COALESCE(t.length, e.length, 0),
                     COALESCE(t.category_id, e.category_id), {manufacturer_id},
                     COALESCE(e.star, 0), COALESCE(e.average_cost, 0), COALESCE(e.is_bundle, false),
                     now(), now()
                FROM {rows} t
                LEFT JOIN catalog_product e
                       ON e.inventory_id = %(inventory)s AND e.sku = t.sku AND e.sku <> ''
                {manufacturer_join}
                {parent_join}
               WHERE {kind} AND NOT EXISTS (SELECT 1 FROM {ids} done WHERE done.sku = t.sku)
              ON CONFLICT (inventory_id, sku) WHERE sku <> '' DO UPDATE SET
                parent_id = EXCLUDED.parent_id, ean = EXCLUDED.ean, tax_rate = EXCLUDED.tax_rate,
                weight = EXCLUDED.weight, height = EXCLUDED.height, width = EXCLUDED.width,
                length = EXCLUDED.length, category_id = EXCLUDED.category_id,
                manufacturer_id = EXCLUDED.manufacturer_id, updated_at = EXCLUDED.updated_at
              RETURNING p.id, p.sku, (p.xmax = 0) AS inserted
            )
            INSERT INTO {ids} (id, sku, inserted) SELECT id, sku, inserted FROM upserted
            """,  # noqa: S608 - generated table names; values are parameters
            params,
        )
    cursor.execute(
        f"SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM {ids}"  # noqa: S608 - generated table names; values are parameters
    )
    created, updated = cursor.fetchone()
    if created + updated == 0:
        return created, updated
    cursor.execute(f"ANALYZE {ids}")

    # Texts, stock and prices of the products this import has just created cannot exist yet (nobody
    # else sees those products before the commit), so they go in with COPY — several times faster than
    # INSERT … SELECT; only rows of updated products need INSERT … ON CONFLICT DO UPDATE.
    if layout.languages:
        values = ", ".join(
            f"(%(lang_{i})s, t.name_{i}, t.description_{i})" for i in range(len(layout.languages))
        )
        text_params = {f"lang_{i}": lang for i, lang in enumerate(layout.languages)}
        texts = f"""
            SELECT i.id, v.language, COALESCE(v.name, ''), COALESCE(v.description, ''), '[]', '{{}}'
              FROM {rows} t JOIN {ids} i ON i.sku = t.sku
             CROSS JOIN LATERAL (VALUES {values}) AS v(language, name, description)
             WHERE (v.name IS NOT NULL OR v.description IS NOT NULL)"""  # noqa: S608 - generated table names; values are parameters
        columns = "catalog_producttext (product_id, language, name, description, features, extra_fields)"
        _copy_across(cursor, f"{texts} AND i.inserted", text_params, columns)
        if updated:
            cursor.execute(
                f"""INSERT INTO {columns.replace(" (", " AS x (", 1)} {texts} AND NOT i.inserted
                    ON CONFLICT (product_id, language) DO UPDATE SET
                      name = COALESCE(NULLIF(EXCLUDED.name, ''), x.name),
                      description = COALESCE(NULLIF(EXCLUDED.description, ''), x.description)""",
                text_params,
            )
    for table, key, value, targets, column in (
        ("catalog_stock", "warehouse_id", "quantity", layout.warehouses, "stock"),
        ("catalog_price", "price_group_id", "amount", layout.price_groups, "price"),
    ):
        if not targets:
            continue
        values = ", ".join(f"({int(pk)}::bigint, t.{column}_{i})" for i, pk in enumerate(targets))
        select = f"""
            SELECT i.id, v.target, v.value
              FROM {rows} t JOIN {ids} i ON i.sku = t.sku
             CROSS JOIN LATERAL (VALUES {values}) AS v(target, value)
             WHERE v.value IS NOT NULL"""  # noqa: S608 - generated table names; values are parameters
        _copy_across(cursor, f"{select} AND i.inserted", None, f"{table} (product_id, {key}, {value})")
        if updated:
            cursor.execute(
                f"""INSERT INTO {table} (product_id, {key}, {value}) {select} AND NOT i.inserted
                    ON CONFLICT (product_id, {key}) DO UPDATE SET {value} = EXCLUDED.{value}"""  # noqa: S608 - generated table names; values are parameters
            )
    if "tags" in present:
        wanted = f"""
            SELECT i.id AS product_id, tg.id AS tag_id
              FROM {rows} t JOIN {ids} i ON i.sku = t.sku
             CROSS JOIN LATERAL unnest(string_to_array(t.tags, '|')) AS n(name)
              JOIN catalog_tag tg ON tg.account_id = %(account)s AND tg.name = n.name
             WHERE t.tags IS NOT NULL"""  # noqa: S608 - generated table names; values are parameters
        cursor.execute(
            f"""
            DELETE FROM catalog_product_tags pt
             USING {rows} t JOIN {ids} i ON i.sku = t.sku
             WHERE t.tags IS NOT NULL AND pt.product_id = i.id
               AND (pt.product_id, pt.tag_id) NOT IN ({wanted})
            """,  # noqa: S608 - generated table names; values are parameters
            params,
        )
        cursor.execute(
            f"""INSERT INTO catalog_product_tags (product_id, tag_id) {wanted}
                ON CONFLICT (product_id, tag_id) DO NOTHING""",
            params,
        )
    _import_events(cursor, ids=ids, layout=layout, account=account, inventory=inventory, origin=origin)
    return created, updated


def _import_events(cursor, *, ids: str, layout, account, inventory, origin: Origin) -> None:
    """The import's events: products created, products changed, and stock and prices of all of them for
    the warehouses and price groups the file has columns for."""
    every = (topics.PRODUCT_CREATED, topics.PRODUCT_CHANGED, topics.STOCK_CHANGED, topics.PRICE_CHANGED)
    if not any(wanted(topic, origin) for topic in every):
        return
    cursor.execute(
        f"""SELECT array_agg(id) FILTER (WHERE inserted), array_agg(id) FILTER (WHERE NOT inserted)
              FROM {ids}"""  # noqa: S608 - generated table names
    )
    inserted, changed = (ids_ or [] for ids_ in cursor.fetchone())
    common = {"account_id": account.pk, "origin": origin}
    record_set(
        topic=topics.PRODUCT_CREATED, product_ids=inserted, extra={"inventory_id": inventory.pk}, **common
    )
    record_set(
        topic=topics.PRODUCT_CHANGED, product_ids=changed, extra={"inventory_id": inventory.pk}, **common
    )
    if layout.warehouses:
        record_set(
            topic=topics.STOCK_CHANGED,
            product_ids=inserted + changed,
            targets={"warehouse_ids": layout.warehouses},
            **common,
        )
    if layout.price_groups:
        record_set(
            topic=topics.PRICE_CHANGED,
            product_ids=inserted + changed,
            targets={"price_group_ids": layout.price_groups},
            **common,
        )


# --- stock by SKU (the WMS stock sync) ------------------------------------------------------------------

# Matched = products of the catalog whose SKU is one of the given SKUs (a WMS's article numbers).
_SKU_MATCHED = """
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
_SKU_INSERT_MISSING = f"""{_SKU_MATCHED}
    , done AS (
        INSERT INTO catalog_stock (product_id, warehouse_id, quantity)
        SELECT m.product_id, %(warehouse)s, m.qty FROM matched m
        ON CONFLICT (product_id, warehouse_id) DO NOTHING
        RETURNING product_id
    )
    SELECT count(*), array_agg(product_id) FROM done
"""  # noqa: S608 - composed of constants; values are parameters

# One UPDATE … FROM for every row that differs; rows are locked in primary-key order, as the catalog's
# stock movements lock them, so a sync and an order taking stock never deadlock.
_SKU_UPDATE = f"""{_SKU_MATCHED}
    , done AS (
        UPDATE catalog_stock s SET quantity = x.qty
        FROM (
            SELECT s2.id, m.qty FROM catalog_stock s2 JOIN matched m ON m.product_id = s2.product_id
            WHERE s2.warehouse_id = %(warehouse)s AND s2.quantity <> m.qty
            ORDER BY s2.id
            FOR UPDATE OF s2
        ) x
        WHERE s.id = x.id
        RETURNING s.product_id
    )
    SELECT count(*), array_agg(product_id) FROM done
"""  # noqa: S608 - composed of constants; values are parameters


def stock_set_by_sku(
    *,
    actor: Tenant,
    inventory_id: int,
    warehouse_id: int,
    skus: list[str],
    quantities: list[int],
    origin: Origin,
) -> BulkResult:
    """Set the stock of ``warehouse_id`` for the products of ``inventory_id`` whose SKU is in ``skus``
    (the quantity at the same position): one INSERT for products without a row there yet, one
    ``UPDATE … FROM`` for rows whose quantity differs (locked in primary-key order). SKUs without a
    product are ignored (the caller reports them). Records one stock event for the rows changed. The
    catalog and warehouse are the actor's account's; members and up (the role matrix's PRODUCTS write).
    """
    _actor_may(actor, "write")
    account_id = actor.account.pk
    from catalog.models import Inventory, Warehouse

    if not (
        Inventory.objects.filter(account_id=account_id, pk=inventory_id).exists()
        and Warehouse.objects.filter(account_id=account_id, pk=warehouse_id).exists()
    ):
        raise ValueError("The catalog or the warehouse belongs to another account.")
    params = {
        "numbers": skus,
        "quantities": quantities,
        "inventory": inventory_id,
        "account": account_id,
        "warehouse": warehouse_id,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_SKU_INSERT_MISSING, params)
        created, inserted_ids = cursor.fetchone()
        cursor.execute(_SKU_UPDATE, params)
        updated, updated_ids = cursor.fetchone()
        record_set(
            account_id=account_id,
            topic=topics.STOCK_CHANGED,
            origin=origin,
            product_ids=(inserted_ids or []) + (updated_ids or []),
            targets={"warehouse_ids": [warehouse_id]},
        )
    return BulkResult(updated=updated, created=created)


# --- values computed by a query (Connect's stock and price sync) -----------------------------------------


def stock_set_from_query(
    *, select: str, params: dict, groups: dict[int, tuple[int, Origin]], create_missing: bool = True
) -> dict[int, int]:
    """Set stock to values a query computes, in one statement: ``select`` yields the columns
    ``product_id, target_id (warehouse), value (quantity), grp``; ``groups`` maps each ``grp`` to the
    account its rows belong to and the origin their change is recorded with.

    The caller's query decides which rows (it must name only products and warehouses of the group's
    account). Rows whose value already holds are left alone; the others are locked in primary-key order
    (like every stock writer) and updated with one ``UPDATE … FROM``; missing rows are inserted
    (``INSERT … ON CONFLICT``) in the same statement unless ``create_missing`` is off (a caller that
    knows the rows exist saves looking for the missing ones). Negative and empty values are never written. One
    stock event per group (chunked by ids) with the group's origin. Returns rows written per group."""
    return _set_from_query(STOCK, select=select, params=params, groups=groups, create_missing=create_missing)


def price_set_from_query(
    *, select: str, params: dict, groups: dict[int, tuple[int, Origin]], create_missing: bool = True
) -> dict[int, int]:
    """:func:`stock_set_from_query` for prices: ``target_id`` is the price group, ``value`` the amount
    (negative amounts and amounts a price cannot hold are skipped)."""
    return _set_from_query(PRICE, select=select, params=params, groups=groups, create_missing=create_missing)


def _set_from_query(
    kind: _Kind,
    *,
    select: str,
    params: dict,
    groups: dict[int, tuple[int, Origin]],
    create_missing: bool,
) -> dict[int, int]:
    if not groups:
        return {}
    target, value = kind.target_column, kind.value_column
    limit = f"AND src.value < {MONEY_LIMIT}" if kind is PRICE else ""
    collect = any(wanted(kind.topic, origin) for _account, origin in groups.values())
    ids = "array_agg(product_id)" if collect else "NULL"
    sql = f"""
        WITH src AS MATERIALIZED (
            SELECT product_id, target_id, value, grp FROM ({select}) q
             WHERE value IS NOT NULL AND value >= 0
        ),
        changed AS (
            SELECT s.id, src.value, src.grp, src.target_id FROM {kind.table} s
              JOIN src ON s.product_id = src.product_id AND s.{target} = src.target_id
             WHERE s.{value} <> src.value {limit}
             ORDER BY s.id
               FOR UPDATE OF s
        ),
        updated AS (
            UPDATE {kind.table} s SET {value} = changed.value FROM changed
             WHERE s.id = changed.id
            RETURNING s.product_id, changed.target_id, changed.grp
        ),
        inserted AS (
            INSERT INTO {kind.table} (product_id, {target}, {value})
            SELECT src.product_id, src.target_id, src.value FROM src
             WHERE {"true" if create_missing else "false"}
               AND NOT EXISTS (SELECT 1 FROM {kind.table} s
                                WHERE s.product_id = src.product_id AND s.{target} = src.target_id) {limit}
            ON CONFLICT (product_id, {target}) DO UPDATE SET {value} = EXCLUDED.{value}
            RETURNING product_id, {target} AS target_id
        ),
        written AS (
            SELECT product_id, target_id, grp FROM updated
            UNION ALL
            SELECT i.product_id, i.target_id, src.grp FROM inserted i
              JOIN src ON src.product_id = i.product_id AND src.target_id = i.target_id
        )
        SELECT grp, target_id, count(*), {ids} FROM written GROUP BY grp, target_id
    """  # noqa: S608 - generated from constants and the caller's query; values are parameters
    written: dict[int, int] = {}
    changes: dict[int, tuple[list[int], set[int]]] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # Tens of thousands of rows are sorted (primary-key order for the locks): in memory, not on disk.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        for grp, target_id, count, product_ids in cursor.fetchall():
            written[grp] = written.get(grp, 0) + count
            product_list, targets = changes.setdefault(grp, ([], set()))
            product_list.extend(product_ids or [])
            targets.add(target_id)
        for grp, (product_ids, targets) in changes.items():
            if collect and grp in groups:
                account_id, origin = groups[grp]
                record_set(
                    account_id=account_id,
                    topic=kind.topic,
                    origin=origin,
                    product_ids=product_ids,
                    targets={kind.targets_key: targets},
                )
    return written


# --- products of an external storage (a Connect supplier's shared catalog) -----------------------------

# The staging table the caller fills (``LinkedStaging.create``), one row per external product. NULL in
# ``description``, ``features``, ``extra_fields``, ``images`` or ``tags`` means "not given: keep ours".
LINKED_COLUMNS = (
    ("ext_id", "bigint PRIMARY KEY"),
    ("ext_parent", "bigint"),
    ("sku", "text NOT NULL DEFAULT ''"),
    ("ean", "text NOT NULL DEFAULT ''"),
    ("tax_rate", "numeric(5, 2) NOT NULL DEFAULT 23"),
    ("weight", "numeric(10, 3) NOT NULL DEFAULT 0"),
    ("height", "numeric(10, 3) NOT NULL DEFAULT 0"),
    ("width", "numeric(10, 3) NOT NULL DEFAULT 0"),
    ("length", "numeric(10, 3) NOT NULL DEFAULT 0"),
    ("is_bundle", "boolean NOT NULL DEFAULT false"),
    ("category_id", "bigint"),
    ("manufacturer", "text"),
    ("tags", "text[]"),
    ("name", "text"),
    ("description", "text"),
    ("features", "jsonb"),
    ("extra_fields", "jsonb"),
    ("images", "text[]"),
    ("stock", "integer"),
    ("price", "numeric(14, 2)"),
)


class LinkedStaging:
    """Temporary tables of an import from an external storage: ``rows`` (``LINKED_COLUMNS``),
    ``components`` (ext_bundle, ext_component, quantity) and the match ``m`` the writer builds."""

    def __init__(self):
        suffix = uuid.uuid4().hex[:12]
        self.rows = f"linked_rows_{suffix}"
        self.components = f"linked_components_{suffix}"
        self.match = f"linked_match_{suffix}"
        self.changed = f"linked_changed_{suffix}"

    def create(self, cursor) -> None:
        columns = ", ".join(f"{name} {kind}" for name, kind in LINKED_COLUMNS)
        cursor.execute(f"CREATE TEMPORARY TABLE {self.rows} ({columns})")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {self.components}"
            " (ext_bundle bigint, ext_component bigint, quantity integer)"
        )

    def drop(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DROP TABLE IF EXISTS {self.rows}, {self.components}, {self.match}, {self.changed}"
                )
        except DatabaseError:
            pass  # inside a failed transaction: its rollback drops them


@dataclass
class LinkedResult:
    """What an import from an external storage did; ``problems`` are (external id, field, message)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: int = 0  # rows written in every table (0 when nothing changed)
    problems: list[tuple[int, str, Message]] | None = None


def category_paths_ensure(*, account, inventory, paths: list[str]) -> dict[str, int]:
    """ "A/B/C" → id of that category in ``inventory`` (or account-wide), creating what is missing
    level by level (one insert per level). Categories are few; names are trimmed."""
    from catalog.models import Category

    rows = list(
        Category.objects.filter(account=account)
        .filter(Q(inventory=inventory) | Q(inventory__isnull=True))
        .values_list("pk", "parent_id", "name", "inventory_id")
    )
    by_id = {pk: (parent, name) for pk, parent, name, _inv in rows}
    known: dict[str, int] = {}
    for pk, _parent, _name, inventory_id in rows:
        parts, node, hops = [], pk, 0
        while node is not None and node in by_id and hops < 100:
            parent, name = by_id[node]
            parts.append(name.strip())
            node, hops = parent, hops + 1
        if node is None:
            path = "/".join(reversed(parts))
            if inventory_id is not None or path not in known:
                known[path] = pk
    wanted_paths = {p for p in paths if p}
    for path in list(wanted_paths):
        parts = path.split("/")
        wanted_paths.update("/".join(parts[:i]) for i in range(1, len(parts)))
    for depth in range(1, 1 + max((p.count("/") + 1 for p in wanted_paths), default=0)):
        missing = sorted(p for p in wanted_paths if p.count("/") + 1 == depth and p not in known)
        if not missing:
            continue
        created = Category.objects.bulk_create(
            Category(
                account=account,
                inventory=inventory,
                parent_id=known.get(path.rpartition("/")[0]) if depth > 1 else None,
                name=path.rpartition("/")[2][:200],
            )
            for path in missing
        )
        known.update({path: row.pk for path, row in zip(missing, created, strict=True)})
    return {path: known[path] for path in paths if path in known}


def linked_products_check(
    cursor, *, staging: LinkedStaging, account, inventory, storage: str, storage_id: int
) -> list[tuple[int, str, Message]]:
    """Match the staged rows to the account's products — by link first, then by SKU in ``inventory`` —
    into ``staging.match``, and return the rows' problems, untranslated (nothing is written)."""
    rows, match = staging.rows, staging.match
    params = {"account": account.pk, "inventory": inventory.pk, "storage": storage, "sid": storage_id}
    cursor.execute(f"ANALYZE {rows}")
    cursor.execute(
        f"""CREATE TEMPORARY TABLE {match} (ext_id bigint PRIMARY KEY, product_id bigint,
                                             linked boolean, inserted boolean)"""
    )
    cursor.execute(
        f"""INSERT INTO {match} (ext_id, product_id, linked, inserted)
            SELECT r.ext_id, l.product_id, true, false FROM {rows} r
              JOIN catalog_productlink l ON l.storage = %(storage)s AND l.storage_id = %(sid)s
                                        AND l.external_id = r.ext_id AND l.account_id = %(account)s""",  # noqa: S608 - generated table names; values are parameters
        params,
    )
    cursor.execute(
        f"""INSERT INTO {match} (ext_id, product_id, linked, inserted)
            SELECT r.ext_id, p.id, false, false FROM {rows} r
              JOIN catalog_product p ON p.inventory_id = %(inventory)s AND p.sku = r.sku AND r.sku <> ''
             WHERE NOT EXISTS (SELECT 1 FROM {match} x WHERE x.ext_id = r.ext_id)
               AND NOT EXISTS (SELECT 1 FROM catalog_productlink l WHERE l.product_id = p.id)
            ON CONFLICT (ext_id) DO NOTHING""",  # noqa: S608 - generated table names; values are parameters
        params,
    )
    problems: list[tuple[int, str, Message]] = []
    cursor.execute(
        f"""SELECT r.ext_id, r.sku FROM {rows} r
             WHERE r.sku <> '' AND NOT EXISTS (SELECT 1 FROM {match} x WHERE x.ext_id = r.ext_id)
               AND EXISTS (SELECT 1 FROM catalog_product p
                            WHERE p.inventory_id = %(inventory)s AND p.sku = r.sku)""",  # noqa: S608 - generated table names; values are parameters
        params,
    )
    for ext_id, sku in cursor.fetchall():
        problems.append(
            (
                ext_id,
                "sku",
                Message(
                    gettext_noop(
                        "The SKU %(sku)s is taken in this catalog by a product linked to another product."
                    ),
                    sku=sku,
                ),
            )
        )
    # A variant needs its parent: in this import or already linked.
    cursor.execute(
        f"""SELECT r.ext_id, r.ext_parent FROM {rows} r
             WHERE r.ext_parent IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM {rows} q WHERE q.ext_id = r.ext_parent)
               AND NOT EXISTS (SELECT 1 FROM catalog_productlink l
                                WHERE l.storage = %(storage)s AND l.storage_id = %(sid)s
                                  AND l.external_id = r.ext_parent AND l.account_id = %(account)s)""",  # noqa: S608 - generated table names; values are parameters
        params,
    )
    for ext_id, parent in cursor.fetchall():
        problems.append(
            (
                ext_id,
                "parent",
                Message(gettext_noop("Its main product #%(id)s is not in this import."), id=parent),
            )
        )
    # A matched product cannot move between a main product and a variant.
    cursor.execute(
        f"""SELECT r.ext_id, (r.ext_parent IS NOT NULL) FROM {rows} r JOIN {match} x ON x.ext_id = r.ext_id
              JOIN catalog_product p ON p.id = x.product_id
             WHERE (r.ext_parent IS NULL) <> (p.parent_id IS NULL)""",  # noqa: S608 - generated table names; values are parameters
    )
    for ext_id, is_variant in cursor.fetchall():
        message = Message(
            gettext_noop("It is a variant, but the matching product of this catalog is a main product.")
            if is_variant
            else gettext_noop("It is a main product, but the matching product of this catalog is a variant.")
        )
        problems.append((ext_id, "parent", message))
    cursor.execute(
        f"""SELECT DISTINCT c.ext_bundle, c.ext_component FROM {staging.components} c
             WHERE NOT EXISTS (SELECT 1 FROM {rows} q WHERE q.ext_id = c.ext_component)
               AND NOT EXISTS (SELECT 1 FROM catalog_productlink l
                                WHERE l.storage = %(storage)s AND l.storage_id = %(sid)s
                                  AND l.external_id = c.ext_component AND l.account_id = %(account)s)""",  # noqa: S608 - generated table names; values are parameters
        params,
    )
    for ext_id, component in cursor.fetchall():
        problems.append(
            (
                ext_id,
                "components",
                Message(gettext_noop("Its component #%(id)s is not in this import."), id=component),
            )
        )
    # Variants of a main product with a problem cannot go in either.
    bad = {ext_id for ext_id, _f, _m in problems}
    if bad:
        cursor.execute(
            f"SELECT ext_id, ext_parent FROM {rows} WHERE ext_parent = ANY(%s)",  # noqa: S608 - generated table names; values are parameters
            [sorted(bad)],
        )
        for ext_id, parent in cursor.fetchall():
            if ext_id not in bad:
                problems.append(
                    (
                        ext_id,
                        "parent",
                        Message(gettext_noop("Its main product #%(id)s has problems."), id=parent),
                    )
                )
    problems.sort(key=lambda problem: problem[:2])
    return problems


def linked_products_write(
    cursor,
    *,
    staging: LinkedStaging,
    account,
    inventory,
    storage: str,
    storage_id: int,
    language: str,
    warehouse_id: int | None,
    price_group_id: int | None,
    origin: Origin,
    leave_out: list[int] | None = None,
) -> LinkedResult:
    """Create or update the account's products from the staged rows of an external storage, inside the
    caller's transaction, after :func:`linked_products_check` (whose problem rows are ``leave_out``).

    Set-based throughout: new products, texts, stock, prices, links with ``INSERT … SELECT``; existing
    ones with ``UPDATE … FROM`` / ``INSERT … ON CONFLICT`` that touch only rows whose values differ, so
    a run with nothing changed writes nothing. The products' tags are added (the account's own tags
    stay); images and bundle components follow the source when given. Stock goes to ``warehouse_id``
    and prices to ``price_group_id`` (existing stock rows locked in primary-key order first, like every
    stock writer). Records products created / changed and stock / price events with ``origin``.
    """
    rows, match, changed = staging.rows, staging.match, staging.changed
    result = LinkedResult()
    params = {
        "account": account.pk,
        "inventory": inventory.pk,
        "storage": storage,
        "sid": storage_id,
        "language": language,
        "warehouse": warehouse_id,
        "price_group": price_group_id,
    }
    if leave_out:
        cursor.execute(f"DELETE FROM {rows} WHERE ext_id = ANY(%s)", [leave_out])  # noqa: S608 - generated table names; values are parameters
        cursor.execute(f"DELETE FROM {match} WHERE ext_id = ANY(%s)", [leave_out])  # noqa: S608 - generated table names; values are parameters
    cursor.execute(f"CREATE TEMPORARY TABLE {changed} (product_id bigint PRIMARY KEY)")

    def note_changed(sql: str, sql_params=None) -> int:
        cursor.execute(
            f"""WITH w AS ({sql}) INSERT INTO {changed} SELECT DISTINCT id FROM w
                ON CONFLICT DO NOTHING""",  # noqa: S608 - generated table names; values are parameters
            sql_params if sql_params is not None else params,
        )
        return cursor.rowcount

    written = 0
    cursor.execute(
        f"""INSERT INTO catalog_manufacturer (account_id, name)
            SELECT DISTINCT %(account)s, manufacturer FROM {rows} WHERE manufacturer IS NOT NULL
            ON CONFLICT (account_id, name) DO NOTHING""",  # noqa: S608 - generated table names; values are parameters
        params,
    )
    written += cursor.rowcount
    cursor.execute(
        f"""INSERT INTO catalog_tag (account_id, name)
            SELECT DISTINCT %(account)s, left(unnest(tags), 100) FROM {rows} WHERE tags IS NOT NULL
            ON CONFLICT (account_id, name) DO NOTHING""",  # noqa: S608 - generated table names; values are parameters
        params,
    )
    written += cursor.rowcount

    # New products: ids from the sequence, then one INSERT … SELECT (parents in the same statement: the
    # foreign key is checked at commit).
    cursor.execute("SELECT pg_get_serial_sequence('catalog_product', 'id')")
    params["sequence"] = cursor.fetchone()[0]
    cursor.execute(
        f"""INSERT INTO {match} (ext_id, product_id, linked, inserted)
            SELECT r.ext_id, nextval(%(sequence)s::regclass), false, true FROM {rows} r
             WHERE NOT EXISTS (SELECT 1 FROM {match} x WHERE x.ext_id = r.ext_id)
             ORDER BY r.ext_parent NULLS FIRST, r.ext_id""",  # noqa: S608 - generated table names; values are parameters
        params,
    )
    result.created = cursor.rowcount
    cursor.execute(f"ANALYZE {match}")
    parent = """COALESCE(pm.product_id, (SELECT l.product_id FROM catalog_productlink l
                   WHERE l.storage = %(storage)s AND l.storage_id = %(sid)s
                     AND l.external_id = r.ext_parent AND l.account_id = %(account)s))"""
    manufacturer = (
        "LEFT JOIN catalog_manufacturer mf ON mf.account_id = %(account)s AND mf.name = r.manufacturer"
    )
    if result.created:
        cursor.execute(
            f"""INSERT INTO catalog_product (id, account_id, inventory_id, parent_id, sku, ean, tax_rate,
                    weight, height, width, length, category_id, manufacturer_id, star, average_cost,
                    is_bundle, created_at, updated_at)
                SELECT x.product_id, %(account)s, %(inventory)s,
                       CASE WHEN r.ext_parent IS NULL THEN NULL ELSE {parent} END,
                       r.sku, r.ean, r.tax_rate, r.weight, r.height, r.width, r.length, r.category_id,
                       mf.id, 0, 0, r.is_bundle, now(), now()
                  FROM {rows} r JOIN {match} x ON x.ext_id = r.ext_id AND x.inserted
                  LEFT JOIN {match} pm ON pm.ext_id = r.ext_parent
                  {manufacturer}""",  # noqa: S608 - generated table names; values are parameters
            params,
        )
        written += cursor.rowcount
    # Existing products: only those whose values differ (the account's own SKU stays).
    updated_products = note_changed(
        f"""UPDATE catalog_product p SET
                parent_id = CASE WHEN r.ext_parent IS NULL THEN NULL ELSE {parent} END,
                ean = r.ean, tax_rate = r.tax_rate, weight = r.weight, height = r.height,
                width = r.width, length = r.length, category_id = COALESCE(r.category_id, p.category_id),
                manufacturer_id = COALESCE(mf.id, p.manufacturer_id), is_bundle = r.is_bundle,
                updated_at = now()
              FROM {rows} r JOIN {match} x ON x.ext_id = r.ext_id AND NOT x.inserted
              LEFT JOIN {match} pm ON pm.ext_id = r.ext_parent
              {manufacturer}
             WHERE p.id = x.product_id
               AND (p.parent_id, p.ean, p.tax_rate, p.weight, p.height, p.width, p.length, p.category_id,
                    p.manufacturer_id, p.is_bundle)
                   IS DISTINCT FROM
                   (CASE WHEN r.ext_parent IS NULL THEN NULL ELSE {parent} END, r.ean, r.tax_rate,
                    r.weight, r.height, r.width, r.length, COALESCE(r.category_id, p.category_id),
                    COALESCE(mf.id, p.manufacturer_id), r.is_bundle)
            RETURNING p.id"""  # noqa: S608 - generated table names; values are parameters
    )
    written += updated_products

    # Texts in one language.
    cursor.execute(
        f"""INSERT INTO catalog_producttext (product_id, language, name, description, features, extra_fields)
            SELECT x.product_id, %(language)s, left(COALESCE(r.name, ''), 300), COALESCE(r.description, ''),
                   COALESCE(r.features, '[]'::jsonb), COALESCE(r.extra_fields, '{{}}'::jsonb)
              FROM {rows} r JOIN {match} x ON x.ext_id = r.ext_id
             WHERE x.inserted OR NOT EXISTS (SELECT 1 FROM catalog_producttext t
                                              WHERE t.product_id = x.product_id AND t.language = %(language)s)
            ON CONFLICT (product_id, language) DO NOTHING""",  # noqa: S608 - generated table names; values are parameters
        params,
    )
    written += cursor.rowcount
    written += note_changed(
        f"""UPDATE catalog_producttext t SET
                name = left(COALESCE(r.name, t.name), 300),
                description = COALESCE(r.description, t.description),
                features = COALESCE(r.features, t.features),
                extra_fields = CASE WHEN r.extra_fields IS NULL THEN t.extra_fields
                                    ELSE COALESCE(t.extra_fields, '{{}}'::jsonb) || r.extra_fields END
              FROM {rows} r JOIN {match} x ON x.ext_id = r.ext_id AND NOT x.inserted
             WHERE t.product_id = x.product_id AND t.language = %(language)s
               AND (t.name, t.description, t.features, t.extra_fields) IS DISTINCT FROM
                   (left(COALESCE(r.name, t.name), 300), COALESCE(r.description, t.description),
                    COALESCE(r.features, t.features),
                    CASE WHEN r.extra_fields IS NULL THEN t.extra_fields
                         ELSE COALESCE(t.extra_fields, '{{}}'::jsonb) || r.extra_fields END)
            RETURNING t.product_id AS id"""  # noqa: S608 - generated table names; values are parameters
    )

    # Images: replaced where the source gives a different list.
    images_differ = f"""
        SELECT x.product_id AS id, r.images FROM {rows} r JOIN {match} x ON x.ext_id = r.ext_id
         WHERE r.images IS NOT NULL
           AND r.images IS DISTINCT FROM COALESCE(
               (SELECT array_agg(i.url::text ORDER BY i.position, i.id) FROM catalog_productimage i
                 WHERE i.product_id = x.product_id), '{{}}'::text[])"""  # noqa: S608 - generated table names
    cursor.execute(f"CREATE TEMPORARY TABLE {changed}_img AS {images_differ}", params)
    if cursor.rowcount:
        cursor.execute(
            f"""DELETE FROM catalog_productimage i USING {changed}_img d WHERE i.product_id = d.id"""  # noqa: S608 - generated table names
        )
        written += cursor.rowcount
        cursor.execute(
            f"""INSERT INTO catalog_productimage (product_id, position, url)
                SELECT d.id, u.n - 1, left(u.url, 1000) FROM {changed}_img d
                 CROSS JOIN LATERAL unnest(d.images) WITH ORDINALITY AS u(url, n)"""  # noqa: S608 - generated table names
        )
        written += cursor.rowcount
        cursor.execute(
            f"""INSERT INTO {changed} SELECT d.id FROM {changed}_img d JOIN {match} x ON x.product_id = d.id
                 WHERE NOT x.inserted ON CONFLICT DO NOTHING"""  # noqa: S608 - generated table names
        )
    cursor.execute(f"DROP TABLE {changed}_img")

    # Tags: the source's tags are added.
    written += note_changed(
        f"""INSERT INTO catalog_product_tags (product_id, tag_id)
            SELECT x.product_id, tg.id FROM {rows} r JOIN {match} x ON x.ext_id = r.ext_id
             CROSS JOIN LATERAL unnest(r.tags) AS n(name)
              JOIN catalog_tag tg ON tg.account_id = %(account)s AND tg.name = left(n.name, 100)
             WHERE r.tags IS NOT NULL
            ON CONFLICT (product_id, tag_id) DO NOTHING
            RETURNING product_id AS id"""  # noqa: S608 - generated table names; values are parameters
    )

    # Bundle components follow the source.
    components = f"""
        SELECT b.product_id AS bundle_id, COALESCE(c.product_id, (
                   SELECT l.product_id FROM catalog_productlink l
                    WHERE l.storage = %(storage)s AND l.storage_id = %(sid)s
                      AND l.external_id = s.ext_component AND l.account_id = %(account)s)) AS component_id,
               s.quantity
          FROM {staging.components} s JOIN {match} b ON b.ext_id = s.ext_bundle
          LEFT JOIN {match} c ON c.ext_id = s.ext_component"""  # noqa: S608 - generated table names
    written += note_changed(
        f"""DELETE FROM catalog_bundlecomponent bc USING {match} b
             WHERE bc.bundle_id = b.product_id
               AND EXISTS (SELECT 1 FROM {rows} r WHERE r.ext_id = b.ext_id AND r.is_bundle)
               AND (bc.component_id, bc.quantity) NOT IN (SELECT component_id, quantity FROM ({components}) w
                                                           WHERE w.bundle_id = bc.bundle_id
                                                             AND w.component_id IS NOT NULL)
            RETURNING bc.bundle_id AS id"""  # noqa: S608 - generated table names; values are parameters
    )
    written += note_changed(
        f"""INSERT INTO catalog_bundlecomponent (bundle_id, component_id, quantity)
            SELECT bundle_id, component_id, quantity FROM ({components}) w
             WHERE component_id IS NOT NULL AND component_id <> bundle_id
            ON CONFLICT (bundle_id, component_id) DO NOTHING
            RETURNING bundle_id AS id"""  # noqa: S608 - generated table names; values are parameters
    )

    # Stock and prices, where the caller names a target.
    moved: dict[str, list[int]] = {}
    for table, key, value, target, column in (
        ("catalog_stock", "warehouse_id", "quantity", warehouse_id, "stock"),
        ("catalog_price", "price_group_id", "amount", price_group_id, "price"),
    ):
        if target is None:
            continue
        cursor.execute(
            f"""SELECT count(*) FROM (
                  SELECT s.id FROM {table} s JOIN {match} x ON x.product_id = s.product_id AND NOT x.inserted
                   WHERE s.{key} = %(target)s ORDER BY s.id FOR UPDATE OF s) locked""",  # noqa: S608 - generated table names; values are parameters
            {"target": target},
        )
        cursor.execute(
            f"""WITH w AS (
                  INSERT INTO {table} AS s (product_id, {key}, {value})
                  SELECT x.product_id, %(target)s, r.{column} FROM {rows} r
                    JOIN {match} x ON x.ext_id = r.ext_id
                   WHERE r.{column} IS NOT NULL
                  ON CONFLICT (product_id, {key}) DO UPDATE SET {value} = EXCLUDED.{value}
                   WHERE s.{value} IS DISTINCT FROM EXCLUDED.{value}
                  RETURNING s.product_id)
                SELECT array_agg(product_id) FROM w""",  # noqa: S608 - generated table names; values are parameters
            {"target": target},
        )
        ids = cursor.fetchone()[0] or []
        written += len(ids)
        moved[key] = ids

    # Links: new ones for created and SKU-matched products; a product shared again loses its mark.
    cursor.execute(
        f"""INSERT INTO catalog_productlink (account_id, product_id, storage, storage_id, external_product_id,
                                             external_id, created_at, synced_at)
            SELECT %(account)s, x.product_id, %(storage)s, %(sid)s, x.ext_id, x.ext_id, now(), now()
              FROM {match} x WHERE NOT x.linked""",  # noqa: S608 - generated table names; values are parameters
        params,
    )
    written += cursor.rowcount
    cursor.execute(
        f"""UPDATE catalog_productlink l
               SET unshared_at = NULL, external_product_id = x.ext_id, synced_at = now()
              FROM {match} x
             WHERE l.product_id = x.product_id AND x.linked
               AND (l.unshared_at IS NOT NULL OR l.external_product_id IS DISTINCT FROM x.ext_id
                    OR EXISTS (SELECT 1 FROM {changed} c WHERE c.product_id = x.product_id))""",  # noqa: S608 - generated table names; values are parameters
        params,
    )
    written += cursor.rowcount

    cursor.execute(
        f"""SELECT array_agg(x.product_id) FILTER (WHERE x.inserted),
                   array_agg(x.product_id) FILTER (WHERE NOT x.inserted AND c.product_id IS NOT NULL),
                   count(*) FILTER (WHERE NOT x.inserted AND c.product_id IS NULL)
              FROM {match} x LEFT JOIN {changed} c ON c.product_id = x.product_id"""  # noqa: S608 - generated table names
    )
    inserted, updated, unchanged = cursor.fetchone()
    inserted, updated = inserted or [], updated or []
    result.updated, result.unchanged, result.written = len(updated), unchanged, written
    common = {"account_id": account.pk, "origin": origin}
    record_set(
        topic=topics.PRODUCT_CREATED, product_ids=inserted, extra={"inventory_id": inventory.pk}, **common
    )
    record_set(
        topic=topics.PRODUCT_CHANGED, product_ids=updated, extra={"inventory_id": inventory.pk}, **common
    )
    if moved.get("warehouse_id"):
        record_set(
            topic=topics.STOCK_CHANGED,
            product_ids=moved["warehouse_id"],
            targets={"warehouse_ids": [warehouse_id]},
            **common,
        )
    if moved.get("price_group_id"):
        record_set(
            topic=topics.PRICE_CHANGED,
            product_ids=moved["price_group_id"],
            targets={"price_group_ids": [price_group_id]},
            **common,
        )
    return result


def linked_products_unshare(
    *,
    account,
    storage: str,
    storage_id: int,
    shared_sql: str,
    shared_params,
    warehouse_id: int | None,
    origin: Origin,
    external_ids: list[int] | None = None,
) -> int:
    """Mark the account's products linked to ``storage``/``storage_id`` whose external product is no
    longer among ``shared_sql`` (ids) — or gone — as unshared (``ProductLink.unshared_at``), and set
    their stock in ``warehouse_id`` to 0. Products are never deleted. ``external_ids`` limits the pass
    to those external products. Returns how many links were newly marked."""
    # ``shared_sql`` comes from a queryset with %s placeholders, so this statement uses them too. NOT
    # EXISTS, not NOT IN: an anti-join, where NOT IN over a large set may fall back to a scan per row.
    limit = "AND l.external_id = ANY(%s)" if external_ids is not None else ""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""WITH marked AS (
                  UPDATE catalog_productlink l SET unshared_at = now()
                   WHERE l.account_id = %s AND l.storage = %s AND l.storage_id = %s
                     AND l.unshared_at IS NULL {limit}
                     AND (l.external_product_id IS NULL OR NOT EXISTS (
                          SELECT 1 FROM ({shared_sql}) shared WHERE shared.id = l.external_product_id))
                  RETURNING l.product_id)
                SELECT array_agg(product_id) FROM marked""",  # noqa: S608 - composed SQL; values are parameters
            [
                account.pk,
                storage,
                storage_id,
                *([external_ids] if external_ids is not None else []),
                *shared_params,
            ],
        )
        product_ids = cursor.fetchone()[0] or []
        if product_ids and warehouse_id is not None:
            cursor.execute(
                """SELECT count(*) FROM (SELECT s.id FROM catalog_stock s
                     WHERE s.product_id = ANY(%s) AND s.warehouse_id = %s ORDER BY s.id FOR UPDATE) locked""",
                [product_ids, warehouse_id],
            )
            cursor.execute(
                """WITH w AS (
                     INSERT INTO catalog_stock AS s (product_id, warehouse_id, quantity)
                     SELECT unnest(%s::bigint[]), %s, 0
                     ON CONFLICT (product_id, warehouse_id) DO UPDATE SET quantity = 0 WHERE s.quantity <> 0
                     RETURNING s.product_id)
                   SELECT array_agg(product_id) FROM w""",
                [product_ids, warehouse_id],
            )
            zeroed = cursor.fetchone()[0] or []
            record_set(
                account_id=account.pk,
                topic=topics.STOCK_CHANGED,
                origin=origin,
                product_ids=zeroed,
                targets={"warehouse_ids": [warehouse_id]},
            )
    return len(product_ids)


def product_link_remove(*, actor: Tenant, product_id: int) -> bool:
    """Forget a product's link to its external counterpart (the product itself stays, no longer synced).
    Returns False when the product had none. Members and up (the role matrix's PRODUCTS write)."""
    from catalog.models import ProductLink

    _actor_may(actor, "write")
    deleted, _detail = ProductLink.objects.filter(account=actor.account, product_id=product_id).delete()
    return bool(deleted)


# --- products built by a query (generated data: the demo) ---------------------------------------------
#
# Code that generates many products at once (the demo data) composes its own SELECTs — over
# ``generate_series`` and word pools in temporary tables — and hands them to these writers, which check
# every row against the actor's account and write each table with one statement. All or nothing: rows that
# name another account's products, categories, manufacturers, tags, warehouses or price groups, or values
# out of range, raise ValueError saying how many rows are wrong, and nothing is written. The SELECTs are
# the caller's code, never user input; their values come in ``params`` (``%(name)s``; names starting with
# ``_`` are this module's).

# A product id from the products' own sequence, for callers that need the ids before writing (to derive
# an EAN from the id, or to point variants at their parent in the same call).
PRODUCT_ID_NEXT = "nextval(pg_get_serial_sequence('catalog_product', 'id'))"
PRODUCT_QUERY_COLUMNS = (
    "id",
    "parent_id",
    "sku",
    "ean",
    "tax_rate",
    "weight",
    "height",
    "width",
    "length",
    "category_id",
    "manufacturer_id",
    "star",
    "average_cost",
)
TEXT_FIELDS = ("name", "description", "features", "extra_fields")
_TEXT_EMPTY = {"name": "''", "description": "''", "features": "'[]'::jsonb", "extra_fields": "'{}'::jsonb"}
_IMAGE_LAST_POSITION = 15
_URL_MAX = 1000
# Features are name–value pairs: a JSON array of arrays of two strings.
_FEATURES_WRONG = """jsonb_typeof(s.features) IS DISTINCT FROM 'array'
    OR s.features @? 'strict $[*] ? (@.type() != "array" || @.size() != 2)'
    OR s.features @? 'strict $[*][*] ? (@.type() != "string")'"""
# Extra field values: the account's extra field id → text.
_EXTRA_FIELDS_WRONG = """CASE WHEN s.extra_fields = '{}'::jsonb THEN false
    ELSE jsonb_typeof(s.extra_fields) IS DISTINCT FROM 'object' OR EXISTS (
         SELECT 1 FROM jsonb_each(s.extra_fields) kv
          WHERE jsonb_typeof(kv.value) <> 'string' OR NOT EXISTS (
                SELECT 1 FROM catalog_extrafield e WHERE e.id::text = kv.key AND e.account_id = %(_account)s))
    END"""
# The products a writer may touch, with the languages of their catalogs: the account's own.
_ACCOUNT_PRODUCTS = """SELECT p.id, i.languages::text[] AS languages FROM catalog_product p
    JOIN catalog_inventory i ON i.id = p.inventory_id WHERE p.account_id = %(_account)s"""


@dataclass
class ProductsCreated:
    """Rows :func:`products_create_from_query` wrote, per table."""

    products: int = 0
    texts: int = 0
    images: int = 0
    tags: int = 0
    stock: int = 0
    prices: int = 0


def _refused(count: int, what: str) -> ValueError:
    return ValueError(
        f"{count} {what} row(s) name rows of another account or values out of range; nothing was written."
    )


@contextmanager
def _without_jit(cursor):
    """Run the statements inside without JIT compilation, then restore the setting. The planner cannot
    see how many rows a caller's query over ``generate_series`` yields (it assumes a thousand per call)
    and would spend a second compiling statements that run in a fraction of that."""
    cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
    before = cursor.fetchone()[0]
    try:
        yield
    finally:
        # In a failed transaction this cannot run; its rollback restores the setting.
        with suppress(DatabaseError):
            cursor.execute("SELECT set_config('jit', %s, true)", [before])


def _query_params(params: dict | None, actor: Tenant, **own) -> dict:
    merged = dict(params or {})
    reserved = sorted(key for key in merged if key.startswith("_"))
    if reserved:
        raise ValueError(f"Query parameter names starting with _ are reserved: {reserved}")
    merged["_account"] = actor.account.pk
    merged.update({f"_{key}": value for key, value in own.items()})
    return merged


@transaction.atomic
def products_create_from_query(
    *,
    actor: Tenant,
    inventory,
    origin: Origin,
    products: str,
    texts: str | None = None,
    images: str | None = None,
    tags: str | None = None,
    stock: str | None = None,
    prices: str | None = None,
    params: dict | None = None,
) -> ProductsCreated:
    """Create products and variants of ``inventory`` from SELECTs, with their texts, images, tags, stock
    and prices — one ``INSERT … SELECT`` per table — and record "product created" for them, and stock
    and price changes for the warehouses and price groups given.

    ``products`` yields PRODUCT_QUERY_COLUMNS: ``id`` from :data:`PRODUCT_ID_NEXT`; a variant's
    ``parent_id`` names a main product of this call or of the catalog; ``category_id`` a category of the
    catalog (or account-wide), ``manufacturer_id`` one of the account (both may be NULL). The other
    SELECTs name products of this call (``product_id``): ``texts`` yields ``product_id, language, name,
    description, features, extra_fields`` (a language of the catalog, features as name–value pairs,
    extra field id → text); ``images`` ``product_id, position, url`` (positions 0–15); ``tags``
    ``product_id, tag_id``; ``stock`` ``product_id, warehouse_id, quantity``; ``prices`` ``product_id,
    price_group_id, amount`` — the account's tags, warehouses and price groups, values from 0. A SKU
    already in the catalog fails on its unique constraint. The new products are not visible to anyone
    else before the commit, so there are no stock rows to lock. All or nothing."""
    _actor_may(actor, "write")
    if inventory.account_id != actor.account.pk:
        raise ValueError(f"Catalog {inventory.pk} belongs to another account.")
    values = _query_params(params, actor, inventory=inventory.pk, languages=list(inventory.languages))
    created = f"created_{uuid.uuid4().hex[:12]}"
    written = ProductsCreated()
    columns = ", ".join(f"q.{name}" for name in PRODUCT_QUERY_COLUMNS)
    with connection.cursor() as cursor, _without_jit(cursor):
        cursor.execute(f"CREATE TEMPORARY TABLE {created} (id bigint PRIMARY KEY) ON COMMIT DROP")
        cursor.execute(
            f"""
            WITH src AS MATERIALIZED (SELECT {columns} FROM ({products}) q),
            bad AS (
                SELECT count(*) AS n FROM src s
                  LEFT JOIN catalog_category c ON c.id = s.category_id AND c.account_id = %(_account)s
                       AND (c.inventory_id IS NULL OR c.inventory_id = %(_inventory)s)
                  LEFT JOIN catalog_manufacturer m ON m.id = s.manufacturer_id AND m.account_id = %(_account)s
                  LEFT JOIN src par ON par.id = s.parent_id AND par.parent_id IS NULL
                  LEFT JOIN catalog_product ep ON ep.id = s.parent_id AND ep.inventory_id = %(_inventory)s
                       AND ep.parent_id IS NULL
                 WHERE s.id IS NULL OR (s.category_id IS NOT NULL AND c.id IS NULL)
                    OR (s.manufacturer_id IS NOT NULL AND m.id IS NULL)
                    OR (s.parent_id IS NOT NULL AND par.id IS NULL AND ep.id IS NULL)
                    OR least(s.tax_rate, s.weight, s.height, s.width, s.length, s.average_cost) < 0
                    OR s.star NOT BETWEEN 0 AND 5),
            ins AS (
                INSERT INTO catalog_product (id, account_id, inventory_id, parent_id, sku, ean, tax_rate,
                    weight, height, width, length, category_id, manufacturer_id, star, average_cost,
                    is_bundle, created_at, updated_at)
                SELECT s.id, %(_account)s, %(_inventory)s, s.parent_id, coalesce(s.sku, ''),
                       coalesce(s.ean, ''), coalesce(s.tax_rate, 23), coalesce(s.weight, 0),
                       coalesce(s.height, 0), coalesce(s.width, 0), coalesce(s.length, 0), s.category_id,
                       s.manufacturer_id, coalesce(s.star, 0), coalesce(s.average_cost, 0), false, now(),
                       now()
                  FROM src s WHERE (SELECT n FROM bad) = 0
                 ORDER BY s.id
                RETURNING id),
            kept AS (INSERT INTO {created} (id) SELECT id FROM ins RETURNING id)
            SELECT (SELECT n FROM bad), (SELECT count(*) FROM kept)
            """,  # noqa: S608 - the caller's own query and generated table names; values are parameters
            values,
        )
        bad, written.products = cursor.fetchone()
        if bad:
            raise _refused(bad, "product")
        cursor.execute(f"ANALYZE {created}")
        scope = f"SELECT id, %(_languages)s::text[] AS languages FROM {created}"  # noqa: S608 - generated table name
        if texts:
            written.texts, _ids = _texts_write(
                cursor, select=texts, params=values, fields=TEXT_FIELDS, scope=scope, collect=False, new=True
            )
        if images:
            written.images, _ids = _images_write(
                cursor, select=images, params=values, scope=scope, replace=False, collect=False
            )
        if tags:
            written.tags, _ids = _tags_write(cursor, select=tags, params=values, scope=scope, collect=False)
        targets: dict[_Kind, list[int]] = {}
        for kind, select in ((STOCK, stock), (PRICE, prices)):
            if select:
                count, targets[kind] = _values_insert(cursor, kind, select=select, params=values, scope=scope)
                setattr(written, "stock" if kind is STOCK else "prices", count)
        every = (topics.PRODUCT_CREATED, topics.STOCK_CHANGED, topics.PRICE_CHANGED)
        if written.products and any(wanted(topic, origin) for topic in every):
            cursor.execute(f"SELECT array_agg(id ORDER BY id) FROM {created}")  # noqa: S608 - generated table name
            common = {"account_id": actor.account.pk, "origin": origin, "product_ids": cursor.fetchone()[0]}
            record_set(topic=topics.PRODUCT_CREATED, extra={"inventory_id": inventory.pk}, **common)
            for kind, target_ids in targets.items():
                if target_ids:
                    record_set(topic=kind.topic, targets={kind.targets_key: target_ids}, **common)
        cursor.execute(f"DROP TABLE {created}")
    return written


@transaction.atomic
def product_texts_set_from_query(
    *,
    actor: Tenant,
    origin: Origin,
    select: str,
    params: dict | None = None,
    fields: tuple[str, ...] = TEXT_FIELDS,
) -> int:
    """Set the ``fields`` (of TEXT_FIELDS) of product texts from a SELECT yielding ``product_id, language``
    and those fields — ``fields=("features",)`` sets the features (parameters) alone and leaves names and
    descriptions as they are. A text that does not exist yet is created (the fields not given empty).
    Products of the actor's account, in a language of their catalog; features are name–value pairs,
    extra field values the account's extra field id → text; NULL is the empty value. One ``INSERT … ON
    CONFLICT`` that changes only texts whose values differ; "product changed" for their products.
    Returns the texts written. All or nothing."""
    _actor_may(actor, "write")
    values = _query_params(params, actor)
    with connection.cursor() as cursor, _without_jit(cursor):
        count, ids = _texts_write(
            cursor,
            select=select,
            params=values,
            fields=tuple(fields),
            scope=_ACCOUNT_PRODUCTS,
            collect=wanted(topics.PRODUCT_CHANGED, origin),
            new=False,
        )
    record_set(account_id=actor.account.pk, topic=topics.PRODUCT_CHANGED, origin=origin, product_ids=ids)
    return count


@transaction.atomic
def product_images_set_from_query(
    *, actor: Tenant, origin: Origin, select: str, params: dict | None = None
) -> int:
    """Replace the images of every product a SELECT names with the rows it yields: ``product_id,
    position, url`` (positions 0–15, addresses of at most 1,000 characters; products of the actor's
    account). One DELETE and one INSERT, in one statement; "product changed" for those products.
    Returns the images written. All or nothing."""
    _actor_may(actor, "write")
    values = _query_params(params, actor)
    with connection.cursor() as cursor, _without_jit(cursor):
        count, ids = _images_write(
            cursor,
            select=select,
            params=values,
            scope=_ACCOUNT_PRODUCTS,
            replace=True,
            collect=wanted(topics.PRODUCT_CHANGED, origin),
        )
    record_set(account_id=actor.account.pk, topic=topics.PRODUCT_CHANGED, origin=origin, product_ids=ids)
    return count


def _texts_write(
    cursor, *, select: str, params: dict, fields: tuple[str, ...], scope: str, collect: bool, new: bool
) -> tuple[int, list[int]]:
    """Texts from ``select`` for the products of ``scope`` (SQL yielding ``id, languages``); returns the
    texts written and, with ``collect``, the ids of their products. ``new``: the products have no texts
    yet (a plain INSERT, several times cheaper than one that must look for a conflict)."""
    unknown = set(fields) - set(TEXT_FIELDS)
    if not fields or unknown:
        raise ValueError(f"Text fields are {TEXT_FIELDS}; not {sorted(unknown) or 'none'}")
    checks = ["p.id IS NULL", "s.language IS NULL OR NOT (s.language = ANY(p.languages))"]
    if "features" in fields:
        checks.append(_FEATURES_WRONG)
    if "extra_fields" in fields:
        checks.append(_EXTRA_FIELDS_WRONG)
    given = ", ".join(f"q.{name}" for name in fields)
    inserted = ", ".join(
        f"coalesce(s.{name}, {_TEXT_EMPTY[name]})" if name in fields else _TEXT_EMPTY[name]
        for name in TEXT_FIELDS
    )
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in fields)
    differ = " OR ".join(f"t.{name} IS DISTINCT FROM EXCLUDED.{name}" for name in fields)
    ids = "array_agg(DISTINCT product_id)" if collect else "NULL::bigint[]"
    cursor.execute(
        f"""
        WITH src AS MATERIALIZED (SELECT q.product_id, q.language, {given} FROM ({select}) q),
        bad AS (SELECT count(*) AS n FROM src s LEFT JOIN ({scope}) p ON p.id = s.product_id
                 WHERE {" OR ".join(f"({check})" for check in checks)}),
        ins AS (
            INSERT INTO catalog_producttext AS t (product_id, language, name, description, features,
                                                  extra_fields)
            SELECT s.product_id, s.language, {inserted} FROM src s WHERE (SELECT n FROM bad) = 0
             ORDER BY s.product_id, s.language
            {"" if new else f"ON CONFLICT (product_id, language) DO UPDATE SET {updates} WHERE {differ}"}
            RETURNING t.product_id)
        SELECT (SELECT n FROM bad), count(*), {ids} FROM ins
        """,  # noqa: S608 - the caller's own query and generated SQL; values are parameters
        params,
    )
    bad, count, product_ids = cursor.fetchone()
    if bad:
        raise _refused(bad, "text")
    return count, product_ids or []


def _images_write(
    cursor, *, select: str, params: dict, scope: str, replace: bool, collect: bool
) -> tuple[int, list[int]]:
    """Images from ``select`` for the products of ``scope``; with ``replace`` the products' other images
    go. Returns the images written and, with ``collect``, the ids of the products named."""
    gone = (
        """, gone AS (DELETE FROM catalog_productimage i
                      WHERE (SELECT n FROM bad) = 0 AND i.product_id IN (SELECT product_id FROM src))"""
        if replace
        else ""
    )
    ids = "(SELECT array_agg(DISTINCT product_id) FROM src)" if collect else "NULL::bigint[]"
    cursor.execute(
        f"""
        WITH src AS MATERIALIZED (SELECT q.product_id, q.position, q.url FROM ({select}) q),
        bad AS (SELECT count(*) AS n FROM src s LEFT JOIN ({scope}) p ON p.id = s.product_id
                 WHERE p.id IS NULL OR s.position IS NULL
                    OR s.position NOT BETWEEN 0 AND {_IMAGE_LAST_POSITION}
                    OR s.url IS NULL OR s.url = '' OR length(s.url) > {_URL_MAX}){gone},
        ins AS (
            INSERT INTO catalog_productimage (product_id, position, url)
            SELECT s.product_id, s.position, s.url FROM src s WHERE (SELECT n FROM bad) = 0
             ORDER BY s.product_id, s.position
            RETURNING product_id)
        SELECT (SELECT n FROM bad), (SELECT count(*) FROM ins), {ids}
        """,  # noqa: S608 - the caller's own query and generated SQL; values are parameters
        params,
    )
    bad, count, product_ids = cursor.fetchone()
    if bad:
        raise _refused(bad, "image")
    return count, product_ids or []


def _tags_write(cursor, *, select: str, params: dict, scope: str, collect: bool) -> tuple[int, list[int]]:
    """Tags from ``select`` (``product_id, tag_id``) added to the products of ``scope``."""
    ids = "array_agg(DISTINCT product_id)" if collect else "NULL::bigint[]"
    cursor.execute(
        f"""
        WITH src AS MATERIALIZED (SELECT q.product_id, q.tag_id FROM ({select}) q),
        bad AS (SELECT count(*) AS n FROM src s LEFT JOIN ({scope}) p ON p.id = s.product_id
                  LEFT JOIN catalog_tag g ON g.id = s.tag_id AND g.account_id = %(_account)s
                 WHERE p.id IS NULL OR g.id IS NULL),
        ins AS (
            INSERT INTO catalog_product_tags (product_id, tag_id)
            SELECT DISTINCT s.product_id, s.tag_id FROM src s WHERE (SELECT n FROM bad) = 0
            ON CONFLICT (product_id, tag_id) DO NOTHING
            RETURNING product_id)
        SELECT (SELECT n FROM bad), count(*), {ids} FROM ins
        """,  # noqa: S608 - the caller's own query and generated SQL; values are parameters
        params,
    )
    bad, count, product_ids = cursor.fetchone()
    if bad:
        raise _refused(bad, "tag")
    return count, product_ids or []


def _values_insert(cursor, kind: _Kind, *, select: str, params: dict, scope: str) -> tuple[int, list[int]]:
    """Stock or prices from ``select`` (``product_id``, the target column, the value column) inserted for
    the products of ``scope``, which have none yet. Returns the rows written and the targets named."""
    target, value = kind.target_column, kind.value_column
    limit = MONEY_LIMIT if kind is PRICE else STOCK_MAX + 1
    cursor.execute(
        f"""
        WITH src AS MATERIALIZED (SELECT q.product_id, q.{target} AS target_id, q.{value} AS value
                                    FROM ({select}) q),
        bad AS (SELECT count(*) AS n FROM src s LEFT JOIN ({scope}) p ON p.id = s.product_id
                  LEFT JOIN {kind.target_table} w ON w.id = s.target_id AND w.account_id = %(_account)s
                 WHERE p.id IS NULL OR w.id IS NULL OR s.value IS NULL OR s.value < 0
                    OR s.value >= {limit}),
        ins AS (
            INSERT INTO {kind.table} (product_id, {target}, {value})
            SELECT s.product_id, s.target_id, s.value FROM src s WHERE (SELECT n FROM bad) = 0
             ORDER BY s.product_id, s.target_id
            RETURNING {target} AS target_id)
        SELECT (SELECT n FROM bad), count(*), array_agg(DISTINCT target_id) FROM ins
        """,  # noqa: S608 - the caller's own query and generated SQL; values are parameters
        params,
    )
    bad, count, target_ids = cursor.fetchone()
    if bad:
        raise _refused(bad, kind.value_column)
    return count, target_ids or []


# One DELETE per table, children first: the rows of every product of the account (table, product column).
_PURGED = (
    ("catalog_product_tags", "product_id"),
    ("catalog_producttext", "product_id"),
    ("catalog_productimage", "product_id"),
    ("catalog_stock", "product_id"),
    ("catalog_price", "product_id"),
    ("catalog_bundlecomponent", "bundle_id"),
)


@transaction.atomic
def products_purge(*, actor: Tenant, origin: Origin) -> int:
    """Delete every product of the actor's account with its texts, images, tags, stock, prices, bundle
    components and links — one DELETE per table, for an account about to be deleted itself (a throw-away
    benchmark or demo account). Rows elsewhere that still point at the products (order lines, WMS
    article states, another account's links) must be gone by the commit, where the foreign keys are
    checked: the account's own deletion in the same transaction takes them. Records "product deleted"
    per catalog. Returns how many products were deleted."""
    _actor_may(actor, "delete")
    account_id = actor.account.pk
    with connection.cursor() as cursor:
        for table, column in _PURGED:
            cursor.execute(
                f"""DELETE FROM {table} x USING catalog_product p
                     WHERE x.{column} = p.id AND p.account_id = %(a)s""",  # noqa: S608 - table names are constants
                {"a": account_id},
            )
        cursor.execute("DELETE FROM catalog_productlink WHERE account_id = %(a)s", {"a": account_id})
        collect = "array_agg(id)" if wanted(topics.PRODUCT_DELETED, origin) else "NULL::bigint[]"
        cursor.execute(
            f"""WITH gone AS (DELETE FROM catalog_product WHERE account_id = %(a)s RETURNING id, inventory_id)
                SELECT inventory_id, count(*), {collect} FROM gone GROUP BY inventory_id""",  # noqa: S608 - generated SQL
            {"a": account_id},
        )
        deleted = 0
        for inventory_id, count, ids in cursor.fetchall():
            deleted += count
            record_set(
                account_id=account_id,
                topic=topics.PRODUCT_DELETED,
                origin=origin,
                product_ids=ids or [],
                extra={"inventory_id": inventory_id},
            )
    return deleted
