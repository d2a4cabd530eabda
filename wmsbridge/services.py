"""Every write of the wmsbridge app outside the sync itself: connections, their pause, webhooks in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from catalog.models import Inventory, Warehouse
from config.crypto import SecretUnreadable
from orders.models import OrderStatus
from wmsbridge.client import WmsAuthError, WmsError, WmsNotFound, WmsUnavailable, normalize_base_url
from wmsbridge.models import WmsConnection
from wmsbridge.outbound import url_refusal

# A sync holds the connection row for its whole run; an edit waits this long for it, then says so.
EDIT_LOCK_TIMEOUT = "3s"

SETTINGS_FIELDS = (
    "name",
    "base_url",
    "api_user",
    "goods_owner_id",
    "inventory",
    "export_orders_since",
    "stock_push",
    "stock_warehouse",
    "status_after_export",
    "status_when_sent",
    "label_courier",
    "label_print",
    "label_print_workstation_id",
    "label_print_report_id",
    "enabled",
)


def _validate(account, values: dict[str, Any], *, creating: bool, password: str | None) -> None:
    errors: dict[str, list[str]] = {}
    url = (values.get("base_url") or "").strip()
    if not url.lower().startswith(("https://", "http://")) or len(url) < 10:
        errors["base_url"] = [_("Enter the warehouse's API address, starting with https://.")]
    elif url_refusal(url) is not None:
        errors["base_url"] = [refused_address_message()]
    if values.get("label_print") and not values.get("label_print_workstation_id"):
        errors["label_print_workstation_id"] = [
            _("Enter the id of the WMS workstation that prints the labels, or turn automatic printing off.")
        ]
    if creating and not password:
        errors["password"] = [_("Enter the API user's password.")]
    for field, model in (
        ("inventory", Inventory),
        ("stock_warehouse", Warehouse),
        ("status_after_export", OrderStatus),
        ("status_when_sent", OrderStatus),
    ):
        value = values.get(field)
        if value is not None and (not isinstance(value, model) or value.account_id != account.pk):
            errors[field] = [_("Choose one of this account's values.")]
    if values.get("inventory") is None and creating:
        errors["inventory"] = [_("Choose the catalog whose products become articles.")]
    if values.get("stock_push") and values.get("stock_warehouse") is None:
        errors["stock_warehouse"] = [_("Choose the warehouse that receives the WMS's stock.")]
    for status in values.get("export_statuses") or []:
        if status.account_id != account.pk:
            errors["export_statuses"] = [_("Choose this account's statuses.")]
    after = values.get("status_after_export")
    if after is not None and after.kind == OrderStatus.Kind.CANCELLED:
        errors["status_after_export"] = [_("An exported order cannot be moved to a cancelled status.")]
    from shipments.couriers import COURIERS

    if values.get("label_courier", "manual") not in COURIERS:
        errors["label_courier"] = [_("Choose one of the couriers.")]
    if errors:
        raise ValidationError(errors)


# The one message for an address outgoing requests may not reach: the same whatever listens there.
REFUSED_ADDRESS = gettext_noop(
    "This address is not allowed: it points to this server, a private or local network, or a reserved "
    "address. Enter the warehouse's public API address."
)


def refused_address_message() -> str:
    return _(REFUSED_ADDRESS)


def _default_sent_status(account) -> OrderStatus | None:
    return (
        OrderStatus.objects.filter(account=account, kind=OrderStatus.Kind.SENT)
        .order_by("position", "id")
        .first()
    )


@transaction.atomic
def connection_create(
    *, account, password: str, export_statuses: list[OrderStatus] | None = None, **values: Any
) -> WmsConnection:
    """Create a WMS connection; the password is stored encrypted. ``status_when_sent`` defaults to the
    account's first "sent" status. ValidationError (by field) on bad input; nothing is written."""
    values = {k: v for k, v in values.items() if k in SETTINGS_FIELDS}
    _validate(account, {**values, "export_statuses": export_statuses}, creating=True, password=password)
    if WmsConnection.objects.filter(account=account, name=values.get("name")).exists():
        raise ValidationError({"name": [_("A connection with this name exists already.")]})
    values.setdefault("status_when_sent", _default_sent_status(account))
    values["base_url"] = values["base_url"].strip()
    connection = WmsConnection(account=account, **values)
    connection.password = password
    connection.save()
    connection.export_statuses.set(export_statuses or [])
    return connection


def connection_update(
    *,
    connection: WmsConnection,
    password: str | None = None,
    export_statuses: list[OrderStatus] | None = None,
    **values: Any,
) -> WmsConnection:
    """Change a connection's settings. An empty ``password`` keeps the stored one. Saving clears a pause
    and the backoff (the user has fixed something). If a sync is running, waits up to a few seconds and
    then raises ValidationError saying so."""
    values = {k: v for k, v in values.items() if k in SETTINGS_FIELDS}
    merged = {f: getattr(connection, f) for f in SETTINGS_FIELDS} | values
    statuses = export_statuses if export_statuses is not None else list(connection.export_statuses.all())
    _validate(connection.account, {**merged, "export_statuses": statuses}, creating=False, password=password)
    if (
        "name" in values
        and WmsConnection.objects.filter(account_id=connection.account_id, name=values["name"])
        .exclude(pk=connection.pk)
        .exists()
    ):
        raise ValidationError({"name": [_("A connection with this name exists already.")]})
    with _row_edit(connection):
        for field, value in values.items():
            setattr(connection, field, value.strip() if field == "base_url" else value)
        if password:
            connection.password = password
        connection.paused_at = None
        connection.paused_reason = ""
        connection.auth_failures = 0
        connection.consecutive_failures = 0
        connection.next_attempt_at = None
        # Only these columns: the run that held the row may have moved its cursors meanwhile.
        connection.save(
            update_fields=[
                *values,
                *(["password_encrypted"] if password else []),
                "paused_at",
                "paused_reason",
                "auth_failures",
                "consecutive_failures",
                "next_attempt_at",
                "updated_at",
            ]
        )
        if export_statuses is not None:
            connection.export_statuses.set(export_statuses)
    return connection


