"""Every write of the orders app. Each change writes its journal entry and records its change event (for
the consumers: automatic actions, Connect, ...) in the same transaction, both with the change's origin."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import roles
from accounts.tenancy import Tenant, require_role
from catalog.models import Product, Warehouse
from catalog.services import StockShortfall, stock_adjust_many
from changes import topics
from changes.models import ChangeEvent
from changes.origin import Origin
from changes.services import change_record, change_record_many
from config.fields import decimal_number
from config.integrity import account_row_save, delete_unless_in_use
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
    *,
    order: Order,
    type: int,
    origin: Origin,
    object_id: int | None = None,
    data: dict | None = None,
    topic: str | None = None,
    payload: dict | None = None,
    subject_id: int | None = None,
) -> JournalEntry:
    """Append a journal entry for ``order`` with the change's origin; with ``topic``, also record the
    change event for consumers (:func:`order_change_record`) with the same origin, so the journal and
    the events never disagree about who did what. Call it inside the transaction that made the change.
    """
    entry = JournalEntry.objects.create(
        account_id=order.account_id,
        order=order,
        type=type,
        object_id=object_id or 0,
        data=data or {},
        **origin.as_fields(),
    )
    if topic is not None:
        order_change_record(
            order=order,
            topic=topic,
            origin=origin,
            payload={**(payload or {}), "journal_id": entry.pk},
            subject_id=subject_id,
        )
    return entry


def order_change_record(
    *, order: Order, topic: str, origin: Origin, payload: dict | None = None, subject_id: int | None = None
) -> ChangeEvent | None:
    """Record a change of ``order`` (or of its package: ``subject_id``) for the consumers, in the current
    transaction; delivered after commit. The payload always names the order (``order_id``)."""
    return change_record(
        account_id=order.account_id,
        topic=topic,
        origin=origin,
        subject_id=subject_id or order.pk,
        payload={"order_id": order.pk, **(payload or {})},
    )


def _line_stock_changes(lines: list[OrderLine], sign: int) -> list[tuple[int, int, int]]:
    """Stock deltas for lines: ``sign=-1`` takes what each line reserves, ``+1`` gives it back."""
    return [
        (line.product_id, line.warehouse_id, sign * line.reserved)
        for line in lines
        if line.product_id and line.warehouse_id and line.reserved
    ]


@transaction.atomic
def order_create(*, account, lines: list[dict[str, Any]], origin: Origin, **fields) -> Order:
    """Create an order with its lines; catalog lines take their quantity from the warehouse's stock.

    An order created ``confirmed`` gets ``date_confirmed`` (now, unless given) and journals "order
    confirmed" after "order created"; an unconfirmed one has no ``date_confirmed``. Entry points decide
    the default: orders typed in by hand (page, REST, addOrder) are confirmed unless told otherwise.

    ``lines``: dicts with ``product`` (a catalog Product, optional) and ``warehouse`` (defaults to the
    product catalog's default warehouse), or free lines with ``name``; plus ``quantity``,
    ``price_brutto`` and optional ``tax_rate``, ``attributes``, ``weight``. Missing sku/ean/name/weight
    are taken from the product. If stock is short, StockShortfall lists every short line and nothing
    is written.
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
    if "custom_extra_fields" in fields:
        fields["custom_extra_fields"] = extra_fields_clean(
            account=account, values=fields["custom_extra_fields"]
        )
    if "star" in fields:  # order_update checks it with the rest of the model's rules
        try:
            fields["star"] = Order._meta.get_field("star").clean(fields["star"], None)
        except ValidationError as exc:
            raise ValidationError({"star": exc.messages}) from None
    # Confirmed means a confirmation time (getOrders pages by it); an unconfirmed order has none.
    if not fields.get("confirmed"):
        fields["date_confirmed"] = None
    elif not fields.get("date_confirmed"):
        fields["date_confirmed"] = timezone.now()
    order = Order.objects.create(account=account, **fields)
    built = [_line_build(order, line) for line in lines]
    OrderLine.objects.bulk_create(built)
    stock_adjust_many(account=account, changes=_line_stock_changes(built, -1), origin=origin)
    journal_add(
        order=order,
        type=JournalEntry.Type.ORDER_CREATED,
        origin=origin,
        topic=topics.ORDER_CREATED,
        payload={"status_id": order.status_id},
    )
    if order.confirmed:
        journal_add(order=order, type=JournalEntry.Type.ORDER_CONFIRMED, origin=origin)
    return order


def journal_add_many(
    *,
    orders: list[Order],
    type: int,
    origin: Origin,
    object_ids: list[int] | None = None,
    data: list[dict] | None = None,
) -> list[JournalEntry]:
    """One journal entry of ``type`` for each of ``orders`` (with the same origin) in one insert; the
    set-based :func:`journal_add` (no change events: record those with ``change_record_many``)."""
    return JournalEntry.objects.bulk_create(
        JournalEntry(
            account_id=order.account_id,
            order=order,
            type=type,
            object_id=(object_ids[i] if object_ids else 0) or 0,
            data=(data[i] if data else None) or {},
            **origin.as_fields(),
        )
        for i, order in enumerate(orders)
    )


@transaction.atomic
def orders_create_many(*, account, orders: list[dict[str, Any]], origin: Origin) -> list[Order]:
    """Create many orders with their lines in a constant number of queries, whatever their number: one
    insert of the orders, one of the lines, one stock change for all of them, one insert of the journal
    entries and one of the change events. The rules of :func:`order_create`: status and source are this
    account's, catalog lines take their quantity from stock (reservation on; if stock is short,
    StockShortfall lists every short line and nothing is written), each order journals "order created"
    (and "order confirmed") and records "order created" for the consumers.

    ``orders``: dicts with ``fields`` (Order fields; ``status`` and ``source`` required), ``lines``
    (dicts with ``name``, ``quantity``, ``price_brutto`` and optional ``product_id`` with its
    ``warehouse_id``, ``external_product_id``, ``sku``, ``ean``, ``tax_rate``, ``weight``,
    ``attributes``: everything given, nothing looked up per line) and optional ``journal`` (data kept
    in the "order created" entry). Returns the orders, in the order given.
    """
    if not orders:
        return []
    product_ids = {line["product_id"] for o in orders for line in o["lines"] if line.get("product_id")}
    warehouse_ids = {line["warehouse_id"] for o in orders for line in o["lines"] if line.get("product_id")}
    products = {
        pk: (inventory_id, parent_id)
        for pk, inventory_id, parent_id in Product.objects.filter(
            account=account, pk__in=product_ids
        ).values_list("pk", "inventory_id", "parent_id")
    }
    known_warehouses = set(
        Warehouse.objects.filter(account=account, pk__in=warehouse_ids).values_list("pk", flat=True)
    )
    if len(products) != len(product_ids):
        raise ValidationError({"lines": _("A product of another account cannot be ordered.")})
    if len(known_warehouses) != len(warehouse_ids) or None in warehouse_ids:
        raise ValidationError({"lines": _("A warehouse of another account cannot be used.")})
    built: list[Order] = []
    for item in orders:
        fields = dict(item["fields"])
        for name in ("status", "source"):
            if fields.get(name) is None or fields[name].account_id != account.pk:
                raise ValidationError({name: _("Choose one of this account's values.")})
        if not item["lines"]:
            raise ValidationError({"lines": _("An order needs at least one line.")})
        fields.setdefault("currency", account.default_currency)
        if not fields.get("confirmed"):
            fields["date_confirmed"] = None
        elif not fields.get("date_confirmed"):
            fields["date_confirmed"] = timezone.now()
        built.append(Order(account=account, **fields))
    Order.objects.bulk_create(built)
    lines: list[OrderLine] = []
    for order, item in zip(built, orders, strict=True):
        reserve = account.stock_reservation and not order.is_technical
        for data in item["lines"]:
            product_id = data.get("product_id")
            if not product_id and not data.get("name"):
                raise ValidationError({"lines": _("A line without a product needs a name.")})
            inventory_id, parent_id = products.get(product_id, (0, None))
            lines.append(
                OrderLine(
                    order=order,
                    product_id=product_id,
                    warehouse_id=data.get("warehouse_id") if product_id else None,
                    storage_id=inventory_id or 0,
                    variant_id=product_id if parent_id else 0,
                    external_product_id=data.get("external_product_id"),
                    sku=data.get("sku", ""),
                    ean=data.get("ean", ""),
                    name=data.get("name", ""),
                    attributes=data.get("attributes", ""),
                    price_brutto=data["price_brutto"],
                    tax_rate=data.get("tax_rate", Decimal("23")),
                    quantity=data["quantity"],
                    weight=data.get("weight", Decimal("0")),
                    reserved=data["quantity"] if reserve and product_id else 0,
                )
            )
    OrderLine.objects.bulk_create(lines)
    stock_adjust_many(account=account, changes=_line_stock_changes(lines, -1), origin=origin)
    entries = journal_add_many(
        orders=built,
        type=JournalEntry.Type.ORDER_CREATED,
        origin=origin,
        data=[item.get("journal") or {} for item in orders],
    )
    confirmed = [order for order in built if order.confirmed]
    if confirmed:
        journal_add_many(orders=confirmed, type=JournalEntry.Type.ORDER_CONFIRMED, origin=origin)
    change_record_many(
        account_id=account.pk,
        topic=topics.ORDER_CREATED,
        origin=origin,
        items=[
            (order.pk, {"order_id": order.pk, "status_id": order.status_id, "journal_id": entry.pk})
            for order, entry in zip(built, entries, strict=True)
        ],
    )
    return built


def _line_build(order: Order, data: dict[str, Any]) -> OrderLine:
    product: Product | None = data.get("product")
    warehouse: Warehouse | None = data.get("warehouse")
    external = data.get("external")  # an orders.line_sources.ExternalLine the caller looked up
    if external is not None:
        product = product or external.product
        data = {
            "name": external.name,
            "sku": external.sku,
            "ean": external.ean,
            "tax_rate": external.tax_rate,
            **{k: v for k, v in data.items() if v not in (None, "")},
        }
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
    weight = data.get("weight")  # given (BaseLinker's addOrder sends it), else the product's
    if weight is not None:
        line.weight = weight
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
        line.weight = product.weight if weight is None else weight
        line.reserved = line.quantity if order.account.stock_reservation and not order.is_technical else 0
    elif not line.name:
        raise ValidationError({"lines": _("A line without a product needs a name.")})
    if external is not None:
        # A line from an external storage keeps its reference: storage, storage id and the product.
        line.storage = external.storage
        line.storage_id = external.storage_id
        line.external_product_id = external.external_product_id
        if product is None and weight is None:
            line.weight = external.weight
    return line


@transaction.atomic
def order_set_status(*, order: Order, status: OrderStatus, origin: Origin) -> Order:
    """Move ``order`` to ``status``, journal it and record "status changed"; a no-op when it is already
    there (so a status applied again, e.g. by a sync answering a change, changes and records nothing).

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
        stock_adjust_many(account=order.account, changes=_line_stock_changes(lines, +1), origin=origin)
        OrderLine.objects.filter(order=order).update(reserved=0)
    elif (
        previous.kind == OrderStatus.Kind.CANCELLED
        and status.kind != OrderStatus.Kind.CANCELLED
        and order.account.stock_reservation
        and not order.is_technical
    ):
        for line in lines:
            line.reserved = line.quantity if line.product_id and line.warehouse_id else 0
        stock_adjust_many(account=order.account, changes=_line_stock_changes(lines, -1), origin=origin)
        OrderLine.objects.bulk_update(lines, ["reserved"])
    order.status = status
    order.date_in_status = timezone.now()
    order.save(update_fields=["status", "date_in_status"])
    journal_add(
        order=order,
        type=JournalEntry.Type.STATUS_CHANGED,
        object_id=status.pk,
        origin=origin,
        topic=topics.ORDER_STATUS_CHANGED,
        payload={"status_id": status.pk, "previous_status_id": previous.pk},
    )
    return order


# -- editing ---------------------------------------------------------------------------------------

DELIVERY_FIELDS = {name for name in (f.name for f in Order._meta.fields) if name.startswith("delivery_")}
DELIVERY_FIELDS -= {"delivery_package_module", "delivery_package_nr"}
INVOICE_FIELDS = {f.name for f in Order._meta.fields if f.name.startswith("invoice_")} | {"want_invoice"}
EDITABLE_FIELDS = {
    f.name
    for f in Order._meta.fields
    if f.name not in {"id", "account", "status", "date_add", "date_in_status", "is_technical", "payment_done"}
}


def extra_fields_clean(*, account, values: dict) -> dict:
    """Check custom extra field values against the account's definitions; keys are field ids (str)."""
    if not isinstance(values, dict):
        raise ValidationError({"custom_extra_fields": _("An object of field id → value.")})
    fields = {str(f.pk): f for f in OrderExtraField.objects.filter(account=account)}
    cleaned, errors = {}, []
    for key, value in values.items():
        field = fields.get(str(key))
        if field is None:
            errors.append(_("Unknown extra field %(key)s.") % {"key": key})
            continue
        if value in (None, ""):
            continue
        if isinstance(value, dict | list):
            # BaseLinker's file fields send {"title", "file"}: there are no file fields here.
            errors.append(
                _("%(name)s: a file or a list is not a value of this field; give a text.")
                % {"name": field.name}
            )
            continue
        kind = field.kind
        try:
            if kind == OrderExtraField.Kind.NUMBER:
                value = str(decimal_number(value, max_digits=30))
            elif kind == OrderExtraField.Kind.CHECKBOX:
                if not isinstance(value, bool) and str(value).lower() not in (
                    "true",
                    "false",
                    "1",
                    "0",
                    "on",
                ):
                    raise ValueError
                value = value if isinstance(value, bool) else str(value).lower() in ("true", "1", "on")
            elif kind == OrderExtraField.Kind.DATE:
                value = datetime.date.fromisoformat(str(value)).isoformat()
            elif kind == OrderExtraField.Kind.SELECT:
                if value not in field.options:
                    raise ValueError
            else:
                value = str(value)[:1000]
                if "\x00" in value:
                    raise ValueError
        except (ValueError, InvalidOperation, ValidationError):
            errors.append(
                _("%(name)s: “%(value)s” is not a valid %(kind)s.")
                % {"name": field.name, "value": value, "kind": field.get_kind_display().lower()}
            )
            continue
        cleaned[str(key)] = value
    if errors:
        raise ValidationError({"custom_extra_fields": errors})
    return cleaned


@transaction.atomic
def order_update(*, order: Order, origin: Origin, **changes) -> Order:
    """Change order fields (not status or payment: those have their own actions) and journal them.

    Delivery fields journal as "delivery data edited", invoice fields as "invoice data edited", the
    rest as "order data edited"; each entry lists the fields with old and new values. One "fields
    changed" event names every changed field; a changed tracking number is also recorded as such.
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    tracking_before = (order.delivery_package_module, order.delivery_package_nr)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    if "custom_extra_fields" in changes:
        given = changes["custom_extra_fields"] or {}
        if not isinstance(given, dict):
            raise ValidationError({"custom_extra_fields": _("An object of field id → value.")})
        stored = order.custom_extra_fields if isinstance(order.custom_extra_fields, dict) else {}
        merged = {**stored, **given}
        changes["custom_extra_fields"] = extra_fields_clean(account=order.account, values=merged)
    if "source" in changes and changes["source"].account_id != order.account_id:
        raise ValidationError({"source": _("Choose one of this account's values.")})
    if "currency" in changes and changes["currency"] != order.currency and order.lines.exists():
        raise ValidationError({"currency": _("The currency of an order with lines cannot be changed.")})
    diffs: dict[int, dict] = {}
    for name, value in changes.items():
        old = getattr(order, name)
        if old == value:
            continue
        setattr(order, name, value)
        group = (
            JournalEntry.Type.DELIVERY_EDITED
            if name in DELIVERY_FIELDS
            else JournalEntry.Type.INVOICE_EDITED
            if name in INVOICE_FIELDS
            else JournalEntry.Type.ORDER_EDITED
        )
        diffs.setdefault(group, {})[name] = [_plain(old), _plain(value)]
    if not diffs:
        return order
    if order.confirmed and not order.date_confirmed:
        order.date_confirmed = timezone.now()
    elif not order.confirmed:
        order.date_confirmed = None
    order.full_clean(exclude=["account", "source", "status", "merged_from"])
    order.save()
    for type_, fields in diffs.items():
        journal_add(order=order, type=type_, origin=origin, data={"fields": fields})
    if diffs.get(JournalEntry.Type.ORDER_EDITED, {}).get("confirmed") == [False, True]:
        journal_add(order=order, type=JournalEntry.Type.ORDER_CONFIRMED, origin=origin)
    changed = sorted(name for fields in diffs.values() for name in fields)
    order_change_record(
        order=order, topic=topics.ORDER_FIELDS_CHANGED, origin=origin, payload={"fields": changed}
    )
    if (order.delivery_package_module, order.delivery_package_nr) != tracking_before:
        tracking_number_record(order=order, origin=origin, previous=tracking_before[1])
    return order


def tracking_number_record(
    *, order: Order, origin: Origin, previous: str, package_id: int | None = None
) -> ChangeEvent | None:
    """Record that the order's tracking number (``delivery_package_nr``) changed: by hand, or because a
    package was created or deleted. Consumers read the order's current number and courier."""
    return order_change_record(
        order=order,
        topic=topics.TRACKING_NUMBER_CHANGED,
        origin=origin,
        payload={
            "package_id": package_id,
            "courier_code": order.delivery_package_module,
            "tracking_number": order.delivery_package_nr,
            "previous": previous,
        },
    )


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Decimal | datetime.date):
        return str(value)
    return value


