"""Shipments back: sent in the WMS → package, label PDF and tracking uploaded, status moved, once.

Polling (every run) and the webhook (with its 404/400/200 answers and deduplication)."""

from __future__ import annotations

import base64
import json
import logging
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import JournalEntry
from shipments.models import Package
from tests.waiting import wait_for
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
from wmsbridge.models import OrderExport, WebhookEvent, WmsConnection
from wmsbridge.selectors import wms_order_state
from wmsbridge.tasks import wms_webhook_process

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def exported(account_a, sandbox, fast_client):
    """An order exported to the sandbox: (connection, order, WMS order id)."""
    product = make_product(account_a, "SKU-1")
    order = make_order(account_a, [product])
    connection = make_connection(account_a, sandbox)
    sync(connection, "articles", "orders")
    wms_id = OrderExport.objects.get(order=order).wms_order_id
    return connection, order, wms_id


def test_a_sent_order_gets_package_label_and_tracking_once(account_a, sandbox, exported):
    connection, order, wms_id = exported
    sandbox.set_order_status(wms_id, 400)
    assert sync(connection, "shipments")["shipments"].created == 0
    sandbox.send_order(wms_id)  # 450: the shop books the transport

    run = sync(connection, "shipments")["shipments"]

    assert run.created == 1
    package = Package.objects.get(order=order)
    assert package.courier_code == "hurtlink"
    wms = sandbox.state.order(wms_id)
    files = sandbox.state.orders_by_id[wms_id].files
    assert [f["fileName"] for f in files] == [f"label-{order.pk}-{package.pk}.pdf"]
    assert base64.b64decode(files[0]["fileDataBase64"]).startswith(b"%PDF")
    assert wms["tracking"][0]["waybill"] == package.courier_package_nr
    assert wms["tracking"][0]["trackingUrl"] == package.tracking_url
    assert wms["orderInfo"]["wayBill"] == package.courier_package_nr
    order.refresh_from_db()
    assert order.status == status_of(account_a, "sent")
    journal = set(JournalEntry.objects.filter(order=order).values_list("type", flat=True))
    assert {JournalEntry.Type.PACKAGE_CREATED, JournalEntry.Type.STATUS_CHANGED} <= journal
    state = wms_order_state(order)["connections"][0]
    assert state["label_uploaded"] and state["tracking_written"] and state["wms_status"] == 450

    again = sync(connection, "shipments")["shipments"]
    assert again.created == 0
    assert Package.objects.filter(order=order).count() == 1
    assert len(sandbox.state.orders_by_id[wms_id].files) == 1


def test_tracking_the_warehouse_already_has_is_used(account_a, sandbox, exported):
    connection, order, wms_id = exported
    sandbox.send_order(wms_id, waybill="00370712345678901234", tracking_url="https://track.example/0037")

    sync(connection, "shipments")

    package = Package.objects.get(order=order)
    assert package.courier_code == "manual"
    assert package.courier_package_nr == "00370712345678901234"
    assert package.tracking_url == "https://track.example/0037"
    assert [t["waybill"] for t in sandbox.state.order(wms_id)["tracking"]] == ["00370712345678901234"]


def test_without_tracking_and_without_a_label_courier_the_reason_is_shown(account_a, sandbox, exported):
    connection, order, wms_id = exported
    connection.label_courier = "manual"
    connection.save(update_fields=["label_courier"])
    sandbox.send_order(wms_id)

    run = sync(connection, "shipments")["shipments"]

    assert run.failed == 1
    assert "label courier" in run.messages_shown()[0]["message"]
    assert not Package.objects.filter(order=order).exists()


