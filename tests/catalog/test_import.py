"""CSV import and export of a catalog: per-row reports, all or nothing, valid rows only, jobs and pages."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from catalog.imports import import_csv, import_job_run
from catalog.models import (
    Category,
    ImportJob,
    Inventory,
    Manufacturer,
    Price,
    PriceGroup,
    Product,
    ProductText,
    Stock,
    Tag,
    Warehouse,
)
from changes.origin import Origin
from tests.actors import admin_of
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def catalog_a(account_a):
    """Account A's default catalog (languages en + pl), with a second warehouse and a category tree."""
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    assert sorted(inventory.languages) == ["en", "pl"]
    Warehouse.objects.create(account=account_a, name="Outlet")
    clothes = Category.objects.create(account=account_a, inventory=inventory, name="Clothes")
    Category.objects.create(account=account_a, inventory=inventory, parent=clothes, name="T-shirts")
    return inventory


def _stock(inventory, name):
    return f"stock_{Warehouse.objects.get(account=inventory.account, name=name).name}"


def _csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def _import(inventory, data: bytes, **kwargs):
    return import_csv(
        origin=Origin.system(),
        actor=admin_of(inventory.account),
        inventory=inventory,
        fileobj=io.BytesIO(data),
        **kwargs,
    )


def _header(inventory):
    return [
        "sku",
        "parent_sku",
        "ean",
        "tax_rate",
        "weight",
        "category",
        "manufacturer",
        "tags",
        "name_en",
        "name_pl",
        "description_en",
        f"stock_{inventory.default_warehouse.name}",
        "stock_Outlet",
        f"price_{inventory.default_price_group.name}",
    ]


def _rows(inventory, *rows):
    return _csv([_header(inventory), *rows])


TSHIRT = ["TS", "", "5901234123457", "23", "0.25", "Clothes/T-shirts", "Cotton Co", "summer|sale"]
TSHIRT += ["Cotton T-shirt", "Koszulka", "Soft cotton", "40", "2", "59.90"]
TSHIRT_M = ["TS-M", "TS", "", "", "", "", "", "", "T-shirt M", "Koszulka M", "", "10", "", "59.90"]


def test_import_creates_products_with_texts_stock_prices_category_manufacturer_and_tags(catalog_a):
    report = _import(catalog_a, _rows(catalog_a, TSHIRT, TSHIRT_M))

    assert report.errors == [] and (report.created, report.updated) == (2, 0)
    product = Product.objects.get(inventory=catalog_a, sku="TS")
    assert product.ean == "5901234123457" and str(product.weight) == "0.250"
    assert product.category.name == "T-shirts" and product.manufacturer.name == "Cotton Co"
    assert sorted(product.tags.values_list("name", flat=True)) == ["sale", "summer"]
    texts = {t.language: (t.name, t.description) for t in product.texts.all()}
    assert texts == {"en": ("Cotton T-shirt", "Soft cotton"), "pl": ("Koszulka", "")}
    stock = dict(product.stock.values_list("warehouse__name", "quantity"))
    assert stock == {catalog_a.default_warehouse.name: 40, "Outlet": 2}
    assert str(product.prices.get().amount) == "59.90"
    variant = Product.objects.get(inventory=catalog_a, sku="TS-M")
    assert variant.parent == product
    assert str(variant.tax_rate) == "23.00", "a new product gets the default tax rate"
    assert not variant.stock.filter(warehouse__name="Outlet").exists(), "an empty cell writes nothing"


def test_update_by_sku_sets_the_cells_given_and_keeps_the_rest(catalog_a):
    _import(catalog_a, _rows(catalog_a, TSHIRT))
    product = Product.objects.get(sku="TS")
    update = _csv(
        [
            ["sku", "weight", "name_pl", f"stock_{catalog_a.default_warehouse.name}", "tags"],
            ["TS", "", "Koszulka bawełniana", "7", "winter"],
            ["NEW-1", "1,5", "Nowy", "", ""],
        ]
    )
    report = _import(catalog_a, update)

    assert report.errors == [] and (report.created, report.updated) == (1, 1)
    product.refresh_from_db()
    assert str(product.weight) == "0.250", "an empty cell keeps the value"
    assert product.ean == "5901234123457", "a column left out is not touched"
    assert product.manufacturer.name == "Cotton Co" and product.category.name == "T-shirts"
    assert dict(product.texts.values_list("language", "name")) == {
        "en": "Cotton T-shirt",
        "pl": "Koszulka bawełniana",
    }
    assert product.texts.get(language="en").description == "Soft cotton"
    assert (
        dict(product.stock.values_list("warehouse__name", "quantity"))[catalog_a.default_warehouse.name] == 7
    )
    assert product.stock.get(warehouse__name="Outlet").quantity == 2
    assert list(product.tags.values_list("name", flat=True)) == ["winter"]
    assert str(Product.objects.get(sku="NEW-1").weight) == "1.500"
    assert Product.objects.filter(inventory=catalog_a).count() == 2


