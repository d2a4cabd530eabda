from decimal import Decimal

from orders.models import JournalEntry, Order, OrderStatus
from orders.services import order_create
from tests.isolation.framework import RouteCase, Setup


def _order_of_a(account_a) -> Setup:
    order = order_create(
        account=account_a,
        lines=[{"name": "Alpha secret line", "quantity": 1, "price_brutto": Decimal("10")}],
        email="alpha-buyer@example.test",
    )
    status = order.status_id

    def unchanged():
        assert Order.objects.filter(pk=order.pk, status_id=status).exists()
        assert JournalEntry.objects.filter(order=order).count() == 1

    return Setup(kwargs={"pk": order.pk}, marker="alpha-buyer@example.test", unchanged=unchanged)


def _status_of_a(account_a) -> Setup:
    status = OrderStatus.objects.create(account=account_a, name="Alpha secret status")

    def unchanged():
        assert OrderStatus.objects.filter(pk=status.pk, name="Alpha secret status").exists()

    return Setup(kwargs={"pk": status.pk}, marker="Alpha secret status", unchanged=unchanged)


def _journal_of_a(account_a) -> Setup:
    setup = _order_of_a(account_a)
    JournalEntry.objects.filter(order_id=setup.kwargs["pk"]).update(actor="Alpha secret actor")
    return Setup(marker="Alpha secret actor")


CASES = [
    RouteCase("api:order-list", "list", setup=_order_of_a, api=True),
    RouteCase("api:order-detail", "detail", setup=_order_of_a, methods=("GET",), api=True),
    RouteCase(
        "api:order-set-status",
        "detail",
        setup=_order_of_a,
        methods=("POST",),
        api=True,
        payload={"status": 1},
    ),
    RouteCase("api:orderstatus-list", "list", setup=_status_of_a, api=True),
    RouteCase(
        "api:orderstatus-detail",
        "detail",
        setup=_status_of_a,
        methods=("GET", "PUT", "PATCH", "DELETE"),
        api=True,
        payload={"name": "x"},
    ),
    RouteCase("api:journal-list", "list", setup=_journal_of_a, api=True),
]
