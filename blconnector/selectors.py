"""Reads in BaseLinker's shapes: the orders of getOrders (one query), catalog pages and product data."""

from __future__ import annotations

import datetime
import functools
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Trunc
from django.utils import timezone, translation
from django_countries import countries

from blconnector.render import SHARED_STORAGE_TYPE, warehouse_key
from catalog.models import Inventory, Price, Product, ProductText, Stock
from config.web import site_url
from connect.line_source import STORAGE as SHARED_LINE_STORAGE
from orders.models import Order, OrderLine

ORDERS_PER_CALL = 100
# A page completes the second of its 100th order, up to this many orders in all.
ORDERS_PER_SECOND_CAP = 1000

# getOrders' order fields (reference §4.1) in the order of the captured real response, as SQL.
_ORDER_COLUMNS = (
    ("o.id", "order_id"),
    ("o.shop_order_id", "shop_order_id"),
    ("o.external_order_id", "external_order_id"),
    ("s.kind", "order_source"),
    ("o.source_id", "order_source_id"),
    ("'-'", "order_source_info"),  # "currently unavailable" in BaseLinker; real output is "-"
    ("o.status_id", "order_status_id"),
    ("o.confirmed", "confirmed"),
    ("coalesce(floor(extract(epoch FROM o.date_confirmed))::bigint, 0)", "date_confirmed"),
    ("floor(extract(epoch FROM o.date_add))::bigint", "date_add"),
    ("floor(extract(epoch FROM o.date_in_status))::bigint", "date_in_status"),
    ("o.user_login", "user_login"),
    ("o.phone", "phone"),
    ("o.email", "email"),
    ("o.user_comments", "user_comments"),
    ("o.admin_comments", "admin_comments"),
    ("o.currency", "currency"),
    ("o.payment_method", "payment_method"),
    ("CASE WHEN o.payment_method_cod THEN '1' ELSE '0' END", "payment_method_cod"),
    ("o.payment_done", "payment_done"),
    ("0", "delivery_method_id"),  # delivery methods are free text here
    ("o.delivery_method", "delivery_method"),
    ("o.delivery_price", "delivery_price"),
    ("o.delivery_package_module", "delivery_package_module"),
    ("o.delivery_package_nr", "delivery_package_nr"),
    ("o.delivery_fullname", "delivery_fullname"),
    ("o.delivery_company", "delivery_company"),
    ("o.delivery_address", "delivery_address"),
    ("o.delivery_city", "delivery_city"),
    ("o.delivery_state", "delivery_state"),
    ("o.delivery_postcode", "delivery_postcode"),
    ("o.delivery_country_code", "delivery_country_code"),
    ("o.delivery_point_id", "delivery_point_id"),
    ("o.delivery_point_name", "delivery_point_name"),
    ("o.delivery_point_address", "delivery_point_address"),
    ("o.delivery_point_postcode", "delivery_point_postcode"),
    ("o.delivery_point_city", "delivery_point_city"),
    ("o.invoice_fullname", "invoice_fullname"),
    ("o.invoice_company", "invoice_company"),
    ("o.invoice_nip", "invoice_nip"),
    ("o.invoice_address", "invoice_address"),
    ("o.invoice_city", "invoice_city"),
    ("o.invoice_state", "invoice_state"),
    ("o.invoice_postcode", "invoice_postcode"),
    ("o.invoice_country_code", "invoice_country_code"),
    ("CASE WHEN o.want_invoice THEN '1' ELSE '0' END", "want_invoice"),
    ("o.extra_field_1", "extra_field_1"),
    ("o.extra_field_2", "extra_field_2"),
    ("{custom_extra_fields}", ""),
    ("''", "order_page"),  # no buyer-facing order page here
    ("0", "pick_state"),  # no pick & pack here
    ("0", "pack_state"),
    ("coalesce(%s::jsonb ->> o.delivery_country_code, '')", "delivery_country"),
    ("coalesce(%s::jsonb ->> o.invoice_country_code, '')", "invoice_country"),
    ("o.star", "star"),
    ("0", "crm_client_id"),
    ("{connect_data}", ""),
)

