"""The account's rows a method names by id. Another account's id is answered exactly like an id that
does not exist (the same error code and message), so ids cannot be probed across accounts.

The account's Connect shared catalogs are named by ids of their own (``blconnector.shared_catalogs``):
reads find them with :func:`catalog_of` and :func:`storage_of`; a write naming one is answered
``ERROR_READ_ONLY`` — but only while it is open to the account, otherwise "not found" as any id."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from blconnector import shared_catalogs
from blconnector.errors import ApiError, Code, not_found
from blconnector.registry import Call
from catalog.models import Category, Inventory, Manufacturer, PriceGroup, Product, Warehouse
from connect.models import ContractorLink
from connect.selectors import credit_order_list
from connect.shared_catalog import SharedCatalog, shared_catalog_get
from orders.models import Order, OrderLine, OrderSource, OrderStatus
from shipments.models import Package


def _one(rows: QuerySet, pk, code: str, what: str) -> Model:
    """The row ``pk`` among ``rows`` (already narrowed to the account), else "<what> <pk> not found"."""
    row = rows.filter(pk=pk).first()
    if row is None:
        raise not_found(code, what, pk)
    return row


def order_of(call: Call, order_id: int) -> Order:
    return _one(Order.objects.filter(account=call.account), order_id, Code.ORDER_NOT_FOUND, _("Order"))


def forwarded_order_of(call: Call, link: ContractorLink, order_id: int) -> Order:
    """One of the account's orders that the contractor of ``link`` forwarded to it; the account's other
    orders are answered like missing ones (a contractor's ledger names only its own forwarded orders)."""
    return _one(
        credit_order_list(link=link).filter(account=call.account), order_id, Code.ORDER_NOT_FOUND, _("Order")
    )


def order_line_of(call: Call, order: Order, line_id: int) -> OrderLine:
    return _one(
        OrderLine.objects.filter(order=order), line_id, Code.ORDER_PRODUCT_NOT_FOUND, _("Order product")
    )


def status_of(call: Call, status_id: int) -> OrderStatus:
    return _one(
        OrderStatus.objects.filter(account=call.account), status_id, Code.STATUS_NOT_FOUND, _("Order status")
    )


def source_of(call: Call, source_id: int) -> OrderSource:
    return _one(
        OrderSource.objects.filter(account=call.account), source_id, Code.SOURCE_NOT_FOUND, _("Order source")
    )


def inventory_of(call: Call, inventory_id: int) -> Inventory:
    """One of the account's own catalogs, to write: a shared catalog's id is answered read-only."""
    if shared_catalogs.integration_id_of(inventory_id) is not None:
        raise read_only(shared_catalog_of(call, inventory_id))
    return _one(
        Inventory.objects.filter(account=call.account), inventory_id, Code.INVENTORY_NOT_FOUND, _("Catalog")
    )


def warehouse_of(call: Call, warehouse_id: int) -> Warehouse:
    return _one(
        Warehouse.objects.filter(account=call.account), warehouse_id, Code.WAREHOUSE_NOT_FOUND, _("Warehouse")
    )


def price_group_of(call: Call, price_group_id: int) -> PriceGroup:
    """One of the account's price groups, to write: a shared catalog's price group is read-only."""
    integration_id = shared_catalogs.integration_id_of(price_group_id)
    if integration_id is not None:
        catalog = _open_shared_catalog(call, integration_id)
        if catalog is not None and catalog.shows_prices:
            raise read_only(catalog)
    return _one(
        PriceGroup.objects.filter(account=call.account),
        price_group_id,
        Code.PRICE_GROUP_NOT_FOUND,
        _("Price group"),
    )


def category_of(call: Call, category_id: int) -> Category:
    return _one(
        Category.objects.filter(account=call.account), category_id, Code.CATEGORY_NOT_FOUND, _("Category")
    )


def manufacturer_of(call: Call, manufacturer_id: int) -> Manufacturer:
    return _one(
        Manufacturer.objects.filter(account=call.account),
        manufacturer_id,
        Code.MANUFACTURER_NOT_FOUND,
        _("Manufacturer"),
    )


def product_of(call: Call, product_id: int, *, inventory: Inventory | None = None) -> Product:
    products = Product.objects.filter(account=call.account)
    if inventory is not None:
        products = products.filter(inventory=inventory)
    return _one(products, product_id, Code.PRODUCT_NOT_FOUND, _("Product"))


def package_of(call: Call, *, package_id: int | None = None, package_number: str | None = None) -> Package:
    packages = Package.objects.filter(account=call.account)
    if package_id is not None:
        return _one(packages, package_id, Code.PACKAGE_NOT_FOUND, _("Package"))
    package = packages.filter(courier_package_nr=package_number).order_by("-id").first()
    if package is None:
        raise not_found(Code.PACKAGE_NOT_FOUND, _("Package"), package_number)
    return package


# -- the account's Connect shared catalogs ----------------------------------------------------------------


def _open_shared_catalog(call: Call, integration_id: int) -> SharedCatalog | None:
    """The shared catalog behind the account's contractor integration, while it is open."""
    try:
        return shared_catalog_get(account=call.account, pk=integration_id)
    except Http404:
        return None


def shared_catalog_of(call: Call, inventory_id: int) -> SharedCatalog:
    """The shared catalog an inventory id names; "not found" as any catalog while it is not open."""
    integration_id = shared_catalogs.integration_id_of(inventory_id)
    catalog = _open_shared_catalog(call, integration_id) if integration_id is not None else None
    if catalog is None:
        raise not_found(Code.INVENTORY_NOT_FOUND, _("Catalog"), inventory_id)
    return catalog


def catalog_of(call: Call, inventory_id: int) -> Inventory | SharedCatalog:
    """A catalog to read: one of the account's own, or a shared catalog open to it."""
    if shared_catalogs.integration_id_of(inventory_id) is not None:
        return shared_catalog_of(call, inventory_id)
    return inventory_of(call, inventory_id)


def storage_of(call: Call, storage_id: str) -> SharedCatalog:
    """The external storage ``"warehouse_<id>"`` names: a shared catalog open to the account. Any other
    id — another kind, another account's, a blocked link — is answered as a missing one."""
    integration_id = shared_catalogs.storage_integration_id(storage_id)
    catalog = _open_shared_catalog(call, integration_id) if integration_id is not None else None
    if catalog is None:
        raise not_found(Code.STORAGE_NOT_FOUND, _("Storage"), storage_id)
    return catalog


def refuse_shared_catalog(call: Call, *, inventory_id: int | None = None, warehouse_key=None) -> None:
    """A write naming a shared catalog open to the account — by its inventory id or its stock's
    ``"warehouse_<id>"`` — is answered read-only. Any other id is left to the caller."""
    if inventory_id is not None:
        integration_id = shared_catalogs.integration_id_of(inventory_id)
    else:
        integration_id = shared_catalogs.storage_integration_id(warehouse_key) if warehouse_key else None
    catalog = _open_shared_catalog(call, integration_id) if integration_id is not None else None
    if catalog is not None:
        raise read_only(catalog)


def read_only(catalog: SharedCatalog) -> ApiError:
    return ApiError(
        Code.READ_ONLY,
        _("“%(name)s” is a Connect supplier's shared catalog: it is read-only.") % {"name": catalog.label},
    )
