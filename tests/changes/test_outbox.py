"""Change events: recorded with the change, delivered after commit, at least once, never twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from catalog.models import Tag
from changes import registry, topics
from changes.models import ChangeDelivery, ChangeEvent
from changes.origin import Origin, OriginKind
from changes.services import change_record, deliveries_sweep, event_deliver
from tests.processes import run_script
from tests.waiting import wait_for


def tag_writer(event):
    """A consumer whose effect a user would see: a tag named after the event."""
    Tag.objects.get_or_create(account_id=event.account_id, name=f"seen {event.pk}")


@pytest.fixture
def tags_consumer():
    registry.register("test-tags", topics=[topics.PRODUCT_CHANGED], handler=tag_writer)
    yield
    registry.unregister("test-tags")


def record(account, origin=None):
    with transaction.atomic():
        return change_record(
            account_id=account.pk,
            topic=topics.PRODUCT_CHANGED,
            origin=origin or Origin.system(),
            subject_id=1,
        )


@pytest.mark.django_db(transaction=True)
def test_a_change_reaches_its_consumer_after_commit_with_a_real_worker(
    account_a, tags_consumer, celery_worker
):
    event = record(account_a, Origin(OriginKind.USER, 7, "Ann"))
    wait_for(lambda: Tag.objects.filter(name=f"seen {event.pk}").exists(), what="the consumer to run")
    delivery = ChangeDelivery.objects.get(event=event)
    assert delivery.delivered_at is not None and delivery.attempts == 1
    assert event.origin == Origin(OriginKind.USER, 7, "Ann")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_records_and_delivers_nothing(account_a, tags_consumer):
    with pytest.raises(RuntimeError), transaction.atomic():
        change_record(account_id=account_a.pk, topic=topics.PRODUCT_CHANGED, origin=Origin.system())
        raise RuntimeError("the change failed")
    assert not ChangeEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused(account_a, tags_consumer):
    with pytest.raises(RuntimeError):
        change_record(account_id=account_a.pk, topic=topics.PRODUCT_CHANGED, origin=Origin.system())


@pytest.mark.django_db
def test_a_consumer_skips_the_changes_it_caused_itself(account_a):
    registry.register(
        "test-connect",
        topics=[topics.PRODUCT_CHANGED],
        handler=tag_writer,
        accepts=lambda origin: not origin.is_(OriginKind.CONNECT, 5),
    )
    try:
        own = record(account_a, Origin.connect(5))
        other = record(account_a, Origin.connect(6))
    finally:
        registry.unregister("test-connect")
    assert own is None
    assert ChangeDelivery.objects.filter(event=other, consumer="test-connect").exists()


@pytest.mark.django_db
def test_delivering_twice_runs_the_consumer_once(account_a, tags_consumer):
    event = record(account_a)
    assert event_deliver(event_id=event.pk) == 1
    assert event_deliver(event_id=event.pk) == 0
    assert Tag.objects.filter(name=f"seen {event.pk}").count() == 1


@pytest.mark.django_db
def test_a_failing_consumer_is_retried_later_and_its_writes_are_undone(account_a):
    calls = []

    def flaky(event):
        Tag.objects.create(account_id=event.account_id, name=f"half {len(calls)}")
        calls.append(event.pk)
        if len(calls) == 1:
            raise ValueError("the other side is down")

    registry.register("test-flaky", topics=[topics.PRODUCT_CHANGED], handler=flaky)
    try:
        event = record(account_a)
        assert event_deliver(event_id=event.pk) == 0
        delivery = ChangeDelivery.objects.get(event=event)
        assert delivery.delivered_at is None and "the other side is down" in delivery.last_error
        assert delivery.not_before > timezone.now()
        assert not Tag.objects.filter(name="half 0").exists()  # the failed attempt left nothing
        # Not due yet: the sweep leaves it; once due, the sweep delivers it.
        assert deliveries_sweep() == 0
        ChangeDelivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now() - timedelta(minutes=1))
        assert deliveries_sweep() == 1
    finally:
        registry.unregister("test-flaky")
    assert list(Tag.objects.filter(name__startswith="half").values_list("name", flat=True)) == ["half 1"]


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_inside_the_consumer_loses_nothing_and_duplicates_nothing(account_a, tags_consumer):
    event = record(account_a)
    delivery = ChangeDelivery.objects.get(event=event)
    worker = run_script("tests/changes/killed_consumer.py", str(delivery.pk))
    assert worker.returncode == -9, worker.stderr.decode()[-2000:]
    # The killed worker's write went with it, and the delivery is still pending.
    assert not Tag.objects.filter(name=f"seen {event.pk}").exists()
    delivery.refresh_from_db()
    assert delivery.delivered_at is None
    # The sweep picks it up once it is overdue; the consumer's effect is there exactly once.
    ChangeDelivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now() - timedelta(minutes=1))
    assert deliveries_sweep() == 1
    assert deliveries_sweep() == 0
    assert Tag.objects.filter(name=f"seen {event.pk}").count() == 1


def test_every_topic_a_consumer_names_must_exist():
    with pytest.raises(ValueError):
        registry.register("test-typo", topics=["catalog.stok_changed"], handler=tag_writer)
