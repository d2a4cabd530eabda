"""CSV import of a catalog's products and variants: create or update by SKU, all or nothing.

File format
-----------
UTF-8 (a byte-order mark is fine), comma-separated (a header with semicolons or tabs and no commas
switches to that separator), first line a header. One line per product or variant. Column names are
matched without regard to case or surrounding spaces (the warehouse / price group part keeps its case
when it is a name).

===================== =====================================================================================
column                meaning
===================== =====================================================================================
``sku``               required; identifies the product within the catalog (created if new, else updated).
                      At most 50 characters; every SKU only once per file.
``parent_sku``        makes the row a variant of that product: a main product (not itself a variant) of
                      this file or already in the catalog. A product that has variants cannot become one.
``ean``               up to 32 characters.
``tax_rate``          number from -1 to 999.99 (two decimals).
``weight``            kg; ``height``, ``width``, ``length`` in cm: numbers ≥ 0, at most three decimals.
``category``          path of names from the top, ``Clothes/T-shirts``; a category of this catalog or of the
                      whole account, which must exist.
``manufacturer``      name; created in the account if there is none of that name.
``tags``              names separated by ``|`` (``summer|sale``); tags not yet in the account are created.
                      The product gets exactly these tags.
``name_<lang>``       name in a language of the catalog (``name_en``, ``name_pl``); ``name`` alone means the
``description_<lang>`` catalog's default language; likewise ``description_<lang>`` / ``description``.
``stock_<warehouse>`` quantity (whole number ≥ 0) in that warehouse of the account, given by name or by id
                      (``stock_Main warehouse``, ``stock_12``).
``price_<group>``     price (≥ 0, two decimals) in that price group of the account, by name or id.
===================== =====================================================================================

A text cell that starts with a single quote followed by ``=``, ``+``, ``-``, ``@``, a tab, a carriage
return or another quote loses that first quote (``'=SUM(A1)`` is the text ``=SUM(A1)``): exports write
such texts so that spreadsheets do not run them as formulas (``catalog.csv_cells``). Numbers take a dot
or a comma as the decimal separator. An empty cell leaves the product's value as it is
(a new product gets the default: tax rate 23, measures 0, no category...); a column left out of the file
is not touched at all. A variant stays a variant (``parent_sku`` cannot be emptied by an import).

Errors
------
Problems are reported as ``(row, column, message)``; rows are numbered as a spreadsheet shows them, the
header being row 1. A problem with the header itself (an unknown column — e.g. a language the catalog
does not have or a warehouse the account does not have —, a repeated column, no ``sku`` column) stops
the import: nothing is written. A problem in a data row (bad number, negative stock or price, repeated
SKU, unknown category, missing parent...) is reported for that row; if there is any, nothing is written
unless ``valid_rows_only`` is set, in which case the rows without problems are written (and a variant
whose parent row has a problem is itself reported).

How it is written
-----------------
The file is read as a stream. Each checked row goes, in batches, into a temporary table with ``COPY``;
the checks that need the whole file or the catalog (parents) run in SQL on that table. Then, in one
transaction: products already in the catalog are upserted with ``INSERT … SELECT … ON CONFLICT
(inventory_id, sku) WHERE sku <> '' DO UPDATE``; new products (ids from the table's sequence), and the
texts, stock and prices of new products, are written with ``COPY`` from ``SELECT``s over the temporary
table (should another transaction create one of the SKUs meanwhile, that COPY is rolled back to its
savepoint and the upsert takes those rows); texts, stock and prices of existing products with
``INSERT … SELECT … ON CONFLICT … DO UPDATE``. Parents are resolved by a join on SKU. Memory use does
not grow with the file beyond a set of its SKUs.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import os
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from accounts import roles
from accounts.models import Role
from accounts.tenancy import Tenant, require_role
from catalog.bulk import products_import_write
from catalog.csv_cells import text_cell_read
from catalog.models import Category, ImportJob, Inventory, PriceGroup, Warehouse
from changes.origin import Origin
from config.stored_messages import Message, Stored, message_json, plural_message

logger = logging.getLogger(__name__)

BATCH_ROWS = 5000

SKU_MAX = 50
EAN_MAX = 32
NAME_MAX = 300
MANUFACTURER_MAX = 200
TAG_MAX = 100
STOCK_MAX = 2**31 - 1

HEADER_ROW = 1

Progress = Callable[[int], None]


@dataclass
class ImportReport:
    """What an import did: products created and updated, and every problem as (row, column, message)."""

    created: int = 0
    updated: int = 0
    rows: int = 0
    # The messages are kept untranslated (``config.stored_messages``): ``str()`` reads one.
    errors: list[tuple[int, str, Stored]] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


# --- header ------------------------------------------------------------------------------------------------

PRODUCT_COLUMNS = (
    "sku",
    "parent_sku",
    "ean",
    "tax_rate",
    "weight",
    "height",
    "width",
    "length",
    "category",
    "manufacturer",
    "tags",
)


@dataclass
class Layout:
    """Which cell of a row feeds which value (indexes into the row; None = column absent)."""

    product: dict[str, int]
    languages: list[str]  # in the order of the temp table's text columns
    names: list[int | None]
    descriptions: list[int | None]
    warehouses: list[int]  # warehouse ids, in the order of the stock columns
    stock: list[int]
    price_groups: list[int]
    prices: list[int]
    width: int
    labels: list[str]  # the header as written, for error messages


def _resolve_named(suffix: str, by_name: dict[str, int], by_lower: dict[str, int], ids: set[int]):
    if suffix in by_name:
        return by_name[suffix]
    if suffix.casefold() in by_lower:
        return by_lower[suffix.casefold()]
    if suffix.isdigit() and int(suffix) in ids:
        return int(suffix)
    return None


def _layout(header: list[str], *, account, inventory: Inventory) -> tuple[Layout | None, list]:
    errors: list[tuple[int, str, str]] = []
    warehouses = list(Warehouse.objects.filter(account=account).values_list("pk", "name"))
    groups = list(PriceGroup.objects.filter(account=account).values_list("pk", "name"))
    wh_name = {name: pk for pk, name in warehouses}
    wh_lower = {name.casefold(): pk for pk, name in warehouses}
    pg_name = {name: pk for pk, name in groups}
    pg_lower = {name.casefold(): pk for pk, name in groups}
    languages = list(inventory.languages)
    product: dict[str, int] = {}
    texts: dict[tuple[str, str], int] = {}
    stock: dict[int, int] = {}
    prices: dict[int, int] = {}
    seen: dict[object, str] = {}

    for index, raw in enumerate(header):
        label = raw.strip()
        key = label.casefold()
        target: object = None
        if key in PRODUCT_COLUMNS:
            target = ("product", key)
        elif key in ("name", "description"):
            target = ("text", key, inventory.default_language)
        elif key.startswith(("name_", "description_")):
            kind, _sep, lang = key.partition("_")
            if lang in languages:
                target = ("text", kind, lang)
            else:
                errors.append(
                    (
                        HEADER_ROW,
                        label,
                        Message(
                            gettext_noop(
                                "The catalog has no language “%(lang)s” (its languages: %(languages)s)."
                            ),
                            lang=lang,
                            languages=", ".join(languages),
                        ),
                    )
                )
                continue
        elif key.startswith("stock_"):
            pk = _resolve_named(label[6:].strip(), wh_name, wh_lower, set(wh_name.values()))
            if pk is None:
                errors.append(
                    (
                        HEADER_ROW,
                        label,
                        Message(
                            gettext_noop("There is no warehouse “%(name)s” in this account."),
                            name=label[6:].strip(),
                        ),
                    )
                )
                continue
            target = ("stock", pk)
        elif key.startswith("price_"):
            pk = _resolve_named(label[6:].strip(), pg_name, pg_lower, set(pg_name.values()))
            if pk is None:
                errors.append(
                    (
                        HEADER_ROW,
                        label,
                        Message(
                            gettext_noop("There is no price group “%(name)s” in this account."),
                            name=label[6:].strip(),
                        ),
                    )
                )
                continue
            target = ("price", pk)
        else:
            errors.append((HEADER_ROW, label, Message(gettext_noop("Unknown column."))))
            continue
        if target in seen:
            errors.append(
                (
                    HEADER_ROW,
                    label,
                    Message(gettext_noop("The same column as “%(other)s”."), other=seen[target]),
                )
            )
            continue
        seen[target] = label
        if target[0] == "product":
            product[target[1]] = index
        elif target[0] == "text":
            texts[(target[2], target[1])] = index
        elif target[0] == "stock":
            stock[target[1]] = index
        else:
            prices[target[1]] = index

    if "sku" not in product:
        errors.append((HEADER_ROW, "sku", Message(gettext_noop("The file has no sku column."))))
    if errors:
        return None, errors
    text_languages = [lang for lang in languages if (lang, "name") in texts or (lang, "description") in texts]
    return (
        Layout(
            product=product,
            languages=text_languages,
            names=[texts.get((lang, "name")) for lang in text_languages],
            descriptions=[texts.get((lang, "description")) for lang in text_languages],
            warehouses=list(stock),
            stock=list(stock.values()),
            price_groups=list(prices),
            prices=list(prices.values()),
            width=len(header),
            labels=[label.strip() for label in header],
        ),
        [],
    )


# --- cells -------------------------------------------------------------------------------------------------


def _at_most(limit: int) -> Message:
    return Message(gettext_noop("At most %(limit)s characters."), limit=limit)


def _error_text(exc: BaseException) -> Stored:
    """A reading error's words: our own message, or the csv module's (English) text."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Message) else str(exc)


