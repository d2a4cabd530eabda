"""Order methods (reference §4–§5): thin adapters over ``orders.services`` and the order selectors."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CURRENCY_CHOICES
from blconnector import selectors, shared_catalogs
from blconnector.errors import Code, bad_parameter, not_found
from blconnector.lookups import order_line_of, order_of, source_of, status_of, storage_of, warehouse_of
from blconnector.params import Args, Bool, Int, IntList, Items, Number, Obj, Str, Timestamp
from blconnector.registry import ORDER_SETTINGS, ORDERS, READ, WRITE, Call, method
from blconnector.render import RawJson, amount, timestamp
from catalog.models import Product
from connect import selectors as connect_selectors
from orders import services
from orders.line_sources import ExternalLine, external_get
from orders.models import JournalEntry, Order, OrderExtraField, OrderSource, OrderStatus

CURRENCIES = frozenset(code for code, _name in CURRENCY_CHOICES)
JOURNAL_PAGE = 100
MAX_ORDERS_PER_BATCH = 1000


def _text(name: str, **kwargs) -> Str:
    """A text field of the order, as long as its column allows."""
    return Str(name, max_length=Order._meta.get_field(name).max_length, **kwargs)


# The order fields addOrder and setOrderFields both take (reference §5.3, §5.4).
_TEXT_FIELDS = (
    "payment_method",
    "user_comments",
    "admin_comments",
    "email",
    "phone",
    "user_login",
    "delivery_method",
    "delivery_fullname",
    "delivery_company",
    "delivery_address",
    "delivery_postcode",
    "delivery_city",
    "delivery_state",
    "delivery_point_id",
    "delivery_point_name",
    "delivery_point_address",
    "delivery_point_postcode",
    "delivery_point_city",
    "invoice_fullname",
    "invoice_company",
    "invoice_nip",
    "invoice_address",
    "invoice_postcode",
    "invoice_city",
    "invoice_state",
    "extra_field_1",
    "extra_field_2",
)
_ORDER_PARAMS = (
    *(_text(name) for name in _TEXT_FIELDS),
    Str("delivery_country_code", max_length=2, strip=True),
    Str("invoice_country_code", max_length=2, strip=True),
    Bool("payment_method_cod"),
    Bool("want_invoice"),
    Number("delivery_price"),
    Obj("custom_extra_fields"),
)
_ORDER_FIELD_NAMES = tuple(param.name for param in _ORDER_PARAMS)

# An order line as addOrder, addOrderProduct and setOrderProductFields take it (reference §5.3, §5.6).
_LINE_PARAMS = (
    Str("storage", max_length=20, strip=True),
    # "0"/the catalog for "db" lines (ignored); the external storage ("warehouse_<id>" or its id) for
    # "warehouse" lines.
    Str("storage_id", max_length=50, strip=True),
    Str("product_id", max_length=50, strip=True),
    Str("variant_id", max_length=30, strip=True),
    Str("auction_id", max_length=50),
    Str("name", max_length=200),
    Str("sku", max_length=50),
    Str("ean", max_length=32),
    Str("location", max_length=50),
    Int("warehouse_id"),
    Str("attributes", max_length=350),
    Number("price_brutto"),
    Number("tax_rate", minimum=-1, maximum=100),
    Int("quantity", minimum=1, maximum=2**31 - 1),
    Number("weight", places=3, maximum=10**7 - 1),
)


def _order_fields(args: Args) -> dict:
    fields = args.pick(_ORDER_FIELD_NAMES)
    for name in ("delivery_country_code", "invoice_country_code"):
        if name in fields:
            fields[name] = fields[name].upper()
    return fields


def _line_ids(line: Args, path: str) -> tuple[int | None, int | None]:
    """A line's ``product_id`` and ``variant_id`` (None: not given, or 0)."""
    ids = []
    for name in ("product_id", "variant_id"):
        value = getattr(line, name)
        if value in (None, "", "0"):
            ids.append(None)
        elif not (value.isascii() and value.isdigit()) or len(value) > 18:
            raise bad_parameter(f"{path}{name}", _("a product id is required."))
        else:
            ids.append(int(value) or None)
    return ids[0], ids[1]


