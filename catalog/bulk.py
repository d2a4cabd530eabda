"""Bulk stock and price setting: many (product, warehouse/price group, value) items in one set-based write.

Items are checked one by one in Python (types, negative values), streamed with ``COPY`` into a
temporary table, checked together in SQL (products and warehouses/price groups of the account, the
same pair twice), then written with one ``UPDATE … FROM`` and one ``INSERT … ON CONFLICT`` for the
pairs that had no row yet. All or nothing: any problem raises :class:`BulkItemErrors` listing every
problem item and nothing is written.
"""

from __future__ import annotations

import io
import logging
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import psycopg
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.events import record_set, wanted
from changes import topics
from changes.origin import Origin
from config.fields import ID_MAX, decimal_number, id_number, whole_number

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
    *, account, rows: Iterable[tuple], origin: Origin, inventory_id: int | None = None
) -> BulkResult:
    """Set stock quantities: ``rows`` of ``(product_id or sku, warehouse_id, quantity[, inventory_id])``.

    An ``int`` is a product id, a ``str`` a SKU (so numeric SKUs work); a SKU names a product of the
    catalog given in the row's fourth element or by ``inventory_id``. Rows already there are updated
    (existing rows are locked in primary-key order first, like every stock writer, so concurrent writers
    do not deadlock); missing ones are created. All or nothing: raises BulkItemErrors (keyed by the
    item's 0-based position) and writes nothing on any problem.
    """
    return _set_many(STOCK, _quantity, account=account, rows=rows, origin=origin, inventory_id=inventory_id)


def price_set_many(
    *, account, rows: Iterable[tuple], origin: Origin, inventory_id: int | None = None
) -> BulkResult:
    """Set prices: ``rows`` of ``(product_id or sku, price_group_id, amount[, inventory_id])``.

    Same rules as :func:`stock_set_many`: amounts ≥ 0 with at most two decimals, all or nothing.
    """
    return _set_many(PRICE, _amount, account=account, rows=rows, origin=origin, inventory_id=inventory_id)


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


def products_import_write(cursor, *, staging, account, inventory, origin: Origin) -> tuple[int, int]:
    """The set-based writes of a catalog import, inside the caller's transaction: products (COPY for new
    ones, ``INSERT … ON CONFLICT`` for the others), texts, stock, prices and tags from the staging table
    ``staging.rows`` (columns and targets in ``staging.layout``); ``staging.ids`` collects the written
    product ids. Records one event per kind of change (chunked by ids). Returns (created, updated)."""
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
    account_id: int,
    inventory_id: int,
    warehouse_id: int,
    skus: list[str],
    quantities: list[int],
    origin: Origin,
) -> BulkResult:
    """Set the stock of ``warehouse_id`` for the products of ``inventory_id`` whose SKU is in ``skus``
    (the quantity at the same position): one INSERT for products without a row there yet, one
    ``UPDATE … FROM`` for rows whose quantity differs (locked in primary-key order). SKUs without a
    product are ignored (the caller reports them). Records one stock event for the rows changed."""
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