# Order lines (reference §4.2). A variant's line names its main product in product_id and itself in
# variant_id, as BaseLinker does. A line picked from a Connect shared catalog (storage "connect") is a
# line of the external storage ``warehouse_<integration id>``: storage "warehouse", storage_id the
# integration, and the supplier's product — its main product and variant from ``%s``, a JSON object
# {"<integration id>:<supplier product id>": [main product id, variant id or 0]} of the page's lines
# (read through Connect); the supplier's product id itself when it is not there.
_SHARED_REF = "%s::jsonb #>> ARRAY[l.storage_id::text || ':' || l.external_product_id::text, '{index}']"
_LINE_COLUMNS = (
    (
        f"CASE WHEN l.storage = '{SHARED_LINE_STORAGE}' THEN '{SHARED_STORAGE_TYPE}' ELSE l.storage END",
        "storage",
    ),
    ("l.storage_id", "storage_id"),
    ("l.id", "order_product_id"),
    (
        f"CASE WHEN l.storage = '{SHARED_LINE_STORAGE}' "
        f"THEN coalesce({_SHARED_REF.format(index=0)}, l.external_product_id::text, '') "
        "ELSE coalesce(coalesce(p.parent_id, l.product_id)::text, '') END",
        "product_id",
    ),
    (
        f"CASE WHEN l.storage = '{SHARED_LINE_STORAGE}' THEN coalesce({_SHARED_REF.format(index=1)}, '0') "
        "ELSE l.variant_id::text END",
        "variant_id",
    ),
    ("l.name", "name"),
    ("l.attributes", "attributes"),
    ("l.sku", "sku"),
    ("l.ean", "ean"),
    ("''", "location"),
    ("coalesce(l.warehouse_id, 0)", "warehouse_id"),
    ("'0'", "auction_id"),
    ("l.price_brutto", "price_brutto"),
    ("l.tax_rate", "tax_rate"),
    ("l.quantity", "quantity"),
    ("l.weight", "weight"),
    ("0", "bundle_id"),
)


# Amounts, rates and weights go out as the numeric columns they are (``23.00``, ``1.250``): JSON
# numbers with a fraction, which clients read as the floats the reference gives (a float8 cast would
# write ``23``, read as an integer by PHP's json_decode).


def _select(columns) -> str:
    return ",\n".join(f"{expr} AS {alias}" for expr, alias in columns)


# Only orders that came through Connect carry ``connect_data`` (reference §4.1): the others' null is
# cut out of the finished text. The cut cannot touch a value: inside a JSON string every quote is
# escaped, so a comma followed by an unescaped quote only ever starts a key.
_NO_CONNECT_DATA = ',"connect_data":null'


@functools.cache
def _orders_sql(custom_extra_fields: bool, connect_data: bool = False) -> str:
    placeholders = {
        "{custom_extra_fields}": ("o.custom_extra_fields", "custom_extra_fields")
        if custom_extra_fields
        else None,
        # ``%s``: a JSON object {"<order id>": {connect_integration_id, ...}} of the page's Connect orders.
        "{connect_data}": ("(%s::json -> o.id::text)", "connect_data") if connect_data else None,
    }
    order_columns = [
        placeholders.get(expr, (expr, alias))
        for expr, alias in _ORDER_COLUMNS
        if expr not in placeholders or placeholders[expr]
    ]
    documents = "coalesce(json_agg(page ORDER BY t.ord), '[]'::json)::text"
    if connect_data:
        documents = f"replace({documents}, '{_NO_CONNECT_DATA}', '')"
    return f"""
        SELECT {documents}
          FROM unnest(ARRAY({{ids}})) WITH ORDINALITY AS t(id, ord)
         CROSS JOIN LATERAL (
                SELECT {_select(order_columns)},
                       (SELECT coalesce(json_agg(line ORDER BY line.order_product_id), '[]'::json)
                          FROM (SELECT {_select(_LINE_COLUMNS)}
                                  FROM orders_orderline l LEFT JOIN catalog_product p ON p.id = l.product_id
                                 WHERE l.order_id = o.id) line) AS products
                  FROM orders_order o JOIN orders_ordersource s ON s.id = o.source_id
                 WHERE o.id = t.id) page
    """  # noqa: S608 - the SQL is fixed text; values are parameters