class CellError(ValueError):
    """A cell's problem; ``message`` is kept untranslated (``config.stored_messages``)."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


_PLAIN_DECIMAL = re.compile(r"\d{1,9}(?:\.\d{1,3})?\Z")
_PLAIN_INT = re.compile(r"\d{1,9}\Z")


def _decimal(value: str, *, places: int, limit: int, minimum: Decimal = Decimal(0)) -> str:
    """The cell as a plain decimal string, or CellError with a message a user can act on."""
    text = value.replace(" ", "").replace("\u00a0", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(Message(gettext_noop("“%(value)s” is not a number."), value=value)) from None
    if not number.is_finite():
        raise CellError(Message(gettext_noop("“%(value)s” is not a number."), value=value))
    if number < minimum:
        if minimum == 0:
            raise CellError(Message(gettext_noop("Must not be negative.")))
        raise CellError(Message(gettext_noop("Must be at least %(min)s."), min=str(minimum)))
    if number >= Decimal(10) ** limit:
        raise CellError(
            Message(gettext_noop("Too large (at most %(digits)s digits before the point)."), digits=limit)
        )
    if -number.as_tuple().exponent > places:
        raise CellError(
            Message(gettext_noop("At most %(places)s digits after the decimal point."), places=places)
        )
    return str(number)


def _measure(value: str) -> str:
    if _PLAIN_DECIMAL.match(value) and len(value.partition(".")[0]) <= 7:
        return value
    return _decimal(value, places=3, limit=7)


def _money(value: str) -> str:
    if _PLAIN_DECIMAL.match(value) and len(value.partition(".")[2]) <= 2:
        return value
    return _decimal(value, places=2, limit=12)


def _tax(value: str) -> str:
    if _PLAIN_DECIMAL.match(value):
        whole, _dot, fraction = value.partition(".")
        if len(whole) <= 3 and len(fraction) <= 2:
            return value
    return _decimal(value, places=2, limit=3, minimum=Decimal(-1))


def _quantity(value: str) -> str:
    if _PLAIN_INT.match(value):
        if int(value) > STOCK_MAX:
            raise CellError(Message(gettext_noop("Too large.")))
        return value
    text = value.replace(" ", "").replace("\u00a0", "")
    try:
        number = int(text)
    except ValueError:
        try:
            exact = Decimal(text.replace(",", "."))
        except InvalidOperation:
            exact = None
        if exact is not None and exact.is_finite() and exact == exact.to_integral_value():
            number = int(exact)
        else:
            raise CellError(
                Message(gettext_noop("“%(value)s” is not a whole number."), value=value)
            ) from None
    if number < 0:
        raise CellError(Message(gettext_noop("Must not be negative.")))
    if number > STOCK_MAX:
        raise CellError(Message(gettext_noop("Too large.")))
    return str(number)


def _text(value: str, limit: int) -> str:
    if len(value) > limit:
        raise CellError(_at_most(limit))
    return value


# --- the import --------------------------------------------------------------------------------------------


def _category_paths(*, account, inventory: Inventory) -> dict[str, int]:
    """ "A/B/C" → category id, for the catalog's categories and the account-wide ones (catalog's first)."""
    rows = list(
        Category.objects.filter(account=account)
        .filter(inventory__isnull=True)
        .values_list("pk", "parent_id", "name", "inventory_id")
    ) + list(
        Category.objects.filter(account=account, inventory=inventory).values_list(
            "pk", "parent_id", "name", "inventory_id"
        )
    )
    by_id = {pk: (parent, name) for pk, parent, name, _inv in rows}
    paths: dict[str, int] = {}
    for pk, _parent, _name, inventory_id in rows:
        parts, node, hops = [], pk, 0
        while node is not None and node in by_id and hops < 100:
            parent, name = by_id[node]
            parts.append(name.strip())
            node, hops = parent, hops + 1
        if node is not None:  # a parent in another catalog: not reachable from this one
            continue
        path = "/".join(reversed(parts))
        if inventory_id is not None or path not in paths:
            paths[path] = pk
    return paths


def _open_text(fileobj: BinaryIO) -> io.TextIOWrapper:
    return io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="")


def _sniff_delimiter(first_line: str) -> str:
    if "," in first_line:
        return ","
    if ";" in first_line:
        return ";"
    if "\t" in first_line:
        return "\t"
    return ","


class _Staging:
    """The temporary tables an import fills and reads; dropped at the end, whatever happens."""

    def __init__(self, layout: Layout):
        suffix = uuid.uuid4().hex[:12]
        self.rows = f"import_rows_{suffix}"
        self.ids = f"import_ids_{suffix}"
        self.layout = layout
        self.columns = [
            "row_no",
            "sku",
            "parent_sku",
            "ean",
            "tax_rate",
            "weight",
            "height",
            "width",
            "length",
            "category_id",
            "manufacturer",
            "tags",
        ]
        types = ["integer", "text", "text", "text", "numeric", "numeric", "numeric", "numeric", "numeric"]
        types += ["bigint", "text", "text"]
        for i in range(len(layout.languages)):
            self.columns += [f"name_{i}", f"description_{i}"]
            types += ["text", "text"]
        for i in range(len(layout.warehouses)):
            self.columns.append(f"stock_{i}")
            types.append("integer")
        for i in range(len(layout.price_groups)):
            self.columns.append(f"price_{i}")
            types.append("numeric")
        self.types = types

    def create(self, cursor) -> None:
        definition = ", ".join(f"{name} {kind}" for name, kind in zip(self.columns, self.types, strict=True))
        cursor.execute(f"CREATE TEMPORARY TABLE {self.rows} ({definition})")
        cursor.execute(f"CREATE TEMPORARY TABLE {self.ids} (id bigint, sku text, inserted boolean)")

    def copy(self, cursor, buffer: io.StringIO) -> None:
        with cursor.cursor.copy(
            f"COPY {self.rows} ({', '.join(self.columns)}) FROM STDIN (FORMAT csv)"
        ) as copy:
            copy.write(buffer.getvalue())

    def drop(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.rows}, {self.ids}")
        except DatabaseError:
            # Inside a caller's failed transaction: its rollback drops the tables with it.
            pass


def import_csv(
    *,
    actor: Tenant,
    inventory: Inventory,
    fileobj: BinaryIO,
    origin: Origin,
    valid_rows_only: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a CSV file (format in this module's docstring) into ``inventory`` of ``account``.

    Guarantees: either every row is written or none (unless ``valid_rows_only``, when exactly the rows
    without problems are); the writes happen in one transaction; ``progress(rows_read)`` is called after
    every batch of rows read and checked (outside that transaction, so a caller may record it). The
    catalog is the actor's account's; members and up (the role matrix's PRODUCTS write).
    """
    require_role(actor, roles.PRODUCTS.role_for(roles.Act.WRITE))
    account = actor.account
    if inventory.account_id != account.pk:
        raise ValueError(f"Catalog {inventory.pk} belongs to another account.")
    report = ImportReport()
    text = _open_text(fileobj)
    try:
        first = text.readline()
    except UnicodeDecodeError:
        report.errors.append((HEADER_ROW, "", Message(gettext_noop("The file is not UTF-8 text."))))
        return report
    if not first.strip():
        report.errors.append(
            (
                HEADER_ROW,
                "",
                Message(gettext_noop("The file is empty: the first line must name the columns.")),
            )
        )
        return report
    delimiter = _sniff_delimiter(first)
    reader = csv.reader(_chain_first(first, text), delimiter=delimiter)
    try:
        header = next(reader)
    except (csv.Error, UnicodeDecodeError) as exc:
        report.errors.append(
            (
                HEADER_ROW,
                "",
                Message(gettext_noop("The header cannot be read: %(error)s"), error=_error_text(exc)),
            )
        )
        return report
    layout, errors = _layout(header, account=account, inventory=inventory)
    if layout is None:
        report.errors = errors
        return report

    staging = _Staging(layout)
    with connection.cursor() as cursor:
        staging.create(cursor)
    try:
        skus = _stream_rows(
            reader,
            layout=layout,
            staging=staging,
            categories=_category_paths(account=account, inventory=inventory),
            report=report,
            progress=progress,
        )
        if report.errors and any(row == HEADER_ROW for row, _c, _m in report.errors):
            return report
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {staging.rows}")
            report.errors += _parent_problems(cursor, staging=staging, inventory=inventory, skus=skus)
            report.errors.sort(key=lambda error: error[0])
            if report.errors and not valid_rows_only:
                return report
            with transaction.atomic():
                if report.errors:
                    bad_rows = sorted({row for row, _c, _m in report.errors})
                    cursor.execute(f"DELETE FROM {staging.rows} WHERE row_no = ANY(%s)", [bad_rows])  # noqa: S608 - generated table names; values are parameters
                report.created, report.updated = products_import_write(
                    cursor, staging=staging, actor=actor, inventory=inventory, origin=origin
                )
                report.written = True
    finally:
        staging.drop()
    return report


