"""Catalog change events: every way stock changes records exactly one event, with who caused it."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from catalog.bulk import stock_set_many
from catalog.events import EVENT_CHUNK
from catalog.imports import import_job_run
from catalog.models import ImportJob, Inventory, Product, Stock, Warehouse
from changes import registry, topics
from changes.models import ChangeEvent
from changes.origin import Origin, OriginKind
from tests.actors import admin_of
from tests.wmsbridge.test_sync_fixtures import (  # noqa: F401 - fixtures
    GOODS_OWNER_A,
    fast_client_fixture,
    make_connection,
    make_product,
    sandbox_fixture,
    sync,
)

CATALOG_TOPICS = [
    topics.STOCK_CHANGED,
    topics.PRICE_CHANGED,
    topics.PRODUCT_CREATED,
    topics.PRODUCT_CHANGED,
    topics.PRODUCT_DELETED,
]


@pytest.fixture
def catalog_consumer():
    """A consumer of every catalog change: with one registered, the catalog records its events."""
    registry.register("test-catalog", topics=CATALOG_TOPICS, handler=lambda event: None)
    yield
    registry.unregister("test-catalog")


def stock_events(account):
    return list(ChangeEvent.objects.filter(account_id=account.pk, topic=topics.STOCK_CHANGED).order_by("pk"))


@pytest.fixture
def shirt(account_a):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    return Product.objects.create(account=account_a, inventory=inventory, sku="SHIRT")


@pytest.mark.django_db
def test_the_web_stock_grid_records_one_event_by_the_signed_in_user(
    client_a, user_a, account_a, shirt, catalog_consumer
):
    warehouse = shirt.inventory.default_warehouse
    response = client_a.post(
        reverse("catalog:product-grid", args=[shirt.pk, "stock"]), {f"v-{shirt.pk}-{warehouse.pk}": "12"}
    )
    assert response.status_code == 302
    [event] = stock_events(account_a)
    assert event.origin.kind == OriginKind.USER and event.origin.id == user_a.pk
    assert event.payload["product_ids"] == [shirt.pk] and event.payload["warehouse_ids"] == [warehouse.pk]


@pytest.mark.django_db
def test_the_product_api_records_one_stock_event_by_the_token(
    api_a, token_a, account_a, shirt, catalog_consumer
):
    warehouse = shirt.inventory.default_warehouse
    response = api_a.patch(
        reverse("api:product-detail", args=[shirt.pk]),
        {"stock": [{"warehouse": warehouse.pk, "quantity": 4}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    [event] = stock_events(account_a)
    assert event.origin.kind == OriginKind.TOKEN and event.origin.id == token_a[0].pk
    assert event.payload == {"product_ids": [shirt.pk], "warehouse_ids": [warehouse.pk]}
    changed = ChangeEvent.objects.get(topic=topics.PRODUCT_CHANGED)
    assert changed.subject_id == shirt.pk and changed.origin.kind == OriginKind.TOKEN


@pytest.mark.django_db
def test_the_bulk_endpoint_records_one_stock_event_for_the_whole_batch(
    api_a, account_a, shirt, catalog_consumer
):
    inventory = shirt.inventory
    cap = Product.objects.create(account=account_a, inventory=inventory, sku="CAP")
    warehouse = inventory.default_warehouse
    items = [
        {"product_id": product.pk, "warehouse_id": warehouse.pk, "quantity": 3} for product in (shirt, cap)
    ]
    response = api_a.post(reverse("api:stock-bulk"), {"items": items}, format="json")
    assert response.status_code == 200, response.json()
    [event] = stock_events(account_a)
    assert event.origin.kind == OriginKind.TOKEN
    assert event.payload == {"product_ids": sorted([shirt.pk, cap.pk]), "warehouse_ids": [warehouse.pk]}


@pytest.mark.django_db
def test_a_csv_import_records_one_stock_event_by_whoever_started_it(
    api_a, token_a, account_a, catalog_consumer
):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    warehouse = inventory.default_warehouse
    upload = io.BytesIO(f"sku;name_en;stock_{warehouse.name}\nA-1;One;5\nA-2;Two;6\n".encode())
    upload.name = "products.csv"
    started = api_a.post(
        reverse("api:importjob-list"), {"inventory": inventory.pk, "file": upload}, format="multipart"
    )
    assert started.status_code == 202, started.json()

    import_job_run(job_id=started.json()["id"])

    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    ids = sorted(Product.objects.filter(inventory=inventory).values_list("pk", flat=True))
    [event] = stock_events(account_a)
    assert event.origin.kind == OriginKind.TOKEN and event.origin.id == token_a[0].pk
    assert event.payload == {"product_ids": ids, "warehouse_ids": [warehouse.pk]}
    [created] = ChangeEvent.objects.filter(topic=topics.PRODUCT_CREATED)
    assert created.payload["product_ids"] == ids


@pytest.mark.django_db
def test_an_order_taking_stock_records_one_stock_event(api_a, account_a, shirt, catalog_consumer):
    warehouse = shirt.inventory.default_warehouse
    Stock.objects.create(product=shirt, warehouse=warehouse, quantity=10)
    response = api_a.post(
        reverse("api:order-list"),
        {
            "email": "buyer@example.test",
            "lines": [{"product": shirt.pk, "quantity": 3, "price_brutto": "10"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    [event] = stock_events(account_a)
    assert event.payload == {"product_ids": [shirt.pk], "warehouse_ids": [warehouse.pk]}


@pytest.mark.django_db(transaction=True)
def test_the_wms_stock_sync_records_one_event_by_its_connection(
    account_a, sandbox, fast_client, catalog_consumer
):
    wms_warehouse = Warehouse.objects.create(account=account_a, name="Ongoing")
    counted = make_product(account_a, "COUNTED", stock=0)
    Stock.objects.create(product=counted, warehouse=wms_warehouse, quantity=3)
    fresh = make_product(account_a, "FRESH", stock=0)
    make_product(account_a, "SAME", stock=0)
    connection = make_connection(account_a, sandbox, stock_push=True, stock_warehouse=wms_warehouse)
    sync(connection, "articles")
    sandbox.set_stock(GOODS_OWNER_A, "COUNTED", 12)
    sandbox.set_stock(GOODS_OWNER_A, "FRESH", 4)
    ChangeEvent.objects.all().delete()

    sync(connection, "stock")

    [event] = stock_events(account_a)
    assert event.origin == Origin.wms(connection.pk, connection.name)
    assert event.payload["warehouse_ids"] == [wms_warehouse.pk]
    assert counted.pk in event.payload["product_ids"] and fresh.pk in event.payload["product_ids"]

    sync(connection, "stock")  # nothing changed: nothing to announce
    assert len(stock_events(account_a)) == 1


@pytest.mark.django_db
def test_a_large_bulk_change_records_a_bounded_number_of_events(account_a, catalog_consumer):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    count = 2 * EVENT_CHUNK + 5
    products = Product.objects.bulk_create(
        Product(account=account_a, inventory=inventory, sku=f"B-{i}") for i in range(count)
    )
    warehouse = inventory.default_warehouse

    stock_set_many(
        actor=admin_of(account_a),
        rows=[(product.pk, warehouse.pk, 7) for product in products],
        origin=Origin.system(),
    )

    events = stock_events(account_a)
    assert len(events) == 3
    assert all(len(event.payload["product_ids"]) <= EVENT_CHUNK for event in events)
    assert sorted(pk for event in events for pk in event.payload["product_ids"]) == sorted(
        p.pk for p in products
    )
    assert [(event.payload["part"], event.payload["parts"]) for event in events] == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.django_db
def test_nothing_is_recorded_when_no_consumer_wants_catalog_changes(account_a, shirt):
    warehouse = shirt.inventory.default_warehouse
    stock_set_many(actor=admin_of(account_a), rows=[(shirt.pk, warehouse.pk, 1)], origin=Origin.system())
    assert not ChangeEvent.objects.exists()
    assert Stock.objects.get(product=shirt).quantity == 1