def test_a_warehouse_waybill_without_a_url_ships_back_without_an_empty_tracking_url(
    account_a, sandbox, exported
):
    connection, order, wms_id = exported
    sandbox.send_order(wms_id, waybill="00370712345678901234")  # the warehouse's own transport, no link

    run = sync(connection, "shipments")["shipments"]

    assert (run.created, run.failed) == (1, 0), run.messages
    assert OrderExport.objects.get(order=order).shipped_back_at is not None
    package = Package.objects.get(order=order)
    assert (package.courier_package_nr, package.tracking_url) == ("00370712345678901234", "")
    assert sandbox.state.order(wms_id)["orderInfo"]["wayBill"] == "00370712345678901234"
    order.refresh_from_db()
    assert order.status == status_of(account_a, "sent")


def _age_wms_orders(sandbox, seconds: float) -> None:
    """Move every WMS order's timestamps back, as if it had been created and changed that long ago."""
    for wms_order in sandbox.state.orders_by_id.values():
        wms_order.created -= seconds
        wms_order.updated -= seconds
        wms_order.status_changed -= seconds


@pytest.mark.parametrize("open_orders", [20, 200])
def test_a_poll_makes_the_same_few_calls_however_many_orders_are_open(
    account_a, sandbox, fast_client, open_orders
):
    product = make_product(account_a, "SKU-1")
    orders = [make_order(account_a, [product]) for _ in range(open_orders)]
    connection = make_connection(account_a, sandbox)
    sync(connection, "articles", "orders")
    # Exported an hour ago; the last poll ran half an hour ago (its start is the connection's watermark).
    _age_wms_orders(sandbox, 3600)
    half_an_hour_ago = timezone.now() - timedelta(minutes=30)
    WmsConnection.objects.filter(pk=connection.pk).update(cursors={"shipments": half_an_hour_ago.isoformat()})
    sent = orders[:3]
    for order in sent:
        sandbox.send_order(OrderExport.objects.get(order=order).wms_order_id)
    sandbox.state.counters.clear()

    run = sync(connection, "shipments")["shipments"]

    assert (run.created, run.failed) == (3, 0), run.messages
    assert run.updated == 3  # only the orders whose WMS status changed came back
    assert sandbox.state.counters["GET orders"] == 1
    assert run.requests == 1 + 3 * 3  # one query, then label, tracking and waybill per sent order
    assert set(OrderExport.objects.filter(shipped_back_at__isnull=False).values_list("order", flat=True)) == {
        o.pk for o in sent
    }
    connection.refresh_from_db()
    assert datetime.fromisoformat(connection.cursors["shipments"]) == run.started_at

    again = sync(connection, "shipments")["shipments"]
    assert (again.requests, again.created) == (1, 0)


def test_a_sent_order_whose_ship_back_failed_is_retried_outside_the_changed_window(
    account_a, sandbox, exported
):
    connection, order, wms_id = exported
    connection.label_courier = "manual"  # cannot make labels: this ship-back fails
    connection.save(update_fields=["label_courier"])
    sandbox.send_order(wms_id)
    assert sync(connection, "shipments")["shipments"].failed == 1

    connection.label_courier = "hurtlink"
    connection.save(update_fields=["label_courier"])
    _age_wms_orders(sandbox, 3600)  # its status change is long before the watermark now
    run = sync(connection, "shipments")["shipments"]

    assert (run.created, run.failed) == (1, 0), run.messages
    assert Package.objects.filter(order=order).count() == 1


def test_the_wms_prints_the_label_once_when_the_connection_asks_for_it(account_a, sandbox, fast_client):
    product = make_product(account_a, "SKU-1")
    order = make_order(account_a, [product])
    connection = make_connection(
        account_a, sandbox, label_print=True, label_print_workstation_id=7, label_print_report_id=12
    )
    sync(connection, "articles", "orders")
    wms_id = OrderExport.objects.get(order=order).wms_order_id
    sandbox.send_order(wms_id)
    # The upload arrives but its answer is lost: the retry must not add (and print) a second label.
    sandbox.set_faults(scope="writes", phase="after", script=["drop"])

    run = sync(connection, "shipments")["shipments"]

    assert (run.created, run.failed) == (1, 0), run.messages
    package = Package.objects.get(order=order)
    wms = sandbox.state.orders_by_id[wms_id]
    assert [f["fileName"] for f in wms.files] == [f"label-{order.pk}-{package.pk}.pdf"]
    assert [(j["fileId"], j["workstationId"], j["reportId"]) for j in wms.print_jobs] == [
        (wms.files[0]["fileId"], 7, 12)
    ]
    assert OrderExport.objects.get(order=order).label_uploaded


