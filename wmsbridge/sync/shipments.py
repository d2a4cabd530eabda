"""Shipments back: an order the warehouse sent (status 450) gets its package, label and tracking.

Two ways in — the webhook (``wmsbridge.webhooks``, processed by a task) and polling every run as the
fallback — both end in :func:`order_ship_back`, which is safe to run twice or concurrently: the
package is created once (under a row lock on the ``OrderExport``), the label upload is a PUT by file
name (or, when the WMS is to print it, a POST made only after looking for the file), the tracking
write is a create-or-update by waybill, and the status change is a no-op when the order is already
there.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection as db
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext_noop

from changes.origin import Origin
from config.stored_messages import Message, Stored, message_from_error
from orders.models import OrderStatus
from orders.services import order_set_status
from wmsbridge.client import OngoingClient, WmsNotFound, WmsOperationFailed, WmsValidationError
from wmsbridge.mapping import wms_tracking
from wmsbridge.models import OrderExport, SyncKind, WmsConnection
from wmsbridge.sync.runner import RunRecorder

logger = logging.getLogger(__name__)

STATUS_SENT = 450
STATUS_RETURNED = 800  # from here on (returned, cancelled) nothing is shipped back
# A poll asks for the orders whose status changed since the previous poll started, minus this much:
# the WMS stamps changes with its own clock, which may be a little behind ours.
POLL_OVERLAP = timedelta(minutes=10)
POLL_PAGE_SIZE = 500


class ShipBackError(Exception):
    """Shipping back one order failed in a way a user must see (and the next poll retries); ``message``
    is kept untranslated (``config.stored_messages``)."""

    def __init__(self, message: Stored) -> None:
        super().__init__(str(message))
        self.message = message


def is_sent(status: int | None) -> bool:
    return status is not None and STATUS_SENT <= status < STATUS_RETURNED


def wms_status_number(wms_order: dict[str, Any]) -> int | None:
    status = (wms_order.get("orderInfo") or {}).get("orderStatus") or {}
    try:
        return int(status.get("number"))
    except (TypeError, ValueError):
        return None


def status_when_sent(connection: WmsConnection) -> OrderStatus | None:
    if connection.status_when_sent_id:
        return connection.status_when_sent
    return (
        OrderStatus.objects.filter(account_id=connection.account_id, kind=OrderStatus.Kind.SENT)
        .order_by("position", "id")
        .first()
    )


def label_printing_info(connection: WmsConnection) -> dict[str, Any]:
    """``advanced.printingInfo`` of a label upload: print on the connection's workstation (and report)."""
    info: dict[str, Any] = {"printAsWorkstation": {"workstationId": connection.label_print_workstation_id}}
    if connection.label_print_report_id:
        info["reportId"] = connection.label_print_report_id
    return info


def _origin(connection: WmsConnection) -> Origin:
    return Origin.wms(connection.pk, connection.name)


def order_ship_back(
    *, connection: WmsConnection, export: OrderExport, wms_order: dict[str, Any], client: OngoingClient
) -> bool:
    """Give a sent order its package, upload the label, write tracking back, move the order's status.

    Returns True when this call finished the shipment (False: it was already done). Each step is
    remembered on the ``OrderExport`` row, so a failure part-way (raised as :class:`ShipBackError` or
    a ``WmsError``) is resumed by the next call without repeating what succeeded.
    """
    from shipments.couriers import courier_get
    from shipments.models import Package
    from shipments.services import package_create

    if export.shipped_back_at is not None:
        return False
    wms_order_id = export.wms_order_id or (wms_order.get("orderInfo") or {}).get("orderId")
    waybill, tracking_url = wms_tracking(wms_order)
    with transaction.atomic():
        export = OrderExport.objects.select_for_update().select_related("order").get(pk=export.pk)
        if export.shipped_back_at is not None:
            return False
        if export.package_id is None or not Package.objects.filter(pk=export.package_id).exists():
            # The warehouse booked the transport itself: keep its tracking (a "manual" package).
            courier_code = "manual" if waybill else connection.label_courier
            if not waybill and not courier_get(courier_code).makes_labels:
                raise ShipBackError(
                    Message(
                        gettext_noop(
                            "The WMS has no tracking number for this order and the courier “%(courier)s” "
                            "does not make labels: choose a label courier in the connection settings."
                        ),
                        courier=courier_code,
                    )
                )
            package = package_create(
                order=export.order,
                courier_code=courier_code,
                tracking_number=waybill,
                tracking_url=tracking_url,
                origin=_origin(connection),
            )
            export.package_id = package.pk
            export.wms_order_id = wms_order_id
            export.save(update_fields=["package_id", "wms_order_id"])
    package = Package.objects.get(pk=export.package_id)
    order = export.order
    try:
        if not export.label_uploaded and package.label_pdf:
            file_name = f"label-{order.pk}-{package.pk}.pdf"
            if connection.label_print:
                # Only the POST form of the upload carries printing instructions; it looks first, so a
                # retry never adds (and prints) the label twice.
                client.post_order_file_once(
                    wms_order_id,
                    file_name,
                    bytes(package.label_pdf),
                    printing_info=label_printing_info(connection),
                )
            else:
                client.put_order_file(wms_order_id, file_name, bytes(package.label_pdf))
            OrderExport.objects.filter(pk=export.pk).update(label_uploaded=True)
            export.label_uploaded = True
        if not export.tracking_written and package.courier_package_nr:
            # Ongoing refuses an orderTracking entry without a URL; a number without one (the warehouse's
            # own transport, typed in elsewhere) still reaches the order as its waybill.
            if package.tracking_url:
                client.put_order_tracking(wms_order_id, package.courier_package_nr, package.tracking_url)
            if not (wms_order.get("orderInfo") or {}).get("wayBill"):
                client.set_order_waybill(wms_order_id, package.courier_package_nr)
            OrderExport.objects.filter(pk=export.pk).update(tracking_written=True)
            export.tracking_written = True
    except (WmsOperationFailed, WmsValidationError, WmsNotFound) as exc:
        raise ShipBackError(exc.message) from exc
    target = status_when_sent(connection)
    with transaction.atomic():
        if target is not None:
            order_set_status(order=order, status=target, origin=_origin(connection))
        OrderExport.objects.filter(pk=export.pk).update(
            shipped_back_at=timezone.now(),
            wms_status=wms_status_number(wms_order),
            wms_status_at=timezone.now(),
        )
    return True


