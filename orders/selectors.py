"""Reads of the orders app."""

from __future__ import annotations

from orders.models import OrderStatus


def status_of_kind(*, account, kind: str) -> OrderStatus | None:
    return OrderStatus.objects.filter(account=account, kind=kind).order_by("position", "id").first()


def status_sent(*, account) -> OrderStatus | None:
    """The account's "sent" status (where orders go when their package leaves)."""
    return status_of_kind(account=account, kind=OrderStatus.Kind.SENT)


def status_cancelled(*, account) -> OrderStatus | None:
    return status_of_kind(account=account, kind=OrderStatus.Kind.CANCELLED)