def _chain_first(first: str, rest: Iterable[str]):
    """The lines of the file again, refusing NUL characters (PostgreSQL text cannot hold them)."""
    for line in itertools.chain((first,), rest):
        if "\x00" in line:
            raise csv.Error(
                Message(gettext_noop("the file contains a NUL character (is it really a CSV text file?)"))
            )
        yield line


def _stream_rows(reader, *, layout: Layout, staging: _Staging, categories, report, progress) -> dict:
    """Read, check and COPY every row; returns ``{sku: row}`` of every row read (with problems too)."""
    product = layout.product
    get = product.get
    i_sku = product["sku"]
    i_parent, i_ean, i_tax = get("parent_sku"), get("ean"), get("tax_rate")
    measures = [get(name) for name in ("weight", "height", "width", "length")]
    i_category, i_manufacturer, i_tags = get("category"), get("manufacturer"), get("tags")
    names, descriptions = layout.names, layout.descriptions
    stock, prices = layout.stock, layout.prices
    labels, width = layout.labels, layout.width
    errors = report.errors
    skus: dict[str, int] = {}
    read = text_cell_read  # text cells only: an export's quoted "'=SUM(A1)" is the text "=SUM(A1)"

    buffer = io.StringIO()
    # CRLF: the csv module quotes a field only when it holds a character of the line terminator, and COPY
    # refuses an unquoted carriage return (a description with a lone "\r").
    writer = csv.writer(buffer, lineterminator="\r\n")
    pending = 0
    row_no = HEADER_ROW
    data_rows = 0
    try:
        for cells in reader:
            row_no += 1
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            data_rows += 1
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            elif len(cells) > width and any(c.strip() for c in cells[width:]):
                errors.append(
                    (
                        row_no,
                        "",
                        Message(
                            gettext_noop(
                                "This row has %(cells)s cells; the header names %(columns)s columns."
                            ),
                            cells=len(cells),
                            columns=width,
                        ),
                    )
                )
                continue
            row_errors = []
            sku = read(cells[i_sku].strip())
            if not sku:
                row_errors.append((row_no, labels[i_sku], Message(gettext_noop("The SKU is required."))))
            elif len(sku) > SKU_MAX:
                row_errors.append((row_no, labels[i_sku], _at_most(SKU_MAX)))
            elif sku in skus:
                row_errors.append(
                    (
                        row_no,
                        labels[i_sku],
                        Message(
                            gettext_noop("The SKU %(sku)s is also on row %(row)s."), sku=sku, row=skus[sku]
                        ),
                    )
                )
            else:
                skus[sku] = row_no

            out: list = [row_no, sku]
            append = out.append
            # parent_sku
            value = read(cells[i_parent].strip()) if i_parent is not None else ""
            if value and value == sku:
                row_errors.append(
                    (row_no, labels[i_parent], Message(gettext_noop("A product cannot be its own parent.")))
                )
            append(value or None)
            # ean
            value = read(cells[i_ean].strip()) if i_ean is not None else ""
            if len(value) > EAN_MAX:
                row_errors.append((row_no, labels[i_ean], _at_most(EAN_MAX)))
            append(value or None)
            # tax rate and measures
            value = cells[i_tax].strip() if i_tax is not None else ""
            if value:
                try:
                    value = _tax(value)
                except CellError as exc:
                    row_errors.append((row_no, labels[i_tax], exc.message))
            append(value or None)
            for index in measures:
                value = cells[index].strip() if index is not None else ""
                if value:
                    try:
                        value = _measure(value)
                    except CellError as exc:
                        row_errors.append((row_no, labels[index], exc.message))
                append(value or None)
            # category
            value = read(cells[i_category].strip()) if i_category is not None else ""
            category_id = None
            if value:
                path = "/".join(part.strip() for part in value.split("/"))
                category_id = categories.get(path)
                if category_id is None:
                    row_errors.append(
                        (
                            row_no,
                            labels[i_category],
                            Message(
                                gettext_noop("There is no category “%(path)s” in this catalog."), path=value
                            ),
                        )
                    )
            append(category_id)
            # manufacturer, tags
            value = read(cells[i_manufacturer].strip()) if i_manufacturer is not None else ""
            if len(value) > MANUFACTURER_MAX:
                row_errors.append((row_no, labels[i_manufacturer], _at_most(MANUFACTURER_MAX)))
            append(value or None)
            value = read(cells[i_tags].strip()) if i_tags is not None else ""
            if value:
                tags = list(dict.fromkeys(tag.strip() for tag in value.split("|") if tag.strip()))
                if any(len(tag) > TAG_MAX for tag in tags):
                    row_errors.append(
                        (
                            row_no,
                            labels[i_tags],
                            Message(gettext_noop("A tag has at most %(limit)s characters."), limit=TAG_MAX),
                        )
                    )
                value = "|".join(tags)
            append(value or None)
            # texts
            for i_name, i_description in zip(names, descriptions, strict=True):
                value = read(cells[i_name].strip()) if i_name is not None else ""
                if len(value) > NAME_MAX:
                    row_errors.append((row_no, labels[i_name], _at_most(NAME_MAX)))
                append(value or None)
                append(
                    read(cells[i_description])
                    if i_description is not None and cells[i_description].strip()
                    else None
                )
            # stock and prices
            for index in stock:
                value = cells[index].strip()
                if value:
                    try:
                        value = _quantity(value)
                    except CellError as exc:
                        row_errors.append((row_no, labels[index], exc.message))
                append(value or None)
            for index in prices:
                value = cells[index].strip()
                if value:
                    try:
                        value = _money(value)
                    except CellError as exc:
                        row_errors.append((row_no, labels[index], exc.message))
                append(value or None)

            if row_errors:
                errors += row_errors
                continue
            writer.writerow(out)
            pending += 1
            if pending >= BATCH_ROWS:
                _flush(staging, buffer)
                pending = 0
                if progress is not None:
                    progress(data_rows)
    except UnicodeDecodeError:
        errors.append((row_no + 1, "", Message(gettext_noop("The file is not UTF-8 text from this row on."))))
        errors.append((HEADER_ROW, "", Message(gettext_noop("The file could not be read to the end."))))
    except csv.Error as exc:
        errors.append(
            (
                row_no + 1,
                "",
                Message(
                    gettext_noop("The file cannot be read as CSV here: %(error)s"), error=_error_text(exc)
                ),
            )
        )
        errors.append((HEADER_ROW, "", Message(gettext_noop("The file could not be read to the end."))))
    if pending:
        _flush(staging, buffer)
    report.rows = data_rows
    if progress is not None:
        progress(data_rows)
    return skus


