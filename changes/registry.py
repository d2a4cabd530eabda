"""Consumers of change events. Apps register theirs in ``AppConfig.ready()``; the producers (catalog,
orders, shipments) never import the consumers (automation, Connect, the WMS bridge), so no app imports
another app that merely reacts to it."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from changes import topics as topic_names
from changes.origin import Origin


def _accept_all(origin: Origin) -> bool:
    return True


def _want_all(account_id: int, topic: str, payload: dict) -> bool:
    return True


@dataclass(frozen=True)
class Consumer:
    """``handler(event)`` runs inside the transaction that marks the delivery done: it must be
    idempotent (it may run again after a worker died), should read the current state of what changed
    rather than trust the order of events, and raises to be retried later.

    ``accepts(origin)`` decides before the handler runs whether the consumer wants a change at all;
    it is how a consumer skips the changes it caused itself.

    ``wants(account_id, topic, payload)`` is asked once, when the change is recorded (inside the
    producer's transaction): a cheap query saying whether the consumer has anything to do with it at
    all (the account has rules for this event, has links...). When it says no, no delivery is written,
    so a change nobody reacts to costs no rows and no task. A ``wants`` that takes an ``origin`` keyword
    also gets the change's origin (a consumer that skips what it caused itself on some rows only — a
    Connect link on the orders it links — says so here, before a delivery is written)."""

    name: str
    topics: frozenset[str]
    handler: Callable
    accepts: Callable[[Origin], bool] = field(default=_accept_all)
    wants: Callable[[int, str, dict], bool] = field(default=_want_all)
    wants_origin: bool = False

    def wanted(self, account_id: int, topic: str, payload: dict, origin: Origin) -> bool:
        """``accepts`` and ``wants`` together, as asked when a change is recorded."""
        if not self.accepts(origin):
            return False
        if self.wants_origin:
            return self.wants(account_id, topic, payload, origin=origin)
        return self.wants(account_id, topic, payload)


_consumers: dict[str, Consumer] = {}


def register(
    name: str,
    *,
    topics: Iterable[str],
    handler: Callable,
    accepts: Callable[[Origin], bool] | None = None,
    wants: Callable[[int, str, dict], bool] | None = None,
) -> Consumer:
    """Register (or replace) the consumer ``name`` for ``topics``."""
    topics = frozenset(topics)
    unknown = topics - topic_names.ALL
    if unknown:
        raise ValueError(f"Unknown change topics: {sorted(unknown)}")
    consumer = Consumer(
        name=name,
        topics=topics,
        handler=handler,
        accepts=accepts or _accept_all,
        wants=wants or _want_all,
        wants_origin=wants is not None and "origin" in inspect.signature(wants).parameters,
    )
    _consumers[name] = consumer
    return consumer


def unregister(name: str) -> None:
    _consumers.pop(name, None)


def consumer(name: str) -> Consumer | None:
    return _consumers.get(name)


def consumers_for(topic: str) -> list[Consumer]:
    return [c for c in _consumers.values() if topic in c.topics]