def test_when_a_sku_appears_concurrently_the_new_products_are_upserted_instead(catalog_a, monkeypatch):
    import psycopg

    import catalog.bulk as bulk

    real_copy_across = bulk._copy_across

    def copy_meeting_a_concurrent_insert(cursor, select, params, target):
        if target.startswith("catalog_product "):
            real_copy_across(cursor, select, params, target)
            raise psycopg.errors.UniqueViolation("duplicate key value violates unique constraint")
        real_copy_across(cursor, select, params, target)

    monkeypatch.setattr(bulk, "_copy_across", copy_meeting_a_concurrent_insert)

    report = _import(catalog_a, _rows(catalog_a, TSHIRT, TSHIRT_M))

    assert report.errors == [] and (report.created, report.updated) == (2, 0)
    variant = Product.objects.get(inventory=catalog_a, sku="TS-M")
    assert variant.parent.sku == "TS" and variant.texts.count() == 2
    assert Stock.objects.filter(product__inventory=catalog_a).count() == 3


def test_a_variant_can_hang_on_a_parent_already_in_the_catalog(catalog_a):
    _import(catalog_a, _rows(catalog_a, TSHIRT))
    report = _import(catalog_a, _csv([["sku", "parent_sku", "name_en"], ["TS-XL", "TS", "T-shirt XL"]]))

    assert report.errors == []
    assert Product.objects.get(sku="TS-XL").parent.sku == "TS"


def test_a_parent_with_variants_cannot_become_a_variant_nor_can_a_variant_be_a_parent(catalog_a):
    _import(catalog_a, _rows(catalog_a, TSHIRT, TSHIRT_M))
    Product.objects.create(account=catalog_a.account, inventory=catalog_a, sku="OTHER")
    data = _csv([["sku", "parent_sku"], ["TS", "OTHER"], ["TS-M-SMALL", "TS-M"]])

    report = _import(catalog_a, data)

    assert [(r, c) for r, c, _m in report.errors] == [(2, "parent_sku"), (3, "parent_sku")]
    assert "has variants" in str(report.errors[0][2]) and "variant itself" in str(report.errors[1][2])
    assert Product.objects.get(sku="TS").parent is None
    assert not Product.objects.filter(sku="TS-M-SMALL").exists()


def _bad_input_cases():
    """(rows after the header, expected (row, column) with a problem)."""
    ok = list(TSHIRT)

    def row(**changes):
        columns = [
            "sku",
            "parent_sku",
            "ean",
            "tax_rate",
            "weight",
            "category",
            "manufacturer",
            "tags",
            "name_en",
            "name_pl",
            "description_en",
            "stock_default",
            "stock_Outlet",
            "price_default",
        ]
        values = list(ok)
        for name, value in changes.items():
            values[columns.index(name)] = value
        return values

    return {
        "bad number": ([row(weight="heavy")], (2, "weight")),
        "too many decimals": ([row(weight="0.12345")], (2, "weight")),
        "negative stock": ([row(stock_Outlet="-3")], (2, "stock_Outlet")),
        "stock not whole": ([row(stock_Outlet="2.5")], (2, "stock_Outlet")),
        "negative price": ([row(price_default="-1.00")], (2, "price_default")),
        "tax rate below -1": ([row(tax_rate="-5")], (2, "tax_rate")),
        "duplicate sku": ([ok, row(name_en="Again")], (3, "sku")),
        "unknown category": ([row(category="Clothes/Socks")], (2, "category")),
        "missing parent": ([row(sku="TS-S", parent_sku="NOPE")], (2, "parent_sku")),
        "parent is a variant": (
            [ok, row(sku="TS-M", parent_sku="TS"), row(sku="TS-M-2", parent_sku="TS-M")],
            (4, "parent_sku"),
        ),
        "own parent": ([row(parent_sku="TS")], (2, "parent_sku")),
        "empty sku": ([row(sku="")], (2, "sku")),
        "sku too long": ([row(sku="X" * 51)], (2, "sku")),
        "too many cells": ([[*ok, "extra"]], (2, "")),
    }