def _flush(staging: _Staging, buffer: io.StringIO) -> None:
    with connection.cursor() as cursor:
        staging.copy(cursor, buffer)
    buffer.seek(0)
    buffer.truncate()


def _parent_problems(cursor, *, staging: _Staging, inventory: Inventory, skus: dict[str, int]) -> list:
    """Variants whose parent is missing, is (or becomes) a variant, or rows that have variants themselves."""
    rows = staging.rows
    cursor.execute(
        f"""
        SELECT t.row_no, t.parent_sku,
               CASE
                 WHEN pf.row_no IS NULL AND pc.id IS NULL THEN 'missing'
                 WHEN pf.parent_sku IS NOT NULL OR pc.parent_id IS NOT NULL THEN 'variant'
                 WHEN EXISTS (SELECT 1 FROM catalog_product v WHERE v.parent_id = e.id) THEN 'has_variants'
               END
          FROM {rows} t
          LEFT JOIN {rows} pf ON pf.sku = t.parent_sku
          LEFT JOIN catalog_product pc ON pc.inventory_id = %s AND pc.sku = t.parent_sku AND pc.sku <> ''
          LEFT JOIN catalog_product e ON e.inventory_id = %s AND e.sku = t.sku AND e.sku <> ''
         WHERE t.parent_sku IS NOT NULL
        """,  # noqa: S608 - generated table names; values are parameters
        [inventory.pk, inventory.pk],
    )
    problems = []
    for row_no, parent_sku, problem in cursor.fetchall():
        if problem == "missing":
            if parent_sku in skus:
                message = Message(
                    gettext_noop("The parent %(sku)s (row %(row)s) has problems of its own."),
                    sku=parent_sku,
                    row=skus[parent_sku],
                )
            else:
                message = Message(
                    gettext_noop("There is no product %(sku)s in this file or in the catalog."),
                    sku=parent_sku,
                )
        elif problem == "variant":
            message = Message(
                gettext_noop("%(sku)s is a variant itself; a variant's parent must be a main product."),
                sku=parent_sku,
            )
        elif problem == "has_variants":
            message = Message(gettext_noop("This product has variants, so it cannot become a variant."))
        else:
            continue
        problems.append((row_no, "parent_sku", message))
    return problems


