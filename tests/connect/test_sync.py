"""Connect stock and price sync: a provider's change reaches every linked contractor product.

Account A is the provider (wholesaler), B the contractor (shop) with products linked to A's. The tests
with a real Celery worker show each way A's stock can change reaching B after commit; the others run the
outbox's deliveries in-process (the worker's task calls the same function).
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog import events as catalog_events
from catalog.bulk import price_set_many, stock_set_many
from catalog.models import Inventory, PriceGroup, ProductLink, Stock, Warehouse
from changes import topics
from changes.models import ChangeDelivery, ChangeEvent
from changes.origin import Origin, OriginKind
from connect import services, sync
from connect.models import ContractorLink, ProductSync
from connect.shared_catalog import shared_catalog_get, shared_product_list
from tests.actors import admin_of
from tests.connect import shared_setup
from tests.connect.sync_setup import deliver_pending, link_copies, shared_catalog
from tests.factories.accounts import AccountFactory
from tests.factories.connect import owner_tenant
from tests.waiting import wait_for
from tests.wmsbridge.test_sync_fixtures import (  # noqa: F401 - fixtures
    GOODS_OWNER_A,
    fast_client_fixture,
    make_connection,
    sandbox_fixture,
)
from tests.wmsbridge.test_sync_fixtures import sync as wms_sync


def contractor_stock_becomes(shared, copy, quantity: int, what: str) -> None:
    wait_for(lambda: shared.stock(copy) == quantity, what=f"{what} to reach the contractor", timeout=15)


# ------------------------------------------------------------------------ every way stock changes


@pytest.fixture
def shared_ab(celery_worker, account_a, account_b, user_a, user_b):
    """A shares two products with B; B's sync is switched on (its first resync has run)."""
    shared = shared_catalog(account_a, account_b, count=2, stock=10)
    wait_for(lambda: [shared.stock(c) for c in shared.copies] == [10, 10], what="the first resync")
    return shared


@pytest.mark.django_db(transaction=True)
def test_a_person_editing_the_stock_grid_reaches_the_contractor(client_a, shared_ab, celery_worker):
    original, copy = shared_ab.originals[0], shared_ab.copies[0]
    response = client_a.post(
        reverse("catalog:product-grid", args=[original.pk, "stock"]),
        {f"v-{original.pk}-{shared_ab.source_warehouse.pk}": "37"},
    )
    assert response.status_code == 302
    contractor_stock_becomes(shared_ab, copy, 37, "an edit of the stock grid")
    assert shared_ab.stock(shared_ab.copies[1]) == 10  # the other product is as it was


