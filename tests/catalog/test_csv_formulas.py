"""CSV exports cannot run formulas in a spreadsheet, and an export imported again gives the same texts."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.csv_cells import FORMULA_STARTS, text_cell_read, text_cell_write
from catalog.imports import import_csv
from catalog.models import Category, Inventory, Manufacturer, Price, Product, ProductText, Stock, Tag
from tests.actors import admin_of
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db

TEXT_COLUMNS = ("sku", "parent_sku", "ean", "category", "manufacturer", "tags")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tricky(account_a):
    """Products of account A's default catalog whose texts look like formulas, one with a negative tax."""
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    category = Category.objects.create(account=account_a, inventory=None, name="=cmd|'calc'!A0")
    maker = Manufacturer.objects.create(account=account_a, name="@SUM(1+1)")
    tag = Tag.objects.create(account=account_a, name="+tag")
    formula = Product.objects.create(
        account=account_a,
        inventory=inventory,
        sku="-5",
        ean="=1+1",
        tax_rate=Decimal("-1"),
        category=category,
        manufacturer=maker,
    )
    formula.tags.add(tag)
    ProductText.objects.create(
        product=formula, language="en", name="=SUM(A1)", description="\tstarts with a tab"
    )
    ProductText.objects.create(product=formula, language="pl", name="'=already quoted", description="\rx")
    Price.objects.create(product=formula, price_group=inventory.default_price_group, amount=Decimal("12.50"))
    Stock.objects.create(product=formula, warehouse=inventory.default_warehouse, quantity=3)
    plain = Product.objects.create(account=account_a, inventory=inventory, sku="PLAIN-1", tax_rate=23)
    ProductText.objects.create(product=plain, language="en", name="A plain lamp", description="It's fine")
    return inventory


def _export(client, inventory) -> list[dict[str, str]]:
    response = client.get(reverse("catalog:product-export"), {"inventory": inventory.pk})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_exported_text_cells_that_a_spreadsheet_would_run_start_with_a_quote(client_a, tricky):
    rows = {row["sku"]: row for row in _export(client_a, tricky)}
    row = rows["'-5"]

    assert row["ean"] == "'=1+1"
    assert row["category"] == "'=cmd|'calc'!A0"
    assert row["manufacturer"] == "'@SUM(1+1)"
    assert row["tags"] == "'+tag"
    assert row["name_en"] == "'=SUM(A1)"
    assert row["description_en"] == "'\tstarts with a tab"
    assert row["name_pl"] == "''=already quoted"
    assert row["description_pl"] == "'\rx"
    for cells in rows.values():
        for column, cell in cells.items():
            if column in TEXT_COLUMNS or column.startswith(("name_", "description_")):
                assert cell[:1] not in FORMULA_STARTS, (column, cell)
    # Numbers stay numbers a spreadsheet can add up, a negative one included.
    assert row["tax_rate"] == "-1"
    price = next(column for column in row if column.startswith("price_"))
    stock = next(column for column in row if column.startswith("stock_") and row[column])
    assert row[price] == "12.5" and row[stock] == "3"
    # Texts with nothing to fear are written as they are.
    assert rows["PLAIN-1"]["name_en"] == "A plain lamp" and rows["PLAIN-1"]["description_en"] == "It's fine"


def test_an_export_imported_into_another_catalog_keeps_the_texts_unchanged(client_a, tricky, account_a):
    other = Inventory.objects.create(
        account=account_a,
        name="Second catalog",
        languages=tricky.languages,
        default_language=tricky.default_language,
        default_warehouse=tricky.default_warehouse,
        default_price_group=tricky.default_price_group,
    )
    response = client_a.get(reverse("catalog:product-export"), {"inventory": tricky.pk})
    exported = b"".join(response.streaming_content)

    report = import_csv(
        actor=admin_of(account_a), inventory=other, fileobj=io.BytesIO(exported), origin=TEST_ORIGIN
    )

    assert report.errors == [] and report.created == 2
    copy = Product.objects.get(inventory=other, sku="-5")
    assert copy.ean == "=1+1"
    assert copy.tax_rate == Decimal("-1")
    assert copy.category.name == "=cmd|'calc'!A0"
    assert copy.manufacturer.name == "@SUM(1+1)"
    assert list(copy.tags.values_list("name", flat=True)) == ["+tag"]
    texts = dict(copy.texts.values_list("language", "name"))
    assert texts == {"en": "=SUM(A1)", "pl": "'=already quoted"}
    assert copy.texts.get(language="en").description == "\tstarts with a tab"
    assert copy.prices.get().amount == Decimal("12.50")
    assert Product.objects.get(inventory=other, sku="PLAIN-1").texts.get().description == "It's fine"


@pytest.mark.parametrize(
    "text",
    ["=SUM(A1)", "-5", "+48 600 100 200", "@user", "\tx", "\rx", "'=x", "''", "'", "'plain", "plain", ""],
)
def test_every_text_survives_writing_and_reading(text):
    written = text_cell_write(text)
    assert written[:1] not in FORMULA_STARTS
    assert text_cell_read(written) == text
