"""A contractor's Connect shared catalogs in BaseLinker's shapes: each one is a read-only inventory
(reference §3) and an external storage of type ``warehouse`` (§7), as reference §8.1 recommends.

Every supplier row is read through ``connect.shared_catalog`` — the one way across accounts — so the
sharing settings, the contractor's range, the shared language, the descriptions / parameters / images
switches, the price group (or no prices at all), the source warehouse's live stock and the "block stock
below" credit rule apply exactly as on the shared catalog's pages and REST API. Nothing here writes.

The account's own products and orders name a shared catalog the same way: a product linked to a shared
product shows ``links`` ``{"warehouse_<id>": {"product_id", "variant_id"}}`` (:func:`product_links`,
only while the account may see that product), and an order line picked from a shared catalog is a
``warehouse`` line of that storage (:func:`order_line_products`).

How a shared catalog is addressed [INF: BaseLinker does not document it, reference §10.2 point 7]. A
shared catalog is one of the account's contractor integrations (the id its pages and order lines use):

- as an inventory its ``inventory_id`` is ``SHARED_INVENTORY_BASE`` + the integration's id. The
  account's own catalogs are numbered by one database sequence from 1 and would need a trillion rows to
  reach the base, so the two never meet; an id above the base is never looked up among own catalogs.
  JSON clients keep integers up to 2^53 exact, far above any id made this way;
- the price it shares is one price group whose id is the same number (price groups are numbered apart
  from catalogs, as at BaseLinker), listed by getInventoryPriceGroups with the shared currency; with no
  prices shared there is none;
- its stock sits in one read-only warehouse ``warehouse_<integration id>``
  (getInventoryWarehouses lists it, ``stock_edition`` false), and the external storage has the same
  id, ``storage_id`` ``"warehouse_<integration id>"``.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, Lower, NullIf

from blconnector.render import SHARED_STORAGE_TYPE, amount
from blconnector.selectors import (
    PRODUCTS_PER_PAGE,
    ProductList,
    keyed_with_variants,
    prices_entry,
    stock_entry,
)
from catalog.models import Product
from config.web import site_url
from connect.line_source import STORAGE as LINE_STORAGE
from connect.line_source import line_products
from connect.shared_catalog import (
    SharedCatalog,
    SharedProduct,
    shared_categories,
    shared_links,
    shared_product_list,
    shared_products_get,
)
from orders.models import OrderLine

SHARED_INVENTORY_BASE = 10**12
STORAGE_TYPE = SHARED_STORAGE_TYPE
_STORAGE_KEY = re.compile(r"warehouse_(\d{1,18})\Z")

# The external storage methods a shared catalog answers (getExternalStoragesList's ``methods``); the
# prices one only while the supplier shares prices.
STORAGE_METHODS = (
    "getExternalStorageCategories",
    "getExternalStorageProductsList",
    "getExternalStorageProductsData",
    "getExternalStorageProductsQuantity",
)
PRICES_METHOD = "getExternalStorageProductsPrices"


def inventory_id_of(catalog: SharedCatalog) -> int:
    return SHARED_INVENTORY_BASE + catalog.pk


def integration_id_of(inventory_id: int) -> int | None:
    """The contractor integration an inventory (or price group) id names; None for an own id."""
    return inventory_id - SHARED_INVENTORY_BASE if inventory_id > SHARED_INVENTORY_BASE else None


def storage_key(catalog: SharedCatalog) -> str:
    """The external storage's id, and the key of its stock in the inventory's data."""
    return storage_key_of(catalog.pk)


def storage_key_of(integration_id: int) -> str:
    return f"{STORAGE_TYPE}_{integration_id}"


def storage_integration_id(key) -> int | None:
    """The contractor integration ``"warehouse_<id>"`` names; None for anything else."""
    match = _STORAGE_KEY.match(str(key).strip())
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


def _price_key(catalog: SharedCatalog) -> str:
    return str(inventory_id_of(catalog))


def _prices(catalog: SharedCatalog, price: Decimal | None) -> dict[str, float]:
    return {} if price is None else {_price_key(catalog): amount(price)}


def _stock(catalog: SharedCatalog, quantity: int) -> dict[str, int]:
    return {storage_key(catalog): quantity}


def _name(name: str, sku: str) -> str:
    # As the shared catalog's pages show it: the SKU when there is no text in the shared language.
    return name or sku


# -- the lists of account-level objects ------------------------------------------------------------------


def inventory(catalog: SharedCatalog) -> dict:
    """getInventories' entry of a shared catalog (its name is the one the pages show)."""
    return {
        "inventory_id": inventory_id_of(catalog),
        "name": catalog.label,
        "description": "",
        "languages": [catalog.language],
        "default_language": catalog.language,
        "price_groups": [inventory_id_of(catalog)] if catalog.shows_prices else [],
        "default_price_group": inventory_id_of(catalog) if catalog.shows_prices else 0,
        "warehouses": [storage_key(catalog)],
        "default_warehouse": storage_key(catalog),
        "reservations": False,
        "is_default": False,
    }