def connection_delete(*, connection: WmsConnection) -> None:
    """Delete a connection with its history and item states (the WMS keeps its articles and orders)."""
    with _row_edit(connection):
        connection.delete()


def connection_resume(*, connection: WmsConnection) -> WmsConnection:
    """Lift a pause and the backoff: the next 15-minute dispatch runs the connection again."""
    with _row_edit(connection):
        WmsConnection.objects.filter(pk=connection.pk).update(
            paused_at=None, paused_reason="", auth_failures=0, consecutive_failures=0, next_attempt_at=None
        )
    connection.refresh_from_db()
    return connection


class _row_edit:
    """A transaction that waits at most EDIT_LOCK_TIMEOUT for a running sync's row lock."""

    def __init__(self, connection: WmsConnection) -> None:
        self.connection = connection
        self.atomic = transaction.atomic()

    def __enter__(self):
        from django.db import connection as db

        self.atomic.__enter__()
        with db.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{EDIT_LOCK_TIMEOUT}'")
        return self

    def __exit__(self, exc_type, exc, tb):
        result = self.atomic.__exit__(exc_type, exc, tb)
        if isinstance(exc, OperationalError) and "lock timeout" in str(exc):
            raise ValidationError(
                _("A sync of this connection is running right now; save again when it has finished.")
            ) from exc
        return result


# ------------------------------------------------------------------------------------------ test


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    # "ok", "url", "credentials", "goods_owner", "network", "password", "refused", "redirect", "error"
    reason: str
    message: str


def connection_test(*, connection: WmsConnection, password: str | None = None) -> ConnectionCheck:
    """Try the connection for real (two cheap calls, no retries) and say in plain words what is wrong.

    ``password`` tests an unsaved password instead of the stored one. Writes nothing.
    """
    from wmsbridge.sync.runner import connection_client

    overrides = {"timeout": 15.0, "max_retries": 0}
    try:
        if password:
            from wmsbridge.client import OngoingClient

            client = OngoingClient(
                connection.base_url, connection.api_user, password, connection.goods_owner_id, **overrides
            )
        else:
            client = connection_client(connection, **overrides)
    except SecretUnreadable as exc:
        return ConnectionCheck(False, "password", str(exc))
    messages = {
        "refused": refused_address_message(),
        "redirect": _(
            "The server at %(url)s answered with a redirect, which is not followed. Enter the exact API "
            "address (check https:// and the warehouse name)."
        ),
        "url": _(
            "Wrong address: no Ongoing WMS API answers at %(url)s. Check the host and the warehouse name."
        ),
        "credentials": _("Ongoing WMS rejected the API user or password."),
        "goods_owner": _(
            "The API user has no access to goods owner %(goods_owner)s. Check the goods owner id."
        ),
        "network": _("Ongoing WMS could not be reached at %(url)s: %(error)s"),
    }
    try:
        with client:
            result = client.test_connection()
    except WmsError as exc:
        reason = exc.reason
        if isinstance(exc, WmsNotFound):
            reason = "url"
        elif isinstance(exc, WmsAuthError) and reason not in ("credentials", "goods_owner"):
            reason = "credentials"
        elif isinstance(exc, WmsUnavailable):
            reason = "network"
        template = messages.get(reason)
        error = exc.message
        if reason == "network" and getattr(exc, "attempts", None):
            # Said once: "could not be reached at <url>: no answer after 3 tries (…)".
            error = ngettext(
                "no answer after %(n)s try (%(last)s)", "no answer after %(n)s tries (%(last)s)", exc.attempts
            ) % {"n": exc.attempts, "last": exc.last}
        params = {
            "url": normalize_base_url(connection.base_url),
            "goods_owner": connection.goods_owner_id,
            "error": error,
        }
        message = template % params if template else exc.message
        return ConnectionCheck(False, reason if template else "error", message)
    count = len(result.get("orderStatuses") or [])
    return ConnectionCheck(
        True,
        "ok",
        _("Connected: goods owner %(goods_owner)s is reachable (%(count)s order statuses).")
        % {"goods_owner": connection.goods_owner_id, "count": count},
    )


# A sync asked for (Sync now, the API, the schedule) shows in the history at once as "queued" and the
# page keeps polling until the task has finished every kind — between two kinds no run is "running".
_QUEUED_KEY = "wms-sync-queued:{}"
_QUEUED_FOR = 30 * 60  # a task that never starts (no worker) stops showing as queued after this


def sync_queued_mark(*, connection_id: int) -> None:
    """Remember that a sync of the connection was asked for now (until the task ends)."""
    from django.core.cache import cache
    from django.utils import timezone

    cache.set(_QUEUED_KEY.format(connection_id), timezone.now().isoformat(), _QUEUED_FOR)


def sync_queued_since(*, connection_id: int):
    """When a sync that has not finished yet was asked for; None when none is waiting or running."""
    from django.core.cache import cache
    from django.utils.dateparse import parse_datetime

    value = cache.get(_QUEUED_KEY.format(connection_id))
    return parse_datetime(value) if isinstance(value, str) else None


def sync_queued_clear(*, connection_id: int) -> None:
    """The sync task has ended (done, failed or skipped)."""
    from django.core.cache import cache

    cache.delete(_QUEUED_KEY.format(connection_id))