def order_total(order: Order) -> Decimal:
    """Lines (gross price × quantity) plus delivery, as BaseLinker counts an order's value."""
    lines = order.lines.aggregate(
        total=models.Sum(models.F("price_brutto") * models.F("quantity"), output_field=models.DecimalField())
    )["total"]
    return (lines or Decimal("0")) + order.delivery_price


@transaction.atomic
def order_payment_set(
    *, order: Order, payment_done: Decimal, origin: Origin, details: dict | None = None
) -> Order:
    """Record the amount paid so far and record "payment changed"; reaching the order's total journals
    "order paid" (the event says so: ``became_paid``, which fires "payment received" rules).
    ``details`` (e.g. the payment's date, comment, external id) are kept in the journal entry."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if payment_done < 0:
        raise ValidationError({"payment_done": _("The amount paid cannot be negative.")})
    if payment_done == order.payment_done:
        return order
    total = order_total(order)
    was_paid = order.payment_done >= total > 0
    previous = order.payment_done
    order.payment_done = payment_done
    order.save(update_fields=["payment_done"])
    became_paid = payment_done >= total and not was_paid
    journal_add(
        order=order,
        type=JournalEntry.Type.ORDER_EDITED,
        origin=origin,
        data={"fields": {"payment_done": [str(previous), str(payment_done)]}, **(details or {})},
        topic=topics.ORDER_PAYMENT_CHANGED,
        payload={
            "payment_done": str(payment_done),
            "previous": str(previous),
            "paid": payment_done >= total > 0,
            "became_paid": became_paid,
        },
    )
    if became_paid:
        journal_add(order=order, type=JournalEntry.Type.ORDER_PAID, origin=origin)
    return order


@transaction.atomic
def line_add(*, order: Order, origin: Origin, **data) -> OrderLine:
    """Add a catalog or free line; a catalog line takes its quantity from stock (reservation on)."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    line = _line_build(order, data)
    if order.status.kind == OrderStatus.Kind.CANCELLED:
        line.reserved = 0
    line.save()
    stock_adjust_many(account=order.account, changes=_line_stock_changes([line], -1), origin=origin)
    journal_add(
        order=order,
        type=JournalEntry.Type.PRODUCT_ADDED,
        object_id=line.pk,
        origin=origin,
        topic=topics.ORDER_LINES_CHANGED,
        payload={"line_id": line.pk, "change": "added"},
    )
    return line


