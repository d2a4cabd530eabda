from catalog.models import Inventory, PriceGroup, Product, ProductText, Warehouse
from tests.isolation.framework import RouteCase, Setup


def _warehouse_of_a(account_a) -> Setup:
    warehouse = Warehouse.objects.create(account=account_a, name="Alpha secret depot")

    def unchanged():
        assert Warehouse.objects.filter(pk=warehouse.pk, name="Alpha secret depot").exists()

    return Setup(kwargs={"pk": warehouse.pk}, marker="Alpha secret depot", unchanged=unchanged)


def _price_group_of_a(account_a) -> Setup:
    group = PriceGroup.objects.create(account=account_a, name="Alpha VIP prices", currency="PLN")

    def unchanged():
        assert PriceGroup.objects.filter(pk=group.pk, name="Alpha VIP prices").exists()

    return Setup(kwargs={"pk": group.pk}, marker="Alpha VIP prices", unchanged=unchanged)


def _inventory_of_a(account_a) -> Setup:
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    Inventory.objects.filter(pk=inventory.pk).update(name="Alpha master catalog")

    def unchanged():
        assert Inventory.objects.filter(pk=inventory.pk, name="Alpha master catalog").exists()

    return Setup(kwargs={"pk": inventory.pk}, marker="Alpha master catalog", unchanged=unchanged)


def _product_of_a(account_a) -> Setup:
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    product = Product.objects.create(account=account_a, inventory=inventory, sku="ALPHA-SECRET-SKU")
    ProductText.objects.create(product=product, language="en", name="Alpha secret product")

    def unchanged():
        assert Product.objects.filter(pk=product.pk, sku="ALPHA-SECRET-SKU").exists()

    return Setup(kwargs={"pk": product.pk}, marker="ALPHA-SECRET-SKU", unchanged=unchanged)


_WRITE = ("GET", "PUT", "PATCH", "DELETE")

CASES = [
    RouteCase("api:warehouse-list", "list", setup=_warehouse_of_a, api=True),
    RouteCase(
        "api:warehouse-detail",
        "detail",
        setup=_warehouse_of_a,
        methods=_WRITE,
        api=True,
        payload={"name": "x"},
    ),
    RouteCase("api:pricegroup-list", "list", setup=_price_group_of_a, api=True),
    RouteCase(
        "api:pricegroup-detail",
        "detail",
        setup=_price_group_of_a,
        methods=_WRITE,
        api=True,
        payload={"name": "x", "currency": "EUR"},
    ),
    RouteCase("api:inventory-list", "list", setup=_inventory_of_a, api=True),
    RouteCase(
        "api:inventory-detail",
        "detail",
        setup=_inventory_of_a,
        methods=_WRITE,
        api=True,
        payload={"name": "x"},
    ),
    RouteCase("api:product-list", "list", setup=_product_of_a, api=True),
    RouteCase(
        "api:product-detail", "detail", setup=_product_of_a, methods=_WRITE, api=True, payload={"sku": "x"}
    ),
]