def test_labels_are_not_printed_unless_the_connection_asks_for_it(account_a, sandbox, exported):
    connection, order, wms_id = exported
    assert connection.label_print is False
    sandbox.send_order(wms_id)

    sync(connection, "shipments")

    wms = sandbox.state.orders_by_id[wms_id]
    assert len(wms.files) == 1 and wms.print_jobs == []


# ------------------------------------------------------------------------------------------ webhooks


def webhook_body(wms_id, order, event_id=90001, status=450, **extra):
    return json.dumps(
        {
            "webhookOrdersId": 1,
            "webhookEventId": event_id,
            "system": "sandbox",
            "timestamp": "2025-03-01T10:15:30.1234567",
            "orderId": wms_id,
            "orderNumber": str(order.pk),
            "goodsOwnerId": GOODS_OWNER_A,
            "orderStatus": {"number": status},
            **extra,
        }
    )


def post(client, connection, body, secret=None):
    url = reverse("wmsbridge:webhook", args=[secret or connection.webhook_secret])
    return client.post(url, data=body, content_type="application/json")


def test_webhook_with_a_wrong_secret_is_404(client, exported):
    connection, order, wms_id = exported
    assert post(client, connection, webhook_body(wms_id, order), secret="not-the-secret").status_code == 404
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "this is not json",
        json.dumps([1, 2]),
        json.dumps({"orderId": 5}),  # no webhookEventId
        json.dumps({"webhookEventId": "x", "orderId": 5}),
        json.dumps({"webhookEventId": 1, "orderId": 5, "goodsOwnerId": 999}),
    ],
)
def test_malformed_webhook_is_400_and_changes_nothing(client, exported, body):
    connection, order, wms_id = exported
    assert post(client, connection, body).status_code == 400
    assert not WebhookEvent.objects.exists()


DEEP = '{"webhookEventId": 1, "orderId": 5, "extra": ' + "[" * 50 + "]" * 50 + "}"


@pytest.mark.parametrize(
    "body, message",
    [
        ('{"webhookEventId": 1, "orderId": 5, "orderNumber": "12\\u00003"}', "NUL"),
        ('{"webhookEventId": 1, "orderId": 5, "byComputer": {"computer\\u0000Name": "PACK-1"}}', "NUL"),
        ('{"webhookEventId": "\u00b2", "orderId": 5}', "webhookEventId"),
        ('{"webhookEventId": 1, "orderId": "\u0661\u0662"}', "orderId"),  # Arabic-Indic digits
        ('{"webhookEventId": 1, "orderId": 5, "orderStatus": {"number": "4\u00b25"}}', "number"),
        ('{"webhookEventId": 100000000000000000000, "orderId": 5}', "webhookEventId"),
        ('{"webhookEventId": 1, "orderId": 99999999999999999999999}', "orderId"),
        ('{"webhookEventId": 1, "orderId": 5, "orderStatus": {"number": 1000000000000}}', "number"),
        ('{"webhookEventId": 1e400, "orderId": 5}', "range"),
        ('{"webhookEventId": 1, "orderId": 5, "extra": NaN}', "NaN"),
        ('{"webhookEventId": 1, "orderId": 5, "system": "\\ud800"}', "invalid characters"),
        ('{"webhookEventId": 1, "orderId": 5, "orderNumber": {"a": 1}}', "orderNumber"),
        (DEEP, "nested too deeply"),
        ('{"a": ' * 100_000 + "1" + "}" * 100_000, "nested too deeply"),
    ],
)
def test_a_webhook_the_database_could_not_store_is_a_400_with_a_message(client, exported, body, message):
    connection, order, wms_id = exported

    response = post(client, connection, body)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("number", ["\u00b2", "\u0661\u0662", "99999999999999999999999"])
