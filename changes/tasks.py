"""Celery tasks of change events: deliver one event, sweep up lost deliveries, purge old events."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def changes_deliver(event_id: int) -> int:
    """Deliver one event to its consumers. Safe to run twice: a delivered delivery is not run again."""
    from changes.services import event_deliver

    return event_deliver(event_id=event_id)


@shared_task
def changes_sweep() -> int:
    """Every minute: deliveries whose task was lost or whose retry is due."""
    from changes.services import deliveries_sweep

    return deliveries_sweep()


@shared_task
def changes_purge() -> int:
    """Daily: forget delivered events older than a week."""
    from changes.services import events_purge

    return events_purge()