# --- import jobs -------------------------------------------------------------------------------------------

PROGRESS_EVERY = BATCH_ROWS


@transaction.atomic
def import_job_create(
    *, actor: Tenant, inventory: Inventory, file, origin: Origin, valid_rows_only: bool = False
) -> ImportJob:
    """Store the uploaded file as a queued ImportJob and start it in Celery once this transaction commits.
    The catalog is the actor's account's; members and up (the role matrix's PRODUCTS write). The job
    remembers the person who started it (none for an API token)."""
    from catalog.tasks import import_run

    require_role(actor, roles.PRODUCTS.role_for(roles.Act.WRITE))
    account, user = actor.account, actor.user
    if inventory.account_id != account.pk:
        raise ValueError(f"Catalog {inventory.pk} belongs to another account.")
    name = os.path.basename(getattr(file, "name", "") or "import.csv")[:255]
    job = ImportJob(
        account=account,
        inventory=inventory,
        user=user if isinstance(user, get_user_model()) else None,
        file_name=name,
        valid_rows_only=valid_rows_only,
        **origin.as_fields(),
    )
    job.file.save(f"{uuid.uuid4().hex}.csv", file, save=False)
    job.save()
    # The report is kept untranslated; anything that cannot be (text cut to fit a column) is written in
    # the language of the person who starts the import.
    import_run.delay_on_commit(job.pk, translation.get_language())
    return job


