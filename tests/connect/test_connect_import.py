"""Importing a supplier's shared catalog: create or update by link (SKU as fallback), everything that
comes along, prices and stock through the Products settings, problems per product, and runs that change
nothing writing nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.models import (
    Category,
    ExtraField,
    ImportJob,
    Inventory,
    Price,
    Product,
    ProductLink,
    Stock,
    Warehouse,
)
from catalog.services import product_delete, product_save
from changes.origin import Origin
from config.stored_messages import message_text
from connect import services
from connect.imports import connect_import_create, connect_import_job_run, product_ids_parse
from connect.models import ConnectImport
from tests.actors import admin_of
from tests.connect.shared_setup import SYSTEM, shared_catalog_setup, sharing_update
from tests.factories.connect import owner_tenant
from tests.waiting import wait_for


@pytest.fixture
def shared(account_a, account_b):
    return shared_catalog_setup(account_a, account_b)


def _import(shared, account_b, *, run=True, **values) -> ConnectImport:
    inventory = values.pop("inventory", None) or Inventory.objects.get(account=account_b, is_default=True)
    saved = connect_import_create(
        actor=owner_tenant(account_b),
        integration=shared.contractor_integration,
        inventory=inventory,
        **values,
    )
    if run:
        connect_import_job_run(job_id=saved.last_job_id)
        saved.refresh_from_db()
    return saved


def _mine(account_b, sku) -> Product:
    return Product.objects.get(account=account_b, sku=sku)


def test_importing_all_shared_products_brings_texts_variants_bundles_categories_and_links(shared, account_b):
    saved = _import(shared, account_b)

    job = saved.last_job
    assert job.status == "done" and job.created_count == 5 and job.error_count == 0, job.errors
    assert job.processed_rows == job.total_rows == 5 and job.percent == 100
    drill = _mine(account_b, "DRILL-1")
    text = drill.texts.get(language="en")
    assert text.name == "Cordless drill" and text.description == "Strong 18V drill"
    assert text.features == [["Voltage", "18V"]]
    colour = ExtraField.objects.get(account=account_b, name="Colour")
    assert text.extra_fields == {str(colour.pk): "yellow"}
    assert not drill.texts.filter(language="pl").exists()  # only the shared language crosses
    assert [i.url for i in drill.images.all()] == [
        "https://img.example/drill-1.jpg",
        "https://img.example/drill-2.jpg",
    ]
    assert drill.category.name == "Drills" and drill.category.parent.name == "Tools"
    assert drill.category.account_id == account_b.pk
    assert list(drill.tags.values_list("name", flat=True)) == ["promo"]
    assert sorted(drill.variants.values_list("sku", flat=True)) == ["DRILL-1-BLUE", "DRILL-1-RED"]
    kit = _mine(account_b, "KIT-1")
    assert kit.is_bundle
    assert sorted((c.component.sku, c.quantity) for c in kit.components.all()) == [
        ("DRILL-1", 1),
        ("SAW-1", 2),
    ]
    link = ProductLink.objects.get(product=drill)
    assert link.storage == "connect" and link.storage_id == shared.contractor_integration.pk
    assert link.external_product_id == shared.drill.pk
    assert not Product.objects.filter(account=account_b, sku="SECRET-1").exists()
    assert saved.last_created == 5 and "5 products created" in str(saved.last_message)


def test_prices_and_stock_follow_the_products_settings_into_the_sync_targets(shared, account_b):
    warehouse = Warehouse.objects.create(account=account_b, name="Supplier stock")
    inventory = Inventory.objects.get(account=account_b, is_default=True)
    services.contractor_update(
        actor=owner_tenant(account_b),
        integration=shared.contractor_integration,
        price_multiplier=Decimal("1.30"),
        quantity_subtract=2,
        quantity_keep_percent=Decimal("10"),
        stock_sync=True,
        warehouse=warehouse,
        price_sync=True,
        price_group=inventory.default_price_group,
    )

    _import(shared, account_b)

    drill = _mine(account_b, "DRILL-1")
    assert Price.objects.get(product=drill, price_group=inventory.default_price_group).amount == Decimal(
        "130.00"
    )
    # 12 with 10 % kept back = 10 (rounded down), minus 2 = 8
    assert Stock.objects.get(product=drill, warehouse=warehouse).quantity == 8
    assert Stock.objects.get(product=_mine(account_b, "DRILL-1-BLUE"), warehouse=warehouse).quantity == 0
    assert not Stock.objects.filter(product=drill, warehouse=inventory.default_warehouse).exists()


def test_a_second_run_with_nothing_changed_writes_nothing_and_a_change_is_followed(shared, account_b):
    saved = _import(shared, account_b)
    drill = _mine(account_b, "DRILL-1")
    stamp = drill.updated_at

    again = services_rerun(saved, account_b)

    assert again.created_count == 0 and again.updated_count == 0
    drill.refresh_from_db()
    assert drill.updated_at == stamp
    product_save(
        actor=admin_of(shared.drill.account),
        product=shared.drill,
        origin=SYSTEM,
        texts={"en": {"name": "Cordless drill PRO"}},
        images=["https://img.example/drill-pro.jpg"],
    )
    third = services_rerun(saved, account_b)
    assert third.updated_count == 1 and third.created_count == 0
    assert drill.texts.get(language="en").name == "Cordless drill PRO"
    assert [i.url for i in drill.images.all()] == ["https://img.example/drill-pro.jpg"]


def services_rerun(saved, account_b) -> ImportJob:
    from connect.imports import connect_import_start

    job = connect_import_start(actor=owner_tenant(account_b), saved=saved)
    return connect_import_job_run(job_id=job.pk)


def test_an_existing_product_with_the_same_sku_is_updated_and_linked(shared, account_b):
    inventory = Inventory.objects.get(account=account_b, is_default=True)
    mine = product_save(
        actor=admin_of(account_b),
        product=Product(account=account_b, inventory=inventory, sku="SAW-1"),
        origin=SYSTEM,
        texts={"en": {"name": "My saw"}},
    )

    _import(shared, account_b, scope="products", product_ids=[shared.saw.pk])

    mine.refresh_from_db()
    assert mine.texts.get(language="en").name == "Garden saw"
    assert ProductLink.objects.get(product=mine).external_product_id == shared.saw.pk
    assert Product.objects.filter(account=account_b, sku="SAW-1").count() == 1


def test_chosen_categories_and_product_ids_import_only_those_with_what_they_need(shared, account_b):
    _import(shared, account_b, scope="categories", category_ids=[shared.tools.pk])
    assert set(Product.objects.filter(account=account_b).values_list("sku", flat=True)) == {
        "DRILL-1",
        "DRILL-1-RED",
        "DRILL-1-BLUE",
    }

    _import(shared, account_b, scope="products", product_ids=[shared.kit.pk])
    # the bundle brings its shared components (the drill is already linked and only updated)
    assert Product.objects.filter(account=account_b).count() == 5


def test_ids_that_are_not_shared_are_reported_and_nothing_is_written_unless_valid_rows_are_wanted(
    shared, account_b
):
    saved = _import(
        shared, account_b, scope="products", product_ids=[shared.saw.pk, shared.secret.pk, 999999]
    )

    job = saved.last_job
    assert job.status == "done" and job.created_count == 0
    assert {row for row, _c, _m in job.errors} == {shared.secret.pk, 999999}
    assert "not shared" in message_text(job.errors[0][2])
    assert not Product.objects.filter(account=account_b).exists()

    saved = _import(
        shared,
        account_b,
        scope="products",
        product_ids=[shared.saw.pk, shared.secret.pk],
        valid_rows_only=True,
    )
    assert saved.last_job.created_count == 1 and saved.last_job.error_count == 1
    assert list(Product.objects.filter(account=account_b).values_list("sku", flat=True)) == ["SAW-1"]


def test_a_sku_taken_by_a_product_linked_elsewhere_is_a_problem_of_that_product(shared, account_b):
    inventory = Inventory.objects.get(account=account_b, is_default=True)
    _import(shared, account_b, scope="products", product_ids=[shared.saw.pk])
    ProductLink.objects.filter(product__sku="SAW-1").update(external_id=123456, external_product=None)

    saved = _import(shared, account_b, scope="products", product_ids=[shared.saw.pk])

    assert saved.last_job.errors == [[shared.saw.pk, "sku", saved.last_job.errors[0][2]]]
    assert Product.objects.filter(inventory=inventory).count() == 1


def test_a_product_no_longer_shared_is_marked_and_its_stock_zeroed_never_deleted(shared, account_b):
    saved = _import(shared, account_b)
    sharing_update(shared, category_mode="except", categories=[shared.garden])

    job = services_rerun(saved, account_b)

    saw = _mine(account_b, "SAW-1")
    assert "no longer shared" in str(job.message)
    link = ProductLink.objects.get(product=saw)
    assert link.unshared_at is not None
    inventory = Inventory.objects.get(account=account_b, is_default=True)
    assert Stock.objects.get(product=saw, warehouse=inventory.default_warehouse).quantity == 0
    sharing_update(shared, category_mode="all", categories=[])
    services_rerun(saved, account_b)
    link.refresh_from_db()
    assert link.unshared_at is None


def test_an_import_from_a_blocked_link_fails_and_writes_nothing(shared, account_a, account_b):
    saved = _import(shared, account_b, run=False)
    services.contractor_set_state(actor=owner_tenant(account_a), link=shared.link, state="blocked")

    job = connect_import_job_run(job_id=saved.last_job_id)

    assert job.status == "failed" and "shares no products" in str(job.message)
    assert not Product.objects.filter(account=account_b).exists()
    with pytest.raises(ValidationError) as refused:
        _import(shared, account_b)
    assert "integration" in refused.value.message_dict


def test_the_import_refuses_another_accounts_catalog_and_categories(shared, account_a, account_b):
    with pytest.raises(ValidationError) as refused:
        _import(shared, account_b, inventory=Inventory.objects.get(account=account_a, is_default=True))
    assert "inventory" in refused.value.message_dict
    private = Category.objects.create(account=account_a, name="Not shared")
    with pytest.raises(ValidationError) as refused:
        _import(shared, account_b, scope="categories", category_ids=[private.pk])
    assert "categories" in refused.value.message_dict


def test_product_ids_are_read_from_pasted_text():
    assert product_ids_parse("12, 13;14\n15 12") == [12, 13, 14, 15]
    with pytest.raises(ValidationError):
        product_ids_parse("12 abc 0")


@pytest.mark.django_db(transaction=True)
def test_keep_importing_picks_up_a_newly_shared_product_and_a_deleted_one_is_marked(
    account_a, account_b, celery_worker
):
    shared = shared_catalog_setup(account_a, account_b)
    saved = _import(shared, account_b, keep_importing=True, run=False)
    wait_for(
        lambda: ImportJob.objects.get(pk=saved.last_job_id).is_finished, what="the first run", timeout=30
    )

    new = product_save(
        actor=admin_of(account_a),
        product=Product(account=account_a, inventory=shared.inventory, sku="HOSE-1", category=shared.garden),
        origin=Origin.system(),
        texts={"en": {"name": "Garden hose"}},
    )
    wait_for(lambda: Product.objects.filter(account=account_b, sku="HOSE-1").exists(), what="the new product")
    product_delete(
        actor=admin_of(shared.drill_blue.account), product=shared.drill_blue, origin=Origin.system()
    )
    wait_for(
        lambda: ProductLink.objects.filter(product__sku="DRILL-1-BLUE", unshared_at__isnull=False).exists(),
        what="the deleted product marked",
    )
    saved.refresh_from_db()
    assert saved.last_trigger == "change" and saved.last_run_at is not None
    assert Product.objects.filter(account=account_b, sku="DRILL-1-BLUE").exists()
    assert ProductLink.objects.get(product__sku="HOSE-1").external_product_id == new.pk


def test_every_product_a_run_looks_at_is_counted_once_on_its_page_and_in_the_api(
    shared, account_b, client_b, api_b
):
    """Rows are every product the run looked at (the asked-for ids found not shared too), and each is
    created, updated, unchanged or has problems — on the finished import's page and in the REST
    progress."""
    from django.urls import reverse

    _import(shared, account_b, scope="products", product_ids=[shared.saw.pk])
    saved = _import(
        shared,
        account_b,
        scope="products",
        product_ids=[shared.saw.pk, shared.secret.pk],
        valid_rows_only=True,
    )

    job = saved.last_job
    assert (job.total_rows, job.created_count, job.updated_count) == (2, 0, 0)
    assert (job.unchanged_count, job.error_count, job.not_imported_count) == (1, 1, 0)
    assert (
        message_text(job.message) == "0 products created; 0 updated; 1 unchanged; 1 left out with a problem."
    )
    page = client_b.get(reverse("catalog:import-detail", args=[job.pk])).content.decode()
    for label, value in (("Rows", 2), ("Products unchanged", 1), ("Products with problems", 1)):
        assert f'<th>{label}</th><td class="num">{value}</td>' in page
    progress = api_b.get(reverse("api:connect-import-detail", args=[saved.pk])).json()["last_job"]
    assert progress["total_rows"] == progress["processed_rows"] == 2
    assert sum(progress[k] for k in ("created_count", "updated_count", "unchanged_count", "error_count")) == 2

    # Without "import the valid rows", a problem stops the run: the rest is "not imported", not lost.
    saved = _import(shared, account_b, scope="products", product_ids=[shared.drill.pk, shared.secret.pk])
    job = saved.last_job
    assert (job.total_rows, job.error_count, job.not_imported_count) == (4, 1, 3)
    page = client_b.get(reverse("catalog:import-detail", args=[job.pk])).content.decode()
    assert '<th>Not imported because of the problems</th><td class="num">3</td>' in page
