"""Order and shipment changes reach their consumers after commit, once each, with the origin that made
them: a person, an API token, an automatic action or the WMS."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from changes import registry, topics
from changes.models import ChangeDelivery, ChangeEvent
from changes.origin import Origin, OriginKind
from changes.services import deliveries_sweep, event_deliver
from orders.models import JournalEntry, Order, OrderStatus
from orders.services import order_create, order_set_status
from tests.origins import TEST_ORIGIN
from tests.waiting import wait_for

ORDER_AND_SHIPMENT_TOPICS = [
    topics.ORDER_CREATED,
    topics.ORDER_STATUS_CHANGED,
    topics.ORDER_PAYMENT_CHANGED,
    topics.ORDER_LINES_CHANGED,
    topics.ORDER_FIELDS_CHANGED,
    topics.ORDER_BUTTON_PRESSED,
    topics.PACKAGE_CREATED,
    topics.PACKAGE_DELETED,
    topics.TRACKING_NUMBER_CHANGED,
    topics.TRACKING_EVENT_ADDED,
]


class Seen:
    """What a test consumer was handed: (topic, origin kind, origin id, was the change committed)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int | None, bool]] = []
        self.lock = threading.Lock()

    def handler(self, event: ChangeEvent) -> None:
        # The consumer runs after commit: the order and the journal entry of the change are there.
        committed = Order.objects.filter(pk=event.payload["order_id"]).exists()
        journal_id = event.payload.get("journal_id")
        if journal_id is not None:
            committed = committed and JournalEntry.objects.filter(pk=journal_id).exists()
        with self.lock:
            self.calls.append((event.topic, event.origin_kind, event.origin_id, committed))

    def topics_of(self, kind: str, id: int | None) -> list[str]:
        return sorted(topic for topic, k, i, _c in self.calls if (k, i) == (kind, id))


@pytest.fixture
def seen():
    consumer = Seen()
    registry.register("test-seen", topics=ORDER_AND_SHIPMENT_TOPICS, handler=consumer.handler)
    yield consumer
    registry.unregister("test-seen")


@pytest.mark.django_db(transaction=True)
def test_order_and_shipment_changes_reach_a_consumer_once_after_commit_with_their_origin(
    api_a, token_a, client_a, user_a, account_a, seen, celery_worker
):
    token = token_a[0]
    created = api_a.post(
        reverse("api:order-list"),
        {"lines": [{"name": "Kubek", "quantity": 2, "price_brutto": "20.00"}]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    order_id = created.json()["id"]
    in_progress = OrderStatus.objects.get(account=account_a, name="In progress")
    ready = OrderStatus.objects.get(account=account_a, name="Ready to ship")
    steps = [
        api_a.post(reverse("api:order-set-status", args=[order_id]), {"status": in_progress.pk}),
        api_a.post(reverse("api:order-payment", args=[order_id]), {"payment_done": "40.00"}),
        api_a.post(
            reverse("api:orderline-list"),
            {"order": order_id, "name": "Podstawka", "quantity": 1, "price_brutto": "5.00"},
            format="json",
        ),
        api_a.patch(
            reverse("api:order-detail", args=[order_id]), {"phone": "+48 600 100 200"}, format="json"
        ),
        api_a.post(
            reverse("api:package-list"),
            {"order": order_id, "courier_code": "manual", "courier_package_nr": "TRK-1"},
            format="json",
        ),
    ]
    assert [r.status_code for r in steps] == [200, 200, 201, 200, 201], [r.content for r in steps]
    package_id = steps[-1].json()["id"]
    tracked = api_a.post(reverse("api:package-events", args=[package_id]), {"tracking_status": 2})
    assert tracked.status_code == 201, tracked.json()
    # The same kind of change made by a person on the order card carries the person.
    card = client_a.post(reverse("orders:order-action", args=[order_id, "status"]), {"status": ready.pk})
    assert card.status_code == 302

    token_topics = [
        topics.ORDER_CREATED,
        topics.ORDER_STATUS_CHANGED,
        topics.ORDER_PAYMENT_CHANGED,
        topics.ORDER_LINES_CHANGED,
        topics.ORDER_FIELDS_CHANGED,
        topics.PACKAGE_CREATED,
        topics.TRACKING_NUMBER_CHANGED,
        topics.TRACKING_EVENT_ADDED,
    ]
    wait_for(lambda: len(seen.calls) >= len(token_topics) + 1, what="every change to reach the consumer")
    wait_for(
        lambda: not ChangeDelivery.objects.filter(consumer="test-seen", delivered_at__isnull=True).exists(),
        what="every delivery to be marked done",
    )
    # Nothing is delivered again, even when the sweep looks for lost deliveries.
    ChangeDelivery.objects.update(not_before=timezone.now() - timedelta(minutes=5))
    assert deliveries_sweep() == 0

    assert seen.topics_of(OriginKind.TOKEN, token.pk) == sorted(token_topics)
    assert seen.topics_of(OriginKind.USER, user_a.pk) == [topics.ORDER_STATUS_CHANGED]
    assert len(seen.calls) == len(token_topics) + 1
    assert all(committed for *_rest, committed in seen.calls)
    assert all(d.attempts == 1 for d in ChangeDelivery.objects.filter(consumer="test-seen"))
    # The order's journal names the same origins.
    journal = JournalEntry.objects.filter(order_id=order_id)
    assert set(journal.values_list("origin_kind", "origin_id")) == {
        ("token", token.pk),
        ("user", user_a.pk),
    }
    assert journal.filter(type=JournalEntry.Type.TRACKING_UPDATED, object_id=package_id).exists()


@pytest.mark.django_db
def test_a_consumer_that_skips_its_own_origin_never_sees_its_own_change(account_a):
    """What the WMS sync (or a Connect link) applies is not handed back to it, so it does not echo it."""
    seen = Seen()
    registry.register(
        "test-wms-5",
        topics=[topics.ORDER_STATUS_CHANGED],
        handler=seen.handler,
        accepts=lambda origin: not origin.is_(OriginKind.WMS, 5),
    )
    try:
        order = order_create(
            account=account_a,
            lines=[{"name": "Kubek", "quantity": 1, "price_brutto": Decimal("20")}],
            origin=TEST_ORIGIN,
        )
        statuses = list(OrderStatus.objects.filter(account=account_a).order_by("position"))
        order_set_status(order=order, status=statuses[1], origin=Origin.wms(5, "Main warehouse"))
        order_set_status(order=order, status=statuses[2], origin=Origin.wms(6, "Second warehouse"))
        order_set_status(order=order, status=statuses[3], origin=Origin(OriginKind.USER, 1, "Ann"))
        for event in ChangeEvent.objects.filter(account=account_a).order_by("pk"):
            event_deliver(event_id=event.pk)
    finally:
        registry.unregister("test-wms-5")
    assert [(kind, id) for _t, kind, id, _c in seen.calls] == [(OriginKind.WMS, 6), (OriginKind.USER, 1)]
    # The journal still shows the WMS's change, by the connection's name.
    entry = order.journal.filter(type=JournalEntry.Type.STATUS_CHANGED).first()
    assert (entry.origin_kind, entry.origin_id, str(entry.origin_label)) == ("wms", 5, "WMS “Main warehouse”")


@pytest.mark.django_db
def test_a_change_nobody_reacts_to_records_nothing(account_a):
    """Without rules (or any other consumer), an order change writes no event and queues no task."""
    order_create(
        account=account_a,
        lines=[{"name": "Kubek", "quantity": 1, "price_brutto": Decimal("20")}],
        origin=TEST_ORIGIN,
    )
    assert not ChangeEvent.objects.exists()
