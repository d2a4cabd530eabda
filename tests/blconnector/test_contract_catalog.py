"""Catalog methods (reference §3): BaseLinker's documented example requests, answered with the
documented fields and types, and the effect a user sees."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import (
    BundleComponent,
    Category,
    Inventory,
    Manufacturer,
    Price,
    PriceGroup,
    Product,
    ProductImage,
    Stock,
    Warehouse,
)
from catalog.services import product_write
from orders.services import order_create
from tests.actors import admin_of
from tests.blconnector.conftest import make_product
from tests.blconnector.shapes import BOOL, INT, INVENTORY_PRODUCT, LIST, OBJ, STR, assert_keyed, assert_shape
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_warehouse(account_a, inventory_a):
    warehouse = Warehouse.objects.create(account=account_a, name="Warsaw")
    inventory_a.warehouses.add(warehouse)
    return warehouse


@pytest.fixture
def euro_group(account_a, inventory_a):
    group = PriceGroup.objects.create(account=account_a, name="EUR", currency="EUR")
    inventory_a.price_groups.add(group)
    return group


def test_inventories_documented_requests(bl_a, account_a, inventory_a, second_warehouse, euro_group):
    body = bl_a.ok("getInventories", "[]")
    shape = {
        "inventory_id": INT,
        "name": STR,
        "description": STR,
        "languages": LIST,
        "default_language": STR,
        "price_groups": LIST,
        "default_price_group": INT,
        "warehouses": LIST,
        "default_warehouse": STR,
        "reservations": BOOL,
        "is_default": BOOL,
    }
    (inventory,) = body["inventories"]
    assert_shape(inventory, shape, exact=True)
    assert inventory["warehouses"] == [f"bl_{inventory_a.default_warehouse_id}", f"bl_{second_warehouse.pk}"]
    assert inventory["default_warehouse"] == f"bl_{inventory_a.default_warehouse_id}"
    assert inventory["price_groups"] == [inventory_a.default_price_group_id, euro_group.pk]

    created = bl_a.ok(
        "addInventory",
        {
            "name": "Additional catalog",
            "description": "Catalog with products for e-store",
            "languages": ["en", "de"],
            "default_language": "en",
            "price_groups": [euro_group.pk],
            "default_price_group": euro_group.pk,
            "warehouses": [f"bl_{second_warehouse.pk}"],
            "default_warehouse": f"bl_{second_warehouse.pk}",
            "reservations": False,
        },
    )
    assert set(created) == {"status", "inventory_id"}
    new = Inventory.objects.get(account=account_a, pk=created["inventory_id"])
    assert (new.languages, new.default_language, new.default_warehouse, new.default_price_group) == (
        ["en", "de"],
        "en",
        second_warehouse,
        euro_group,
    )
    bl_a.ok("addInventory", {"inventory_id": new.pk, "name": "Renamed"})
    new.refresh_from_db()
    assert new.name == "Renamed" and new.languages == ["en", "de"]  # what is not given stays
    body = bl_a.error("addInventory", {"name": "Broken", "warehouses": ["shop_2334"]})
    assert body["error_code"] == "ERROR_INVALID_PARAMETERS" and "warehouses[0]" in body["error_message"]
    assert (
        bl_a.error("deleteInventory", {"inventory_id": inventory_a.pk})["error_code"]
        == "ERROR_INVALID_PARAMETERS"
    )
    bl_a.ok("deleteInventory", {"inventory_id": str(new.pk)})
    assert not Inventory.objects.filter(pk=new.pk).exists()
    assert (
        bl_a.error("deleteInventory", {"inventory_id": new.pk})["error_code"] == "ERROR_INVENTORY_NOT_FOUND"
    )


def test_warehouses_documented_requests(bl_a, account_a):
    body = bl_a.ok(
        "addInventoryWarehouse",
        {"name": "Additional warehouse", "description": "Warsaw", "stock_edition": False},
    )
    assert set(body) == {"status", "warehouse_id"} and isinstance(body["warehouse_id"], int)
    warehouses = bl_a.ok("getInventoryWarehouses", {"inventory_id": 307})["warehouses"]
    shape = {
        "warehouse_type": STR,
        "warehouse_id": INT,
        "name": STR,
        "description": STR,
        "stock_edition": BOOL,
        "is_default": BOOL,
    }
    for warehouse in warehouses:
        assert_shape(warehouse, shape, exact=True)
    assert [(w["warehouse_type"], w["name"]) for w in warehouses] == [
        ("bl", "Main warehouse"),
        ("bl", "Additional warehouse"),
    ]
    bl_a.ok("addInventoryWarehouse", {"warehouse_id": f"bl_{body['warehouse_id']}", "name": "Kraków"})
    assert Warehouse.objects.get(pk=body["warehouse_id"]).name == "Kraków"
    duplicate = bl_a.error("addInventoryWarehouse", {"name": "Kraków"})
    assert duplicate["error_code"] == "ERROR_INVALID_PARAMETERS" and "name" in duplicate["error_message"]
    default = Warehouse.objects.get(account=account_a, is_default=True)
    assert (
        bl_a.error("deleteInventoryWarehouse", {"warehouse_id": default.pk})["error_code"]
        == "ERROR_INVALID_PARAMETERS"
    )
    bl_a.ok("deleteInventoryWarehouse", {"warehouse_id": body["warehouse_id"]})
    assert not Warehouse.objects.filter(pk=body["warehouse_id"]).exists()


def test_price_groups_documented_requests(bl_a, account_a):
    body = bl_a.ok(
        "addInventoryPriceGroup", {"name": "Additional EUR", "description": "For Germany", "currency": "eur"}
    )
    groups = bl_a.ok("getInventoryPriceGroups", "[]")["price_groups"]
    shape = {"price_group_id": INT, "name": STR, "description": STR, "currency": STR, "is_default": BOOL}
    for group in groups:
        assert_shape(group, shape, exact=True)
    assert [(g["name"], g["currency"], g["is_default"]) for g in groups] == [
        ("Retail", "PLN", True),
        ("Additional EUR", "EUR", False),
    ]
    bad = bl_a.error("addInventoryPriceGroup", {"name": "Bad", "currency": "XYZ"})
    assert bad["error_code"] == "ERROR_INVALID_PARAMETERS" and "currency" in bad["error_message"]
    bl_a.ok("deleteInventoryPriceGroup", {"price_group_id": body["price_group_id"]})
    assert not PriceGroup.objects.filter(pk=body["price_group_id"]).exists()


def test_categories_documented_requests(bl_a, account_a, inventory_a, shirt_a):
    kitchen = bl_a.ok(
        "addInventoryCategory", {"inventory_id": str(inventory_a.pk), "name": "Kitchen", "parent_id": 0}
    )
    knives = bl_a.ok(
        "addInventoryCategory",
        {"inventory_id": inventory_a.pk, "name": "Knives", "parent_id": kitchen["category_id"]},
    )
    shared = bl_a.ok("addInventoryCategory", {"name": "Shared"})
    categories = bl_a.ok("getInventoryCategories", {"inventory_id": str(inventory_a.pk)})["categories"]
    for category in categories:
        assert_shape(category, {"category_id": INT, "name": STR, "parent_id": INT}, exact=True)
    assert [(c["name"], c["parent_id"]) for c in categories] == [
        ("Kitchen", 0),
        ("Knives", kitchen["category_id"]),
    ]
    assert [c["category_id"] for c in bl_a.ok("getInventoryCategories")["categories"]] == [
        shared["category_id"]
    ]
    cycle = bl_a.error(
        "addInventoryCategory", {"category_id": kitchen["category_id"], "parent_id": knives["category_id"]}
    )
    assert cycle["error_code"] == "ERROR_INVALID_PARAMETERS"
    Product.objects.filter(pk=shirt_a.pk).update(category_id=kitchen["category_id"])
    bl_a.ok("deleteInventoryCategory", {"category_id": kitchen["category_id"]})
    # The subcategory moves to the top level; the product stays, without a category.
    assert Category.objects.get(pk=knives["category_id"]).parent_id is None
    shirt_a.refresh_from_db()
    assert shirt_a.category_id is None


def test_tags_manufacturers_and_extra_fields(bl_a, account_a, inventory_a, shirt_a):
    assert bl_a.ok("getInventoryTags", {"inventory_id": 1})["tags"] == []
    body = bl_a.ok("addInventoryManufacturer", {"name": "Sony"})
    manufacturers = bl_a.ok("getInventoryManufacturers", "[]")["manufacturers"]
    assert manufacturers == [{"manufacturer_id": body["manufacturer_id"], "name": "Sony"}]
    bl_a.ok("addInventoryManufacturer", {"manufacturer_id": body["manufacturer_id"], "name": "Sony Group"})
    assert Manufacturer.objects.get(pk=body["manufacturer_id"]).name == "Sony Group"
    bl_a.ok(
        "addInventoryProduct",
        {"inventory_id": inventory_a.pk, "product_id": shirt_a.pk, "tags": ["Summer", "Sale"]},
    )
    assert bl_a.ok("getInventoryTags")["tags"] == [{"name": "Sale"}, {"name": "Summer"}]
    account_a.product_extra_fields.create(name="Material", kind="long")
    fields = bl_a.ok("getInventoryExtraFields", "[]")["extra_fields"]
    assert_shape(fields[0], {"extra_field_id": INT, "name": STR, "kind": INT, "editor_type": STR})
    assert (fields[0]["name"], fields[0]["kind"]) == ("Material", 1)
    bl_a.ok("deleteInventoryManufacturer", {"manufacturer_id": body["manufacturer_id"]})
    assert bl_a.ok("getInventoryManufacturers")["manufacturers"] == []


def test_add_inventory_product_documented_request(bl_a, account_a, inventory_a, second_warehouse, euro_group):
    inventory_a.languages = ["pl", "en", "de"]
    inventory_a.save()
    manufacturer = Manufacturer.objects.create(account=account_a, name="Bloomsbury")
    category = Category.objects.create(account=account_a, inventory=inventory_a, name="Books")
    retail = inventory_a.default_price_group_id
    main = inventory_a.default_warehouse_id
    body = bl_a.ok(
        "addInventoryProduct",
        {
            "inventory_id": str(inventory_a.pk),
            "product_id": "",
            "parent_id": "0",
            "is_bundle": False,
            "ean": "5901234123457",
            "ean_additional": [{"ean": "5901234123458", "quantity": 2}],
            "sku": "EPL-432",
            "tax_rate": 23,
            "weight": 0.25,
            "height": 10,
            "width": "15",
            "length": 20,
            "star": 2,
            "manufacturer_id": manufacturer.pk,
            "category_id": str(category.pk),
            "prices": {str(retail): 20.99, str(euro_group.pk): "23.99"},
            "stock": {f"bl_{main}": 5, f"bl_{second_warehouse.pk}": "7", "shop_2334": 3},
            "locations": {f"bl_{main}": "A-5-2"},
            "text_fields": {
                "name": "Harry Potter and the Chamber of Secrets",
                "description": "Second part of the Harry Potter series.",
                "features": {"Cover": "Hardcover", "Pages": "300"},
                "description|de": "Der zweite Teil der Harry Potter Reihe.",
                "name|de|amazon_123": "Harry Potter und die Kammer des Schreckens",
            },
            "images": {"0": "url:http://placehold.it/250x150/2aa0b0/f00", "1": "data:4AAQSkZJRgABA"},
            "links": {"shop_2445": {"product_id": 2875, "variant_id": 0}},
            "tags": ["Books"],
        },
    )
    assert set(body) == {"status", "product_id", "warnings"}
    assert sorted(body["warnings"]) == [
        "ean_additional",
        "images.1",
        "links.shop_2445",  # only links to a Connect shared catalog (warehouse_<id>) are kept
        "locations",
        "stock.shop_2334",
        "text_fields.name|de|amazon_123",
    ]
    product = Product.objects.get(account=account_a, pk=body["product_id"])
    assert (product.sku, product.weight, product.star, product.manufacturer, product.category) == (
        "EPL-432",
        Decimal("0.250"),
        2,
        manufacturer,
        category,
    )
    assert dict(Stock.objects.filter(product=product).values_list("warehouse_id", "quantity")) == {
        main: 5,
        second_warehouse.pk: 7,
    }
    assert dict(Price.objects.filter(product=product).values_list("price_group_id", "amount")) == {
        retail: Decimal("20.99"),
        euro_group.pk: Decimal("23.99"),
    }
    data = bl_a.ok("getInventoryProductsData", {"inventory_id": inventory_a.pk, "products": [product.pk]})[
        "products"
    ]
    item = data[str(product.pk)]
    assert item["text_fields"] == {
        "name": "Harry Potter and the Chamber of Secrets",
        "description": "Second part of the Harry Potter series.",
        "features": {"Cover": "Hardcover", "Pages": "300"},
        "name|de": "",
        "description|de": "Der zweite Teil der Harry Potter Reihe.",
    }
    assert item["images"] == {"0": "http://placehold.it/250x150/2aa0b0/f00"}
    assert item["tags"] == ["Books"]

    # An update changes only what it sends; "" removes an image position.
    bl_a.ok(
        "addInventoryProduct",
        {
            "inventory_id": inventory_a.pk,
            "product_id": str(product.pk),
            "star": 5,
            "images": {"0": ""},
            "tags": [],
        },
    )
    product.refresh_from_db()
    assert (product.star, product.sku, product.images.count(), product.tags.count()) == (5, "EPL-432", 0, 0)
    clash = bl_a.error("addInventoryProduct", {"inventory_id": inventory_a.pk, "sku": "EPL-432"})
    assert clash["error_code"] == "ERROR_INVALID_PARAMETERS" and "sku" in clash["error_message"]


def test_variants_and_bundles(bl_a, account_a, inventory_a, shirt_a):
    variant = bl_a.ok(
        "addInventoryProduct",
        {
            "inventory_id": inventory_a.pk,
            "product_id": 0,
            "parent_id": shirt_a.pk,
            "sku": "SHIRT-XL",
            "text_fields": {"name": "Koszulka XL"},
        },
    )["product_id"]
    mug = make_product(account_a, inventory_a, sku="MUG", name="Kubek")
    bundle = bl_a.ok(
        "addInventoryProduct",
        {
            "inventory_id": inventory_a.pk,
            "is_bundle": True,
            "sku": "SET",
            "text_fields": {"name": "Zestaw"},
            "bundle_products": {str(shirt_a.pk): 1, str(mug.pk): "2"},
        },
    )["product_id"]
    assert dict(BundleComponent.objects.filter(bundle_id=bundle).values_list("component_id", "quantity")) == {
        shirt_a.pk: 1,
        mug.pk: 2,
    }
    data = bl_a.ok(
        "getInventoryProductsData", {"inventory_id": inventory_a.pk, "products": [shirt_a.pk, bundle, 999999]}
    )["products"]
    assert sorted(data) == sorted([str(shirt_a.pk), str(bundle)])  # a missing id is left out
    for item in data.values():
        assert_shape(item, INVENTORY_PRODUCT)
        assert_keyed(item["prices"])
    shirt = data[str(shirt_a.pk)]
    assert list(shirt["variants"]) == [str(variant)]
    assert_shape(
        shirt["variants"][str(variant)],
        {"name": STR, "sku": STR, "ean": STR, "asin": STR, "prices": OBJ, "stock": OBJ, "locations": OBJ},
        exact=True,
    )
    assert shirt["variants"][str(variant)]["name"] == "Koszulka XL"
    assert data[str(bundle)]["is_bundle"] is True and data[str(bundle)]["bundle_products"] == {
        str(shirt_a.pk): 1,
        str(mug.pk): 2,
    }
    # A component of a bundle is not deleted; the variant goes with its main product.
    refused = bl_a.error("deleteInventoryProduct", {"product_id": mug.pk, "inventory_id": inventory_a.pk})
    assert refused["error_code"] == "ERROR_INVALID_PARAMETERS"
    bl_a.ok("deleteInventoryProduct", {"product_id": str(bundle)})
    bl_a.ok("deleteInventoryProduct", {"product_id": shirt_a.pk})
    assert not Product.objects.filter(pk__in=[bundle, shirt_a.pk, variant]).exists()


def test_products_list_documented_request_and_filters(bl_a, account_a, inventory_a, shirt_a):
    mug = make_product(account_a, inventory_a, sku="MUG", name="Kubek", stock=0, price="9.99", ean="111")
    variant = product_write(
        origin=TEST_ORIGIN,
        actor=admin_of(account_a),
        inventory=inventory_a,
        fields={"parent": shirt_a.pk, "sku": "SHIRT-XL"},
    )
    body = bl_a.ok(
        "getInventoryProductsList", {"inventory_id": str(inventory_a.pk), "filter_sort": "id DESC"}
    )
    assert_keyed(
        body["products"],
        {
            "id": INT,
            "parent_id": INT,
            "sku": STR,
            "ean": STR,
            "asin": STR,
            "name": STR,
            "prices": OBJ,
            "stock": OBJ,
        },
    )
    assert list(body["products"]) == [str(mug.pk), str(shirt_a.pk)]
    shirt = body["products"][str(shirt_a.pk)]
    retail, main = inventory_a.default_price_group_id, inventory_a.default_warehouse_id
    assert shirt == {
        "id": shirt_a.pk,
        "parent_id": 0,
        "sku": "SHIRT",
        "ean": "5901234123457",
        "asin": "",
        "name": "Koszulka",
        "prices": {str(retail): 49.9},
        "stock": {f"bl_{main}": 10},
    }

    def ids(**filters):
        return [
            int(k)
            for k in bl_a.ok("getInventoryProductsList", {"inventory_id": inventory_a.pk, **filters})[
                "products"
            ]
        ]

    assert ids(include_variants=True) == [shirt_a.pk, mug.pk, variant.pk]
    assert ids(filter_name="kube") == [mug.pk]
    assert ids(filter_sku="SHIRT") == [shirt_a.pk]
    assert ids(filter_ean="111") == [mug.pk]
    assert ids(filter_id=mug.pk) == [mug.pk]
    assert ids(filter_price_from=10, filter_price_to="50") == [shirt_a.pk]
    assert ids(filter_stock_from=1) == [shirt_a.pk]
    assert ids(filter_stock_to=0) == [mug.pk]
    assert ids(filter_asin="B000") == []
    assert ids(page=2) == []
    assert bl_a.ok("getInventoryProductsList", {"inventory_id": inventory_a.pk, "page": 2})["products"] == {}


def test_stock_and_prices_documented_requests(
    bl_a, account_a, inventory_a, shirt_a, second_warehouse, euro_group
):
    variant = product_write(
        origin=TEST_ORIGIN,
        actor=admin_of(account_a),
        inventory=inventory_a,
        fields={"parent": shirt_a.pk, "sku": "SHIRT-XL"},
    )
    main, retail = inventory_a.default_warehouse_id, inventory_a.default_price_group_id
    body = bl_a.ok(
        "updateInventoryProductsStock",
        {
            "inventory_id": str(inventory_a.pk),
            "products": {
                str(shirt_a.pk): {f"bl_{main}": 5, f"bl_{second_warehouse.pk}": "7"},
                str(variant.pk): {f"bl_{main}": 2},
                "999999": {f"bl_{main}": 1},
                "abc": {f"bl_{main}": 1},
            },
        },
    )
    assert body["counter"] == 2 and sorted(body["warnings"]) == ["999999", "abc"]
    assert_shape(body, {"counter": INT, "warnings": OBJ})
    stock = bl_a.ok("getInventoryProductsStock", {"inventory_id": inventory_a.pk, "page": 1})["products"]
    assert stock == {
        str(shirt_a.pk): {
            "product_id": shirt_a.pk,
            "stock": {f"bl_{main}": 5, f"bl_{second_warehouse.pk}": 7},
            "reservations": {},  # the account reserves stock for orders: none holds any yet
            "variants": {str(variant.pk): {f"bl_{main}": 2}},
        }
    }
    order_create(
        account=account_a,
        lines=[{"product": shirt_a, "quantity": 2, "price_brutto": Decimal("1")}],
        origin=TEST_ORIGIN,
    )
    held = bl_a.ok("getInventoryProductsStock", {"inventory_id": inventory_a.pk})["products"][str(shirt_a.pk)]
    assert (held["stock"][f"bl_{main}"], held["reservations"]) == (3, {f"bl_{main}": 2})
    body = bl_a.ok(
        "updateInventoryProductsPrices",
        {
            "inventory_id": inventory_a.pk,
            "products": {
                str(shirt_a.pk): {str(retail): 20.99, str(euro_group.pk): "5,50"},
                str(variant.pk): {str(retail): -1},
            },
        },
    )
    assert body["counter"] == 1 and list(body["warnings"]) == [str(variant.pk)]
    prices = bl_a.ok("getInventoryProductsPrices", {"inventory_id": inventory_a.pk})["products"]
    assert prices == {
        str(shirt_a.pk): {
            "prices": {str(retail): 20.99, str(euro_group.pk): 5.5},
            "variants": {str(variant.pk): {}},
        }
    }
    empty = bl_a.ok("updateInventoryProductsStock", {"inventory_id": inventory_a.pk, "products": []})
    assert empty == {"status": "SUCCESS", "counter": 0, "warnings": {}}
    too_many = {str(i): {f"bl_{main}": 1} for i in range(1, 1002)}
    body = bl_a.error("updateInventoryProductsStock", {"inventory_id": inventory_a.pk, "products": too_many})
    assert body["error_code"] == "ERROR_INVALID_PARAMETERS"


def test_pictures_served_by_this_site_are_given_with_its_address(bl_a, account_a, inventory_a, settings):
    """The demo's pictures are paths on this site; a client downloading them needs the whole address."""
    settings.SITE_URL = "https://hurtlink.example.test/"
    product = make_product(account_a, inventory_a, sku="PIC-1", name="Pictured")
    ProductImage.objects.create(product=product, position=0, url="/demo-images/PIC-1.png")
    ProductImage.objects.create(product=product, position=1, url="https://cdn.example.test/pic.jpg")
    data = bl_a.ok("getInventoryProductsData", {"inventory_id": inventory_a.pk, "products": [product.pk]})
    assert data["products"][str(product.pk)]["images"] == {
        "0": "https://hurtlink.example.test/demo-images/PIC-1.png",
        "1": "https://cdn.example.test/pic.jpg",
    }
