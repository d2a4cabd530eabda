"""Celery tasks of the WMS bridge: the 15-minute dispatcher, one sync per connection, webhooks."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task
def wms_dispatch() -> list[int]:
    """Every 15 minutes (beat): start one ``wms_sync_connection`` per enabled, unpaused connection that
    is not backing off. Returns the connection ids started. Cheap and safe to run twice: a second task
    for a connection that is already running records a skipped run and ends."""
    from wmsbridge.models import WmsConnection

    now = timezone.now()
    due = list(
        WmsConnection.objects.filter(enabled=True, paused_at__isnull=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for connection_id in due:
        wms_sync_connection.delay(connection_id, None, "schedule")
    return due


@shared_task(acks_late=True, reject_on_worker_lost=True)
def wms_sync_connection(
    connection_id: int, kinds: list[str] | None = None, trigger: str = "manual"
) -> list[int]:
    """Sync one connection (all kinds, or ``kinds``); returns the ids of the runs recorded.

    Idempotent and safe to redeliver (acks late): every write to the WMS is an upsert and every
    order is remembered as exported in the transaction after the WMS accepted it; a duplicate task
    while a run is in progress records a skipped run and returns at once.
    """
    from wmsbridge.services import sync_queued_clear
    from wmsbridge.sync import connection_sync

    try:
        runs = connection_sync(connection_id=connection_id, kinds=kinds, trigger=trigger)
    finally:
        sync_queued_clear(connection_id=connection_id)
    return [run.pk for run in runs]


@shared_task(acks_late=True, reject_on_worker_lost=True)
def wms_webhook_process(event_id: int) -> str:
    """Process one received webhook: re-read the order from the WMS and ship it back if it was sent.
    Idempotent (see ``order_ship_back``). Returns the event's outcome."""
    from wmsbridge.webhooks import webhook_event_process

    return webhook_event_process(event_id=event_id)