@transaction.atomic
def line_update(*, line: OrderLine, origin: Origin, **changes) -> OrderLine:
    """Change a line's quantity, price, tax rate, name, codes, attributes or weight; stock follows the
    quantity."""
    order = Order.objects.select_for_update().get(pk=line.order_id)
    line = OrderLine.objects.select_for_update().get(pk=line.pk)
    allowed = {"quantity", "price_brutto", "tax_rate", "name", "attributes", "sku", "ean", "weight"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    fields = {}
    for name, value in changes.items():
        if getattr(line, name) != value:
            fields[name] = [_plain(getattr(line, name)), _plain(value)]
            setattr(line, name, value)
    if not fields:
        return line
    if "quantity" in fields and line.reserved:
        delta = line.quantity - line.reserved
        try:
            stock_adjust_many(
                account=order.account,
                changes=[(line.product_id, line.warehouse_id, -delta)],
                origin=origin,
            )
        except StockShortfall as exc:
            # Said as the user sees it: the new quantity against what the line can have, its own
            # reservation included (999 requested, 6 in stock — not "998 requested, 5 in stock").
            raise StockShortfall(
                [
                    dataclasses.replace(
                        short, requested=line.quantity, available=short.available + line.reserved
                    )
                    for short in exc.lines
                ]
            ) from None
        line.reserved = line.quantity
    line.full_clean(exclude=["order", "product", "warehouse"])
    line.save()
    journal_add(
        order=order,
        type=JournalEntry.Type.PRODUCT_EDITED,
        object_id=line.pk,
        origin=origin,
        data={"fields": fields},
        topic=topics.ORDER_LINES_CHANGED,
        payload={"line_id": line.pk, "change": "changed", "fields": sorted(fields)},
    )
    return line


@transaction.atomic
def line_remove(*, line: OrderLine, origin: Origin) -> None:
    """Remove a line and give back the stock it took."""
    order = Order.objects.select_for_update().get(pk=line.order_id)
    line = OrderLine.objects.select_for_update().get(pk=line.pk)
    stock_adjust_many(account=order.account, changes=_line_stock_changes([line], +1), origin=origin)
    line_id = line.pk
    line.delete()
    journal_add(
        order=order,
        type=JournalEntry.Type.PRODUCT_REMOVED,
        object_id=line_id,
        origin=origin,
        data={"name": line.name, "quantity": line.quantity},
        topic=topics.ORDER_LINES_CHANGED,
        payload={"line_id": line_id, "change": "removed"},
    )


# -- technical orders ------------------------------------------------------------------------------

COPIED_FROM_MAIN = sorted(
    DELIVERY_FIELDS
    | INVOICE_FIELDS
    | {"user_login", "email", "phone", "currency", "payment_method", "payment_method_cod"}
)


def orders_merge_check(*, orders: list[Order], main: Order | None = None) -> None:
    """Raise ValidationError (on ``orders`` or ``main``) when ``orders`` cannot be merged with ``main`` as
    the main one: fewer than two, several currencies, a technical order among them, or a main order
    that is not one of them. Used before asking the user which order is the main one, and by the merge."""
    ids = {o.pk for o in orders}
    if len(ids) < 2:
        raise ValidationError({"orders": _("Choose at least two orders to merge.")})
    currencies = sorted({o.currency for o in orders})
    if len(currencies) > 1:
        raise ValidationError(
            {
                "orders": _("Orders in different currencies (%(list)s) cannot be merged.")
                % {"list": ", ".join(currencies)}
            }
        )
    if any(o.is_technical for o in orders):
        raise ValidationError({"orders": _("A technical order cannot be merged again.")})
    if main is not None and main.pk not in ids:
        raise ValidationError({"main": _("The main order must be one of the orders being merged.")})


@transaction.atomic
def orders_merge(*, account, orders: list[Order], main: Order, origin: Origin) -> Order:
    """Merge orders into a new technical order (for one summary invoice).

    The technical order copies every line, takes the buyer's contact, delivery and invoice data from
    ``main`` — which must be one of ``orders`` —, links back to its sources and has no effect on stock.
    All orders must be this account's and in one currency. The orders are locked in id order.
    """
    ids = sorted({o.pk for o in orders})
    found = list(Order.objects.select_for_update().filter(account=account, pk__in=ids).order_by("pk"))
    if len(found) != len(ids):
        raise ValidationError({"orders": _("Choose orders of this account.")})
    orders_merge_check(orders=found, main=main)
    main = next(o for o in found if o.pk == main.pk)
    fields = {name: getattr(main, name) for name in COPIED_FROM_MAIN if name != "delivery_price"}
    technical = Order.objects.create(
        account=account,
        source=main.source,
        status=OrderStatus.objects.filter(account=account).order_by("position", "id").first(),
        is_technical=True,
        delivery_price=sum((o.delivery_price for o in found), Decimal("0")),
        admin_comments=_("Technical order merged from %(ids)s")
        % {"ids": ", ".join(f"#{o.pk}" for o in found)},
        **fields,
    )
    technical.merged_from.set(found)
    lines = OrderLine.objects.filter(order__in=found).order_by("order_id", "id")
    OrderLine.objects.bulk_create(
        OrderLine(
            order=technical,
            product_id=line.product_id,
            warehouse_id=line.warehouse_id,
            storage=line.storage,
            storage_id=line.storage_id,
            variant_id=line.variant_id,
            sku=line.sku,
            ean=line.ean,
            name=line.name,
            attributes=line.attributes,
            price_brutto=line.price_brutto,
            tax_rate=line.tax_rate,
            quantity=line.quantity,
            weight=line.weight,
            reserved=0,
        )
        for line in lines
    )
    journal_add(
        order=technical,
        type=JournalEntry.Type.ORDER_CREATED,
        origin=origin,
        topic=topics.ORDER_CREATED,
        payload={"status_id": technical.status_id, "technical": True, "merged_from": ids},
    )
    for source in found:
        journal_add(order=source, type=JournalEntry.Type.ORDERS_MERGED, object_id=technical.pk, origin=origin)
    return technical


def button_press(*, account, button: CustomButton, orders: list[Order], origin: Origin) -> int:
    """Press a custom button for each order: records "button pressed" (its automatic actions react after
    commit). All orders and the button must be this account's; returns how many were pressed."""
    if button.account_id != account.pk:
        raise ValidationError({"button": _("Choose one of this account's buttons.")})
    with transaction.atomic():
        for order in orders:
            if order.account_id != account.pk:
                raise ValidationError({"orders": _("Choose orders of this account.")})
            order_change_record(
                order=order,
                topic=topics.ORDER_BUTTON_PRESSED,
                origin=origin,
                payload={"button_id": button.pk},
            )
    return len(orders)


def rules_with_action(*, account, action: dict) -> list[AutomationRule]:
    """The account's rules with an action equal to (or containing every key of) ``action``."""
    return list(AutomationRule.objects.filter(account=account, actions__contains=[action]))


@transaction.atomic
def button_with_rule_create(
    *, account, name: str, actions: list[dict], color: str = "#1e88e5"
) -> AutomationRule:
    """A custom button of ``account`` and the enabled rule that runs ``actions`` when it is pressed (both
    named ``name``; a name already taken by another button gets a number). The actions are stored as
    given: the caller has checked them (an app creating its own action's button)."""
    taken = set(
        CustomButton.objects.filter(account=account, name__startswith=name[:90]).values_list(
            "name", flat=True
        )
    )
    label = name[:100]
    number = 2
    while label in taken:
        label = f"{name[:90]} ({number})"
        number += 1
    button = CustomButton.objects.create(account=account, name=label, color=color)
    return AutomationRule.objects.create(
        account=account,
        name=label,
        event=AutomationRule.Event.BUTTON,
        event_button=button,
        actions=actions,
    )


# -- settings --------------------------------------------------------------------------------------

# The account-level order settings a page edits as rows: statuses, sources, extra fields, buttons.
SETTING_MODELS = (OrderStatus, OrderSource, OrderExtraField, CustomButton)


def _settings_actor(actor: Tenant, act: roles.Act, row: models.Model | None = None) -> None:
    """The actor may change the order settings (the role matrix's ORDER_SETTINGS), and ``row`` is of
    its account."""
    require_role(actor, roles.ORDER_SETTINGS.role_for(act))
    if row is not None and row.account_id != actor.account.pk:
        raise ValueError(f"{type(row).__name__} {row.pk} belongs to another account.")


@transaction.atomic
def order_setting_save(*, actor: Tenant, row: models.Model) -> models.Model:
    """Create or change one of the account's statuses, sources, extra fields or custom buttons (a row
    built and validated by its form). A name already used in the account is a field error, even when
    another request takes it meanwhile. Admins only (the role matrix)."""
    if not isinstance(row, SETTING_MODELS):
        raise ValueError(f"Not an order setting: {type(row).__name__}")
    if row.account_id is None:
        row.account = actor.account
    _settings_actor(actor, roles.Act.WRITE, row)
    return account_row_save(row)


@transaction.atomic
def order_setting_delete(*, actor: Tenant, row: models.Model) -> None:
    """Delete one of the account's statuses (see ``order_status_delete``), sources, extra fields or
    custom buttons; refused (ValidationError) while orders use it. Admins only (the role matrix)."""
    if not isinstance(row, SETTING_MODELS):
        raise ValueError(f"Not an order setting: {type(row).__name__}")
    _settings_actor(actor, roles.Act.DELETE, row)
    if isinstance(row, OrderStatus):
        order_status_delete(status=row)
    else:
        delete_unless_in_use(row, message=_("Orders still use it; move them first."))


@transaction.atomic
def stock_reservation_set(*, actor: Tenant, enabled: bool) -> None:
    """Switch stock reservation by orders on or off for the actor's account. Admins only."""
    _settings_actor(actor, roles.Act.WRITE)
    account = actor.account
    account.stock_reservation = enabled
    account.save(update_fields=["stock_reservation"])


@transaction.atomic
def rule_save(*, actor: Tenant, rule: AutomationRule) -> AutomationRule:
    """Create or change an automatic action (a rule built and validated by its form: its conditions and
    actions are checked against the account there). Admins only (the role matrix)."""
    if rule.account_id is None:
        rule.account = actor.account
    _settings_actor(actor, roles.Act.WRITE, rule)
    rule.save()
    return rule


@transaction.atomic
def rule_delete(*, actor: Tenant, rule: AutomationRule) -> None:
    """Delete an automatic action. Admins only (the role matrix)."""
    _settings_actor(actor, roles.Act.DELETE, rule)
    rule.delete()


@transaction.atomic
def order_status_delete(*, status: OrderStatus) -> None:
    """Delete an order status of the account. Refused (ValidationError) while orders are in it or
    automatic actions name it (their trigger, conditions or a "set status" action), and for the
    account's last status (new orders need one); other rows that keep it (a WMS connection) are named."""
    account_id = status.account_id
    if status.orders.exists():
        raise ValidationError(_("Orders are in this status; move them to another status first."))
    if not OrderStatus.objects.filter(account_id=account_id).exclude(pk=status.pk).exists():
        raise ValidationError(_("The last status cannot be deleted: new orders need one."))
    rules = AutomationRule.objects.filter(account_id=account_id).filter(
        models.Q(event_status=status)
        | models.Q(conditions__statuses__contains=[status.pk])
        | models.Q(actions__contains=[{"type": "set_status", "status": status.pk}])
    )
    names = sorted(rules.values_list("name", flat=True))
    if names:
        raise ValidationError(
            _("Automatic actions use this status (%(rules)s); change them first.")
            % {"rules": ", ".join(names)}
        )
    delete_unless_in_use(status)