def warehouse(catalog: SharedCatalog) -> dict:
    """getInventoryWarehouses' entry of a shared catalog's stock: a read-only mirror."""
    return {
        "warehouse_type": STORAGE_TYPE,
        "warehouse_id": catalog.pk,
        "name": catalog.label,
        "description": "",
        "stock_edition": False,
        "is_default": False,
    }


def price_group(catalog: SharedCatalog) -> dict | None:
    """getInventoryPriceGroups' entry of the price a shared catalog shares (None: no prices shared)."""
    if not catalog.shows_prices:
        return None
    return {
        "price_group_id": inventory_id_of(catalog),
        "name": catalog.label,
        "description": "",
        "currency": catalog.currency,
        "is_default": False,
    }


def categories(catalog: SharedCatalog) -> list[dict]:
    """The categories holding shared products and those above them, by id."""
    return [
        {"category_id": pk, "name": name, "parent_id": parent_id or 0}
        for pk, name, parent_id in shared_categories(catalog)
        .order_by("pk")
        .values_list("pk", "name", "parent_id")
    ]


# -- as an inventory -------------------------------------------------------------------------------------


class SharedProductList(ProductList):
    """A shared catalog for getInventoryProductsList (``blconnector.selectors.products_list_page``):
    names in the shared language, the shared price and stock — price bounds match nothing when no
    prices are shared."""

    def __init__(self, catalog: SharedCatalog):
        self.catalog = catalog

    def products(self, *, include_variants: bool) -> QuerySet[Product]:
        return shared_product_list(self.catalog, variants=include_variants)

    def named(self, products: QuerySet[Product], text: str) -> QuerySet[Product]:
        return products.filter(shared_name__icontains=text)

    def priced(self, products: QuerySet[Product], low: Decimal | None, high: Decimal | None) -> QuerySet:
        return _ranges(products, shared_price=(low, high))

    def stocked(self, products: QuerySet[Product], low: int | None, high: int | None) -> QuerySet:
        return _ranges(products, shared_stock=(low, high))

    def entries(self, rows: QuerySet[Product]) -> dict[str, dict]:
        catalog = self.catalog
        return {
            str(pk): {
                "id": pk,
                "parent_id": parent_id or 0,
                "sku": sku,
                "ean": ean,
                "asin": "",
                "name": _name(name, sku),
                "prices": _prices(catalog, price),
                "stock": _stock(catalog, stock),
            }
            for pk, parent_id, sku, ean, name, stock, price in rows.values_list(
                "pk", "parent_id", "sku", "ean", "shared_name", "shared_stock", "shared_price"
            )
        }


def _ranges(products: QuerySet, **bounds) -> QuerySet:
    """``products`` with each annotation between its (from, to) bounds (None: open)."""
    for field, (low, high) in bounds.items():
        if low is not None:
            products = products.filter(**{f"{field}__gte": low})
        if high is not None:
            products = products.filter(**{f"{field}__lte": high})
    return products


