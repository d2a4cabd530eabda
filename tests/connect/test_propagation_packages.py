"""Tracking numbers both ways: a package on either order of a forward appears on the other one, once,
with its courier, number, URL and tracking events (real Celery worker)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from changes.models import ChangeDelivery
from changes.origin import Origin
from changes.services import delivery_run
from connect import services
from connect.models import PackageCopy
from connect.propagation import CONSUMER, Side, forward_sides, package_carry
from orders.models import AutomationRule, JournalEntry, Order
from orders.services import order_set_status
from shipments.models import Package, TrackingStatus
from shipments.services import package_create, package_delete, tracking_event_add
from tests.factories.connect import owner_tenant
from tests.waiting import wait_for

from .forwarded_pairs import forwarded_pair, status

pytestmark = pytest.mark.django_db(transaction=True)


def _by_user(account) -> Origin:
    return Origin.of_user(owner_tenant(account).user)


def _packages(order) -> list[Package]:
    return list(Package.objects.filter(order_id=order.pk).order_by("id"))


def _all_delivered() -> None:
    wait_for(
        lambda: not ChangeDelivery.objects.filter(delivered_at__isnull=True).exists(),
        what="every change to be delivered",
    )


def _shipments(link, on: bool) -> None:
    services.provider_update(
        actor=owner_tenant(link.provider_account),
        integration=link.provider_integration,
        order_settings={"shipments": on},
    )


def test_a_label_package_of_the_provider_appears_on_the_contractor_order_with_its_tracking(
    pair, account_a, account_b, client_b, celery_worker
):
    _integration, link = pair
    forward = forwarded_pair(link)

    package = package_create(
        order=forward.provider_order, courier_code="hurtlink", origin=_by_user(account_a)
    )

    wait_for(lambda: _packages(forward.contractor_order), what="the package on the contractor's order")
    (copy,) = _packages(forward.contractor_order)
    assert (copy.courier_code, copy.courier_package_nr, copy.tracking_url) == (
        "hurtlink",
        package.courier_package_nr,
        package.tracking_url,
    )
    assert copy.account_id == account_b.pk and not copy.label_pdf  # the label stays with the provider
    assert copy.tracking_status == TrackingStatus.LABEL_CREATED
    contractor_order = Order.objects.get(pk=forward.contractor_order_id)
    assert contractor_order.delivery_package_nr == package.courier_package_nr
    journal = JournalEntry.objects.get(order=contractor_order, type=JournalEntry.Type.PACKAGE_CREATED)
    assert (journal.origin_kind, journal.origin_id) == ("connect", link.pk)

    page = client_b.get(reverse("orders:order-detail", args=[contractor_order.pk])).content.decode()
    assert "Hurtlink label" in page  # the courier by name
    assert package.courier_package_nr in page and package.tracking_url in page

    # Its tracking events follow, and the copy's status with them.
    tracking_event_add(
        package=package,
        tracking_status=TrackingStatus.OUT_FOR_DELIVERY,
        courier_status_code="OUT",
        origin=_by_user(account_a),
    )
    wait_for(
        lambda: Package.objects.get(pk=copy.pk).tracking_status == TrackingStatus.OUT_FOR_DELIVERY,
        what="the tracking event on the copy",
    )
    _all_delivered()
    assert [e.tracking_status for e in Package.objects.get(pk=copy.pk).events.all()] == [
        TrackingStatus.LABEL_CREATED,
        TrackingStatus.OUT_FOR_DELIVERY,
    ]
    assert len(_packages(forward.provider_order)) == 1  # nothing came back


def test_a_package_the_contractor_creates_goes_to_the_provider_and_not_back(
    pair, account_a, account_b, client_a, celery_worker
):
    _integration, link = pair
    forward = forwarded_pair(link)

    package_create(
        order=forward.contractor_order,
        courier_code="DHL",
        tracking_number="JJD000390007",
        tracking_url="https://www.dhl.com/track?id=JJD000390007",
        origin=_by_user(account_b),
    )

    wait_for(lambda: _packages(forward.provider_order), what="the package on the provider's order")
    _all_delivered()
    (copy,) = _packages(forward.provider_order)
    assert (copy.courier_code, copy.courier_package_nr, copy.tracking_url) == (
        "DHL",
        "JJD000390007",
        "https://www.dhl.com/track?id=JJD000390007",
    )
    assert len(_packages(forward.contractor_order)) == 1
    page = client_a.get(reverse("orders:order-detail", args=[forward.provider_order_id])).content.decode()
    assert "JJD000390007" in page and "DHL" in page


def test_packages_of_an_automatic_action_reach_the_contractor_and_fire_its_rules(
    pair, account_a, account_b, celery_worker
):
    """Provider: "status Ready to ship → create a Hurtlink package". Contractor: "package created →
    set status Sent". The provider's status change ends with the contractor's order sent."""
    _integration, link = pair
    ready = status(account_a, "Ready to ship")
    AutomationRule.objects.create(
        account=account_a,
        name="Label when ready",
        event=AutomationRule.Event.STATUS_CHANGED,
        event_status=ready,
        actions=[{"type": "create_package", "courier": "hurtlink"}],
    )
    AutomationRule.objects.create(
        account=account_b,
        name="Sent when the package exists",
        event=AutomationRule.Event.PACKAGE_CREATED,
        actions=[{"type": "set_status", "status": status(account_b, "Sent").pk}],
    )
    forward = forwarded_pair(link)

    order_set_status(order=forward.provider_order, status=ready, origin=_by_user(account_a))

    wait_for(
        lambda: Order.objects.get(pk=forward.contractor_order_id).status.name == "Sent",
        what="the contractor's rule to set Sent",
    )
    (original,) = _packages(forward.provider_order)
    (copy,) = _packages(forward.contractor_order)
    assert copy.courier_package_nr == original.courier_package_nr
    run = forward.contractor_order.automation_runs.get()
    assert run.outcome == "done"