def _catalog_product(call: Call, line: Args, path: str) -> Product | None:
    """The catalog product (or variant) a ``db`` line names, None for a line without one."""
    if (line.storage or "db") != "db":
        return None
    product_id, variant_id = _line_ids(line, path)
    if product_id is None and variant_id is None:
        return None
    products = Product.objects.filter(account=call.account).select_related("inventory")
    if variant_id is not None:
        products = products.filter(pk=variant_id)
        if product_id is not None:
            products = products.filter(parent_id=product_id)
    else:
        products = products.filter(pk=product_id)
    product = products.first()
    if product is None:
        raise not_found(Code.PRODUCT_NOT_FOUND, _("Product"), variant_id or product_id)
    return product


def _shared_product(call: Call, line: Args, path: str, opened: set[int]) -> ExternalLine | None:
    """The product of a Connect shared catalog a ``warehouse`` line names (``storage_id``: the external
    storage, ``"warehouse_<id>"`` or its id; ``product_id``/``variant_id``: the supplier's product), as
    the order form finds it — with the account's own product linked to it, if any. None for other
    lines. A storage not open to the account, and a product it may not see there (missing, another
    account's, outside its range), are answered as missing. ``opened``: storages already checked."""
    if (line.storage or "").lower() != shared_catalogs.STORAGE_TYPE:
        return None
    product_id, variant_id = _line_ids(line, path)
    if product_id is None and variant_id is None:
        return None
    integration_id = shared_catalogs.line_integration_id(line.storage_id or "")
    if integration_id is None:
        raise bad_parameter(f"{path}storage_id", _("the external storage's id (warehouse_<id>) is required."))
    if integration_id not in opened:
        storage_of(call, shared_catalogs.storage_key_of(integration_id))
        opened.add(integration_id)
    found = external_get(
        account=call.account,
        storage=shared_catalogs.LINE_STORAGE,
        storage_id=integration_id,
        external_product_id=variant_id or product_id,
    )
    if found is None or (variant_id and product_id and found.external_parent_id != product_id):
        raise not_found(Code.PRODUCT_NOT_FOUND, _("Product"), variant_id or product_id)
    return found


def _line(call: Call, line: Args, path: str = "", opened: set[int] | None = None) -> dict:
    """An order line for the order services: a catalog product, a product of a Connect shared catalog
    (kept as the line's reference; the account's product linked to it takes the stock), or a free line
    with its own name."""
    data = {"quantity": line.quantity or 1, "price_brutto": line.price_brutto or Decimal("0")}
    data.update(line.pick(("name", "sku", "ean", "attributes", "tax_rate", "weight")))
    external = _shared_product(call, line, path, set() if opened is None else opened)
    product = external.product if external is not None else _catalog_product(call, line, path)
    if external is not None:
        data["external"] = external
    if product is not None:
        data["product"] = product
        if line.warehouse_id:
            data["warehouse"] = warehouse_of(call, line.warehouse_id)
    elif external is None and not line.name:
        raise bad_parameter(f"{path}name", _("a line without a catalog product needs a name."))
    return data


# -- reading orders -----------------------------------------------------------------------------------


@method(
    "getOrders",
    area=ORDERS,
    act=READ,
    params=(
        Int("order_id"),
        Timestamp("date_confirmed_from"),
        Timestamp("date_from"),
        Int("id_from"),
        Bool("get_unconfirmed_orders", default=False),
        Int("status_id"),
        Str("filter_email", max_length=150, strip=True),
        Str("filter_order_source", max_length=20, strip=True),
        Int("filter_order_source_id"),
        Int("filter_shop_order_id"),
        Str("filter_external_order_id", max_length=50, strip=True),
        Bool("include_custom_extra_fields", default=False),
        # Accepted and answered without their data: there are no commissions here.
        Bool("include_commission_data", default=False),
        Bool("include_commissions", default=False),
        Bool("include_connect_data", default=False),
    ),
)
def get_orders(call: Call, args: Args) -> dict:
    """100 orders (more when others share the 100th one's second); the next page starts at
    ``date_confirmed_from`` = the last order's ``date_confirmed`` + 1."""
    ids = selectors.orders_page(
        account=call.account,
        get_unconfirmed_orders=args.get_unconfirmed_orders,
        **args.pick(
            (
                "order_id",
                "date_confirmed_from",
                "date_from",
                "id_from",
                "status_id",
                "filter_email",
                "filter_order_source",
                "filter_order_source_id",
                "filter_shop_order_id",
                "filter_external_order_id",
            )
        ),
    )
    order_ids = list(ids)
    connect_data = _connect_data(call, order_ids) if args.include_connect_data else None
    return {
        "orders": RawJson(
            selectors.orders_json(
                ids,
                custom_extra_fields=args.include_custom_extra_fields,
                connect_data=connect_data,
                shared_lines=shared_catalogs.order_line_products(account=call.account, order_ids=order_ids),
            )
        )
    }