def _page(catalog: SharedCatalog, page: int) -> tuple[list[tuple], dict[int, list[tuple]]]:
    """A page of main products as ``(id, stock, price)`` and, for each, its variants' — two queries."""
    start = (page - 1) * PRODUCTS_PER_PAGE
    main = list(
        shared_product_list(catalog)
        .order_by("pk")
        .values_list("pk", "shared_stock", "shared_price")[start : start + PRODUCTS_PER_PAGE]
    )
    variants: dict[int, list[tuple]] = {}
    if main:
        rows = (
            shared_product_list(catalog, variants=True)
            .filter(parent_id__in=[row[0] for row in main])
            .order_by("pk")
            .values_list("parent_id", "pk", "shared_stock", "shared_price")
        )
        for parent_id, *row in rows:
            variants.setdefault(parent_id, []).append(tuple(row))
    return main, variants


def _keyed_page(catalog: SharedCatalog, page: int, value_of, entry) -> dict[str, dict]:
    main, variants = _page(catalog, page)
    values = {row[0]: value_of(row) for row in [*main, *(v for rows in variants.values() for v in rows)]}
    return keyed_with_variants(
        [row[0] for row in main], {pk: [v[0] for v in rows] for pk, rows in variants.items()}, values, entry
    )


def products_stock_page(*, catalog: SharedCatalog, page: int = 1) -> dict[str, dict]:
    """getInventoryProductsStock of a shared catalog: the live stock, under ``warehouse_<id>``."""
    return _keyed_page(catalog, page, lambda row: _stock(catalog, row[1]), stock_entry)


def products_prices_page(*, catalog: SharedCatalog, page: int = 1) -> dict[str, dict]:
    """getInventoryProductsPrices of a shared catalog: the shared price ({} when none is shared)."""
    return _keyed_page(catalog, page, lambda row: _prices(catalog, row[2]), prices_entry)


def _text_fields(item: SharedProduct) -> dict[str, Any]:
    """The shared language is the catalog's only one, so keys carry no ``|<lang>``; extra fields are
    keyed by the contractor's own extra field of the same name (getInventoryExtraFields)."""
    fields: dict[str, Any] = {"name": item.name, "description": item.description}
    if item.features:
        fields["features"] = dict(item.features)
    for field_id, value in item.extra_fields.items():
        fields[f"extra_field_{field_id}"] = value
    return fields


def products_data(*, catalog: SharedCatalog, ids: list[int], extras: dict[str, Any]) -> dict[str, dict]:
    """getInventoryProductsData of a shared catalog: what the supplier lets through, in the shape of an
    own product. What the supplier keeps to itself reads as empty: its costs (``average_cost`` 0), its
    star rating, its manufacturer ids (0; the manufacturer's name is in the external storage's data)."""
    out = {}
    for item in shared_products_get(catalog, ids=ids):
        product = item.product
        out[str(product.pk)] = {
            "is_bundle": product.is_bundle,
            "parent_id": product.parent_id or 0,
            "sku": product.sku,
            "ean": product.ean,
            "asin": "",
            "tags": item.tags,
            "tax_rate": float(product.tax_rate),
            "weight": float(product.weight),
            "height": float(product.height),
            "width": float(product.width),
            "length": float(product.length),
            "star": 0,
            "category_id": product.category_id or 0,
            "manufacturer_id": 0,
            "prices": _prices(catalog, item.price),
            "stock": _stock(catalog, item.stock),
            "reservations": {},
            "locations": {},
            "average_cost": 0.0,
            "text_fields": _text_fields(item),
            "images": {str(position): site_url(url) for position, url in enumerate(item.images)},
            "links": {},
            "bundle_products": {str(component.pk): quantity for component, quantity in item.components},
            "variants": {
                str(variant.pk): {
                    "name": _name(variant.shared_name, variant.sku),
                    "sku": variant.sku,
                    "ean": variant.ean,
                    "asin": "",
                    "prices": _prices(catalog, variant.shared_price),
                    "stock": _stock(catalog, variant.shared_stock),
                    "locations": {},
                }
                for variant in item.variants
            },
            **extras,
        }
    return out