@functools.cache
def country_names_json(language: str) -> str:
    with translation.override(language):
        return json.dumps({code: str(name) for code, name in countries})


def orders_page(
    *,
    account,
    order_id: int | None = None,
    date_confirmed_from: datetime.datetime | None = None,
    date_from: datetime.datetime | None = None,
    id_from: int | None = None,
    get_unconfirmed_orders: bool = False,
    status_id: int | None = None,
    filter_email: str | None = None,
    filter_order_source: str | None = None,
    filter_order_source_id: int | None = None,
    filter_shop_order_id: int | None = None,
    filter_external_order_id: str | None = None,
) -> QuerySet[Order]:
    """The ids of one getOrders page (100 orders), in BaseLinker's paging order.

    ``date_confirmed_from`` pages by confirmation time (then id), ``id_from`` by id, ``date_from`` by
    creation time; bounds are inclusive [INF]. A page paged by time holds more than 100 orders when
    others share the 100th order's second: the caller's next page starts at that second + 1, as
    BaseLinker advises, and must not skip them.
    Unconfirmed orders only with ``get_unconfirmed_orders``. With none of the paging keys (nor
    ``order_id``) the call reads the orders created in the last ``BLCONNECTOR_ORDERS_DEFAULT_DAYS``
    days, oldest first (BaseLinker leaves this undocumented).
    """
    queryset = Order.objects.filter(account=account)
    if not get_unconfirmed_orders:
        queryset = queryset.filter(confirmed=True)
    if order_id is not None:
        queryset = queryset.filter(pk=order_id)
    if date_confirmed_from is not None:
        queryset = queryset.filter(date_confirmed__gte=date_confirmed_from)
    if date_from is not None:
        queryset = queryset.filter(date_add__gte=date_from)
    if id_from is not None:
        queryset = queryset.filter(pk__gte=id_from)
    if order_id is None and date_confirmed_from is None and date_from is None and id_from is None:
        since = timezone.now() - datetime.timedelta(days=settings.BLCONNECTOR_ORDERS_DEFAULT_DAYS)
        queryset = queryset.filter(date_add__gte=since)
    if status_id is not None:
        queryset = queryset.filter(status_id=status_id)
    if filter_email is not None:
        queryset = queryset.filter(email__iexact=filter_email)
    if filter_order_source is not None:
        queryset = queryset.filter(source__kind=filter_order_source)
    if filter_order_source_id is not None:
        queryset = queryset.filter(source_id=filter_order_source_id)
    if filter_shop_order_id is not None:
        queryset = queryset.filter(shop_order_id=filter_shop_order_id)
    if filter_external_order_id is not None:
        queryset = queryset.filter(external_order_id=filter_external_order_id)
    if date_confirmed_from is not None:
        ordering = ("date_confirmed", "id")
    elif id_from is not None or order_id is not None:
        return queryset.order_by("id").values_list("id", flat=True)[:ORDERS_PER_CALL]
    else:
        ordering = ("date_add", "id")
    # Clients see whole seconds and start the next page at the last order's second + 1, so a page
    # never ends inside a second: it takes the rest of the 100th order's second too (capped).
    # (One statement: the 100th order's time is a subquery of the page's.)
    time_field = ordering[0]
    hundredth = queryset.order_by(*ordering).values(time_field)[ORDERS_PER_CALL - 1 : ORDERS_PER_CALL]
    end = ExpressionWrapper(
        Trunc(Subquery(hundredth), "second", output_field=DateTimeField(), tzinfo=datetime.UTC)
        + Value(datetime.timedelta(seconds=1)),
        output_field=DateTimeField(),
    )
    queryset = queryset.alias(page_end=end).filter(
        Q(**{f"{time_field}__lt": F("page_end")}) | Q(page_end__isnull=True)
    )
    return queryset.order_by(*ordering).values_list("id", flat=True)[:ORDERS_PER_SECOND_CAP]