def test_a_webhook_for_an_order_number_that_is_no_id_of_ours_is_ignored(client, exported, number):
    connection, order, wms_id = exported

    response = post(client, connection, webhook_body(424242, order, orderNumber=number))

    assert response.status_code == 200
    assert response.json()["result"] == "ignored"


def test_webhook_for_an_unknown_order_is_200_ignored_and_logged(client, exported, caplog):
    connection, order, wms_id = exported
    with caplog.at_level(logging.INFO, logger="wmsbridge.webhooks"):
        response = post(client, connection, webhook_body(424242, order, orderNumber="424242"))
    assert response.status_code == 200
    assert response.json()["result"] == "ignored"
    assert WebhookEvent.objects.get().outcome == "ignored"
    assert "unknown order 424242" in caplog.text


def test_repeated_webhook_event_is_dropped(client, exported):
    connection, order, wms_id = exported
    first = post(client, connection, webhook_body(wms_id, order, event_id=777))
    second = post(client, connection, webhook_body(wms_id, order, event_id=777))
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["result"] == "duplicate"
    assert WebhookEvent.objects.count() == 1


def test_processing_a_sent_webhook_ships_the_order_back(client, sandbox, exported):
    connection, order, wms_id = exported
    sandbox.send_order(wms_id)
    post(client, connection, webhook_body(wms_id, order, event_id=5))
    event = WebhookEvent.objects.get()

    assert wms_webhook_process(event.pk) == "processed"
    assert wms_webhook_process(event.pk) == "processed"  # a redelivered task changes nothing

    assert Package.objects.filter(order=order).count() == 1
    assert OrderExport.objects.get(order=order).shipped_back_at is not None
    assert len(sandbox.state.orders_by_id[wms_id].files) == 1


def test_sandbox_send_reaches_hurtlink_by_webhook_through_a_real_worker(
    sandbox, exported, live_server, celery_worker
):
    connection, order, wms_id = exported
    url = live_server.url + reverse("wmsbridge:webhook", args=[connection.webhook_secret])
    sandbox.add_webhook(GOODS_OWNER_A, url, events=["status"], statuses=[450], duplicate=True)

    sandbox.send_order(wms_id)

    wait_for(
        lambda: OrderExport.objects.filter(order=order, shipped_back_at__isnull=False).exists(),
        what="the order to be shipped back by the webhook",
    )
    assert sandbox.wait_for_webhooks()
    assert Package.objects.filter(order=order).count() == 1
    assert WebhookEvent.objects.count() == 1  # the duplicate delivery was dropped
    assert sandbox.state.order(wms_id)["tracking"]


def test_an_order_cancelled_in_the_wms_is_no_longer_polled(account_a, sandbox, exported):
    connection, order, wms_id = exported
    sandbox.state.cancel_order(sandbox.state.users["alpha"], sandbox.state.orders_by_id[wms_id])

    first = sync(connection, "shipments")["shipments"]
    second = sync(connection, "shipments")["shipments"]

    assert first.updated == 1  # status 1000 recorded
    assert wms_order_state(order)["connections"][0]["wms_status"] == 1000
    assert (second.progress_total, second.requests) == (0, 0)


def test_a_poll_counts_each_open_order_once(account_a, sandbox, fast_client):
    product = make_product(account_a, "SKU-1")
    orders = [make_order(account_a, [product]) for _ in range(5)]
    connection = make_connection(account_a, sandbox)
    sync(connection, "articles", "orders")
    sandbox.send_order(OrderExport.objects.get(order=orders[0]).wms_order_id)

    run = sync(connection, "shipments")["shipments"]

    # The first poll learns every order's WMS status: each is "updated" (one of them also shipped
    # back), none is also "unchanged".
    assert run.created == 1
    assert run.updated + run.unchanged == 5, (run.updated, run.unchanged)
