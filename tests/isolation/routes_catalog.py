from catalog.models import (
    Category,
    ExtraField,
    Inventory,
    Manufacturer,
    PriceGroup,
    Product,
    ProductText,
    Tag,
    Warehouse,
)
from tests.isolation.framework import RouteCase, Setup, with_kwargs


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


CASES = [
    RouteCase("api:warehouse-list", "list", setup=_warehouse_of_a),
    RouteCase(
        "api:warehouse-detail",
        "detail",
        setup=_warehouse_of_a,
        payload={"name": "x"},
    ),
    RouteCase("api:pricegroup-list", "list", setup=_price_group_of_a),
    RouteCase(
        "api:pricegroup-detail",
        "detail",
        setup=_price_group_of_a,
        payload={"name": "x", "currency": "EUR"},
    ),
    RouteCase("api:inventory-list", "list", setup=_inventory_of_a),
    RouteCase(
        "api:inventory-detail",
        "detail",
        setup=_inventory_of_a,
        payload={"name": "x"},
    ),
    RouteCase("api:product-list", "list", setup=_product_of_a),
    RouteCase("api:product-detail", "detail", setup=_product_of_a, payload={"sku": "x"}),
]


def _named_of_a(model, name):
    def setup(account_a) -> Setup:
        row = model.objects.create(account=account_a, name=name)
        return Setup(
            kwargs={"pk": row.pk}, marker=name, unchanged=lambda: model.objects.get(pk=row.pk, name=name)
        )

    return setup


def _category_of_a(account_a) -> Setup:
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    category = Category.objects.create(account=account_a, inventory=inventory, name="Alpha secret category")
    return Setup(
        kwargs={"pk": category.pk},
        marker="Alpha secret category",
        unchanged=lambda: Category.objects.get(pk=category.pk, name="Alpha secret category"),
    )


for _route, _model, _name in (
    ("manufacturer", Manufacturer, "Alpha secret maker"),
    ("tag", Tag, "Alpha secret tag"),
    ("extrafield", ExtraField, "Alpha secret field"),
):
    CASES += [
        RouteCase(f"api:{_route}-list", "list", setup=_named_of_a(_model, _name)),
        RouteCase(
            f"api:{_route}-detail",
            "detail",
            setup=_named_of_a(_model, _name),
            payload={"name": "x"},
        ),
    ]

CASES += [
    RouteCase("api:category-list", "list", setup=_category_of_a),
    RouteCase("api:category-detail", "detail", setup=_category_of_a, payload={"name": "x"}),
]


# -- web pages -------------------------------------------------------------------------------------


def _parent_of_a(account_a) -> Setup:
    result = _product_of_a(account_a)
    return Setup(kwargs={"parent": result.kwargs["pk"]}, marker=result.marker, unchanged=result.unchanged)


def _tag_of_a_in_list(account_a) -> Setup:
    Tag.objects.create(account=account_a, name="Alpha secret tag")
    Category.objects.create(account=account_a, name="Alpha secret category")
    return Setup(marker="Alpha secret", list_kwargs={})


def _tagged_product_of_a(account_a) -> Setup:
    result = _product_of_a(account_a)
    tag = Tag.objects.create(account=account_a, name="Alpha secret tag")
    product = Product.objects.get(pk=result.kwargs["pk"])
    product.tags.add(tag)

    def unchanged():
        result.unchanged()
        assert list(product.tags.values_list("pk", flat=True)) == [tag.pk]

    return Setup(kwargs={"products": [product.pk], "tag": tag.pk}, marker=result.marker, unchanged=unchanged)


def _dictionary_list(account_a) -> Setup:
    Warehouse.objects.create(account=account_a, name="Alpha secret depot")
    return Setup(marker="Alpha secret depot", list_kwargs={"kind": "warehouses"})


CASES += [
    RouteCase("catalog:product-list", "list", setup=_product_of_a),
    RouteCase("catalog:product-create", "list", setup=_tag_of_a_in_list),
    RouteCase("catalog:product-detail", "detail", setup=_product_of_a),
    RouteCase("catalog:product-edit", "detail", setup=_product_of_a, payload={"sku": "x"}),
    RouteCase("catalog:variant-create", "detail", setup=_parent_of_a, payload={"sku": "x"}),
    RouteCase("catalog:product-delete", "detail", setup=_product_of_a),
    # The list's bulk actions name A's products (and tag) in hand-parsed form fields: 404, nothing changes.
    RouteCase(
        "catalog:product-bulk",
        "refs",
        setup=_tagged_product_of_a,
        payload=lambda s: {"products": s.kwargs["products"], "action": f"tag-remove:{s.kwargs['tag']}"},
        expect=404,
    ),
    RouteCase(
        "catalog:product-bulk-delete",
        "refs",
        setup=_tagged_product_of_a,
        payload=lambda s: {"products": s.kwargs["products"]},
        expect=404,
    ),
    RouteCase(
        "catalog:product-grid",
        "detail",
        setup=with_kwargs(_product_of_a, kind="stock"),
        payload={},
    ),
    RouteCase("catalog:inventory-list", "list", setup=_inventory_of_a),
    RouteCase("catalog:inventory-edit", "detail", setup=_inventory_of_a, payload={"name": "x"}),
    RouteCase("catalog:category-tree", "detail", setup=_inventory_of_a, payload={"name": "x"}),
    RouteCase("catalog:category-delete", "detail", setup=_category_of_a),
    RouteCase("catalog:dictionary", "list", setup=_dictionary_list),
    RouteCase(
        "catalog:dictionary-edit",
        "detail",
        setup=with_kwargs(_warehouse_of_a, kind="warehouses"),
        payload={"name": "x"},
    ),
    RouteCase(
        "catalog:dictionary-delete",
        "detail",
        setup=with_kwargs(_warehouse_of_a, kind="warehouses"),
    ),
]

CASES.append(
    RouteCase(
        "catalog:product-components",
        "detail",
        setup=_product_of_a,
        payload={"component": "ALPHA-SECRET-SKU", "quantity": "1"},
    )
)
CASES.append(RouteCase("catalog:product-link-remove", "detail", setup=_product_of_a))
