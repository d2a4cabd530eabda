from decimal import Decimal

from orders.models import (
    AutomationRule,
    CustomButton,
    JournalEntry,
    Order,
    OrderExtraField,
    OrderLine,
    OrderSource,
    OrderStatus,
)
from orders.services import order_create
from tests.isolation.framework import RouteCase, Setup, with_kwargs
from tests.origins import TEST_ORIGIN


def _order_of_a(account_a) -> Setup:
    order = order_create(
        account=account_a,
        lines=[{"name": "Alpha secret line", "quantity": 1, "price_brutto": Decimal("10")}],
        email="alpha-buyer@example.test",
        origin=TEST_ORIGIN,
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
    JournalEntry.objects.filter(order_id=setup.kwargs["pk"]).update(origin_label="Alpha secret actor")
    return Setup(marker="Alpha secret actor")


CASES = [
    RouteCase("api:order-list", "list", setup=_order_of_a),
    RouteCase(
        "api:order-detail",
        "detail",
        setup=_order_of_a,
        payload={"email": "x@example.test"},
    ),
    RouteCase(
        "api:order-set-status",
        "detail",
        setup=_order_of_a,
        payload={"status": 1},
    ),
    RouteCase("api:orderstatus-list", "list", setup=_status_of_a),
    RouteCase(
        "api:orderstatus-detail",
        "detail",
        setup=_status_of_a,
        payload={"name": "x"},
    ),
    RouteCase("api:journal-list", "list", setup=_journal_of_a),
]


def _line_of_a(account_a) -> Setup:
    setup = _order_of_a(account_a)
    line = Order.objects.get(pk=setup.kwargs["pk"]).lines.get()

    def unchanged():
        setup.unchanged()
        assert OrderLine.objects.filter(pk=line.pk, quantity=1, name="Alpha secret line").exists()

    return Setup(kwargs={"pk": line.pk}, marker="Alpha secret line", unchanged=unchanged)


def _source_of_a(account_a) -> Setup:
    source = OrderSource.objects.create(account=account_a, name="Alpha secret source")
    return Setup(
        kwargs={"pk": source.pk},
        marker="Alpha secret source",
        unchanged=lambda: OrderSource.objects.get(pk=source.pk, name="Alpha secret source"),
    )


def _extra_field_of_a(account_a) -> Setup:
    field = OrderExtraField.objects.create(account=account_a, name="Alpha secret field")
    return Setup(
        kwargs={"pk": field.pk},
        marker="Alpha secret field",
        unchanged=lambda: OrderExtraField.objects.get(pk=field.pk, name="Alpha secret field"),
    )


def _button_of_a(account_a) -> Setup:
    button = CustomButton.objects.create(account=account_a, name="Alpha secret button")
    return Setup(
        kwargs={"pk": button.pk},
        marker="Alpha secret button",
        unchanged=lambda: CustomButton.objects.get(pk=button.pk, name="Alpha secret button"),
    )


def _rule_of_a(account_a) -> Setup:
    status = OrderStatus.objects.filter(account=account_a).first()
    rule = AutomationRule.objects.create(
        account=account_a,
        name="Alpha secret rule",
        event="order_created",
        actions=[{"type": "set_status", "status": status.pk}],
    )
    return Setup(
        kwargs={"pk": rule.pk},
        marker="Alpha secret rule",
        unchanged=lambda: AutomationRule.objects.get(pk=rule.pk, name="Alpha secret rule", enabled=True),
    )


def _two_orders_of_a(account_a) -> Setup:
    first, second = _order_of_a(account_a), _order_of_a(account_a)
    button = CustomButton.objects.create(account=account_a, name="Alpha secret button")

    def unchanged():
        first.unchanged()
        second.unchanged()
        assert not Order.objects.filter(account=account_a, is_technical=True).exists()

    return Setup(
        kwargs={"orders": [first.kwargs["pk"], second.kwargs["pk"]], "button": button.pk},
        marker="alpha-buyer@example.test",
        unchanged=unchanged,
    )


CASES += [
    RouteCase(
        "api:order-payment",
        "detail",
        setup=_order_of_a,
        payload={"payment_done": "10.00"},
    ),
    # Collection actions: the suite names A's orders, status and button in their serializers' fields.
    RouteCase("api:order-merge", "list", setup=_two_orders_of_a),
    RouteCase("api:order-bulk-status", "list", setup=_two_orders_of_a),
    RouteCase("api:order-button", "list", setup=_two_orders_of_a),
    RouteCase("api:orderline-list", "list", setup=_line_of_a),
    RouteCase(
        "api:orderline-detail",
        "detail",
        setup=_line_of_a,
        payload={"quantity": 5, "price_brutto": "1.00", "name": "x"},
    ),
    RouteCase("api:ordersource-list", "list", setup=_source_of_a),
    RouteCase(
        "api:ordersource-detail",
        "detail",
        setup=_source_of_a,
        payload={"name": "x"},
    ),
    RouteCase("api:orderextrafield-list", "list", setup=_extra_field_of_a),
    RouteCase(
        "api:orderextrafield-detail",
        "detail",
        setup=_extra_field_of_a,
        payload={"name": "x"},
    ),
    RouteCase("api:orderbutton-list", "list", setup=_button_of_a),
    RouteCase(
        "api:orderbutton-detail",
        "detail",
        setup=_button_of_a,
        payload={"name": "x"},
    ),
    RouteCase("api:automationrule-list", "list", setup=_rule_of_a),
    RouteCase(
        "api:automationrule-detail",
        "detail",
        setup=_rule_of_a,
        payload={"name": "x", "enabled": False},
    ),
]


# -- web pages -------------------------------------------------------------------------------------


def _settings_list(account_a) -> Setup:
    OrderStatus.objects.create(account=account_a, name="Alpha secret status")
    return Setup(marker="Alpha secret status", list_kwargs={"kind": "statuses"})


def _suggest(account_a) -> Setup:
    from catalog.models import Inventory, Product

    inventory = Inventory.objects.get(account=account_a, is_default=True)
    Product.objects.create(account=account_a, inventory=inventory, sku="ALPHA-SECRET-SKU")
    return Setup(marker="ALPHA-SECRET-SKU")


CASES += [
    RouteCase("orders:order-list", "list", setup=_order_of_a),
    RouteCase("orders:order-create", "list", setup=_source_of_a),
    RouteCase(
        "orders:order-bulk",
        "refs",
        setup=_two_orders_of_a,
        payload=lambda s: {"orders": s.kwargs["orders"], "action": "merge"},
        expect=404,
    ),
    RouteCase("orders:product-suggest", "list", setup=_suggest, query="?line-product=ALPHA"),
    RouteCase("orders:order-detail", "detail", setup=_order_of_a),
    RouteCase("orders:order-edit", "detail", setup=_order_of_a, payload={"email": "x@example.test"}),
    RouteCase(
        "orders:order-action",
        "detail",
        setup=with_kwargs(_order_of_a, action="payment"),
        payload={"payment_done": "10"},
    ),
    RouteCase("orders:settings", "list", setup=_settings_list),
    RouteCase(
        "orders:settings-edit",
        "detail",
        setup=with_kwargs(_status_of_a, kind="statuses"),
        payload={"name": "x", "color": "#000000", "position": 0, "kind": "other"},
    ),
    RouteCase(
        "orders:settings-delete",
        "detail",
        setup=with_kwargs(_status_of_a, kind="statuses"),
    ),
    RouteCase("orders:rule-list", "list", setup=_rule_of_a),
    RouteCase("orders:rule-edit", "detail", setup=_rule_of_a, payload={"name": "x"}),
    RouteCase("orders:rule-delete", "detail", setup=_rule_of_a),
]