def _connect_data(call: Call, ids: list[int]) -> dict[int, dict]:
    """``connect_data`` of the page's orders that came through Connect (reference §4.1): the account's
    integration, the contractor (the link) and the forwarding (``connect_sale_id``, the same on both
    sides)."""
    refs = connect_selectors.forwarded_order_refs(account=call.account, order_ids=ids)
    return {
        order_id: {
            "connect_integration_id": ref.integration_id,
            "connect_contractor_id": ref.contractor_id,
            "connect_sale_id": ref.forward_id,
        }
        for order_id, ref in refs.items()
    }


def _orders_matching(call: Call, condition: Q, fields: tuple[str, ...]) -> list[dict]:
    rows = (
        Order.objects.filter(condition, account=call.account)
        .order_by("-id")
        .values("id", "status_id", "date_in_status", "date_add", *fields)[: selectors.ORDERS_PER_CALL]
    )
    return [
        {
            "order_id": row["id"],
            "order_status_id": row["status_id"],
            "date_in_status": timestamp(row["date_in_status"]),
            "date_add": timestamp(row["date_add"]),
            **{name: row[name] for name in fields},
        }
        for row in rows
    ]


@method(
    "getOrdersByEmail",
    area=ORDERS,
    act=READ,
    params=(Str("email", required=True, max_length=150, strip=True),),
)
def get_orders_by_email(call: Call, args: Args) -> dict:
    """The newest 100 orders of a buyer's e-mail address (any case)."""
    return {"orders": _orders_matching(call, Q(email__iexact=args.email), ())}


@method(
    "getOrdersByPhone",
    area=ORDERS,
    act=READ,
    params=(Str("phone", required=True, max_length=100, strip=True),),
)
def get_orders_by_phone(call: Call, args: Args) -> dict:
    """The newest 100 orders of a buyer's phone number."""
    return {
        "orders": _orders_matching(call, Q(phone=args.phone), ("delivery_fullname", "delivery_company")),
    }


@method("getOrderStatusList", area=ORDER_SETTINGS, act=READ)
def get_order_status_list(call: Call, args: Args) -> dict:
    statuses = OrderStatus.objects.filter(account=call.account).order_by("position", "id")
    return {
        "statuses": [
            {"id": s.pk, "name": s.name, "name_for_customer": s.name_for_customer, "color": s.color}
            for s in statuses
        ]
    }


@method("getOrderSources", area=ORDER_SETTINGS, act=READ)
def get_order_sources(call: Call, args: Args) -> dict:
    """``{kind: {source id: name}}``; the ids are what getOrders reports as ``order_source_id``."""
    sources: dict[str, dict[str, str]] = {}
    for source in OrderSource.objects.filter(account=call.account).order_by("id"):
        sources.setdefault(source.kind, {})[str(source.pk)] = source.name
    return {"sources": sources}


# Our field kinds in BaseLinker's editor types (we have no radio or file fields).
_EDITOR_TYPES = {
    OrderExtraField.Kind.TEXT: "text",
    OrderExtraField.Kind.NUMBER: "number",
    OrderExtraField.Kind.SELECT: "select",
    OrderExtraField.Kind.CHECKBOX: "checkbox",
    OrderExtraField.Kind.DATE: "date",
}


@method("getOrderExtraFields", area=ORDER_SETTINGS, act=READ)
def get_order_extra_fields(call: Call, args: Args) -> dict:
    fields = []
    for field in OrderExtraField.objects.filter(account=call.account).order_by("id"):
        row = {
            "extra_field_id": field.pk,
            "name": field.name,
            "editor_type": _EDITOR_TYPES.get(field.kind, "text"),
        }
        if field.kind == OrderExtraField.Kind.SELECT:
            row["options"] = [str(option) for option in field.options]
        fields.append(row)
    return {"extra_fields": fields}