def _count_rows(path_or_file) -> int:
    """Data rows of a CSV file (blank lines not counted); 0 if it cannot be read."""
    try:
        with path_or_file.open("rb") as raw:
            text = _open_text(raw)
            first = text.readline()
            reader = csv.reader(_chain_first(first, text), delimiter=_sniff_delimiter(first))
            next(reader, None)
            return sum(1 for cells in reader if cells and any(cell.strip() for cell in cells))
    except (UnicodeDecodeError, csv.Error, OSError):
        return 0


def _job_origin(job: ImportJob) -> Origin:
    if job.origin_kind:
        return Origin(job.origin_kind, job.origin_id, job.origin_label)
    return Origin.of_user(job.user) if job.user is not None else Origin.system()


def _job_actor(job: ImportJob) -> Tenant:
    """Who a queued job acts as: its account with the least role that may import (it was allowed when it
    was started), for the person who started it."""
    return Tenant(account=job.account, role=Role.MEMBER, user=job.user)


# The wording of imports stored before "Nothing imported: …": kept in the catalogue, so that those rows
# still read in the reader's language.
_FORMER_SUMMARIES = (
    plural_message(
        "Nothing was imported: the file has %(bad)s problem.",
        "Nothing was imported: the file has %(bad)s problems.",
        0,
    ),
)


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued (or interrupted) import job; jobs already done or failed are left alone.

    Running it again after an interruption is safe: either the write transaction committed (the upsert
    by SKU then rewrites the same values) or nothing was written. Progress is saved every
    ``PROGRESS_EVERY`` rows; the report (capped at ``ImportJob.ERRORS_KEPT`` problems) when it ends.
    """
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ).update(status=ImportJob.Status.RUNNING, started_at=timezone.now(), processed_rows=0)
    if not claimed:
        return None
    job = ImportJob.objects.select_related("account", "inventory").get(pk=job_id)
    total = _count_rows(job.file)
    ImportJob.objects.filter(pk=job.pk).update(total_rows=total)

    def progress(rows: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=min(rows, total) if total else rows)

    try:
        with job.file.open("rb") as fileobj:
            report = import_csv(
                actor=_job_actor(job),
                inventory=job.inventory,
                fileobj=fileobj,
                origin=_job_origin(job),
                valid_rows_only=job.valid_rows_only,
                progress=progress,
            )
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            message=Message(
                gettext_noop("The import stopped because of an error on our side; nothing was written.")
            ),
            finished_at=timezone.now(),
        )
        raise
    ok, bad = report.created + report.updated, len(report.errors)
    # The summary and the problems are kept untranslated: each reader reads them in their language.
    if report.written and report.errors:
        message = Message(
            gettext_noop("%(imported)s; %(problems)s, those rows were left out."),
            imported=plural_message("%(n)s row imported", "%(n)s rows imported", ok, n=ok),
            problems=plural_message("%(n)s problem", "%(n)s problems", bad, n=bad),
        )
    elif report.errors:
        # Said once: the outcome above it is this sentence (see ``templates/catalog/import_progress.html``).
        message = plural_message(
            "Nothing imported: %(n)s problem.", "Nothing imported: %(n)s problems.", bad, n=bad
        )
    else:
        message = plural_message("The %(ok)s row was imported.", "All %(ok)s rows imported.", ok, ok=ok)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        total_rows=report.rows,
        processed_rows=report.rows,
        created_count=report.created,
        updated_count=report.updated,
        error_count=len(report.errors),
        errors=[
            [row, column, message_json(problem)]
            for row, column, problem in report.errors[: ImportJob.ERRORS_KEPT]
        ],
        message=message,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job
