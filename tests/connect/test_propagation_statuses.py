"""Statuses of forwarded orders travel both ways through the mapping tables, on a real Celery worker,
and never bounce back."""

from __future__ import annotations

import statistics
import time

import pytest

from changes.models import ChangeDelivery
from changes.origin import Origin
from connect import services
from connect.models import ForwardedOrder
from connect.propagation import CONSUMER
from orders.models import JournalEntry, Order, OrderStatus
from orders.services import order_set_status
from tests.factories.connect import owner_tenant
from tests.waiting import wait_for

from .forwarded_pairs import forwarded_pair, status, statuses_both_ways, statuses_map, statuses_switch

pytestmark = pytest.mark.django_db(transaction=True)

BOTH_WAYS = {"In progress": "In progress", "Sent": "Sent", "Cancelled": "Cancelled"}


def _by_user(account) -> Origin:
    return Origin.of_user(owner_tenant(account).user)


def _status_of(order) -> str:
    return Order.objects.select_related("status").get(pk=order.pk).status.name


def _all_delivered() -> None:
    wait_for(
        lambda: not ChangeDelivery.objects.filter(delivered_at__isnull=True).exists(),
        what="every change to be delivered",
    )


def _status_changes(order) -> list[tuple[int, str]]:
    return list(
        JournalEntry.objects.filter(order=order, type=JournalEntry.Type.STATUS_CHANGED)
        .order_by("id")
        .values_list("object_id", "origin_kind")
    )


def test_contractor_status_reaches_the_provider_order_with_the_link_as_origin(
    pair, account_a, account_b, celery_worker
):
    _integration, link = pair
    statuses_both_ways(link, BOTH_WAYS)
    forward = forwarded_pair(link)

    order_set_status(
        order=forward.contractor_order, status=status(account_b, "Cancelled"), origin=_by_user(account_b)
    )

    wait_for(lambda: _status_of(forward.provider_order) == "Cancelled", what="the provider order cancelled")
    entry = JournalEntry.objects.get(order=forward.provider_order, type=JournalEntry.Type.STATUS_CHANGED)
    assert (entry.origin_kind, entry.origin_id) == ("connect", link.pk)
    assert str(entry.origin_label) == f"Connect “{link.name}”"  # the provider's name for this contractor


def test_provider_status_reaches_the_contractor_order(pair, account_a, account_b, celery_worker):
    _integration, link = pair
    statuses_both_ways(link, BOTH_WAYS)
    forward = forwarded_pair(link)

    order_set_status(
        order=forward.provider_order, status=status(account_a, "Sent"), origin=_by_user(account_a)
    )

    wait_for(lambda: _status_of(forward.contractor_order) == "Sent", what="the contractor order sent")
    entry = JournalEntry.objects.get(order=forward.contractor_order, type=JournalEntry.Type.STATUS_CHANGED)
    assert str(entry.origin_label) == f"Connect “{link.contractor_integration.display_name}”"
    _all_delivered()
    # Applied by the link: not sent back, so the provider's order changed once.
    assert len(_status_changes(forward.provider_order)) == 1


def test_the_receiving_side_table_chooses_the_status_and_unmapped_statuses_stay(
    pair, account_a, account_b, celery_worker
):
    _integration, link = pair
    statuses_switch(link, contractor=(True, False), provider=(False, True))
    awaiting = status(account_a, "Awaiting payment")
    statuses_map(link, account_b, "send", {"In progress": "In progress", "Delivered": "Delivered"})
    statuses_map(link, account_a, "receive", {"In progress": "Awaiting payment"})  # not "Delivered"
    forward = forwarded_pair(link)
    first, second = forwarded_pair(link), forwarded_pair(link)

    order_set_status(
        order=forward.contractor_order, status=status(account_b, "In progress"), origin=_by_user(account_b)
    )
    order_set_status(
        order=first.contractor_order, status=status(account_b, "Delivered"), origin=_by_user(account_b)
    )
    order_set_status(
        order=second.contractor_order, status=status(account_b, "Sent"), origin=_by_user(account_b)
    )

    wait_for(lambda: _status_of(forward.provider_order) == awaiting.name, what="the mapped status")
    _all_delivered()
    assert _status_of(first.provider_order) == "New orders"  # the provider does not receive it
    assert _status_of(second.provider_order) == "New orders"  # the contractor does not send it


def test_switches_decide_each_direction(pair, account_a, account_b, celery_worker):
    _integration, link = pair
    statuses_both_ways(link, BOTH_WAYS)
    statuses_switch(link, contractor=(True, False), provider=(True, True))  # the contractor receives nothing
    forward = forwarded_pair(link)
    other = forwarded_pair(link)

    order_set_status(
        order=forward.provider_order, status=status(account_a, "Sent"), origin=_by_user(account_a)
    )
    order_set_status(
        order=other.contractor_order, status=status(account_b, "Sent"), origin=_by_user(account_b)
    )

    wait_for(lambda: _status_of(other.provider_order) == "Sent", what="the contractor's status sent")
    _all_delivered()
    assert _status_of(forward.contractor_order) == "New orders"