def orders_json(
    ids: QuerySet,
    *,
    custom_extra_fields: bool = False,
    connect_data: dict[int, dict] | None = None,
    shared_lines: dict[tuple[int, int], tuple[int, int]] | None = None,
) -> str:
    """The JSON array of getOrders for the orders ``ids`` yields, in its order — one query in all.
    ``connect_data`` (given: include it) maps the orders that came through Connect to theirs;
    ``shared_lines`` the supplier products of lines picked from a shared catalog — ``(integration id,
    supplier product id)`` → ``(main product id, variant id or 0)``."""
    try:
        ids_sql, params = ids.query.sql_with_params()
    except EmptyResultSet:
        return "[]"
    names = country_names_json(translation.get_language() or settings.LANGUAGE_CODE)
    sql = _orders_sql(custom_extra_fields, connect_data is not None).replace("{ids}", ids_sql)
    extra = [] if connect_data is None else [json.dumps({str(k): v for k, v in connect_data.items()})]
    refs = json.dumps({f"{sid}:{pk}": list(ref) for (sid, pk), ref in (shared_lines or {}).items()})
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, names, names, *extra, refs, refs])
        return cursor.fetchone()[0]


# -- catalog reads ------------------------------------------------------------------------------------

PRODUCTS_PER_PAGE = 1000


def _per_product(rows: QuerySet, target: str, value: str, key_of, value_of) -> dict[int, dict]:
    """``{product id: {key_of(target): value_of(value)}}`` of stock or price rows, by target id."""
    grouped: dict[int, dict] = {}
    for product_id, target_id, item in rows.order_by(target).values_list("product_id", target, value):
        grouped.setdefault(product_id, {})[key_of(target_id)] = value_of(item)
    return grouped


def product_stock(account, product_ids) -> dict[int, dict[str, int]]:
    """``{product id: {"bl_<warehouse>": quantity}}``."""
    rows = Stock.objects.filter(product__account=account, product_id__in=product_ids)
    return _per_product(rows, "warehouse_id", "quantity", warehouse_key, int)


def product_prices(account, product_ids) -> dict[int, dict[str, float]]:
    """``{product id: {"<price group>": gross amount}}``."""
    rows = Price.objects.filter(product__account=account, product_id__in=product_ids)
    return _per_product(rows, "price_group_id", "amount", str, float)


def product_names(account, product_ids, language: str) -> dict[int, str]:
    """Each product's name in ``language``, else in its first language."""
    names: dict[int, str] = {}
    rows = ProductText.objects.filter(product__account=account, product_id__in=product_ids).order_by(
        "product_id", "id"
    )
    for product_id, text_language, name in rows.values_list("product_id", "language", "name"):
        if product_id not in names or text_language == language:
            names[product_id] = name
    return names


class ProductList:
    """One catalog as getInventoryProductsList reads it: its products, and how their names, prices and
    stock are matched and shown. An own catalog (:class:`InventoryProductList`) and a Connect shared
    catalog (``blconnector.shared_catalogs.SharedProductList``) answer these differently;
    :func:`products_list_page` does the rest — filters, order, page — the same for both."""

    def products(self, *, include_variants: bool) -> QuerySet[Product]:
        raise NotImplementedError

    def named(self, products: QuerySet[Product], text: str) -> QuerySet[Product]:
        raise NotImplementedError

    def priced(self, products: QuerySet[Product], low: Decimal | None, high: Decimal | None) -> QuerySet:
        raise NotImplementedError

    def stocked(self, products: QuerySet[Product], low: int | None, high: int | None) -> QuerySet:
        raise NotImplementedError

    def entries(self, rows: QuerySet[Product]) -> dict[str, dict]:
        """The list's products keyed by id, for ``rows`` (ordered, one page)."""
        raise NotImplementedError


