"""Reads of the WMS bridge: connections, run history and its chart, order and product states."""

from __future__ import annotations

from html import escape
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from config import formats
from config.stored_messages import message_text
from orders.models import Order
from wmsbridge.models import ArticleState, OrderExport, SyncKind, SyncRun, WebhookEvent, WmsConnection

# Ongoing's order statuses, in the reader's language.
WMS_STATUS_NAMES = {
    150: pgettext_lazy("WMS order status", "Error"),
    200: pgettext_lazy("WMS order status", "Open"),
    300: pgettext_lazy("WMS order status", "Released"),
    320: pgettext_lazy("WMS order status", "Allocated"),
    400: pgettext_lazy("WMS order status", "Picked"),
    450: pgettext_lazy("WMS order status", "Sent"),
    500: pgettext_lazy("WMS order status", "Collected"),
    800: pgettext_lazy("WMS order status", "Returned"),
    1000: pgettext_lazy("WMS order status", "Cancelled"),
}


def wms_status_text(number: int | None) -> str:
    if number is None:
        return ""
    # Warehouses add their own numbers; name an unknown one by the range it falls in.
    known = max((n for n in WMS_STATUS_NAMES if n <= number), default=None)
    name = WMS_STATUS_NAMES.get(number) or (WMS_STATUS_NAMES[known] if known else "")
    return f"{number} {name}".strip()


def connection_list(*, account) -> QuerySet[WmsConnection]:
    return WmsConnection.objects.filter(account=account).select_related("inventory").order_by("name", "id")


def connection_get(*, account, pk: int) -> WmsConnection:
    """The account's connection ``pk``; ``DoesNotExist`` for a missing one and another account's alike."""
    return (
        WmsConnection.objects.select_related(
            "inventory", "stock_warehouse", "status_after_export", "status_when_sent"
        )
        .prefetch_related("export_statuses")
        .get(account=account, pk=pk)
    )


def run_list(*, connection: WmsConnection, limit: int = 50) -> list[SyncRun]:
    return list(SyncRun.objects.filter(connection=connection).order_by("-started_at", "-id")[:limit])


def webhook_event_list(*, connection: WmsConnection, limit: int = 10) -> list[WebhookEvent]:
    """The latest webhooks, each with ``wms_status_text`` (the WMS status in words)."""
    events = list(WebhookEvent.objects.filter(connection=connection).order_by("-id")[:limit])
    for event in events:
        event.wms_status_text = wms_status_text(event.wms_status)
    return events


def last_runs(*, connections: list[WmsConnection]) -> dict[int, SyncRun]:
    """The newest run of each connection (one query)."""
    runs = (
        SyncRun.objects.filter(connection__in=connections)
        .order_by("connection_id", "-started_at", "-id")
        .distinct("connection_id")
    )
    return {run.connection_id: run for run in runs}


# ------------------------------------------------------------------------------------------- chart

_KIND_COLOURS = {
    SyncKind.ARTICLES: "#1e88e5",
    SyncKind.ORDERS: "#fb8c00",
    SyncKind.STOCK: "#43a047",
    SyncKind.SHIPMENTS: "#8e24aa",
}


def runs_chart_html(runs: list[SyncRun]) -> str:
    """The run history as a chart: items handled per run (bars: written, failed) and duration (dashed
    line), oldest left; inline SVG, no script and no external resource, each bar with a ``<title>``
    tooltip.

    Only the plot is SVG, stretched to whatever width the page gives it; the axis labels beside it are
    HTML text, so they keep the page's font size on a phone instead of shrinking with the drawing.
    """
    runs = [r for r in reversed(runs) if r.status != SyncRun.Status.RUNNING][-60:]
    if not runs:
        return ""
    # The plot's own units: one per run across, 100 up; the SVG is stretched to fit (lines keep their
    # width and dashes: non-scaling-stroke).
    plot_h = 100
    bar_w = 0.7
    items = [r.created + r.updated + r.failed for r in runs]
    durations = [r.duration or 0.0 for r in runs]
    max_items = max(max(items), 1)
    max_duration = max(max(durations), 0.001)
    # Texts and numbers in the reader's language (xgettext does not look inside f-strings).
    title = escape(_("Sync history chart"))
    top_items = escape(formats.format_number(max_items))
    top_duration = escape(_("%(seconds)s s") % {"seconds": formats.format_number(max_duration, 1)})
    parts = [
        f'<div role="img" aria-label="{title}" class="wms-chart">',
        f'<div class="wms-chart-axis"><span>{top_items}</span><span>0</span></div>',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {len(runs)} {plot_h}" '
        'preserveAspectRatio="none" class="wms-chart-plot" aria-hidden="true">',
    ]
    points = []
    for i, run in enumerate(runs):
        x = i + (1 - bar_w) / 2
        written = run.created + run.updated
        h_written = plot_h * written / max_items
        h_failed = plot_h * run.failed / max_items
        y_written = plot_h - h_written
        tip = escape(
            _(
                "%(when)s %(kind)s: %(written)s written, %(failed)s failed, %(unchanged)s unchanged, "
                "%(seconds)s s"
            )
            % {
                "when": formats.format_datetime(run.started_at),
                "kind": run.get_kind_display(),
                "written": formats.format_number(written),
                "failed": formats.format_number(run.failed),
                "unchanged": formats.format_number(run.unchanged),
                "seconds": formats.format_number(run.duration or 0.0, 1),
            }
        )
        colour = _KIND_COLOURS.get(run.kind, "#607d8b")
        if run.status == SyncRun.Status.SKIPPED:
            colour = "#bdbdbd"
        parts.append(
            f'<g><title>{tip}</title><rect x="{x:.2f}" y="{y_written:.1f}" width="{bar_w}" '
            f'height="{max(h_written, 1):.1f}" fill="{colour}"/>'
        )
        if run.failed or run.status == SyncRun.Status.FAILED:
            parts.append(
                f'<rect x="{x:.2f}" y="{y_written - max(h_failed, 2):.1f}" width="{bar_w}" '
                f'height="{max(h_failed, 2):.1f}" fill="#c62828"/>'
            )
        parts.append("</g>")
        cy = plot_h - plot_h * (run.duration or 0.0) / max_duration
        points.append(f"{i + 0.5:.1f},{cy:.1f}")
    parts.append(
        f'<polyline points="{" ".join(points)}" fill="none" stroke="#263238" stroke-width="1.5" '
        'stroke-dasharray="4 2" vector-effect="non-scaling-stroke"/>'
    )
    parts.append("</svg>")
    parts.append(f'<div class="wms-chart-axis"><span>{top_duration}</span></div>')
    parts.append("</div>")
    return "".join(parts)


