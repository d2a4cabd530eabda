from decimal import Decimal

from orders.models import JournalEntry
from orders.services import order_create
from shipments.models import Package
from shipments.services import package_create
from tests.isolation.framework import RouteCase, Setup
from tests.origins import TEST_ORIGIN


def _order_of_a(account_a):
    return order_create(
        account=account_a,
        lines=[{"name": "Alpha secret line", "quantity": 1, "price_brutto": Decimal("10")}],
        delivery_fullname="Alpha Secret Recipient",
        origin=TEST_ORIGIN,
    )


def _package_of_a(courier_code: str, number: str = ""):
    def setup(account_a) -> Setup:
        package = package_create(
            order=_order_of_a(account_a),
            courier_code=courier_code,
            tracking_number=number,
            weight=1,
            origin=TEST_ORIGIN,
        )
        event_count = package.events.count()

        def unchanged():
            fresh = Package.objects.get(pk=package.pk)
            assert fresh.courier_package_nr == package.courier_package_nr
            assert fresh.events.count() == event_count
            assert not JournalEntry.objects.filter(type=JournalEntry.Type.PACKAGE_DELETED).exists()

        return Setup(kwargs={"pk": package.pk}, marker=package.courier_package_nr, unchanged=unchanged)

    return setup


_manual_package_of_a = _package_of_a("manual", "ALPHA-SECRET-NR-1")
_label_package_of_a = _package_of_a("hurtlink")


def _order_without_packages_of_a(account_a) -> Setup:
    order = _order_of_a(account_a)

    def unchanged():
        assert not Package.objects.filter(order=order).exists()
        order.refresh_from_db()
        assert order.delivery_package_nr == ""

    return Setup(kwargs={"order_pk": order.pk}, marker="Alpha Secret Recipient", unchanged=unchanged)


_EVENT = {"tracking_status": 5, "courier_status_code": "delivered"}

CASES = [
    RouteCase("api:package-list", "list", setup=_manual_package_of_a),
    RouteCase("api:package-detail", "detail", setup=_manual_package_of_a),
    RouteCase("api:package-label", "detail", setup=_label_package_of_a),
    RouteCase(
        "api:package-events",
        "detail",
        setup=_label_package_of_a,
        payload=_EVENT,
    ),
    RouteCase("api:courier-list", "list"),
    RouteCase("shipments:package-list", "list", setup=_manual_package_of_a),
    RouteCase(
        "shipments:package-create",
        "detail",
        setup=_order_without_packages_of_a,
        payload={"courier_code": "manual", "courier_package_nr": "B-WAS-HERE"},
    ),
    RouteCase("shipments:package-detail", "detail", setup=_manual_package_of_a),
    RouteCase("shipments:package-label", "detail", setup=_label_package_of_a),
    RouteCase("shipments:package-event-add", "detail", setup=_label_package_of_a, payload=_EVENT),
    RouteCase("shipments:package-delete", "detail", setup=_manual_package_of_a),
    RouteCase(
        "shipments:tracking",
        "public",
        reason="guarded by the secret key in the tracking link; shows tracking statuses and dates only",
    ),
]