class InventoryProductList(ProductList):
    """An own catalog: names in any language, prices in the catalog's default price group, stock as the
    total of all warehouses; each product shown with every price and warehouse it has."""

    def __init__(self, inventory: Inventory):
        self.inventory = inventory

    def products(self, *, include_variants: bool) -> QuerySet[Product]:
        products = Product.objects.filter(inventory=self.inventory)
        return products if include_variants else products.filter(parent__isnull=True)

    def named(self, products: QuerySet[Product], text: str) -> QuerySet[Product]:
        return products.filter(
            Exists(ProductText.objects.filter(product_id=OuterRef("pk"), name__icontains=text))
        )

    def priced(self, products: QuerySet[Product], low: Decimal | None, high: Decimal | None) -> QuerySet:
        prices = Price.objects.filter(
            product_id=OuterRef("pk"), price_group_id=self.inventory.default_price_group_id
        )
        if low is not None:
            prices = prices.filter(amount__gte=low)
        if high is not None:
            prices = prices.filter(amount__lte=high)
        return products.filter(Exists(prices))

    def stocked(self, products: QuerySet[Product], low: int | None, high: int | None) -> QuerySet:
        total = (
            Stock.objects.filter(product_id=OuterRef("pk")).values("product_id").annotate(s=Sum("quantity"))
        )
        products = products.annotate(
            stock_total=Coalesce(Subquery(total.values("s"), output_field=IntegerField()), 0)
        )
        if low is not None:
            products = products.filter(stock_total__gte=low)
        if high is not None:
            products = products.filter(stock_total__lte=high)
        return products

    def entries(self, rows: QuerySet[Product]) -> dict[str, dict]:
        rows = list(rows.values_list("id", "parent_id", "sku", "ean"))
        ids = [row[0] for row in rows]
        account = self.inventory.account
        names = product_names(account, ids, self.inventory.default_language)
        stock, prices = product_stock(account, ids), product_prices(account, ids)
        return {
            str(pk): {
                "id": pk,
                "parent_id": parent_id or 0,
                "sku": sku,
                "ean": ean,
                "asin": "",
                "name": names.get(pk, ""),
                "prices": prices.get(pk, {}),
                "stock": stock.get(pk, {}),
            }
            for pk, parent_id, sku, ean in rows
        }


def products_list_page(
    *,
    source: ProductList,
    page: int = 1,
    include_variants: bool = False,
    filter_id: int | None = None,
    filter_category_id: int | None = None,
    filter_ean: str | None = None,
    filter_sku: str | None = None,
    filter_asin: str | None = None,
    filter_name: str | None = None,
    filter_price_from: Decimal | None = None,
    filter_price_to: Decimal | None = None,
    filter_stock_from: int | None = None,
    filter_stock_to: int | None = None,
    filter_locations: str | None = None,
    descending: bool = False,
) -> dict[str, dict]:
    """getInventoryProductsList: one page (1000) of a catalog's products keyed by id, own or shared
    (``source`` says how its names, prices and stock match). The category is matched exactly; price
    and stock bounds are inclusive."""
    products = source.products(include_variants=include_variants)
    if filter_id is not None:
        products = products.filter(pk=filter_id)
    if filter_category_id is not None:
        products = products.filter(category_id=filter_category_id)
    if filter_ean:
        products = products.filter(ean=filter_ean)
    if filter_sku:
        products = products.filter(sku=filter_sku)
    if filter_asin or filter_locations:
        products = products.none()  # no ASINs or locations are kept here
    if filter_name:
        products = source.named(products, filter_name)
    if filter_price_from is not None or filter_price_to is not None:
        products = source.priced(products, filter_price_from, filter_price_to)
    if filter_stock_from is not None or filter_stock_to is not None:
        products = source.stocked(products, filter_stock_from, filter_stock_to)
    start = (page - 1) * PRODUCTS_PER_PAGE
    return source.entries(products.order_by("-pk" if descending else "pk")[start : start + PRODUCTS_PER_PAGE])


