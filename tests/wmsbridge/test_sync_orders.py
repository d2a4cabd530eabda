"""Orders: the seed's mapping field by field, exactly-once export, holds, and no order left behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import JournalEntry, Order, OrderStatus
from orders.services import order_create
from tests.origins import TEST_ORIGIN
from tests.wmsbridge.test_sync_fixtures import (  # noqa: F401 - fixtures
    GOODS_OWNER_A,
    fast_client_fixture,
    make_connection,
    make_order,
    make_product,
    sandbox_fixture,
    status_of,
    sync,
)
from wmsbridge.models import OrderExport
from wmsbridge.selectors import wms_order_state
from wmsbridge.sync import connection_sync

pytestmark = pytest.mark.django_db(transaction=True)


def wms_order(sandbox, order):
    found = sandbox.state.order_by_number(GOODS_OWNER_A, str(order.pk))
    assert found is not None, f"order {order.pk} is not in the WMS"
    return found


def test_order_maps_field_by_field_as_the_seed_says(account_a, sandbox, fast_client):
    shirt = make_product(account_a, "SHIRT-1")
    mug = make_product(account_a, "MUG-1")
    order = order_create(
        account=account_a,
        status=status_of(account_a, "new"),
        lines=[
            {"product": shirt, "quantity": 2, "price_brutto": Decimal("49.90")},
            {"product": mug, "quantity": 1, "price_brutto": Decimal("15.00")},
        ],
        shop_order_id=778899,
        confirmed=True,
        date_confirmed=datetime(2025, 3, 1, 10, 30, tzinfo=UTC),
        user_comments="Leave at the door",
        admin_comments="VIP",
        delivery_point_id="PAR-123",
        delivery_fullname="Jan Kowalski",
        delivery_company="Kowalski sp. j.",
        delivery_address="ul. Polna 1",
        delivery_postcode="00-001",
        delivery_city="Warszawa",
        delivery_country_code="PL",
        delivery_state="MZ",
        email="jan@example.test",
        phone="+48600100200",
        invoice_nip="PL5260001246",
        invoice_company="Kowalski sp. j.",
        invoice_address="ul. Długa 5",
        invoice_postcode="00-002",
        invoice_city="Kraków",
        invoice_country_code="PL",
        invoice_state="MA",
        currency="PLN",
        origin=TEST_ORIGIN,
    )

    runs = sync(make_connection(account_a, sandbox), "articles", "orders")

    assert runs["orders"].created == 1
    got = wms_order(sandbox, order)
    info, consignee = got["orderInfo"], got["consignee"]
    raw = sandbox.state.orders_by_id[info["orderId"]].data  # as sent (GET hides vatNumber)
    # Order info ⇒ goods owner order id / number = OrderId; marketplace number = ShopOrderId.
    assert info["orderNumber"] == str(order.pk)
    assert info["goodsOwnerOrderId"] == str(order.pk)
    assert info["marketPlace"] == {"marketPlaceOrderNumber": "778899"}
    # Delivery date = DateConfirmed; remark = user comments + admin comments; service point.
    assert info["deliveryDate"].startswith("2025-03-01T10:30:00")
    assert info["orderRemark"] == "Leave at the door / VIP"
    assert info["servicePointCode"] == "PAR-123"
    # Customer ⇒ delivery address, customer number = OrderId, e-mail, phones, VAT number.
    assert consignee["name"] == "Jan Kowalski"
    assert consignee["address1"] == "ul. Polna 1"
    assert consignee["address2"] == "Kowalski sp. j."
    assert (consignee["postCode"], consignee["city"]) == ("00-001", "Warszawa")
    assert (consignee["countryCode"], consignee["countryStateCode"]) == ("PL", "MZ")
    assert consignee["customerNumber"] == str(order.pk)
    assert consignee["advanced"]["emailNotification"]["value"] == "jan@example.test"
    assert consignee["advanced"]["smsNotification"]["value"] == "+48600100200"
    assert consignee["advanced"]["telephoneNotification"]["value"] == "+48600100200"
    assert raw["consignee"]["vatNumber"] == "PL5260001246"
    assert info["emailNotification"]["value"] == "jan@example.test"
    # Customer ⇒ invoice address with e-mail and phones.
    invoice = consignee["invoiceAddress"]
    assert (invoice["name"], invoice["address1"]) == ("Kowalski sp. j.", "ul. Długa 5")
    assert (invoice["postCode"], invoice["city"], invoice["countryCode"]) == ("00-002", "Kraków", "PL")
    assert invoice["countryStateCode"] == "MA"
    assert invoice["advanced"]["emailNotification"]["value"] == "jan@example.test"
    assert invoice["advanced"]["smsNotification"]["value"] == "+48600100200"
    assert invoice["advanced"]["telephoneNotification"]["value"] == "+48600100200"
    # Order lines: article number = SKU, external line code = order product id, quantity, gross price.
    lines = {line["article"]["articleNumber"]: line for line in got["orderLines"]}
    first = order.lines.get(sku="SHIRT-1")
    assert lines["SHIRT-1"]["rowNumber"] == str(first.pk)
    assert lines["SHIRT-1"]["externalId"] == str(first.pk)
    assert lines["SHIRT-1"]["orderedNumberOfItems"] == 2
    assert lines["SHIRT-1"]["prices"] == {"customerLinePrice": 49.9, "currencyCode": "PLN"}
    assert lines["SHIRT-1"]["lineTotalCustomsValue"] == 99.8
    # Order line ⇒ product code = product id: carried by the article the line points at.
    assert lines["SHIRT-1"]["article"]["productCode"] == str(shirt.pk)
    assert lines["MUG-1"]["orderedNumberOfItems"] == 1
    export = OrderExport.objects.get(order=order)
    assert export.state == "exported" and export.wms_order_id == info["orderId"]


def test_each_order_is_exported_once_and_only_in_the_chosen_statuses(account_a, sandbox, fast_client):
    product = make_product(account_a, "SKU-1")
    new_orders = [make_order(account_a, [product]) for _ in range(3)]
    other = make_order(account_a, [product], status=status_of(account_a, "other"))
    connection = make_connection(account_a, sandbox)

    first = sync(connection, "articles", "orders")["orders"]
    writes = sandbox.state.counters["writes"]
    second = sync(connection, "articles", "orders")["orders"]

    assert first.created == 3
    assert second.created == 0
    assert sandbox.state.counters["writes"] == writes
    numbers = sorted(o["orderInfo"]["orderNumber"] for o in sandbox.state.orders(GOODS_OWNER_A))
    assert numbers == sorted(str(o.pk) for o in new_orders)
    assert not OrderExport.objects.filter(order=other).exists()


def test_status_after_export_moves_the_order_and_journals_it(account_a, sandbox, fast_client):
    product = make_product(account_a, "SKU-1")
    order = make_order(account_a, [product])
    in_progress = OrderStatus.objects.get(account=account_a, name="In progress")
    connection = make_connection(account_a, sandbox, status_after_export=in_progress)

    sync(connection, "articles", "orders")

    order.refresh_from_db()
    assert order.status == in_progress
    entry = JournalEntry.objects.filter(order=order, type=JournalEntry.Type.STATUS_CHANGED).last()
    assert entry.object_id == in_progress.pk
    assert "Sandbox" in str(entry.origin_label)
    assert (entry.origin_kind, entry.origin_id) == ("wms", connection.pk)


def test_an_order_whose_article_is_missing_is_held_with_its_reason_then_exported(
    account_a, sandbox, fast_client
):
    known = make_product(account_a, "KNOWN")
    order = order_create(
        account=account_a,
        status=status_of(account_a, "new"),
        lines=[
            {"product": known, "quantity": 1, "price_brutto": Decimal("5")},
            {"name": "Coming soon", "sku": "LATER-1", "quantity": 1, "price_brutto": Decimal("5")},
        ],
        origin=TEST_ORIGIN,
    )
    connection = make_connection(account_a, sandbox)

    run = sync(connection, "articles", "orders")["orders"]

    assert run.skipped == 1 and run.created == 0
    assert "LATER-1" in run.messages_shown()[0]["message"]
    state = wms_order_state(order)["connections"][0]
    assert state["state"] == "held"
    assert "LATER-1" in state["reason"]
    assert sandbox.state.order_by_number(GOODS_OWNER_A, str(order.pk)) is None

    make_product(account_a, "LATER-1")  # the article appears with the next articles sync
    runs = sync(connection)

    assert runs["orders"].created == 1
    assert wms_order(sandbox, order)
    assert wms_order_state(order)["connections"][0]["state"] == "exported"


def test_a_line_without_sku_holds_the_order(account_a, sandbox, fast_client):
    order = order_create(
        account=account_a,
        status=status_of(account_a, "new"),
        lines=[{"name": "Gift wrapping", "quantity": 1, "price_brutto": Decimal("3")}],
        origin=TEST_ORIGIN,
    )
    run = sync(make_connection(account_a, sandbox), "orders")["orders"]
    assert run.skipped == 1
    assert "Gift wrapping" in str(OrderExport.objects.get(order=order).last_error)


def test_an_order_created_during_a_run_is_exported_by_the_next_run(account_a, sandbox, fast_client):
    product = make_product(account_a, "SKU-1")
    for _ in range(3):
        make_order(account_a, [product])
    connection = make_connection(account_a, sandbox)
    sync(connection, "articles")
    late = []

    def create_an_order_midway(kind, done, total):
        if kind == "orders" and done == 0 and not late:
            late.append(make_order(account_a, [product]))

    first = connection_sync(connection_id=connection.pk, kinds=["orders"], progress=create_an_order_midway)
    assert first[0].created == 3
    assert sandbox.state.order_by_number(GOODS_OWNER_A, str(late[0].pk)) is None

    second = sync(connection, "orders")["orders"]

    assert second.created == 1
    assert wms_order(sandbox, late[0])


def test_orders_before_the_export_start_date_are_left_alone(account_a, sandbox, fast_client):
    product = make_product(account_a, "SKU-1")
    old = make_order(account_a, [product])
    Order.objects.filter(pk=old.pk).update(date_add=timezone.now() - timedelta(days=30))
    recent = make_order(account_a, [product])
    connection = make_connection(account_a, sandbox, export_orders_since=timezone.now() - timedelta(days=1))

    sync(connection, "articles", "orders")

    assert sandbox.state.order_by_number(GOODS_OWNER_A, str(old.pk)) is None
    assert wms_order(sandbox, recent)


def test_a_lost_export_record_is_recovered_without_a_second_wms_order(account_a, sandbox, fast_client):
    """The WMS took the order but Hurtlink never recorded it (crash), and the warehouse has started on
    it, so the WMS refuses to update it: the next run finds it by number and records it."""
    product = make_product(account_a, "SKU-1")
    order = make_order(account_a, [product])
    connection = make_connection(account_a, sandbox)
    sync(connection, "articles", "orders")
    wms_id = wms_order(sandbox, order)["orderInfo"]["orderId"]
    OrderExport.objects.filter(order=order).delete()
    sandbox.set_order_status(wms_id, 300)

    run = sync(connection, "orders")["orders"]

    assert run.created == 1 and run.failed == 0
    assert len(sandbox.state.orders(GOODS_OWNER_A)) == 1
    assert OrderExport.objects.get(order=order).wms_order_id == wms_id


def test_an_order_cancelled_after_export_is_cancelled_in_the_wms_unless_the_warehouse_started(
    account_a, sandbox, fast_client
):
    from orders.services import order_set_status

    product = make_product(account_a, "CANCEL-1")
    early, late = make_order(account_a, [product]), make_order(account_a, [product])
    connection = make_connection(account_a, sandbox)
    sync(connection, "articles", "orders")
    exports = {e.order_id: e for e in OrderExport.objects.filter(connection=connection)}
    # The warehouse releases the second order for picking: from then on it cannot be cancelled.
    sandbox.set_order_status(exports[late.pk].wms_order_id, 300)
    cancelled = status_of(account_a, "cancelled")
    order_set_status(order=early, status=cancelled, origin=TEST_ORIGIN)
    order_set_status(order=late, status=cancelled, origin=TEST_ORIGIN)

    run = sync(connection, "orders")["orders"]
    assert (run.updated, run.failed) == (1, 1)
    assert wms_order(sandbox, early)["orderInfo"]["orderStatus"]["number"] == 1000
    assert wms_order(sandbox, late)["orderInfo"]["orderStatus"]["number"] == 300
    early_state = wms_order_state(early)["connections"][0]
    late_state = wms_order_state(late)["connections"][0]
    assert early_state["cancelled_at"] is not None and early_state["wms_status"] == 1000
    assert "refused to cancel" in late_state["cancel_refused"]
    # Neither is tried again.
    again = sync(connection, "orders")["orders"]
    assert (again.updated, again.failed) == (0, 0)


def test_a_merged_technical_order_never_goes_to_the_warehouse(account_a, sandbox, fast_client):
    from django.template.loader import render_to_string

    from orders.services import orders_merge

    shirt = make_product(account_a, "SHIRT-1")
    mug = make_product(account_a, "MUG-1")
    first = make_order(account_a, [shirt], quantity=2)
    second = make_order(account_a, [mug], quantity=3)
    technical = orders_merge(account=account_a, orders=[first, second], main=first, origin=TEST_ORIGIN)
    assert technical.status == status_of(account_a, "new")  # an export status, like its sources
    connection = make_connection(account_a, sandbox)

    run = sync(connection, "articles", "orders")["orders"]

    assert run.created == 2
    numbers = sorted(o["orderInfo"]["orderNumber"] for o in sandbox.state.orders(GOODS_OWNER_A))
    assert numbers == sorted([str(first.pk), str(second.pk)])
    # Each article leaves the warehouse once: 2 shirts and 3 mugs, not 4 and 6.
    booked = {
        a["articleNumber"]: a["inventoryInfo"]["numberOfBookedItems"]
        for a in sandbox.state.articles(GOODS_OWNER_A)
    }
    assert booked == {"SHIRT-1": 2, "MUG-1": 3}
    assert not OrderExport.objects.filter(order=technical).exists()
    assert sync(connection, "orders")["orders"].created == 0
    state = wms_order_state(technical)["connections"][0]
    assert state["state"] == "technical"
    card = render_to_string("wmsbridge/_order_state.html", {"order": technical})
    assert "merged (technical) order" in card
