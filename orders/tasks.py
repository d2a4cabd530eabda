"""Celery tasks of the orders app."""

from __future__ import annotations

from celery import shared_task


@shared_task
def automation_run(order_id: int, event: str, depth: int = 0, status_id=None, button_id=None) -> int:
    """Run the automatic actions of ``event`` for one order. Not retried: actions are not idempotent
    (a second "add comment" would add it twice), so a lost run is recorded by its absence, not redone."""
    from orders.automation import rules_run

    return len(
        rules_run(order_id=order_id, event=event, depth=depth, status_id=status_id, button_id=button_id)
    )
