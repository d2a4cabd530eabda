"""Change events of the catalog, recorded by its writers (``catalog.services``, ``catalog.bulk``).

Payloads name sets, not rows: ``product_ids`` (sorted) and, for stock and prices, the ``warehouse_ids``
or ``price_group_ids`` the write touched. A consumer reads the current rows of
``product_ids × warehouse_ids`` (one ``UPDATE … FROM`` join), so a pair that did not change is simply
written again with its current value. A write of more than ``EVENT_CHUNK`` products records one event
per chunk of ids (``part``/``parts`` say which), so no payload grows without bound.
"""

from __future__ import annotations

from collections.abc import Iterable

from changes import registry
from changes.origin import Origin
from changes.services import change_record

EVENT_CHUNK = 10_000


def wanted(topic: str, origin: Origin) -> bool:
    """True when a consumer takes this change (otherwise set-based writers skip collecting the ids)."""
    return any(consumer.accepts(origin) for consumer in registry.consumers_for(topic))


def record_set(
    *,
    account_id: int,
    topic: str,
    origin: Origin,
    product_ids: Iterable[int],
    targets: dict[str, Iterable[int]] | None = None,
    subject_id: int | None = None,
    extra: dict | None = None,
) -> int:
    """Record ``topic`` for ``product_ids`` (one event, or one per chunk). Returns how many were recorded."""
    ids = sorted(set(product_ids))
    if not ids or not wanted(topic, origin):
        return 0
    target_lists = {key: sorted(set(values)) for key, values in (targets or {}).items()}
    chunks = [ids[start : start + EVENT_CHUNK] for start in range(0, len(ids), EVENT_CHUNK)]
    for part, chunk in enumerate(chunks, start=1):
        payload = {"product_ids": chunk, **target_lists, **(extra or {})}
        if len(chunks) > 1:
            payload.update(part=part, parts=len(chunks))
        change_record(
            account_id=account_id,
            topic=topic,
            origin=origin,
            subject_id=subject_id if subject_id is not None else (chunk[0] if len(ids) == 1 else None),
            payload=payload,
        )
    return len(chunks)