# -- own products linked to a shared catalog ---------------------------------------------------------------


def product_links(*, account, product_ids) -> dict[int, dict[str, dict[str, str]]]:
    """``links`` of the account's own products (reference §3.9) that are linked to a product of a
    shared catalog open to it, keyed by product id: ``{"warehouse_<id>": {"product_id": "<main
    product>", "variant_id": "<variant>" or "0"}}``, ids as text like BaseLinker's. A link whose product
    the account may no longer see (a blocked link, a product no longer shared) is not shown."""
    return {
        product_id: {
            storage_key_of(link.integration_id): {
                "product_id": str(link.product_id),
                "variant_id": str(link.variant_id),
            }
        }
        for product_id, link in shared_links(account=account, product_ids=product_ids).items()
    }


# -- order lines from a shared catalog ---------------------------------------------------------------------


def line_integration_id(value) -> int | None:
    """The shared catalog an order line's ``storage_id`` names: ``"warehouse_<id>"`` or the bare id."""
    text = str(value).strip()
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text) or None
    return storage_integration_id(text)


def order_line_products(*, account, order_ids: list[int]) -> dict[tuple[int, int], tuple[int, int]]:
    """The supplier products of the account's order lines (of ``order_ids``) picked from its shared
    catalogs: ``(integration id, supplier product id)`` → ``(main product id, variant id or 0)``."""
    refs = list(
        OrderLine.objects.filter(
            order__account=account,
            order_id__in=order_ids,
            storage=LINE_STORAGE,
            external_product__isnull=False,
        ).values_list("storage_id", "external_product_id")
    )
    return line_products(account=account, refs=refs) if refs else {}


# -- as an external storage ------------------------------------------------------------------------------

STORAGE_SORTS = {"id": "pk", "name": "shared_name", "quantity": "shared_stock", "price": "shared_price"}


def storage(catalog: SharedCatalog) -> dict:
    """getExternalStoragesList's entry: the methods it answers (never an update: it is read-only)."""
    methods = [*STORAGE_METHODS, PRICES_METHOD] if catalog.shows_prices else list(STORAGE_METHODS)
    return {"storage_id": storage_key(catalog), "name": catalog.label, "methods": methods}


def storage_products_page(
    *,
    catalog: SharedCatalog,
    page: int = 1,
    sort: str = "id",
    descending: bool = False,
    filter_id: int | None = None,
    filter_category_id: int | None = None,
    filter_sku: str | None = None,
    filter_ean: str | None = None,
    filter_asin: str | None = None,
    filter_name: str | None = None,
    filter_price_from: Decimal | None = None,
    filter_price_to: Decimal | None = None,
    filter_quantity_from: int | None = None,
    filter_quantity_to: int | None = None,
    filter_available: bool | None = None,
) -> list[dict]:
    """getExternalStorageProductsList: a page (1000) of main products. ``filter_category_id`` takes the
    category's subcategories too (as the shared catalog's page does); ``filter_available`` true: in
    stock, false: out of stock. Price filters match nothing when no prices are shared."""
    products = shared_product_list(catalog, category=filter_category_id)
    if filter_id is not None:
        products = products.filter(pk=filter_id)
    if filter_sku:
        products = products.filter(sku=filter_sku)
    if filter_ean:
        products = products.filter(ean=filter_ean)
    if filter_asin:
        products = products.none()  # no ASINs are kept here
    if filter_name:
        products = products.filter(shared_name__icontains=filter_name)
    products = _ranges(
        products,
        shared_price=(filter_price_from, filter_price_to),
        shared_stock=(filter_quantity_from, filter_quantity_to),
    )
    if filter_available is True:
        products = products.filter(shared_stock__gt=0)
    elif filter_available is False:
        products = products.filter(shared_stock__lte=0)
    field = STORAGE_SORTS[sort]
    # Sorted by what the answer shows: a product without a name by its SKU (the name it is given),
    # names without regard to case, and no price as the 0 it is answered as (first ascending, last
    # descending).
    key = Lower(Coalesce(NullIf(F(field), Value("")), F("sku"))) if field == "shared_name" else F(field)
    ordering = [key.desc(nulls_last=True) if descending else key.asc(nulls_first=True)]
    if field != "pk":  # ties (equal names, stock, prices) by id, in the same direction
        ordering.append("-pk" if descending else "pk")
    start = (page - 1) * PRODUCTS_PER_PAGE
    rows = products.order_by(*ordering).values_list(
        "pk", "sku", "ean", "shared_name", "shared_stock", "shared_price"
    )[start : start + PRODUCTS_PER_PAGE]
    return [
        {
            "product_id": pk,
            "sku": sku,
            "ean": ean,
            "asin": "",
            "name": _name(name, sku),
            "quantity": stock,
            "price_brutto": amount(price),
        }
        for pk, sku, ean, name, stock, price in rows
    ]