_STATUS_UPDATE = """
    UPDATE wmsbridge_orderexport e SET wms_status = v.status, wms_status_at = %(now)s
    FROM unnest(%(ids)s::bigint[], %(statuses)s::integer[]) AS v(id, status)
    WHERE e.id = v.id AND e.wms_status IS DISTINCT FROM v.status
    RETURNING e.id
"""


def shipments_sync(*, connection: WmsConnection, client: OngoingClient, recorder: RunRecorder) -> None:
    """Polling fallback for the webhook: ship back the orders the warehouse has sent since the last poll.

    The number of calls does not grow with the number of open orders: one changed-since query
    (``GET /orders?orderStatusChangedTimeFrom=``, keyset-paged) returns only the orders whose WMS status
    changed since the previous successful poll (the run's cursor, minus :data:`POLL_OVERLAP` for clock
    skew between the WMS and us). Their statuses are stored (one set-based update) and the sent ones
    shipped back. Orders already known as sent whose ship-back failed before are asked for again by
    number (few: only failures). A failure of one order is reported and the others go on.
    """
    run = recorder.run
    pending = OrderExport.objects.filter(
        connection=connection, state=OrderExport.State.EXPORTED, shipped_back_at__isnull=True
    ).exclude(wms_status__gte=STATUS_RETURNED)  # returned or cancelled there: nothing will come back
    summary = pending.aggregate(count=Count("pk"), first=Min("exported_at"))
    if not summary["count"]:
        recorder.progress(0, 0, force=True)
        return
    since = poll_since(connection, summary["first"])
    ids: list[int] = []
    statuses: list[int] = []
    sent: dict[int, dict[str, Any]] = {}
    changed = list(client.iter_orders(status_changed_from=since, page_size=POLL_PAGE_SIZE))
    numbers = {str((o.get("orderInfo") or {}).get("orderNumber") or "") for o in changed}
    known = {
        str(row["order_id"]): row
        for row in OrderExport.objects.filter(
            connection=connection,
            state=OrderExport.State.EXPORTED,
            order_id__in=[int(n) for n in numbers if n.isascii() and n.isdigit() and len(n) < 19],
        ).values("pk", "order_id", "shipped_back_at", "wms_status")
    }
    for wms_order in changed:
        row = known.get(str((wms_order.get("orderInfo") or {}).get("orderNumber")))
        status = wms_status_number(wms_order)
        if row is None or status is None:
            continue
        ids.append(row["pk"])
        statuses.append(status)
        if is_sent(status) and row["shipped_back_at"] is None:
            sent[row["pk"]] = wms_order
    # Known as sent (webhook or an earlier poll) but not shipped back: an earlier attempt failed.
    retry = {
        str(order_id): pk
        for pk, order_id in pending.filter(wms_status__gte=STATUS_SENT)
        .exclude(pk__in=list(sent))
        .values_list("pk", "order_id")
    }
    if retry:
        for wms_order in client.iter_orders(order_numbers=sorted(retry, key=int), page_size=POLL_PAGE_SIZE):
            pk = retry.get(str((wms_order.get("orderInfo") or {}).get("orderNumber")))
            if pk is not None and is_sent(wms_status_number(wms_order)):
                sent[pk] = wms_order
    changed_ids: set[int] = set()
    if ids:
        with db.cursor() as cursor:
            cursor.execute(_STATUS_UPDATE, {"ids": ids, "statuses": statuses, "now": timezone.now()})
            changed_ids = {row[0] for row in cursor.fetchall()}
            run.updated = len(changed_ids)
    recorder.progress(0, len(sent), force=True)
    exports = OrderExport.objects.in_bulk(list(sent))
    done = 0
    for pk, wms_order in sent.items():
        export = exports[pk]
        try:
            if order_ship_back(connection=connection, export=export, wms_order=wms_order, client=client):
                run.created += 1
        except ShipBackError as exc:
            run.failed += 1
            recorder.message(f"#{export.order_id}", exc.message)
        except ValidationError as exc:  # a package the shipments app refused: report, go on
            run.failed += 1
            recorder.message(f"#{export.order_id}", message_from_error(exc))
        done += 1
        recorder.progress(done, len(sent))
    # Each open order counts once: its status changed (updated), it was shipped back, or neither.
    run.unchanged = max(0, summary["count"] - len(changed_ids | set(sent)))
    recorder.progress(done, len(sent), force=True)


def poll_since(connection: WmsConnection, first_export: datetime | None) -> datetime:
    """Where a poll starts: the previous successful poll's start (the watermark kept in the connection's
    cursors), else the first pending export — minus :data:`POLL_OVERLAP` either way."""
    watermark = None
    raw = (connection.cursors or {}).get(SyncKind.SHIPMENTS)
    if raw:
        try:
            watermark = datetime.fromisoformat(raw)
        except (TypeError, ValueError):
            watermark = None
    return (watermark or first_export or timezone.now()) - POLL_OVERLAP
