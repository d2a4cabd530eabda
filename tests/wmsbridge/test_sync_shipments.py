"""Shipments back: sent in the WMS → package, label PDF and tracking uploaded, status moved, once.

Polling (every run) and the webhook (with its 404/400/200 answers and deduplication)."""

from __future__ import annotations

import base64
import json
import logging

import pytest
from django.urls import reverse

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
from wmsbridge.models import OrderExport, WebhookEvent
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
    assert "label courier" in run.messages[0]["message"]
    assert not Package.objects.filter(order=order).exists()


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
