"""The account's rows a method names by id. Another account's id is answered exactly like an id that
does not exist (the same error code and message), so ids cannot be probed across accounts."""

from __future__ import annotations

from django.utils.translation import gettext as _

from blconnector.errors import Code, not_found
from blconnector.registry import Call
from catalog.models import Category, Inventory, Manufacturer, PriceGroup, Product, Warehouse
from orders.models import Order, OrderLine, OrderSource, OrderStatus
from shipments.models import Package


def order_of(call: Call, order_id: int) -> Order:
    order = Order.objects.filter(account=call.account, pk=order_id).first()
    if order is None:
        raise not_found(Code.ORDER_NOT_FOUND, _("Order"), order_id)
    return order


def order_line_of(call: Call, order: Order, line_id: int) -> OrderLine:
    line = OrderLine.objects.filter(order=order, pk=line_id).first()
    if line is None:
        raise not_found(Code.ORDER_PRODUCT_NOT_FOUND, _("Order product"), line_id)
    return line


def status_of(call: Call, status_id: int) -> OrderStatus:
    status = OrderStatus.objects.filter(account=call.account, pk=status_id).first()
    if status is None:
        raise not_found(Code.STATUS_NOT_FOUND, _("Order status"), status_id)
    return status


def source_of(call: Call, source_id: int) -> OrderSource:
    source = OrderSource.objects.filter(account=call.account, pk=source_id).first()
    if source is None:
        raise not_found(Code.SOURCE_NOT_FOUND, _("Order source"), source_id)
    return source


def inventory_of(call: Call, inventory_id: int) -> Inventory:
    inventory = Inventory.objects.filter(account=call.account, pk=inventory_id).first()
    if inventory is None:
        raise not_found(Code.INVENTORY_NOT_FOUND, _("Catalog"), inventory_id)
    return inventory


def warehouse_of(call: Call, warehouse_id: int) -> Warehouse:
    warehouse = Warehouse.objects.filter(account=call.account, pk=warehouse_id).first()
    if warehouse is None:
        raise not_found(Code.WAREHOUSE_NOT_FOUND, _("Warehouse"), warehouse_id)
    return warehouse


def price_group_of(call: Call, price_group_id: int) -> PriceGroup:
    price_group = PriceGroup.objects.filter(account=call.account, pk=price_group_id).first()
    if price_group is None:
        raise not_found(Code.PRICE_GROUP_NOT_FOUND, _("Price group"), price_group_id)
    return price_group


def category_of(call: Call, category_id: int) -> Category:
    category = Category.objects.filter(account=call.account, pk=category_id).first()
    if category is None:
        raise not_found(Code.CATEGORY_NOT_FOUND, _("Category"), category_id)
    return category


def manufacturer_of(call: Call, manufacturer_id: int) -> Manufacturer:
    manufacturer = Manufacturer.objects.filter(account=call.account, pk=manufacturer_id).first()
    if manufacturer is None:
        raise not_found(Code.MANUFACTURER_NOT_FOUND, _("Manufacturer"), manufacturer_id)
    return manufacturer


def product_of(call: Call, product_id: int, *, inventory: Inventory | None = None) -> Product:
    products = Product.objects.filter(account=call.account, pk=product_id)
    if inventory is not None:
        products = products.filter(inventory=inventory)
    product = products.first()
    if product is None:
        raise not_found(Code.PRODUCT_NOT_FOUND, _("Product"), product_id)
    return product


def package_of(call: Call, *, package_id: int | None = None, package_number: str | None = None) -> Package:
    packages = Package.objects.filter(account=call.account)
    if package_id is not None:
        package = packages.filter(pk=package_id).first()
    else:
        package = packages.filter(courier_package_nr=package_number).order_by("-id").first()
    if package is None:
        raise not_found(
            Code.PACKAGE_NOT_FOUND, _("Package"), package_id if package_id is not None else package_number
        )
    return package
