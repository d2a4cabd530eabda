"""Every write of the orders app. Each change writes its journal entry in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Product, Warehouse
from catalog.services import stock_adjust_many
from orders.models import JournalEntry, Order, OrderLine, OrderSource, OrderStatus

DEFAULT_STATUSES = (
    (gettext_lazy("New orders"), "#1e88e5", OrderStatus.Kind.NEW),
    (gettext_lazy("In progress"), "#fb8c00", OrderStatus.Kind.OTHER),
    (gettext_lazy("Awaiting payment"), "#8e24aa", OrderStatus.Kind.OTHER),
    (gettext_lazy("Ready to ship"), "#00897b", OrderStatus.Kind.OTHER),
    (gettext_lazy("Sent"), "#43a047", OrderStatus.Kind.SENT),
    (gettext_lazy("Delivered"), "#2e7d32", OrderStatus.Kind.OTHER),
    (gettext_lazy("Cancelled"), "#757575", OrderStatus.Kind.CANCELLED),
)


def orders_defaults_create(*, account) -> None:
    """Give a new account the default statuses and the personal (manual) order source."""
    OrderStatus.objects.bulk_create(
        OrderStatus(
            account=account, name=str(name), name_for_customer=str(name), color=color, position=i, kind=kind
        )
        for i, (name, color, kind) in enumerate(DEFAULT_STATUSES)
    )
    OrderSource.objects.create(account=account, kind=OrderSource.Kind.PERSONAL, name=str(_("Personal")))


def journal_add(
    *, order: Order, type: int, object_id: int | None = None, actor: str = "", data: dict | None = None
) -> JournalEntry:
    """Append a journal entry for ``order``; call it inside the transaction that made the change."""
    return JournalEntry.objects.create(
        account_id=order.account_id,
        order=order,
        type=type,
        object_id=object_id or 0,
        actor=actor,
        data=data or {},
    )


def _line_stock_changes(lines: list[OrderLine], sign: int) -> list[tuple[int, int, int]]:
    return [
        (line.product_id, line.warehouse_id, sign * line.quantity)
        for line in lines
        if line.product_id and line.warehouse_id
    ]


@transaction.atomic
def order_create(*, account, lines: list[dict[str, Any]], actor: str = "", **fields) -> Order:
    """Create an order with its lines; catalog lines take their quantity from the warehouse's stock.

    ``lines``: dicts with ``product`` (a catalog Product, optional) and ``warehouse`` (defaults to the
    product catalog's default warehouse), or free lines with ``name``; plus ``quantity``,
    ``price_brutto`` and optional ``tax_rate``, ``attributes``. Missing sku/ean/name/weight are taken
    from the product. If stock is short, StockShortfall lists every short line and nothing is written.
    """
    if not lines:
        raise ValidationError({"lines": _("An order needs at least one line.")})
    fields.setdefault(
        "status", OrderStatus.objects.filter(account=account).order_by("position", "id").first()
    )
    fields.setdefault("source", OrderSource.objects.filter(account=account, kind="personal").first())
    fields.setdefault("currency", account.default_currency)
    for name in ("status", "source"):
        if fields[name] is None or fields[name].account_id != account.pk:
            raise ValidationError({name: _("Choose one of this account's values.")})
    order = Order.objects.create(account=account, **fields)
    built = [_line_build(order, line) for line in lines]
    OrderLine.objects.bulk_create(built)
    stock_adjust_many(account=account, changes=_line_stock_changes(built, -1))
    journal_add(order=order, type=JournalEntry.Type.ORDER_CREATED, actor=actor)
    return order


def _line_build(order: Order, data: dict[str, Any]) -> OrderLine:
    product: Product | None = data.get("product")
    warehouse: Warehouse | None = data.get("warehouse")
    line = OrderLine(
        order=order,
        quantity=data["quantity"],
        price_brutto=data["price_brutto"],
        tax_rate=data.get("tax_rate", product.tax_rate if product else 23),
        attributes=data.get("attributes", ""),
        name=data.get("name", ""),
        sku=data.get("sku", ""),
        ean=data.get("ean", ""),
    )
    if product is not None:
        if product.account_id != order.account_id:
            raise ValidationError({"lines": _("A product of another account cannot be ordered.")})
        warehouse = warehouse or product.inventory.default_warehouse
        if warehouse.account_id != order.account_id:
            raise ValidationError({"lines": _("A warehouse of another account cannot be used.")})
        text = (
            product.texts.filter(language=product.inventory.default_language).first() or product.texts.first()
        )
        line.product = product
        line.warehouse = warehouse
        line.storage_id = product.inventory_id
        line.variant_id = product.pk if product.parent_id else 0
        line.name = line.name or (text.name if text else product.sku)
        line.sku = line.sku or product.sku
        line.ean = line.ean or product.ean
        line.weight = product.weight
        line.reserved = line.quantity
    elif not line.name:
        raise ValidationError({"lines": _("A line without a product needs a name.")})
    return line


@transaction.atomic
def order_set_status(*, order: Order, status: OrderStatus, actor: str = "") -> Order:
    """Move ``order`` to ``status`` and journal it; a no-op when it is already there.

    Cancelling returns the reserved stock; leaving the cancelled status takes it again (or refuses
    with StockShortfall when it is gone).
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    if status.account_id != order.account_id:
        raise ValidationError({"status": _("Choose one of this account's statuses.")})
    if order.status_id == status.pk:
        return order
    previous = order.status
    lines = list(order.lines.all())
    if status.kind == OrderStatus.Kind.CANCELLED and previous.kind != OrderStatus.Kind.CANCELLED:
        stock_adjust_many(account=order.account, changes=_line_stock_changes(lines, +1))
    elif previous.kind == OrderStatus.Kind.CANCELLED and status.kind != OrderStatus.Kind.CANCELLED:
        stock_adjust_many(account=order.account, changes=_line_stock_changes(lines, -1))
    order.status = status
    order.date_in_status = timezone.now()
    order.save(update_fields=["status", "date_in_status"])
    journal_add(order=order, type=JournalEntry.Type.STATUS_CHANGED, object_id=status.pk, actor=actor)
    return order