@method(
    "getJournalList",
    area=ORDERS,
    act=READ,
    params=(Int("last_log_id"), IntList("logs_types", max_items=100), Int("order_id")),
)
def get_journal_list(call: Call, args: Args) -> dict:
    """Journal entries of the last 3 days, ascending, 100 at most; ``last_log_id`` is inclusive [INF]:
    a caller passing "last + 1" misses nothing, one passing "last" gets one entry it already has."""
    since = timezone.now() - datetime.timedelta(days=settings.BLCONNECTOR_JOURNAL_DAYS)
    entries = JournalEntry.objects.filter(account=call.account, created_at__gte=since)
    if args.last_log_id is not None:
        entries = entries.filter(pk__gte=args.last_log_id)
    if args.logs_types:
        entries = entries.filter(type__in=args.logs_types)
    if args.order_id is not None:
        entries = entries.filter(order_id=args.order_id)
    rows = entries.order_by("id").values_list("id", "type", "order_id", "object_id", "created_at")[
        :JOURNAL_PAGE
    ]
    return {
        "logs": [
            {
                "log_id": pk,
                "log_type": type_,
                "order_id": order_id,
                "object_id": object_id,
                "date": timestamp(at),
            }
            for pk, type_, order_id, object_id, at in rows
        ]
    }


@method(
    "getOrderPaymentsHistory",
    area=ORDERS,
    act=READ,
    params=(Int("order_id", required=True), Bool("show_full_history", default=False)),
)
def get_order_payments_history(call: Call, args: Args) -> dict:
    """Every change of the amount paid, oldest first, from the order's journal."""
    order = order_of(call, args.order_id)
    total = amount(services.order_total(order))
    payments = []
    for entry in order.journal.filter(data__fields__has_key="payment_done").order_by("id"):
        before, after = entry.data["fields"]["payment_done"]
        details = entry.data.get("payment", {})
        payments.append(
            {
                "paid_before": float(before),
                "paid_after": float(after),
                "total_price": total,
                "currency": order.currency,
                "external_payment_id": details.get("external_payment_id", ""),
                "date": details.get("date") or timestamp(entry.created_at),
                "comment": details.get("comment", ""),
            }
        )
    return {"payments": payments}


# -- writing orders -----------------------------------------------------------------------------------


@method(
    "addOrder",
    area=ORDERS,
    act=WRITE,
    params=(
        Int("order_status_id", required=True),
        Int("custom_source_id"),
        Timestamp("date_add"),
        Str("currency", max_length=3, strip=True),
        Bool("paid", default=False),
        *_ORDER_PARAMS,
        Items("products", _LINE_PARAMS, max_items=1000),
    ),
)
def add_order(call: Call, args: Args) -> dict:
    """Create a confirmed order (journal: created, confirmed); ``paid`` records a full payment.

    ``order_source_id``, which one client always sends, is not an addOrder parameter and is ignored.
    """
    fields = _order_fields(args)
    fields["status"] = status_of(call, args.order_status_id)
    if args.custom_source_id:
        fields["source"] = source_of(call, args.custom_source_id)
    if args.date_add is not None:
        fields["date_add"] = args.date_add
    if args.currency is not None:
        if args.currency.upper() not in CURRENCIES:
            raise bad_parameter("currency", _("not an ISO 4217 currency code."))
        fields["currency"] = args.currency.upper()
    opened: set[int] = set()
    lines = [
        _line(call, line, f"products[{index}].", opened) for index, line in enumerate(args.products or [])
    ]
    if not lines:
        raise bad_parameter("products", _("an order needs at least one product."))
    order = services.order_create(
        account=call.account, lines=lines, origin=call.origin, confirmed=True, **fields
    )
    if args.paid:
        services.order_payment_set(order=order, payment_done=services.order_total(order), origin=call.origin)
    return {"order_id": order.pk}


