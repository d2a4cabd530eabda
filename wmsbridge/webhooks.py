"""Webhooks from Ongoing WMS: receive (fast, deduplicated) and process (a task, idempotent).

The URL carries the connection's unguessable secret (``/wms/webhooks/<secret>/``); a wrong secret is a
404, as if the URL did not exist. Ongoing retries a delivery with the same ``webhookEventId`` and may
deliver an event twice; each event id is stored once per connection, so repeats are dropped.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wmsbridge.client import WmsError
from wmsbridge.models import OrderExport, WebhookEvent, WmsConnection

logger = logging.getLogger(__name__)


class MalformedWebhook(ValueError):
    """The body is not an Ongoing order webhook (→ 400, nothing stored)."""


@dataclass(frozen=True)
class WebhookReceipt:
    status: int  # HTTP status to answer
    outcome: str  # "queued", "duplicate", "ignored"
    message: str


def _int(payload: dict[str, Any], key: str, *, required: bool) -> int | None:
    value = payload.get(key)
    if value is None or value == "":
        if required:
            raise MalformedWebhook(f"{key} is missing")
        return None
    if isinstance(value, bool):
        raise MalformedWebhook(f"{key} is not an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise MalformedWebhook(f"{key} is not an integer")


def parse_webhook(body: bytes) -> dict[str, Any]:
    """The order webhook's fields we use, validated; :class:`MalformedWebhook` otherwise."""
    try:
        payload = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        raise MalformedWebhook("the body is not JSON")
    if not isinstance(payload, dict):
        raise MalformedWebhook("the body is not a JSON object")
    status = payload.get("orderStatus")
    if status is not None and not isinstance(status, dict):
        raise MalformedWebhook("orderStatus is not an object")
    return {
        "event_id": _int(payload, "webhookEventId", required=True),
        "wms_order_id": _int(payload, "orderId", required=True),
        "order_number": str(payload.get("orderNumber") or "")[:100],
        "goods_owner_id": _int(payload, "goodsOwnerId", required=False),
        "wms_status": _int(status or {}, "number", required=False),
        "payload": payload,
    }


def webhook_receive(*, connection: WmsConnection, body: bytes) -> WebhookReceipt:
    """Store a delivery once and queue its processing after commit.

    A malformed body raises :class:`MalformedWebhook`. A repeated ``webhookEventId`` is answered 200 and
    dropped. An order this connection never exported is answered 200, stored as ignored and logged
    (Ongoing would otherwise retry it for a day).
    """
    data = parse_webhook(body)
    if data["goods_owner_id"] is not None and data["goods_owner_id"] != connection.goods_owner_id:
        raise MalformedWebhook("the webhook is for another goods owner")
    export = _export_for(connection, data["wms_order_id"], data["order_number"])
    outcome = WebhookEvent.Outcome.QUEUED if export else WebhookEvent.Outcome.IGNORED
    message = "" if export else _("No order exported through this connection matches it.")
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                connection=connection,
                event_id=data["event_id"],
                wms_order_id=data["wms_order_id"],
                order_number=data["order_number"],
                wms_status=data["wms_status"],
                outcome=outcome,
                message=message,
                payload=data["payload"],
            )
            if export:
                from wmsbridge.tasks import wms_webhook_process

                wms_webhook_process.delay_on_commit(event.pk)
    except IntegrityError:
        return WebhookReceipt(200, "duplicate", "duplicate event dropped")
    if not export:
        logger.info(
            "WMS webhook %s of connection %s ignored: unknown order %s (%s)",
            data["event_id"],
            connection.pk,
            data["wms_order_id"],
            data["order_number"],
        )
        return WebhookReceipt(200, "ignored", "unknown order, ignored")
    return WebhookReceipt(200, "queued", "queued")


def _export_for(connection: WmsConnection, wms_order_id: int | None, order_number: str) -> OrderExport | None:
    exports = OrderExport.objects.filter(connection=connection, state=OrderExport.State.EXPORTED)
    found = exports.filter(wms_order_id=wms_order_id).first() if wms_order_id else None
    if found is None and order_number.isdigit():
        found = exports.filter(order_id=int(order_number)).first()
    return found


def webhook_event_process(*, event_id: int) -> str:
    """Re-read the order from the WMS (as Ongoing advises: payloads vary by version), store its status
    and, when it was sent, ship it back. Outcome and message are kept on the event."""
    from wmsbridge.sync.runner import connection_client
    from wmsbridge.sync.shipments import ShipBackError, _status_number, is_sent, order_ship_back

    event = WebhookEvent.objects.select_related("connection").get(pk=event_id)
    if event.outcome in (WebhookEvent.Outcome.PROCESSED, WebhookEvent.Outcome.IGNORED):
        return event.outcome
    connection = event.connection
    export = _export_for(connection, event.wms_order_id, event.order_number)
    if export is None:
        return _event_done(event, WebhookEvent.Outcome.IGNORED, _("No matching exported order."))
    try:
        with connection_client(connection, max_retries=3) as client:
            wms_order = client.get_order(export.wms_order_id or event.wms_order_id)
            status = _status_number(wms_order)
            OrderExport.objects.filter(pk=export.pk).update(wms_status=status)
            if not is_sent(status):
                return _event_done(
                    event,
                    WebhookEvent.Outcome.PROCESSED,
                    _("WMS status %(s)s: nothing to do.") % {"s": status},
                )
            done = order_ship_back(connection=connection, export=export, wms_order=wms_order, client=client)
    except (ShipBackError, WmsError) as exc:
        message = exc.message if isinstance(exc, WmsError) else str(exc)
        logger.warning("WMS webhook event %s failed: %s", event.pk, message)
        return _event_done(event, WebhookEvent.Outcome.FAILED, message)
    message = _("Package, label and tracking done.") if done else _("Already shipped back.")
    return _event_done(event, WebhookEvent.Outcome.PROCESSED, message)


def _event_done(event: WebhookEvent, outcome: str, message: str) -> str:
    WebhookEvent.objects.filter(pk=event.pk).update(outcome=outcome, message=message[:2000])
    return outcome