def chart_legend() -> list[tuple[str, str]]:
    return [(str(SyncKind(kind).label), colour) for kind, colour in _KIND_COLOURS.items()] + [
        (_("failed"), "#c62828"),
        (_("skipped"), "#bdbdbd"),
    ]


# ------------------------------------------------------------------------------------------- order card


def wms_order_state(order: Order) -> dict[str, Any]:
    """The order's WMS state for the order card, per connection of its account:

    ``{"connections": [{"connection", "state", "exported_at", "wms_order_id", "wms_status",
    "wms_status_text", "label_uploaded", "tracking_written", "shipped_back_at", "reason"}]}``

    ``state``: "exported", "held" / "failed" (``reason`` says why), "waiting" (in an export status, goes
    with the next sync), "technical" (a merged order: never exported, its source orders are) or
    "not exported" (its status is not exported by that connection). Reasons are in the active
    language.
    """
    exports = {
        e.connection_id: e
        for e in OrderExport.objects.filter(order=order, connection__account_id=order.account_id)
    }
    rows = []
    for connection in (
        WmsConnection.objects.filter(account_id=order.account_id)
        .prefetch_related("export_statuses")
        .order_by("name")
    ):
        export = exports.get(connection.pk)
        in_status = any(s.pk == order.status_id for s in connection.export_statuses.all())
        if export is not None:
            state = export.state
        elif order.is_technical:
            state = "technical"
        elif in_status and connection.enabled:
            state = "waiting"
        else:
            state = "not exported"
        if state == "not exported" and export is None and not in_status:
            continue  # not relevant to this order
        rows.append(
            {
                "connection": connection,
                "state": state,
                "exported_at": export.exported_at if export else None,
                "wms_order_id": export.wms_order_id if export else None,
                "wms_status": export.wms_status if export else None,
                "wms_status_text": wms_status_text(export.wms_status) if export else "",
                "label_uploaded": bool(export and export.label_uploaded),
                "tracking_written": bool(export and export.tracking_written),
                "shipped_back_at": export.shipped_back_at if export else None,
                "reason": (
                    message_text(export.last_error)
                    if export and export.state != OrderExport.State.EXPORTED
                    else ""
                ),
                "cancelled_at": export.cancelled_at if export else None,
                "cancel_refused": message_text(export.cancel_refused) if export else "",
            }
        )
    return {"connections": rows}


def _article_changed(connection: WmsConnection, product) -> bool:
    """Whether the product's mapped payload differs from what was last written (the sync's own query,
    limited to this product)."""
    from django.db import connection as db

    from wmsbridge.mapping import articles_query

    params = {
        "connection": connection.pk,
        "account": connection.account_id,
        "inventory": connection.inventory_id,
        "language": connection.inventory.default_language,
        "product": product.pk,
    }
    with db.cursor() as cursor:
        cursor.execute(articles_query(one_product=True), params)
        row = cursor.fetchone()
    return row is not None and row[0] == product.pk


def wms_article_state(product) -> dict[str, Any]:
    """The product's article state per connection syncing its catalog:

    ``{"connections": [{"connection", "state", "article_number", "wms_article_id", "last_written_at",
    "error"}]}`` with ``state`` "synced", "pending" (not written yet or changed since), "failed",
    "no sku" (skipped until it has one) or "variants" (a product with variants: its variants are the
    articles).
    """
    connections = list(
        WmsConnection.objects.filter(account_id=product.account_id, inventory_id=product.inventory_id)
        .select_related("inventory")
        .order_by("name")
    )
    if not connections:
        return {"connections": []}
    states = {
        s.connection_id: s for s in ArticleState.objects.filter(product=product, connection__in=connections)
    }
    has_variants = product.variants.exists()
    rows = []
    for connection in connections:
        state_row = states.get(connection.pk)
        if has_variants:
            state = "variants"
        elif not product.sku:
            state = "no sku"
        elif state_row and state_row.last_error:
            state = "failed"
        elif state_row and state_row.payload_hash and not _article_changed(connection, product):
            state = "synced"
        else:
            state = "pending"
        rows.append(
            {
                "connection": connection,
                "state": state,
                "article_number": state_row.article_number if state_row else "",
                "wms_article_id": state_row.wms_article_id if state_row else None,
                "last_written_at": state_row.last_written_at if state_row else None,
                "error": message_text(state_row.last_error) if state_row else "",
            }
        )
    return {"connections": rows}