@pytest.mark.django_db(transaction=True)
def test_the_product_api_reaches_the_contractor(api_a, shared_ab, celery_worker):
    original, copy = shared_ab.originals[1], shared_ab.copies[1]
    response = api_a.patch(
        reverse("api:product-detail", args=[original.pk]),
        {"stock": [{"warehouse": shared_ab.source_warehouse.pk, "quantity": 4}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    contractor_stock_becomes(shared_ab, copy, 4, "a change through the product API")


@pytest.mark.django_db(transaction=True)
def test_a_csv_import_reaches_the_contractor(api_a, shared_ab, celery_worker):
    inventory = Inventory.objects.get(account=shared_ab.provider, is_default=True)
    skus = [p.sku for p in shared_ab.originals]
    upload = io.BytesIO(f"sku;stock_{shared_ab.source_warehouse.name}\n{skus[0]};21\n{skus[1]};22\n".encode())
    upload.name = "stock.csv"
    started = api_a.post(
        reverse("api:importjob-list"), {"inventory": inventory.pk, "file": upload}, format="multipart"
    )
    assert started.status_code == 202, started.json()
    contractor_stock_becomes(shared_ab, shared_ab.copies[0], 21, "a CSV import")
    contractor_stock_becomes(shared_ab, shared_ab.copies[1], 22, "a CSV import")


@pytest.mark.django_db(transaction=True)
def test_the_bulk_stock_endpoint_reaches_the_contractor(api_a, shared_ab, celery_worker):
    items = [
        {"product_id": p.pk, "warehouse_id": shared_ab.source_warehouse.pk, "quantity": 50 + i}
        for i, p in enumerate(shared_ab.originals)
    ]
    response = api_a.post(reverse("api:stock-bulk"), {"items": items}, format="json")
    assert response.status_code == 200, response.json()
    contractor_stock_becomes(shared_ab, shared_ab.copies[0], 50, "the bulk endpoint")
    contractor_stock_becomes(shared_ab, shared_ab.copies[1], 51, "the bulk endpoint")


@pytest.mark.django_db(transaction=True)
def test_the_wms_stock_sync_reaches_the_contractor(account_a, shared_ab, sandbox, fast_client, celery_worker):
    original, copy = shared_ab.originals[0], shared_ab.copies[0]
    connection = make_connection(
        account_a, sandbox, stock_push=True, stock_warehouse=shared_ab.source_warehouse
    )
    wms_sync(connection, "articles")
    sandbox.set_stock(GOODS_OWNER_A, original.sku, 64)

    wms_sync(connection, "stock")

    contractor_stock_becomes(shared_ab, copy, 64, "the WMS stock sync")


@pytest.mark.django_db(transaction=True)
def test_an_order_taking_the_providers_stock_reaches_the_contractor(api_a, shared_ab, celery_worker):
    original, copy = shared_ab.originals[0], shared_ab.copies[0]
    response = api_a.post(
        reverse("api:order-list"),
        {
            "email": "buyer@example.test",
            "lines": [{"product": original.pk, "quantity": 3, "price_brutto": "10"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    contractor_stock_becomes(shared_ab, copy, 7, "an order's reservation")


@pytest.mark.django_db(transaction=True)
def test_a_price_change_reaches_the_contractor_times_the_multiplier(
    api_a, account_a, account_b, celery_worker
):
    shared = shared_catalog(account_a, account_b, count=1, price_multiplier=Decimal("1.30"))
    original, copy = shared.originals[0], shared.copies[0]
    response = api_a.patch(
        reverse("api:product-detail", args=[original.pk]),
        {"prices": [{"price_group": shared.source_group.pk, "amount": "10.05"}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    # 10.05 × 1.30 = 13.065 → 13.07 (half up to the grosz)
    wait_for(lambda: shared.price(copy) == Decimal("13.07"), what="the price to reach the contractor")


@pytest.mark.django_db(transaction=True)
def test_saving_the_stock_tab_resyncs_at_once(client_b, account_a, account_b, celery_worker):
    shared = shared_catalog(account_a, account_b, count=2, stock=10, sync_on=False)
    assert shared.stock(shared.copies[0]) is None
    response = client_b.post(
        reverse("connect:supplier-tab", args=[shared.supplier.pk, "stock"]),
        {"stock_sync": "on", "warehouse": shared.target_warehouse.pk},
    )
    assert response.status_code == 302
    wait_for(
        lambda: [shared.stock(c) for c in shared.copies] == [10, 10], what="the resync after saving the tab"
    )
    wait_for(
        lambda: ProductSync.objects.filter(integration=shared.supplier, resynced_at__isnull=False).exists(),
        what="the tab to know when the resync ran",
    )


@pytest.mark.django_db(transaction=True)
def test_the_credit_block_shows_zero_stock_until_the_credit_is_back(account_a, account_b, celery_worker):
    shared = shared_catalog(account_a, account_b, count=1, stock=10)
    copy = shared.copies[0]
    provider = owner_tenant(account_a)
    services.credit_settings_update(
        actor=provider,
        link=shared.link,
        credit_limit=Decimal("100"),
        credit_currency="PLN",
        block_stock_below=Decimal("50"),
    )
    contractor_stock_becomes(shared, copy, 10, "the first sync")
    services.credit_adjust(actor=provider, link=shared.link, amount="-60", description="unpaid invoice")
    contractor_stock_becomes(shared, copy, 0, "the stock block")
    assert sync.stock_zeroed(link=ContractorLink.objects.get(pk=shared.link.pk))
    services.credit_payment_record(actor=provider, link=shared.link, amount="20", description="wire")
    contractor_stock_becomes(shared, copy, 10, "the end of the stock block")
    assert not sync.stock_zeroed(link=ContractorLink.objects.get(pk=shared.link.pk))


# ------------------------------------------------------------------------ what the values are


@pytest.mark.django_db
def test_the_multiplier_is_rounded_to_the_currencys_minor_unit(account_a, account_b, user_b):
    shared = shared_catalog(account_a, account_b, count=2, price="99.99")
    yen = PriceGroup.objects.create(account=account_b, name="Japan", currency="JPY")
    shared.settings(price_multiplier=Decimal("1.3"), price_group=yen)
    sync.link_resync_full(link_id=shared.link.pk)  # what saving the settings starts after commit
    price_set_many(
        actor=admin_of(account_a),
        rows=[
            (shared.originals[0].pk, shared.source_group.pk, "99.99"),
            (shared.originals[1].pk, shared.source_group.pk, "0.01"),
        ],
        origin=Origin.system(),
    )
    deliver_pending()
    prices = {p.product_id: p.amount for p in yen.prices.all()}
    # 99.99 × 1.3 = 129.987 → 130 yen; 0.01 × 1.3 = 0.013 → 0 yen (never negative)
    assert prices == {shared.copies[0].pk: Decimal("130.00"), shared.copies[1].pk: Decimal("0.00")}


@pytest.mark.django_db
def test_the_quantity_correction_keeps_back_and_subtracts_never_below_zero(account_a, account_b, user_b):
    shared = shared_catalog(
        account_a, account_b, count=2, quantity_subtract=2, quantity_keep_percent=Decimal("25")
    )
    stock_set_many(
        actor=admin_of(account_a),
        rows=[
            (shared.originals[0].pk, shared.source_warehouse.pk, 10),
            (shared.originals[1].pk, shared.source_warehouse.pk, 1),
        ],
        origin=Origin.system(),
    )
    deliver_pending()
    # 10 − 25 % = 7.5 → 7, − 2 = 5;   1 − 25 % = 0.75 → 0, − 2 → 0
    assert [shared.stock(c) for c in shared.copies] == [5, 0]


@pytest.mark.django_db
def test_a_provider_product_without_stock_in_the_source_warehouse_counts_as_zero(
    account_a, account_b, user_b
):
    shared = shared_catalog(account_a, account_b, count=1)
    Stock.objects.filter(product=shared.originals[0]).delete()
    sync.link_resync(link_id=shared.link.pk)
    assert shared.stock(shared.copies[0]) == 0


# ------------------------------------------------------------------------ when nothing is written


@pytest.mark.django_db
def test_with_sync_off_nothing_is_touched(account_a, account_b, user_b):
    shared = shared_catalog(account_a, account_b, count=1, sync_on=False)
    copy = shared.copies[0]
    stock_set_many(
        actor=admin_of(account_b), rows=[(copy.pk, shared.target_warehouse.pk, 3)], origin=Origin.system()
    )
    price_set_many(
        actor=admin_of(account_b), rows=[(copy.pk, shared.target_group.pk, "5")], origin=Origin.system()
    )
    original = shared.originals[0]
    stock_set_many(
        actor=admin_of(account_a),
        rows=[(original.pk, shared.source_warehouse.pk, 99)],
        origin=Origin.system(),
    )
    price_set_many(
        actor=admin_of(account_a), rows=[(original.pk, shared.source_group.pk, "99")], origin=Origin.system()
    )
    deliver_pending()
    sync.link_check(link_id=shared.link.pk)
    assert (shared.stock(copy), shared.price(copy)) == (3, Decimal("5.00"))
    # nobody follows these values: the provider's changes did not even record a delivery
    assert not ChangeDelivery.objects.filter(consumer=sync.CONSUMER).exists()


@pytest.mark.django_db
def test_a_blocked_link_is_not_written_and_catches_up_when_activated(account_a, account_b, user_b):
    shared = shared_catalog(account_a, account_b, count=1, stock=10)
    sync.link_resync(link_id=shared.link.pk)
    original, copy = shared.originals[0], shared.copies[0]
    stock_set_many(
        actor=admin_of(account_a),
        rows=[(original.pk, shared.source_warehouse.pk, 44)],
        origin=Origin.system(),
    )
    services.contractor_set_state(actor=owner_tenant(account_a), link=shared.link, state="blocked")
    deliver_pending()  # the change recorded before the block arrives after it
    sync.link_check(link_id=shared.link.pk)
    assert shared.stock(copy) == 10

    services.contractor_set_state(actor=owner_tenant(account_a), link=shared.link, state="active")
    sync.link_resync_full(link_id=shared.link.pk)  # what the activation enqueues
    assert shared.stock(copy) == 44


@pytest.mark.django_db
def test_a_link_blocked_during_a_bulk_change_stops_being_written(account_a, account_b, user_b, monkeypatch):
    monkeypatch.setattr(catalog_events, "EVENT_CHUNK", 3)
    shared = shared_catalog(account_a, account_b, count=9, stock=10)
    sync.link_resync(link_id=shared.link.pk)
    stock_set_many(
        actor=admin_of(account_a),
        rows=[(p.pk, shared.source_warehouse.pk, 70) for p in shared.originals],
        origin=Origin.system(),
    )
    [first, *rest] = ChangeDelivery.objects.filter(consumer=sync.CONSUMER).order_by("event_id")
    assert len(rest) == 2
    from changes.services import delivery_run

    delivery_run(delivery_id=first.pk)
    services.contractor_set_state(actor=owner_tenant(account_a), link=shared.link, state="blocked")
    deliver_pending()
    assert [shared.stock(c) for c in shared.copies] == [70, 70, 70] + [10] * 6


@pytest.mark.django_db
def test_a_product_the_contractors_range_leaves_out_is_not_synced(account_a, account_b, user_b):
    shared = shared_catalog(account_a, account_b, count=2, stock=10)
    services.contractor_link_update(
        actor=owner_tenant(account_a),
        link=shared.link,
        range_mode="products",
        range_products=[shared.originals[0]],
    )
    stock_set_many(
        actor=admin_of(account_a),
        rows=[(p.pk, shared.source_warehouse.pk, 33) for p in shared.originals],
        origin=Origin.system(),
    )
    deliver_pending()
    assert [shared.stock(c) for c in shared.copies] == [33, 10]


@pytest.mark.django_db
def test_the_sync_follows_exactly_the_products_the_shared_catalog_shows(account_a, account_b, user_a, user_b):
    # Tools has a subcategory (Drills: the drill and its two variants); Garden holds the saw; only the
    # drill is tagged promo. The contractor linked all four and follows their stock.
    shared = shared_setup.shared_catalog_setup(account_a, account_b)
    originals = [shared.drill, shared.drill_red, shared.drill_blue, shared.saw]
    supplier = shared.contractor_integration
    copies = link_copies(originals, contractor=account_b, supplier=supplier)
    target = Inventory.objects.get(account=account_b, is_default=True).default_warehouse
    services.contractor_update(
        actor=owner_tenant(account_b), integration=supplier, stock_sync=True, warehouse=target
    )
    sync.link_resync(link_id=shared.link.pk, kinds=(sync.STOCK,))  # what saving the settings starts
    cases = [
        (
            {"category_mode": "only", "categories": [shared.tools]},
            {},
            {"DRILL-1", "DRILL-1-RED", "DRILL-1-BLUE"},
        ),
        ({"category_mode": "except", "categories": [shared.tools]}, {}, {"SAW-1"}),
        ({"category_mode": "all", "tags": [shared.promo]}, {}, {"DRILL-1", "DRILL-1-RED", "DRILL-1-BLUE"}),
        (
            {"tags": []},
            {"range_mode": "products", "range_products": [shared.drill_red]},
            {"DRILL-1", "DRILL-1-RED"},
        ),
        (
            {},
            {"range_mode": "categories", "range_categories": [shared.tools]},
            {"DRILL-1", "DRILL-1-RED", "DRILL-1-BLUE"},
        ),
        (
            {},
            {"range_mode": "tags", "range_tags": [shared.promo]},
            {"DRILL-1", "DRILL-1-RED", "DRILL-1-BLUE"},
        ),
    ]

    def followed(quantity: int) -> set[str]:
        rows = Stock.objects.filter(product__in=copies, warehouse=target, quantity=quantity)
        by_copy = {copy.pk: original.sku for copy, original in zip(copies, originals, strict=True)}
        return {by_copy[pk] for pk in rows.values_list("product_id", flat=True)}

    for n, (sharing, link, expected) in enumerate(cases):
        if sharing:
            shared_setup.sharing_update(shared, **sharing)
        if link:
            shared_setup.link_update(shared, **link)
        catalog = shared_catalog_get(account=account_b, pk=supplier.pk)
        shown = set(shared_product_list(catalog, variants=True).values_list("sku", flat=True)) - {"KIT-1"}
        assert shown == expected
        # A change of the provider's stock reaches exactly those ...
        stock_set_many(
            actor=admin_of(account_a),
            rows=[(p.pk, shared.warehouse.pk, 100 + n) for p in originals],
            origin=Origin.system(),
        )
        deliver_pending()
        assert followed(100 + n) == expected, sharing or link
        # ... and so does a whole-link resync (the reconciliation's path).
        Stock.objects.filter(product__in=originals, warehouse=shared.warehouse).update(quantity=200 + n)
        sync.link_resync(link_id=shared.link.pk, kinds=(sync.STOCK,))
        assert followed(200 + n) == expected, sharing or link


# ------------------------------------------------------------------------ no echo, batches, reconciliation


@pytest.mark.django_db
def test_the_contractors_rows_carry_the_link_as_origin_and_nothing_comes_back(account_a, account_b, user_b):
    shared = shared_catalog(account_a, account_b, count=1)
    # B shares its own catalog with C, so B's changes are wanted by someone (and must not go back to A)
    account_c = AccountFactory(name="Gamma Retail")
    onward = shared_catalog(account_b, account_c, count=0)
    onward_copy = link_copies(shared.copies, contractor=account_c, supplier=onward.supplier)[0]
    sync.link_resync(link_id=onward.link.pk)  # as the import leaves them: with a stock row
    original = shared.originals[0]
    stock_set_many(
        actor=admin_of(account_a),
        rows=[(original.pk, shared.source_warehouse.pk, 12)],
        origin=Origin.system(),
    )
    provider_events = ChangeEvent.objects.filter(account=account_a).count()

    deliver_pending()

    [event] = ChangeEvent.objects.filter(account=account_b, topic=topics.STOCK_CHANGED)
    assert event.origin.kind == OriginKind.CONNECT and event.origin.id == shared.link.pk
    assert event.origin_depth == 1 and event.payload["product_ids"] == [shared.copies[0].pk]
    assert ChangeEvent.objects.filter(account=account_a).count() == provider_events  # no echo
    assert shared.stock(shared.copies[0]) == 12
    assert onward.stock(onward_copy) == 12  # a contractor sharing on passes it along


@pytest.mark.django_db
def test_two_accounts_supplying_each_other_stop_after_a_few_rounds(account_a, account_b, user_a, user_b):
    shared = shared_catalog(account_a, account_b, count=1, price_multiplier=Decimal("2"))
    back = shared_catalog(account_b, account_a, count=0, price_multiplier=Decimal("2"))
    original, copy = shared.originals[0], shared.copies[0]
    # A's product is itself linked to B's copy of it: every price change doubles around the circle.
    ProductLink.objects.create(
        account=account_a,
        product=original,
        storage="connect",
        storage_id=back.supplier.pk,
        external_product=copy,
        external_id=copy.pk,
    )
    price_set_many(
        actor=admin_of(account_a), rows=[(original.pk, shared.source_group.pk, "1")], origin=Origin.system()
    )

    deliver_pending()

    # 1 → B 2 → A 4 → B 8 → A 16 → B 32, and there it stops: a change MAX_DEPTH reactions deep is
    # written but passed on no more
    depths = ChangeEvent.objects.filter(topic=topics.PRICE_CHANGED).values_list("origin_depth", flat=True)
    assert sorted(depths) == list(range(sync.MAX_DEPTH))
    assert (shared.price(copy), back.price(original)) == (Decimal("32.00"), Decimal("16.00"))


@pytest.mark.django_db
def test_a_bulk_change_of_many_products_is_carried_in_batches(account_a, account_b, user_b, monkeypatch):
    # Events of 200 products instead of 10,000 (the size bench/connect_stock_sync.py measures): three
    # chunks either way, one statement per chunk.
    monkeypatch.setattr(catalog_events, "EVENT_CHUNK", 200)
    count = 2 * catalog_events.EVENT_CHUNK + 5
    shared = shared_catalog(account_a, account_b, count=count, stock=10)
    sync.link_resync(link_id=shared.link.pk)
    ChangeEvent.objects.all().delete()
    stock_set_many(
        actor=admin_of(account_a),
        rows=[(p.pk, shared.source_warehouse.pk, 3) for p in shared.originals],
        origin=Origin.system(),
    )
    assert ChangeDelivery.objects.filter(consumer=sync.CONSUMER).count() == 3

    assert deliver_pending() == 3

    assert (
        Stock.objects.filter(
            product__account=account_b, warehouse=shared.target_warehouse, quantity=3
        ).count()
        == count
    )
    contractor_events = ChangeEvent.objects.filter(account=account_b, topic=topics.STOCK_CHANGED)
    assert contractor_events.count() <= 3  # recorded per batch, not per row (and only if someone listens)


@pytest.mark.django_db
def test_the_reconciliation_repairs_a_drifted_row_and_reports_it(account_a, account_b, user_b):
    shared = shared_catalog(account_a, account_b, count=3, stock=10, price="8.00")
    sync.link_check(link_id=shared.link.pk)  # first pass fills every row
    state = ProductSync.objects.get(integration=shared.supplier)
    first_check = state.checked_at
    # The contractor edits a synced value by hand, and a provider change is lost on the way.
    stock_set_many(
        actor=admin_of(account_b),
        rows=[(shared.copies[0].pk, shared.target_warehouse.pk, 999)],
        origin=Origin.system(),
    )
    Stock.objects.filter(product=shared.originals[1], warehouse=shared.source_warehouse).update(quantity=4)

    repaired = sync.link_check(link_id=shared.link.pk)

    assert repaired == {"stock": 2, "prices": 0}
    assert [shared.stock(c) for c in shared.copies] == [10, 4, 10]
    state.refresh_from_db()
    assert state.checked_at > first_check and state.repaired_at == state.checked_at
    assert (state.repaired_stock, state.repaired_prices) == (2, 0)

    assert sync.link_check(link_id=shared.link.pk) == {"stock": 0, "prices": 0}
    state.refresh_from_db()
    assert state.repaired_at < state.checked_at and state.repaired_stock == 2  # the last repair stays shown


@pytest.mark.django_db
def test_the_reconciliation_task_checks_every_link_with_sync_on(account_a, account_b, user_b):
    shared = shared_catalog(account_a, account_b, count=1)
    off = shared_catalog(account_a, AccountFactory(name="Delta"), count=1, sync_on=False, prefix="Q")
    assert sync.links_to_check() == [shared.link.pk]
    assert off.link.pk not in sync.links_to_check()


@pytest.mark.django_db
def test_another_warehouse_of_the_provider_is_not_followed(account_a, account_b, user_b):
    shared = shared_catalog(account_a, account_b, count=1, stock=10)
    sync.link_resync(link_id=shared.link.pk)
    other = Warehouse.objects.create(account=account_a, name="Back room")
    stock_set_many(
        actor=admin_of(account_a), rows=[(shared.originals[0].pk, other.pk, 500)], origin=Origin.system()
    )
    assert not ChangeDelivery.objects.filter(consumer=sync.CONSUMER).exists()
    assert shared.stock(shared.copies[0]) == 10