def inventory_product_ids(*, inventory: Inventory, ids) -> set[int]:
    """Which of ``ids`` are products (or variants) of ``inventory``. The ids go as one array parameter:
    a batch names up to 1,000 of them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM catalog_product WHERE inventory_id = %s AND id = ANY(%s::bigint[])",
            [inventory.pk, list(ids)],
        )
        return {row[0] for row in cursor.fetchall()}


def _main_products_page(inventory: Inventory, page: int) -> tuple[list[int], dict[int, list[int]]]:
    """A page of main product ids and, for each, its variant ids."""
    start = (page - 1) * PRODUCTS_PER_PAGE
    main = list(
        Product.objects.filter(inventory=inventory, parent__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)[start : start + PRODUCTS_PER_PAGE]
    )
    variants: dict[int, list[int]] = {}
    for pk, parent_id in (
        Product.objects.filter(inventory=inventory, parent_id__in=main)
        .order_by("id")
        .values_list("id", "parent_id")
    ):
        variants.setdefault(parent_id, []).append(pk)
    return main, variants


def stock_entry(pk: int, stock: dict, variants: dict) -> dict:
    """A product of getInventoryProductsStock."""
    return {"product_id": pk, "stock": stock, "variants": variants}


def prices_entry(pk: int, prices: dict, variants: dict) -> dict:
    """A product of getInventoryProductsPrices."""
    return {"prices": prices, "variants": variants}


def keyed_with_variants(
    main: list[int], variants: dict[int, list[int]], values: dict[int, dict], entry
) -> dict[str, dict]:
    """Main products keyed by id, each ``entry(id, its values, {variant id: the variant's values})``."""
    return {
        str(pk): entry(pk, values.get(pk, {}), {str(v): values.get(v, {}) for v in variants.get(pk, [])})
        for pk in main
    }


def _page_with_variants(inventory: Inventory, page: int, values_of, entry) -> dict[str, dict]:
    main, variants = _main_products_page(inventory, page)
    values = values_of(inventory.account, [*main, *(v for ids in variants.values() for v in ids)])
    return keyed_with_variants(main, variants, values, entry)


def products_stock_page(
    *, inventory: Inventory, page: int = 1, reservations: bool = False
) -> dict[str, dict]:
    """getInventoryProductsStock: main products (1000 a page) with their stock and their variants'; with
    ``reservations`` (the account reserves stock for orders) also each main product's units held by
    orders, per warehouse — the stock answered is what is left after them."""
    products = _page_with_variants(inventory, page, product_stock, stock_entry)
    if reservations:
        held = product_reservations(inventory.account, [int(pk) for pk in products])
        for pk, entry in products.items():
            products[pk] = {
                "product_id": entry["product_id"],
                "stock": entry["stock"],
                "reservations": held.get(int(pk), {}),
                "variants": entry["variants"],
            }
    return products


def product_reservations(account, product_ids) -> dict[int, dict[str, int]]:
    """``{product id: {"bl_<warehouse>": units reserved by order lines}}``."""
    rows = (
        OrderLine.objects.filter(
            order__account=account, product_id__in=product_ids, reserved__gt=0, warehouse_id__isnull=False
        )
        .values("product_id", "warehouse_id")
        .annotate(units=Sum("reserved"))
    )
    return _per_product(rows, "warehouse_id", "units", warehouse_key, int)


def products_prices_page(*, inventory: Inventory, page: int = 1) -> dict[str, dict]:
    """getInventoryProductsPrices: main products (1000 a page) with their prices and their variants'."""
    return _page_with_variants(inventory, page, product_prices, prices_entry)


def _text_fields(texts: list[ProductText], default_language: str) -> dict[str, Any]:
    """``text_fields``: ``name``, ``description``, ``features`` and ``extra_field_<id>`` of the default
    language, and the same keys with ``|<lang>`` for the others."""
    fields: dict[str, Any] = {}
    for text in sorted(texts, key=lambda t: (t.language != default_language, t.language)):
        suffix = "" if text.language == default_language else f"|{text.language}"
        fields[f"name{suffix}"] = text.name
        fields[f"description{suffix}"] = text.description
        features = {str(pair[0]): str(pair[1]) for pair in text.features or [] if len(pair) == 2}
        if features:
            fields[f"features{suffix}"] = features
        for key, value in (text.extra_fields or {}).items():
            fields[f"extra_field_{key}{suffix}"] = value
    return fields


def products_data(
    *,
    inventory: Inventory,
    ids: list[int],
    extras: dict[str, Any],
    links: dict[int, dict] | None = None,
) -> dict[str, dict]:
    """getInventoryProductsData: the full product objects (reference §3.9) of the catalog's products
    among ``ids``; ids that are not products of the catalog are left out. A main product lists its
    variants under ``variants``. ``extras`` are keys to add to every product (the include_* ones,
    which have no data here); ``links`` each product's ``links`` (``{}`` for the others)."""
    links = links or {}
    products = list(
        Product.objects.filter(inventory=inventory, pk__in=ids)
        .order_by("id")
        .prefetch_related("tags", "texts", "images", "components")
    )
    variants: dict[int, list[Product]] = {}
    for variant in (
        Product.objects.filter(parent__in=[p.pk for p in products if p.parent_id is None])
        .order_by("id")
        .prefetch_related("texts")
    ):
        variants.setdefault(variant.parent_id, []).append(variant)
    every = [*(p.pk for p in products), *(v.pk for vs in variants.values() for v in vs)]
    stock, prices = product_stock(inventory.account, every), product_prices(inventory.account, every)
    language = inventory.default_language
    out = {}
    for product in products:
        texts = list(product.texts.all())
        out[str(product.pk)] = {
            "is_bundle": product.is_bundle,
            "parent_id": product.parent_id or 0,
            "sku": product.sku,
            "ean": product.ean,
            "asin": "",
            "tags": sorted(tag.name for tag in product.tags.all()),
            "tax_rate": float(product.tax_rate),
            "weight": float(product.weight),
            "height": float(product.height),
            "width": float(product.width),
            "length": float(product.length),
            "star": product.star,
            "category_id": product.category_id or 0,
            "manufacturer_id": product.manufacturer_id or 0,
            "prices": prices.get(product.pk, {}),
            "stock": stock.get(product.pk, {}),
            "reservations": {},
            "locations": {},
            "average_cost": float(product.average_cost),
            "text_fields": _text_fields(texts, language),
            "images": {str(image.position): site_url(image.url) for image in product.images.all()},
            "links": links.get(product.pk, {}),
            "bundle_products": {str(c.component_id): c.quantity for c in product.components.all()},
            "variants": {
                str(variant.pk): {
                    "name": _variant_name(variant, language),
                    "sku": variant.sku,
                    "ean": variant.ean,
                    "asin": "",
                    "prices": prices.get(variant.pk, {}),
                    "stock": stock.get(variant.pk, {}),
                    "locations": {},
                }
                for variant in variants.get(product.pk, [])
            },
            **extras,
        }
    return out


def _variant_name(variant: Product, language: str) -> str:
    texts = list(variant.texts.all())
    text = next((t for t in texts if t.language == language), texts[0] if texts else None)
    return text.name if text else variant.sku
