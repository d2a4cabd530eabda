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
from django.utils.translation import gettext_noop

from config.stored_messages import Message, Stored
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


# Integer columns the ids land in: event ids and WMS order ids are bigint, statuses and goods owners int.
BIGINT_MAX = 2**63 - 1
INT_MAX = 2**31 - 1
# Ongoing's payload is flat with a few small objects; anything nested deeper is not a webhook.
MAX_DEPTH = 20


def _int(payload: dict[str, Any], key: str, *, required: bool, maximum: int) -> int | None:
    """An id or number: a JSON integer (or a string of ASCII digits), 0 … ``maximum``.

    ``str.isdigit`` and ``int()`` accept more than ids are made of (``"²"``, Arabic-Indic digits);
    only 0-9 count here.
    """
    value = payload.get(key)
    if value is None or value == "":
        if required:
            raise MalformedWebhook(f"{key} is missing")
        return None
    if isinstance(value, bool):
        raise MalformedWebhook(f"{key} is not an integer")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.isascii() and value.strip().isdigit() and len(value.strip()) <= 19:
        value = int(value.strip())
    if not isinstance(value, int):
        raise MalformedWebhook(f"{key} is not an integer")
    if not 0 <= value <= maximum:
        raise MalformedWebhook(f"{key} is out of range")
    return value


def _refuse_constant(name: str) -> Any:
    raise MalformedWebhook(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise MalformedWebhook("a number is out of range")
    return value


def _check_storable(payload: Any) -> None:
    """What the database would refuse to store must be refused here, as a 400: NUL characters and
    unpaired surrogates in any string (keys too), and nesting deeper than :data:`MAX_DEPTH`."""
    stack: list[tuple[Any, int]] = [(payload, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise MalformedWebhook("the body is nested too deeply")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _check_text(key)
                stack.append((item, depth + 1))
        elif isinstance(value, str):
            _check_text(value)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise MalformedWebhook("the body contains NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedWebhook("the body contains invalid characters") from None


def parse_webhook(body: bytes) -> dict[str, Any]:
    """The order webhook's fields we use, validated; :class:`MalformedWebhook` otherwise."""
    try:
        payload = json.loads(body or b"", parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise MalformedWebhook("the body is nested too deeply") from None
    except MalformedWebhook:
        raise
    except (ValueError, UnicodeDecodeError):
        raise MalformedWebhook("the body is not JSON") from None
    if not isinstance(payload, dict):
        raise MalformedWebhook("the body is not a JSON object")
    _check_storable(payload)
    status = payload.get("orderStatus")
    if status is not None and not isinstance(status, dict):
        raise MalformedWebhook("orderStatus is not an object")
    order_number = payload.get("orderNumber")
    if order_number is not None and (
        isinstance(order_number, bool) or not isinstance(order_number, str | int)
    ):
        raise MalformedWebhook("orderNumber is not a string")
    return {
        "event_id": _int(payload, "webhookEventId", required=True, maximum=BIGINT_MAX),
        "wms_order_id": _int(payload, "orderId", required=True, maximum=BIGINT_MAX),
        "order_number": str(order_number if order_number is not None else "")[:100],
        "goods_owner_id": _int(payload, "goodsOwnerId", required=False, maximum=BIGINT_MAX),
        "wms_status": _int(status or {}, "number", required=False, maximum=INT_MAX),
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
    message = "" if export else Message(gettext_noop("No order exported through this connection matches it."))
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
    # Our order numbers are order ids: ASCII digits that fit the id column; anything else is no order of ours.
    if found is None and order_number.isascii() and order_number.isdigit() and len(order_number) <= 18:
        found = exports.filter(order_id=int(order_number)).first()
    return found


def webhook_event_process(*, event_id: int) -> str:
    """Re-read the order from the WMS (as Ongoing advises: payloads vary by version), store its status
    and, when it was sent, ship it back. Outcome and message are kept on the event."""
    from wmsbridge.sync.runner import connection_client
    from wmsbridge.sync.shipments import ShipBackError, is_sent, order_ship_back, wms_status_number

    event = WebhookEvent.objects.select_related("connection").get(pk=event_id)
    if event.outcome in (WebhookEvent.Outcome.PROCESSED, WebhookEvent.Outcome.IGNORED):
        return event.outcome
    connection = event.connection
    export = _export_for(connection, event.wms_order_id, event.order_number)
    if export is None:
        return _event_done(
            event, WebhookEvent.Outcome.IGNORED, Message(gettext_noop("No matching exported order."))
        )
    try:
        with connection_client(connection, max_retries=3) as client:
            wms_order = client.get_order(export.wms_order_id or event.wms_order_id)
            status = wms_status_number(wms_order)
            OrderExport.objects.filter(pk=export.pk).update(wms_status=status)
            if not is_sent(status):
                return _event_done(
                    event,
                    WebhookEvent.Outcome.PROCESSED,
                    Message(gettext_noop("WMS status %(s)s: nothing to do."), s=status),
                )
            done = order_ship_back(connection=connection, export=export, wms_order=wms_order, client=client)
    except (ShipBackError, WmsError) as exc:
        logger.warning("WMS webhook event %s failed: %s", event.pk, exc.message)
        return _event_done(event, WebhookEvent.Outcome.FAILED, exc.message)
    message = Message(
        gettext_noop("Package, label and tracking done.") if done else gettext_noop("Already shipped back.")
    )
    return _event_done(event, WebhookEvent.Outcome.PROCESSED, message)


def _event_done(event: WebhookEvent, outcome: str, message: Stored) -> str:
    if isinstance(message, str):
        message = message[:2000]
    WebhookEvent.objects.filter(pk=event.pk).update(outcome=outcome, message=message)
    return outcome