def _net(gross: Decimal | None, tax_rate: Decimal) -> float:
    """The net price of a gross one; the special rates (exempt, "NP", reverse charge: below 0) add no tax."""
    if gross is None:
        return 0.0
    if tax_rate <= 0:
        return amount(gross)
    return amount((gross * 100 / (100 + tax_rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def storage_products_data(*, catalog: SharedCatalog, ids: list[int]) -> dict[str, dict]:
    """getExternalStorageProductsData: the shared products among ``ids`` keyed by id. The shared price is
    what the supplier charges the contractor, so it is the wholesale price too; prices are 0 when none
    is shared. ``features`` is an object of parameter name → value."""
    out = {}
    for item in shared_products_get(catalog, ids=ids):
        product = item.product
        net = _net(item.price, product.tax_rate)
        out[str(product.pk)] = {
            "product_id": product.pk,
            "sku": product.sku,
            "ean": product.ean,
            "asin": "",
            "name": item.name,
            "quantity": item.stock,
            "price_netto": net,
            "price_brutto": amount(item.price),
            "price_wholesale_netto": net,
            "tax_rate": float(product.tax_rate),
            "weight": float(product.weight),
            "description": item.description,
            "description_extra1": "",
            "description_extra2": "",
            "man_name": item.manufacturer,
            "man_image": "",
            "category_id": product.category_id or 0,
            "images": [site_url(url) for url in item.images],
            "features": dict(item.features),
            "variants": [
                {
                    "variant_id": variant.pk,
                    "name": _name(variant.shared_name, variant.sku),
                    "price": amount(variant.shared_price),
                    "quantity": variant.shared_stock,
                    "sku": variant.sku,
                    "ean": variant.ean,
                    "asin": "",
                }
                for variant in item.variants
            ],
        }
    return out


def storage_quantity_page(*, catalog: SharedCatalog, page: int = 1) -> list[dict]:
    """getExternalStorageProductsQuantity: a page (1000) of main products with their variants' stock."""
    main, variants = _page(catalog, page)
    return [
        {
            "product_id": pk,
            "quantity": stock,
            "variants": [
                {"variant_id": v, "quantity": v_stock} for v, v_stock, _price in variants.get(pk, [])
            ],
        }
        for pk, stock, _price in main
    ]


def storage_prices_page(*, catalog: SharedCatalog, page: int = 1) -> list[dict]:
    """getExternalStorageProductsPrices: a page (1000) of main products with their variants' prices."""
    main, variants = _page(catalog, page)
    return [
        {
            "product_id": pk,
            "price": amount(price),
            "variants": [
                {"variant_id": v, "price": amount(v_price)} for v, _stock, v_price in variants.get(pk, [])
            ],
        }
        for pk, _stock, price in main
    ]