def test_a_bouncing_mapping_settles_after_one_round_trip(pair, account_a, account_b, celery_worker):
    """A's "Sent" → B's "Shipped", B's "Shipped" → A's "Sent": one change on each side, then quiet."""
    _integration, link = pair
    shipped = OrderStatus.objects.create(account=account_a, name="Shipped", position=20)
    statuses_switch(link, contractor=(True, True), provider=(True, True))
    statuses_map(link, account_b, "send", {"Sent": "Shipped"})
    statuses_map(link, account_a, "receive", {"Sent": "Shipped"})
    statuses_map(link, account_a, "send", {"Shipped": "Sent"})
    statuses_map(link, account_b, "receive", {"Shipped": "Sent"})
    forward = forwarded_pair(link)
    sent_b = status(account_b, "Sent")

    order_set_status(order=forward.contractor_order, status=sent_b, origin=_by_user(account_b))

    wait_for(lambda: _status_of(forward.provider_order) == "Shipped", what="the provider order shipped")
    _all_delivered()
    assert _status_changes(forward.contractor_order) == [(sent_b.pk, "user")]
    assert _status_changes(forward.provider_order) == [(shipped.pk, "connect")]
    # What the link applied is not even queued for the way back.
    assert not ChangeDelivery.objects.filter(consumer=CONSUMER, event__origin_kind="connect").exists()

    # The provider sets "Shipped" itself as well (already in place: nothing happens) — and from the other
    # end, a provider user's change goes to the contractor, whose "Sent" is already there: no change.
    order_set_status(order=forward.provider_order, status=shipped, origin=_by_user(account_a))
    order_set_status(
        order=forward.provider_order, status=status(account_a, "New orders"), origin=_by_user(account_a)
    )
    order_set_status(order=forward.provider_order, status=shipped, origin=_by_user(account_a))
    _all_delivered()
    assert _status_changes(forward.contractor_order) == [(sent_b.pk, "user")]
    assert len(_status_changes(forward.provider_order)) == 3
    assert ChangeDelivery.objects.filter(consumer=CONSUMER, delivered_at__isnull=True).count() == 0


def test_a_blocked_or_disconnected_link_carries_nothing(pair, account_a, account_b, celery_worker):
    _integration, link = pair
    statuses_both_ways(link, BOTH_WAYS)
    forward = forwarded_pair(link)
    services.contractor_set_state(actor=owner_tenant(account_a), link=link, state="blocked")

    order_set_status(
        order=forward.contractor_order, status=status(account_b, "Sent"), origin=_by_user(account_b)
    )
    _all_delivered()
    assert _status_of(forward.provider_order) == "New orders"

    services.contractor_set_state(actor=owner_tenant(account_a), link=link, state="active")
    order_set_status(
        order=forward.contractor_order, status=status(account_b, "Cancelled"), origin=_by_user(account_b)
    )
    wait_for(lambda: _status_of(forward.provider_order) == "Cancelled", what="carried again once active")

    services.integration_disconnect(actor=owner_tenant(account_b), integration=link.contractor_integration)
    order_set_status(
        order=forward.provider_order, status=status(account_a, "Sent"), origin=_by_user(account_a)
    )
    _all_delivered()
    assert _status_of(forward.contractor_order) == "Cancelled"


def test_a_deleted_provider_order_marks_the_forward_and_carries_nothing(
    pair, account_a, account_b, celery_worker
):
    _integration, link = pair
    statuses_both_ways(link, BOTH_WAYS)
    forward = forwarded_pair(link)

    Order.objects.filter(pk=forward.provider_order_id).delete()

    forward.refresh_from_db()
    assert forward.provider_order_id is None
    assert forward.state == ForwardedOrder.State.PROVIDER_DELETED
    order_set_status(
        order=forward.contractor_order, status=status(account_b, "Sent"), origin=_by_user(account_b)
    )
    _all_delivered()
    assert not ChangeDelivery.objects.filter(consumer=CONSUMER).exists()


def test_status_latency_after_commit_is_under_two_seconds(pair, account_a, account_b, celery_worker):
    _integration, link = pair
    statuses_both_ways(link, BOTH_WAYS)
    forwards = [forwarded_pair(link) for _ in range(10)]
    cancelled = status(account_a, "Cancelled")
    latencies = []
    for forward in forwards:
        order_set_status(order=forward.provider_order, status=cancelled, origin=_by_user(account_a))
        committed = time.monotonic()
        wait_for(
            lambda f=forward: _status_of(f.contractor_order) == "Cancelled",
            what="the contractor order cancelled",
            interval=0.01,
        )
        latencies.append(time.monotonic() - committed)

    assert statistics.median(latencies) <= 2.0, latencies


def test_a_status_the_partner_order_cannot_take_is_dropped_not_retried(
    pair, account_a, account_b, celery_worker
):
    """Leaving "Cancelled" takes the stock again; when it is gone, the provider's order stays cancelled
    and the change is not retried for ever."""
    from decimal import Decimal

    from catalog.services import stock_adjust_many
    from tests.origins import TEST_ORIGIN
    from tests.wmsbridge.test_sync_fixtures import make_product

    _integration, link = pair
    statuses_both_ways(link, BOTH_WAYS)
    chair = make_product(account_a, "CHAIR-1", stock=2)
    forward = forwarded_pair(
        link, provider_lines=[{"product": chair, "quantity": 2, "price_brutto": Decimal("39.90")}]
    )
    order_set_status(
        order=forward.contractor_order, status=status(account_b, "Cancelled"), origin=_by_user(account_b)
    )
    wait_for(lambda: _status_of(forward.provider_order) == "Cancelled", what="the provider order cancelled")
    warehouse = chair.inventory.default_warehouse
    stock_adjust_many(account=account_a, changes=[(chair.pk, warehouse.pk, -2)], origin=TEST_ORIGIN)  # sold

    order_set_status(
        order=forward.contractor_order, status=status(account_b, "In progress"), origin=_by_user(account_b)
    )
    _all_delivered()

    assert _status_of(forward.provider_order) == "Cancelled"
    delivery = ChangeDelivery.objects.filter(consumer=CONSUMER).order_by("-id").first()
    assert delivery.attempts == 1 and delivery.delivered_at is not None
