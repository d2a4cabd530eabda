"""CSV export of products in the import format (``catalog.imports``), so an export can be imported again.

Columns: ``sku, parent_sku, ean, tax_rate, weight, height, width, length, category, manufacturer, tags``,
then ``name_<lang>, description_<lang>`` for every language of the exported products' catalogs, then
``stock_<warehouse name>`` and ``price_<price group name>`` for every warehouse and price group of the
account. Text cells that a spreadsheet would run as a formula start with a quote (``catalog.csv_cells``),
which the import removes. Variants follow the import's rule (a parent row or a parent already in the
target catalog), so export one catalog at a time to import it elsewhere. Rows are read in chunks by
primary key, never all at once.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import QuerySet

from catalog.csv_cells import text_cell_write
from catalog.models import Category, Inventory, Price, PriceGroup, Product, ProductText, Stock, Warehouse

CHUNK = 2000

PRODUCT_FIELDS = ("sku", "parent_sku", "ean", "tax_rate", "weight", "height", "width", "length")


def _category_paths(account) -> dict[int, str]:
    rows = {
        pk: (parent, name)
        for pk, parent, name in Category.objects.filter(account=account).values_list(
            "pk", "parent_id", "name"
        )
    }
    paths: dict[int, str] = {}
    for pk in rows:
        parts, node, hops = [], pk, 0
        while node is not None and node in rows and hops < 100:
            parent, name = rows[node]
            parts.append(name)
            node, hops = parent, hops + 1
        paths[pk] = "/".join(reversed(parts))
    return paths


def _number(value) -> str:
    """Decimals without trailing zeros after the point (``0.250`` → ``0.25``, ``23.00`` → ``23``)."""
    text = str(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def export_csv(*, account, queryset: QuerySet[Product]) -> Iterator[str]:
    """Yield the CSV text of the products in ``queryset`` (already scoped to ``account``), in chunks."""
    products = queryset.filter(account=account)
    languages: list[str] = []
    for inventory_languages in Inventory.objects.filter(
        account=account, pk__in=products.order_by().values("inventory_id")
    ).values_list("languages", flat=True):
        languages += [lang for lang in inventory_languages if lang not in languages]
    warehouses = list(Warehouse.objects.filter(account=account).order_by("pk").values_list("pk", "name"))
    groups = list(PriceGroup.objects.filter(account=account).order_by("pk").values_list("pk", "name"))
    categories = _category_paths(account)

    text = text_cell_write
    buffer = io.StringIO()
    # CRLF (RFC 4180): the csv module quotes a field only when it holds a character of the line
    # terminator, so a text with a lone carriage return is quoted too.
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = [*PRODUCT_FIELDS, "category", "manufacturer", "tags"]
    for lang in languages:
        header += [f"name_{lang}", f"description_{lang}"]
    header += [f"stock_{name}" for _pk, name in warehouses]
    header += [f"price_{name}" for _pk, name in groups]
    writer.writerow(header)
    yield buffer.getvalue()

    wanted = products.order_by().values("pk")
    last = 0
    while True:
        chunk = list(
            Product.objects.filter(pk__in=wanted, pk__gt=last)
            .order_by("pk")
            .values_list(
                "pk",
                "sku",
                "parent__sku",
                "ean",
                "tax_rate",
                "weight",
                "height",
                "width",
                "length",
                "category_id",
                "manufacturer__name",
            )[:CHUNK]
        )
        if not chunk:
            return
        ids = [row[0] for row in chunk]
        last = ids[-1]
        texts: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
        for product_id, language, name, description in ProductText.objects.filter(
            product_id__in=ids, language__in=languages
        ).values_list("product_id", "language", "name", "description"):
            texts[product_id][language] = (name, description)
        stock: dict[tuple[int, int], int] = {
            (p, w): q
            for p, w, q in Stock.objects.filter(product_id__in=ids).values_list(
                "product_id", "warehouse_id", "quantity"
            )
        }
        prices = {
            (p, g): a
            for p, g, a in Price.objects.filter(product_id__in=ids).values_list(
                "product_id", "price_group_id", "amount"
            )
        }
        tags: dict[int, list[str]] = defaultdict(list)
        for product_id, name in (
            Product.tags.through.objects.filter(product_id__in=ids)
            .order_by("tag__name")
            .values_list("product_id", "tag__name")
        ):
            tags[product_id].append(name)

        buffer.seek(0)
        buffer.truncate()
        for pk, sku, parent_sku, ean, tax, weight, height, width, length, category_id, maker in chunk:
            # Text cells go through text_cell_write (no formula runs in a spreadsheet); numbers do not.
            row = [
                text(sku),
                text(parent_sku or ""),
                text(ean),
                _number(tax),
                _number(weight),
                _number(height),
                _number(width),
                _number(length),
                text(categories.get(category_id, "") if category_id else ""),
                text(maker or ""),
                text("|".join(tags.get(pk, ()))),
            ]
            product_texts = texts.get(pk, {})
            for lang in languages:
                name, description = product_texts.get(lang, ("", ""))
                row += [text(name), text(description)]
            row += [stock.get((pk, w), "") for w, _name in warehouses]
            row += [_number(prices[(pk, g)]) if (pk, g) in prices else "" for g, _name in groups]
            writer.writerow(row)
        yield buffer.getvalue()
