"""Orders: eligible Hurtlink orders → ``PUT /orders``, each exactly once."""

from __future__ import annotations

from django.db import connection as db
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from changes.origin import Origin
from config.stored_messages import Message
from orders.models import Order, OrderLine, OrderStatus
from orders.services import order_set_status
from wmsbridge.client import OngoingClient, WmsValidationError
from wmsbridge.mapping import order_payload
from wmsbridge.models import ArticleState, OrderExport, WmsConnection
from wmsbridge.sync.runner import RunRecorder

PAGE_SIZE = 200
CANCELLED = 1000  # the WMS's "Cancelled" order status


def eligible_orders(connection: WmsConnection) -> QuerySet[Order]:
    """Orders of the connection's account in one of its export statuses that are not exported yet.

    Deliberately not "created since the last run": an order is eligible until an ``OrderExport`` row
    says it was exported, so an order created during a run, held for a missing article, or refused
    once, is taken by a later run and never skipped because a cursor moved past it.

    Technical (merged) orders never are: they repeat the lines of their source orders, which go to the
    warehouse themselves — exporting both would ship the goods twice.
    """
    exported = OrderExport.objects.filter(
        connection=connection, order=OuterRef("pk"), state=OrderExport.State.EXPORTED
    )
    orders = Order.objects.filter(
        account_id=connection.account_id, status__in=connection.export_statuses.all(), is_technical=False
    ).filter(~Exists(exported))
    if connection.export_orders_since:
        orders = orders.filter(date_add__gte=connection.export_orders_since)
    return orders


def orders_sync(*, connection: WmsConnection, client: OngoingClient, recorder: RunRecorder) -> None:
    """The orders part of a run: export the eligible orders, then cancel in the WMS the exported
    orders cancelled here since."""
    exports_sync(connection=connection, client=client, recorder=recorder)
    cancellations_sync(connection=connection, client=client, recorder=recorder)


def exports_sync(*, connection: WmsConnection, client: OngoingClient, recorder: RunRecorder) -> None:
    """Export every eligible order (see :func:`eligible_orders`) in id order.

    Per order: lines without a SKU, or with a SKU that has no article in the WMS yet, hold the order
    (the reason is kept on its ``OrderExport`` row and shown on the order card); otherwise
    ``PUT /orders`` upserts it by order number (= the Hurtlink order id, so a retry or a rerun after a
    crash updates the same WMS order) and, in one transaction after the WMS accepted it, the order is
    remembered as exported and optionally moved to the status after export. Orders added after the run
    started are left for the next run, so a run always ends.
    """
    run = recorder.run
    status_ids = set(connection.export_statuses.values_list("pk", flat=True))
    if not status_ids:
        recorder.message(
            "", Message(gettext_noop("No order statuses are chosen for export; no order was sent."))
        )
        return
    candidates = eligible_orders(connection)
    last_id = candidates.order_by("-pk").values_list("pk", flat=True).first()
    if last_id is None:
        return
    total = candidates.filter(pk__lte=last_id).count()
    recorder.progress(0, total, force=True)
    after, done = 0, 0
    status_after = connection.status_after_export
    while True:
        page = list(
            candidates.filter(pk__gt=after, pk__lte=last_id)
            .order_by("pk")
            .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("pk")))[:PAGE_SIZE]
        )
        if not page:
            break
        after = page[-1].pk
        known = _known_articles(connection, client, page)
        problems: list[OrderExport] = []
        for order in page:
            lines = list(order.lines.all())
            reason = _hold_reason(lines, known)
            if reason:
                run.skipped += 1
                recorder.message(f"#{order.pk}", reason)
                problems.append(
                    OrderExport(connection=connection, order=order, state="held", last_error=reason)
                )
                continue
            try:
                result = client.put_order(order_payload(order, lines))
                wms_order_id = result.get("orderId")
            except WmsValidationError as exc:
                wms_order_id = _already_in_wms(client, order)
                if wms_order_id is None:
                    run.failed += 1
                    recorder.message(f"#{order.pk}", exc.message)
                    problems.append(
                        OrderExport(
                            connection=connection, order=order, state="failed", last_error=exc.message[:2000]
                        )
                    )
                    continue
            _remember_export(connection, order, wms_order_id, status_after, status_ids, recorder)
            run.created += 1
        if problems:
            OrderExport.objects.bulk_create(
                problems,
                update_conflicts=True,
                unique_fields=["connection", "order"],
                update_fields=["state", "last_error"],
            )
        done += len(page)
        recorder.progress(done)
    recorder.progress(done, force=True)