@pytest.mark.parametrize("case", list(_bad_input_cases()), ids=str)
def test_bad_input_gets_a_per_row_report_and_nothing_is_written(catalog_a, case):
    rows, (row, column) = _bad_input_cases()[case]
    header = _header(catalog_a)
    labels = {
        "stock_default": header[11],
        "price_default": header[13],
    }
    before = (
        Product.objects.count(),
        Stock.objects.count(),
        Price.objects.count(),
        ProductText.objects.count(),
    )

    report = _import(catalog_a, _csv([header, *rows]))

    assert (row, labels.get(column, column)) in [(r, c) for r, c, _m in report.errors], report.errors
    assert all(message for _r, _c, message in report.errors)
    assert not report.written
    after = (
        Product.objects.count(),
        Stock.objects.count(),
        Price.objects.count(),
        ProductText.objects.count(),
    )
    assert after == before
    assert not Manufacturer.objects.filter(name="Cotton Co").exists()
    assert not Tag.objects.filter(name="summer").exists()


@pytest.mark.parametrize(
    "header, column",
    [
        (["sku", "colour"], "colour"),
        (["name_en", "ean"], "sku"),
        (["sku", "stock_Nowhere"], "stock_Nowhere"),
        (["sku", "price_Wholesale"], "price_Wholesale"),
        (["sku", "name_de"], "name_de"),
        (["sku", "name_en", "NAME_EN"], "NAME_EN"),
    ],
)
def test_a_bad_header_stops_the_import_even_with_valid_rows_only(catalog_a, header, column):
    data = _csv([header, ["A-1"] + [""] * (len(header) - 1)])

    report = _import(catalog_a, data, valid_rows_only=True)

    assert [(r, c) for r, c, _m in report.errors] == [(1, column)]
    assert Product.objects.filter(inventory=catalog_a).count() == 0


def test_another_accounts_warehouse_or_price_group_is_an_unknown_column(catalog_a, account_b):
    other_wh = Warehouse.objects.create(account=account_b, name="Beta depot")
    other_pg = PriceGroup.objects.create(account=account_b, name="Beta prices", currency="PLN")
    data = _csv([["sku", f"stock_{other_wh.pk}", f"price_{other_pg.name}"], ["A-1", "5", "1.00"]])

    report = _import(catalog_a, data)

    assert {c for _r, c, _m in report.errors} == {f"stock_{other_wh.pk}", "price_Beta prices"}
    assert not Product.objects.filter(sku="A-1").exists()


def test_valid_rows_only_writes_the_good_rows_and_reports_the_others(catalog_a):
    bad_parent = ["BAD", "", "", "", "heavy", "", "", "", "Bad", "", "", "", "", ""]
    orphan = ["BAD-M", "BAD", "", "", "", "", "", "", "Orphan", "", "", "1", "", ""]
    data = _rows(catalog_a, TSHIRT, bad_parent, orphan, TSHIRT_M)

    report = _import(catalog_a, data, valid_rows_only=True)

    assert report.written and (report.created, report.updated) == (2, 0)
    assert [(r, c) for r, c, _m in report.errors] == [(3, "weight"), (4, "parent_sku")]
    assert "row 3" in str(report.errors[1][2])
    assert set(Product.objects.filter(inventory=catalog_a).values_list("sku", flat=True)) == {"TS", "TS-M"}


def test_semicolons_a_byte_order_mark_and_decimal_commas_are_understood(catalog_a):
    price = f"price_{catalog_a.default_price_group.name}"
    data = f"\ufeffsku;weight;{price};name\nSEMI-1;0,5;12,30;Średnik\n".encode()

    report = _import(catalog_a, data)

    assert report.errors == []
    product = Product.objects.get(sku="SEMI-1")
    assert str(product.weight) == "0.500" and str(product.prices.get().amount) == "12.30"
    assert product.texts.get(language=catalog_a.default_language).name == "Średnik"


