"""Recording change events and delivering them to their consumers."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from changes import registry
from changes.models import ChangeDelivery, ChangeEvent
from changes.origin import Origin

logger = logging.getLogger(__name__)

# A pending delivery older than this is taken to have lost its task (a worker died, Redis lost it)
# and is run again by the periodic sweep.
REDELIVER_AFTER = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)
KEEP_DELIVERED = timedelta(days=7)


def change_record(
    *,
    account_id: int,
    topic: str,
    origin: Origin,
    subject_id: int | None = None,
    payload: dict | None = None,
) -> ChangeEvent | None:
    """Record one change in the current transaction and deliver it to its consumers after commit.

    Must be called inside the transaction that makes the change (so a rolled-back change records
    nothing). Each consumer of ``topic`` that ``accepts`` the origin and ``wants`` the change gets a
    delivery; ``origin.depth`` is kept with the event. Returns None when no consumer wants the change
    (nothing is written then)."""
    if not connection.in_atomic_block:
        raise RuntimeError("change_record() must run inside the transaction of the change")
    payload = payload or {}
    consumers = [c for c in registry.consumers_for(topic) if c.wanted(account_id, topic, payload, origin)]
    if not consumers:
        return None
    event = ChangeEvent.objects.create(
        account_id=account_id,
        topic=topic,
        subject_id=subject_id,
        payload=payload,
        origin_depth=origin.depth,
        **origin.as_fields(),
    )
    ChangeDelivery.objects.bulk_create([ChangeDelivery(event=event, consumer=c.name) for c in consumers])
    from changes.tasks import changes_deliver

    changes_deliver.delay_on_commit(event.pk)
    return event


def change_record_many(
    *,
    account_id: int,
    topic: str,
    origin: Origin,
    items: list[tuple[int | None, dict]],
) -> list[ChangeEvent]:
    """Record one change per ``(subject_id, payload)`` of ``items`` (changes of one kind made together,
    e.g. orders created by one statement) in a constant number of queries: each consumer is asked
    whether it ``wants`` them once, with the first item's payload, so use it only for changes alike in
    what consumers decide on (the topic, the account, shared values such as a status). Otherwise as
    :func:`change_record`: inside the transaction of the changes, delivered after commit."""
    if not connection.in_atomic_block:
        raise RuntimeError("change_record_many() must run inside the transaction of the changes")
    if not items:
        return []
    first = items[0][1] or {}
    consumers = [
        c for c in registry.consumers_for(topic) if c.accepts(origin) and c.wants(account_id, topic, first)
    ]
    if not consumers:
        return []
    events = ChangeEvent.objects.bulk_create(
        ChangeEvent(
            account_id=account_id,
            topic=topic,
            subject_id=subject_id,
            payload=payload or {},
            origin_depth=origin.depth,
            **origin.as_fields(),
        )
        for subject_id, payload in items
    )
    ChangeDelivery.objects.bulk_create(
        [ChangeDelivery(event=event, consumer=c.name) for event in events for c in consumers]
    )
    from changes.tasks import changes_deliver

    for event in events:
        changes_deliver.delay_on_commit(event.pk)
    return events


def event_deliver(*, event_id: int) -> int:
    """Run every pending delivery of one event. Returns how many were delivered now."""
    pending = ChangeDelivery.objects.filter(event_id=event_id, delivered_at__isnull=True).values_list(
        "pk", flat=True
    )
    return sum(delivery_run(delivery_id=pk) for pk in list(pending))


def delivery_run(*, delivery_id: int) -> bool:
    """Run one delivery's handler and mark it delivered, in one transaction.

    The delivery row is locked (SKIP LOCKED: a delivery another worker is running is left to it), so two
    workers never run one delivery at once. If the handler raises, its writes are rolled back and the
    delivery is retried with a backoff; if the worker dies, the lock and the writes go with it and the
    sweep runs the delivery again."""
    with transaction.atomic():
        delivery = (
            ChangeDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event")
            .filter(pk=delivery_id, delivered_at__isnull=True)
            .first()
        )
        if delivery is None:
            return False
        consumer = registry.consumer(delivery.consumer)
        delivery.attempts += 1
        try:
            with transaction.atomic():
                if consumer is not None and consumer.accepts(delivery.event.origin):
                    consumer.handler(delivery.event)
        except Exception as exc:
            logger.exception(
                "Change consumer %s failed on event %s (%s), attempt %s",
                delivery.consumer,
                delivery.event_id,
                delivery.event.topic,
                delivery.attempts,
            )
            backoff = min(timedelta(seconds=5 * 2 ** min(delivery.attempts, 12)), MAX_BACKOFF)
            delivery.not_before = timezone.now() + backoff
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            delivery.save(update_fields=["attempts", "not_before", "last_error"])
            return False
        delivery.delivered_at = timezone.now()
        delivery.last_error = ""
        delivery.save(update_fields=["attempts", "delivered_at", "last_error"])
        return True


def deliveries_sweep(*, limit: int = 1000) -> int:
    """Run deliveries that are due and whose task was lost (or that wait for a retry). Returns how many
    were delivered."""
    now = timezone.now()
    due = (
        ChangeDelivery.objects.filter(delivered_at__isnull=True, not_before__lte=now - REDELIVER_AFTER)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(delivery_run(delivery_id=pk) for pk in list(due))


def events_purge(*, older_than: timedelta = KEEP_DELIVERED) -> int:
    """Forget events whose deliveries are all done and that are older than ``older_than``."""
    cutoff = timezone.now() - older_than
    deleted, _detail = (
        ChangeEvent.objects.filter(created_at__lt=cutoff)
        .exclude(deliveries__delivered_at__isnull=True)
        .delete()
    )
    return deleted