@method(
    "setOrderFields",
    area=ORDERS,
    act=WRITE,
    params=(
        Int("order_id", required=True),
        *_ORDER_PARAMS,
        Int("star", maximum=5),
        # No pick & pack here: the flags are accepted and have no effect.
        Int("pick_state", maximum=1),
        Int("pack_state", maximum=1),
    ),
)
def set_order_fields(call: Call, args: Args) -> dict:
    """Change the given fields, all or none; ``custom_extra_fields`` values of ``""`` remove a value."""
    order = order_of(call, args.order_id)
    changes = _order_fields(args)
    if args.given("star"):
        changes["star"] = args.star
    if changes:
        services.order_update(order=order, origin=call.origin, **changes)
    return {}


@method(
    "setOrderStatus",
    area=ORDERS,
    act=WRITE,
    params=(Int("order_id", required=True), Int("status_id", required=True)),
)
def set_order_status(call: Call, args: Args) -> dict:
    order = order_of(call, args.order_id)
    services.order_set_status(order=order, status=status_of(call, args.status_id), origin=call.origin)
    return {}


@method(
    "setOrderStatuses",
    area=ORDERS,
    act=WRITE,
    params=(
        IntList("order_ids", required=True, max_items=MAX_ORDERS_PER_BATCH),
        Int("status_id", required=True),
    ),
)
def set_order_statuses(call: Call, args: Args) -> dict:
    """Move every order to the status, or none of them (a missing order or a stock shortfall)."""
    status = status_of(call, args.status_id)
    orders = {o.pk: o for o in Order.objects.filter(account=call.account, pk__in=args.order_ids)}
    for order_id in args.order_ids:
        if order_id not in orders:
            raise not_found(Code.ORDER_NOT_FOUND, _("Order"), order_id)
    for order_id in args.order_ids:
        services.order_set_status(order=orders[order_id], status=status, origin=call.origin)
    return {}


@method(
    "addOrderProduct",
    area=ORDERS,
    act=WRITE,
    params=(Int("order_id", required=True), *_LINE_PARAMS),
)
def add_order_product(call: Call, args: Args) -> dict:
    order = order_of(call, args.order_id)
    line = services.line_add(order=order, origin=call.origin, **_line(call, args))
    return {"order_product_id": line.pk}


# The line fields that can change; storage, product and warehouse stay as the line was added.
_LINE_CHANGES = ("name", "sku", "ean", "attributes", "price_brutto", "tax_rate", "quantity", "weight")


@method(
    "setOrderProductFields",
    area=ORDERS,
    act=WRITE,
    params=(Int("order_id", required=True), Int("order_product_id", required=True), *_LINE_PARAMS),
)
def set_order_product_fields(call: Call, args: Args) -> dict:
    """Change a line's name, codes, attributes, price, tax rate, quantity (stock follows it) or weight.
    The other line fields are kept: a line's product and warehouse are fixed once it is added."""
    order = order_of(call, args.order_id)
    line = order_line_of(call, order, args.order_product_id)
    changes = args.pick(_LINE_CHANGES)
    if changes:
        services.line_update(line=line, origin=call.origin, **changes)
    return {}


@method(
    "deleteOrderProduct",
    area=ORDERS,
    act=WRITE,
    params=(Int("order_id", required=True), Int("order_product_id", required=True)),
)
def delete_order_product(call: Call, args: Args) -> dict:
    order = order_of(call, args.order_id)
    services.line_remove(line=order_line_of(call, order, args.order_product_id), origin=call.origin)
    return {}


@method(
    "setOrderPayment",
    area=ORDERS,
    act=WRITE,
    params=(
        Int("order_id", required=True),
        Number("payment_done", required=True),
        Timestamp("payment_date"),
        Str("payment_comment", max_length=200),
        Str("external_payment_id", max_length=100),
    ),
)
def set_order_payment(call: Call, args: Args) -> dict:
    """Set (not add to) the amount paid; reaching the order's total marks it paid (journal 3)."""
    order = order_of(call, args.order_id)
    details = {
        "date": timestamp(args.payment_date) if args.payment_date else None,
        "comment": args.payment_comment or "",
        "external_payment_id": args.external_payment_id or "",
    }
    services.order_payment_set(
        order=order,
        payment_done=args.payment_done,
        origin=call.origin,
        details={"payment": {key: value for key, value in details.items() if value}},
    )
    return {}
