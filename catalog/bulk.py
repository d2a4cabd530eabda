"""Bulk stock and price setting: many (product, warehouse/price group, value) items in one set-based write.

Items are checked one by one in Python (types, negative values), streamed with ``COPY`` into a
temporary table, checked together in SQL (products and warehouses/price groups of the account, the
same pair twice), then written with one ``UPDATE … FROM`` and one ``INSERT … ON CONFLICT`` for the
pairs that had no row yet. All or nothing: any problem raises :class:`BulkItemErrors` listing every
problem item and nothing is written.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from config.fields import ID_MAX, decimal_number, id_number, whole_number

STOCK_MAX = 2**31 - 1
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
        super().__init__(_("%(count)s items have problems; nothing was changed.") % {"count": len(errors)})


@dataclass(frozen=True)
class _Kind:
    table: str
    target_table: str
    target_column: str  # also the item's field name, e.g. "warehouse_id"
    value_column: str  # also the item's field name, e.g. "quantity"
    value_type: str
    unknown_target: str


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
)
PRICE = _Kind(
    table="catalog_price",
    target_table="catalog_pricegroup",
    target_column="price_group_id",
    value_column="amount",
    value_type="numeric",
    unknown_target="There is no such price group in this account.",
)


def stock_set_many(*, account, rows: Iterable[tuple], inventory_id: int | None = None) -> BulkResult:
    """Set stock quantities: ``rows`` of ``(product_id or sku, warehouse_id, quantity[, inventory_id])``.

    An ``int`` is a product id, a ``str`` a SKU (so numeric SKUs work); a SKU names a product of the
    catalog given in the row's fourth element or by ``inventory_id``. Rows already there are updated
    (existing rows are locked in primary-key order first, like every stock writer, so concurrent writers
    do not deadlock); missing ones are created. All or nothing: raises BulkItemErrors (keyed by the
    item's 0-based position) and writes nothing on any problem.
    """
    return _set_many(STOCK, _quantity, account=account, rows=rows, inventory_id=inventory_id)


def price_set_many(*, account, rows: Iterable[tuple], inventory_id: int | None = None) -> BulkResult:
    """Set prices: ``rows`` of ``(product_id or sku, price_group_id, amount[, inventory_id])``.

    Same rules as :func:`stock_set_many`: amounts ≥ 0 with at most two decimals, all or nothing.
    """
    return _set_many(PRICE, _amount, account=account, rows=rows, inventory_id=inventory_id)


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


def _set_many(kind: _Kind, parse, *, account, rows: Iterable[tuple], inventory_id: int | None) -> BulkResult:
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
        cursor.execute(f"DROP TABLE {temp}")
    return BulkResult(updated=updated, created=created)