def test_shipments_off_carries_no_package(pair, account_a, account_b, celery_worker):
    _integration, link = pair
    _shipments(link, False)
    forward = forwarded_pair(link)

    package_create(
        order=forward.provider_order, courier_code="manual", tracking_number="PL1", origin=_by_user(account_a)
    )
    _all_delivered()

    assert _packages(forward.contractor_order) == []


def test_deleting_the_package_deletes_its_copy_but_deleting_a_copy_leaves_the_original(
    pair, account_a, account_b, celery_worker
):
    _integration, link = pair
    forward = forwarded_pair(link)
    first = package_create(
        order=forward.provider_order, courier_code="manual", tracking_number="PL1", origin=_by_user(account_a)
    )
    second = package_create(
        order=forward.provider_order, courier_code="manual", tracking_number="PL2", origin=_by_user(account_a)
    )
    wait_for(lambda: len(_packages(forward.contractor_order)) == 2, what="both copies")

    package_delete(package=first, origin=_by_user(account_a))
    wait_for(lambda: len(_packages(forward.contractor_order)) == 1, what="the copy deleted")
    (copy,) = _packages(forward.contractor_order)
    assert copy.courier_package_nr == "PL2"

    package_delete(package=copy, origin=_by_user(account_b))
    _all_delivered()
    assert [p.pk for p in _packages(forward.provider_order)] == [second.pk]
    # A tracking update of the original does not bring a deleted copy back.
    tracking_event_add(package=second, tracking_status=TrackingStatus.DELIVERED, origin=_by_user(account_a))
    _all_delivered()
    assert _packages(forward.contractor_order) == []


def test_a_redelivered_change_and_two_workers_at_once_make_one_copy(pair, account_a, account_b):
    """No worker here: the deliveries are run by hand, twice, and the carrying itself from two threads."""
    _integration, link = pair
    forward = forwarded_pair(link)
    package = package_create(
        order=forward.provider_order, courier_code="manual", tracking_number="PL9", origin=_by_user(account_a)
    )
    delivery = ChangeDelivery.objects.get(consumer=CONSUMER, event__topic="shipments.package_created")
    assert delivery_run(delivery_id=delivery.pk)
    ChangeDelivery.objects.filter(pk=delivery.pk).update(delivered_at=None)  # as if redelivered
    assert delivery_run(delivery_id=delivery.pk)
    assert len(_packages(forward.contractor_order)) == 1

    second = package_create(
        order=forward.provider_order,
        courier_code="manual",
        tracking_number="PL10",
        origin=_by_user(account_a),
    )
    (side,) = [
        s
        for s in forward_sides(account_id=account_a.pk, order_id=forward.provider_order_id)
        if s.here_is_provider
    ]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def carry() -> None:
        try:
            from django.db import transaction

            with transaction.atomic():
                barrier.wait(timeout=10)
                package_carry(side=side, package_id=second.pk, origin=side.origin(depth=1))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=carry) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    numbers = sorted(p.courier_package_nr for p in _packages(forward.contractor_order))
    assert numbers == ["PL10", "PL9"]
    assert PackageCopy.objects.filter(source_package_id__in=[package.pk, second.pk]).count() == 2
    assert isinstance(side, Side) and connection.vendor == "postgresql"


def test_tracking_events_arriving_before_the_package_is_carried_are_not_lost(pair, account_a, account_b):
    _integration, link = pair
    forward = forwarded_pair(link)
    package = package_create(
        order=forward.provider_order, courier_code="manual", tracking_number="PL5", origin=_by_user(account_a)
    )
    yesterday = timezone.now() - timedelta(days=1)
    tracking_event_add(
        package=package,
        tracking_status=TrackingStatus.SHIPPED,
        occurred_at=yesterday,
        origin=_by_user(account_a),
    )
    tracking_event_add(package=package, tracking_status=TrackingStatus.DELIVERED, origin=_by_user(account_a))
    deliveries = list(ChangeDelivery.objects.filter(consumer=CONSUMER).order_by("-event_id"))

    for delivery in deliveries:  # newest first: the tracking events before the package itself
        assert delivery_run(delivery_id=delivery.pk)

    (copy,) = _packages(forward.contractor_order)
    assert [e.tracking_status for e in copy.events.all()] == [
        TrackingStatus.SHIPPED,
        TrackingStatus.DELIVERED,
    ]
    assert copy.tracking_status == TrackingStatus.DELIVERED