def cancellations_sync(*, connection: WmsConnection, client: OngoingClient, recorder: RunRecorder) -> None:
    """Orders cancelled in Hurtlink after their export are cancelled in the WMS (status 1000).

    The WMS refuses once the warehouse has started on an order; the refusal is reported in the run and
    on the order card, and not tried again (the goods are on their way out — the user settles it with
    the warehouse). Cancelling is idempotent in the WMS, so a retry after a lost answer is harmless.
    """
    exports = (
        OrderExport.objects.filter(
            connection=connection,
            state=OrderExport.State.EXPORTED,
            wms_order_id__isnull=False,
            cancelled_at__isnull=True,
            cancel_refused="",
            shipped_back_at__isnull=True,
            order__status__kind=OrderStatus.Kind.CANCELLED,
        )
        .exclude(wms_status=CANCELLED)
        .order_by("pk")
    )
    for export in exports.iterator(chunk_size=PAGE_SIZE):
        try:
            client.cancel_order(export.wms_order_id)
        except WmsValidationError as exc:
            message = Message(gettext_noop("The WMS refused to cancel it: %(message)s"), message=exc.message)
            OrderExport.objects.filter(pk=export.pk).update(cancel_refused=message)
            recorder.run.failed += 1
            recorder.message(f"#{export.order_id}", message)
            continue
        now = timezone.now()
        OrderExport.objects.filter(pk=export.pk).update(
            cancelled_at=now, wms_status=CANCELLED, wms_status_at=now
        )
        recorder.run.updated += 1
        recorder.message(f"#{export.order_id}", Message(gettext_noop("Cancelled in the WMS.")))


def _known_articles(connection: WmsConnection, client: OngoingClient, page: list[Order]) -> set[str]:
    """The SKUs of the page's lines that exist as articles: written by us, else found in the WMS."""
    skus = {line.sku for order in page for line in order.lines.all() if line.sku}
    if not skus:
        return set()
    known = set(
        ArticleState.objects.filter(
            connection=connection, article_number__in=skus, wms_article_id__isnull=False
        ).values_list("article_number", flat=True)
    )
    missing = skus - known
    if missing:
        known |= {a["articleNumber"] for a in client.iter_articles(article_numbers=sorted(missing))}
    return known


def _hold_reason(lines: list[OrderLine], known: set[str]) -> Message | None:
    if not lines:
        return Message(gettext_noop("The order has no lines."))
    without_sku = [line.name for line in lines if not line.sku]
    if without_sku:
        return Message(
            gettext_noop("Held: line(s) without a SKU cannot go to the WMS: %(names)s."),
            names=", ".join(without_sku),
        )
    missing = sorted({line.sku for line in lines} - known)
    if missing:
        return Message(
            gettext_noop(
                "Held: no article in the WMS yet for SKU %(skus)s. The order is exported by the first sync "
                "after the article exists."
            ),
            skus=", ".join(missing),
        )
    return None


def _already_in_wms(client: OngoingClient, order: Order) -> int | None:
    """After a refusal: the WMS id of this order if it is there already (a previous write whose
    answer was lost, and the warehouse has started on it since, so it cannot be updated)."""
    found = client.find_order_by_number(str(order.pk))
    return (found or {}).get("orderInfo", {}).get("orderId")


def _remember_export(
    connection: WmsConnection,
    order: Order,
    wms_order_id: int | None,
    status_after: OrderStatus | None,
    status_ids: set[int],
    recorder: RunRecorder,
) -> None:
    with transaction.atomic():
        # No wait for the WAL flush: if the database lost this commit in a crash, the next run writes
        # the order again, which the WMS answers as an update of the same order (or, once the warehouse
        # has started on it, it is found by number) — never a second order.
        with db.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        OrderExport.objects.bulk_create(
            [
                OrderExport(
                    connection=connection,
                    order=order,
                    state=OrderExport.State.EXPORTED,
                    wms_order_id=wms_order_id,
                    exported_at=timezone.now(),
                    last_error="",
                )
            ],
            update_conflicts=True,
            unique_fields=["connection", "order"],
            update_fields=["state", "wms_order_id", "exported_at", "last_error"],
        )
        # Only if the order still waits in an export status (a user may have moved it meanwhile).
        if (
            status_after is not None
            and Order.objects.select_for_update().filter(pk=order.pk, status_id__in=status_ids).exists()
        ):
            order_set_status(
                order=order, status=status_after, origin=Origin.wms(connection.pk, connection.name)
            )