def test_a_file_that_is_not_utf8_is_reported(catalog_a):
    report = _import(catalog_a, "sku,name_en\nA,Zażółć\n".encode("cp1250"))

    assert report.errors and not report.written
    assert Product.objects.filter(inventory=catalog_a).count() == 0


@pytest.mark.parametrize("data", [b"sku,name_en\nA,ok\nB,bad\x00name\n", b"sku,na\x00me\nA,ok\n"])
def test_a_file_with_nul_characters_is_reported_not_crashed_on(catalog_a, data):
    report = _import(catalog_a, data)

    assert report.errors and not report.written
    assert "NUL" in " ".join(str(message) for _r, _c, message in report.errors)
    assert Product.objects.filter(inventory=catalog_a).count() == 0


def test_progress_is_called_per_batch_and_reaches_the_row_count(catalog_a, monkeypatch):
    monkeypatch.setattr("catalog.imports.BATCH_ROWS", 10)
    data = _csv([["sku", "name_en"], *[[f"P-{i}", f"Product {i}"] for i in range(25)]])
    seen = []

    report = _import(catalog_a, data, progress=seen.append)

    assert report.created == 25
    assert seen == [10, 20, 25]


def test_export_then_import_into_another_catalog_gives_the_same_products(client_a, catalog_a, account_a):
    _import(catalog_a, _rows(catalog_a, TSHIRT, TSHIRT_M))
    other = Inventory.objects.create(
        account=account_a,
        name="Second catalog",
        languages=["en", "pl"],
        default_language="en",
        default_warehouse=catalog_a.default_warehouse,
        default_price_group=catalog_a.default_price_group,
    )
    Category.objects.filter(inventory=catalog_a).update(inventory=None)  # account-wide: both catalogs see it

    response = client_a.get(reverse("catalog:product-export") + f"?inventory={catalog_a.pk}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    exported = b"".join(response.streaming_content)
    report = _import(other, exported)

    assert report.errors == [] and report.created == 2

    def snapshot(inventory):
        result = {}
        for p in Product.objects.filter(inventory=inventory):
            result[p.sku] = (
                p.parent.sku if p.parent else None,
                p.ean,
                p.tax_rate,
                p.weight,
                p.category_id,
                p.manufacturer_id,
                sorted(p.tags.values_list("name", flat=True)),
                sorted(p.texts.values_list("language", "name", "description")),
                sorted(p.stock.values_list("warehouse_id", "quantity")),
                sorted(p.prices.values_list("price_group_id", "amount")),
            )
        return result

    assert snapshot(other) == snapshot(catalog_a)


def test_export_uses_the_product_list_filters_and_only_the_accounts_products(client_a, catalog_a, account_b):
    _import(catalog_a, _rows(catalog_a, TSHIRT, TSHIRT_M))
    b_catalog = Inventory.objects.get(account=account_b, is_default=True)
    Product.objects.create(account=account_b, inventory=b_catalog, sku="BETA-ONLY")

    everything = b"".join(client_a.get(reverse("catalog:product-export")).streaming_content).decode()
    searched = b"".join(
        client_a.get(reverse("catalog:product-export") + "?search=TS-M").streaming_content
    ).decode()

    assert [line.split(",")[0] for line in everything.splitlines()[1:]] == ["TS", "TS-M"]
    assert [line.split(",")[0] for line in searched.splitlines()[1:]] == ["TS-M"]
    assert "BETA-ONLY" not in everything


# --- jobs, API and pages ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_import_job_runs_on_a_worker_and_its_progress_reaches_the_total(api_a, account_a, celery_worker):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    rows = 12_000
    data = _csv(
        [["sku", "name_en", f"stock_{inventory.default_warehouse.name}"]]
        + [[f"JOB-{i:05d}", f"Product {i}", str(i % 50)] for i in range(rows)]
    )
    upload = io.BytesIO(data)
    upload.name = "products.csv"

    started = api_a.post(
        reverse("api:importjob-list"), {"inventory": inventory.pk, "file": upload}, format="multipart"
    )

    assert started.status_code == 202, started.json()
    job_id = started.json()["id"]
    wait_for(lambda: ImportJob.objects.get(pk=job_id).is_finished, what="the import job", timeout=60)
    body = api_a.get(reverse("api:importjob-detail", args=[job_id])).json()
    assert body["status"] == "done", body
    assert body["processed_rows"] == body["total_rows"] == rows and body["percent"] == 100
    assert body["created_count"] == rows and body["errors"] == []
    assert body["file_name"] == "products.csv"
    assert Product.objects.filter(inventory=inventory, sku__startswith="JOB-").count() == rows


def test_the_import_api_refuses_another_accounts_catalog(api_b, account_a):
    inventory_a = Inventory.objects.get(account=account_a, is_default=True)
    upload = io.BytesIO(b"sku\nX-1\n")
    upload.name = "x.csv"

    response = api_b.post(
        reverse("api:importjob-list"), {"inventory": inventory_a.pk, "file": upload}, format="multipart"
    )

    assert response.status_code == 400
    assert "inventory" in response.json()["errors"]
    assert not ImportJob.objects.exists()


def test_the_import_api_reports_errors_of_a_finished_job(
    api_a, account_a, django_capture_on_commit_callbacks
):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    upload = io.BytesIO(b"sku,weight\nA-1,1\nA-2,-4\n")
    upload.name = "bad.csv"
    with django_capture_on_commit_callbacks() as callbacks:
        job_id = api_a.post(
            reverse("api:importjob-list"), {"inventory": inventory.pk, "file": upload}, format="multipart"
        ).json()["id"]
    assert len(callbacks) == 1, "the job is enqueued once the upload is committed"

    import_job_run(job_id=job_id)
    body = api_a.get(reverse("api:importjob-detail", args=[job_id])).json()

    assert body["status"] == "done" and body["created_count"] == 0 and body["error_count"] == 1
    assert body["errors"] == [{"row": 3, "column": "weight", "message": "Must not be negative."}]
    assert body["message"] == "Nothing imported: 1 problem."
    listed = api_a.get(reverse("api:importjob-list")).json()
    assert [job["id"] for job in listed["results"]] == [job_id]


def test_upload_page_starts_a_job_whose_page_shows_progress_then_the_row_report(
    client_a, account_a, account_b
):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    Inventory.objects.filter(account=account_b).update(name="Beta secret catalog")
    form = client_a.get(reverse("catalog:import-create")).content.decode()
    assert inventory.name in form and "Beta secret catalog" not in form
    assert 'type="file"' in form and "valid_rows_only" in form

    upload = io.BytesIO(b"sku,weight,name_en\nW-1,1,First\nW-2,heavy,Second\n")
    upload.name = "web.csv"
    response = client_a.post(
        reverse("catalog:import-create"),
        {"inventory": inventory.pk, "file": upload, "valid_rows_only": "on"},
    )

    job = ImportJob.objects.get(account=account_a)
    assert response.status_code == 302 and response["Location"] == reverse(
        "catalog:import-detail", args=[job.pk]
    )
    page = client_a.get(response["Location"]).content.decode()
    assert "<progress" in page and reverse("catalog:import-progress", args=[job.pk]) in page
    assert 'hx-trigger="every 1s"' in page

    import_job_run(job_id=job.pk)
    partial = client_a.get(reverse("catalog:import-progress", args=[job.pk])).content.decode()
    assert "hx-get" not in partial, "polling stops once the job is done"
    assert "heavy" in partial and '<td class="num">3</td>' in partial
    assert Product.objects.filter(inventory=inventory, sku="W-1").exists()
    assert not Product.objects.filter(sku="W-2").exists()
    listing = client_a.get(reverse("catalog:import-list")).content.decode()
    assert "web.csv" in listing


def test_upload_page_refuses_another_accounts_catalog(client_b, account_a):
    inventory_a = Inventory.objects.get(account=account_a, is_default=True)
    upload = io.BytesIO(b"sku\nX-1\n")
    upload.name = "x.csv"

    response = client_b.post(reverse("catalog:import-create"), {"inventory": inventory_a.pk, "file": upload})

    assert response.status_code == 200 and "field-error" in response.content.decode()
    assert not ImportJob.objects.exists()
