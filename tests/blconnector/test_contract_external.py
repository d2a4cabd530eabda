"""A Connect supplier's shared catalog through BaseLinker's API (reference §8.1): a read-only inventory
(§3) and an external storage of type ``warehouse`` (§7). Documented fields and types, what the sharing
settings and the contractor's range let through, read-only answers, and who can see it.

Account A provides (its main catalog shared in English, retail prices); account B is its contractor,
knowing A's integration as "My supplier"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Category, ExtraField, Inventory, Price, Product, ProductText, Stock
from connect import services
from tests.blconnector.conftest import connector_for
from tests.blconnector.shapes import (
    BOOL,
    FLOAT,
    INT,
    INVENTORY_PRODUCT,
    LIST,
    OBJ,
    STR,
    assert_keyed,
    assert_shape,
)
from tests.connect.shared_setup import link_update, shared_catalog_setup, sharing_update
from tests.factories.accounts import AccountFactory
from tests.factories.connect import owner_tenant

pytestmark = pytest.mark.django_db

BASE = 10**12
INVENTORY = {
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
LIST_PRODUCT = {
    "id": INT,
    "parent_id": INT,
    "sku": STR,
    "ean": STR,
    "asin": STR,
    "name": STR,
    "prices": OBJ,
    "stock": OBJ,
}
STORAGE = {"storage_id": STR, "name": STR, "methods": LIST}
CATEGORY = {"category_id": INT, "name": STR, "parent_id": INT}
STORAGE_LIST_PRODUCT = {
    "product_id": INT,
    "sku": STR,
    "ean": STR,
    "asin": STR,
    "name": STR,
    "quantity": INT,
    "price_brutto": FLOAT,
}
STORAGE_PRODUCT = {
    "product_id": INT,
    "sku": STR,
    "ean": STR,
    "asin": STR,
    "name": STR,
    "quantity": INT,
    "price_netto": FLOAT,
    "price_brutto": FLOAT,
    "price_wholesale_netto": FLOAT,
    "tax_rate": FLOAT,
    "weight": FLOAT,
    "description": STR,
    "description_extra1": STR,
    "description_extra2": STR,
    "man_name": STR,
    "man_image": STR,
    "category_id": INT,
    "images": LIST,
    "features": OBJ,
    "variants": LIST,
}
STORAGE_VARIANT = {
    "variant_id": INT,
    "name": STR,
    "price": FLOAT,
    "quantity": INT,
    "sku": STR,
    "ean": STR,
    "asin": STR,
}
READ_METHODS = [
    "getExternalStorageCategories",
    "getExternalStorageProductsList",
    "getExternalStorageProductsData",
    "getExternalStorageProductsQuantity",
    "getExternalStorageProductsPrices",
]


@pytest.fixture
def shared(account_a, account_b):
    return shared_catalog_setup(account_a, account_b)


@pytest.fixture
def ids(shared):
    """How B's token names the shared catalog: inventory (and price group) id, warehouse/storage key."""
    pk = shared.contractor_integration.pk
    return {"inventory": BASE + pk, "storage": f"warehouse_{pk}", "integration": pk}


def _skus(products: dict, shared) -> set[str]:
    return {Product.objects.get(pk=int(key)).sku for key in products}


# -- as an inventory ---------------------------------------------------------------------------------


def test_get_inventories_lists_the_shared_catalog_after_the_own_ones(bl_b, account_b, shared, ids):
    own = Inventory.objects.get(account=account_b, is_default=True)

    inventories = bl_b.ok("getInventories", "[]")["inventories"]

    assert [i["inventory_id"] for i in inventories] == [own.pk, ids["inventory"]]
    entry = inventories[1]
    assert_shape(entry, INVENTORY, exact=True)
    assert entry["name"] == "My supplier (Connect)"  # as the shared catalog's pages name it
    assert entry["languages"] == ["en"] and entry["default_language"] == "en"
    assert entry["warehouses"] == [ids["storage"]] and entry["default_warehouse"] == ids["storage"]
    assert entry["price_groups"] == [ids["inventory"]] and entry["default_price_group"] == ids["inventory"]
    assert entry["is_default"] is False and entry["reservations"] is False
    # The id is in a range of its own: no catalog of any account is numbered like it.
    assert not Inventory.objects.filter(pk=entry["inventory_id"]).exists()


def test_the_shared_stock_and_price_are_a_read_only_warehouse_and_a_price_group(bl_b, shared, ids):
    warehouses = bl_b.ok("getInventoryWarehouses")["warehouses"]
    mirror = [w for w in warehouses if w["warehouse_type"] == "warehouse"]
    assert mirror == [
        {
            "warehouse_type": "warehouse",
            "warehouse_id": ids["integration"],
            "name": "My supplier (Connect)",
            "description": "",
            "stock_edition": False,
            "is_default": False,
        }
    ]
    groups = bl_b.ok("getInventoryPriceGroups")["price_groups"]
    assert groups[-1] == {
        "price_group_id": ids["inventory"],
        "name": "My supplier (Connect)",
        "description": "",
        "currency": shared.retail.currency,
        "is_default": False,
    }


def test_products_list_of_the_shared_catalog_with_filters(bl_b, shared, ids):
    body = bl_b.ok("getInventoryProductsList", {"inventory_id": str(ids["inventory"])})
    products = body["products"]
    assert_keyed(products, LIST_PRODUCT)
    assert _skus(products, shared) == {"DRILL-1", "SAW-1", "KIT-1"}  # main products; not the other catalog
    drill = products[str(shared.drill.pk)]
    assert drill == {
        "id": shared.drill.pk,
        "parent_id": 0,
        "sku": "DRILL-1",
        "ean": "",
        "asin": "",
        "name": "Cordless drill",
        "prices": {str(ids["inventory"]): 100.0},
        "stock": {ids["storage"]: 12},
    }

    def skus(**filters) -> set[str]:
        found = bl_b.ok("getInventoryProductsList", {"inventory_id": ids["inventory"], **filters})
        return _skus(found["products"], shared)

    assert skus(include_variants=True) == {"DRILL-1", "DRILL-1-RED", "DRILL-1-BLUE", "SAW-1", "KIT-1"}
    assert skus(filter_name="garden") == {"SAW-1", "KIT-1"}
    assert skus(filter_sku="SAW-1") == {"SAW-1"}
    assert skus(filter_category_id=shared.garden.pk) == {"SAW-1", "KIT-1"}
    assert skus(filter_price_from="50", filter_price_to=120) == {"DRILL-1"}
    assert skus(filter_stock_from=10) == {"DRILL-1", "SAW-1"}
    assert skus(filter_id=shared.secret.pk) == set()
    assert skus(filter_asin="B00X") == set()
    assert skus(page=2) == set()
    listed = bl_b.ok("getInventoryProductsList", {"inventory_id": ids["inventory"], "filter_sort": "id DESC"})
    assert list(listed["products"]) == sorted(listed["products"], key=int, reverse=True)


def test_products_data_of_the_shared_catalog_is_what_the_supplier_shares(bl_b, account_b, shared, ids):
    body = bl_b.ok(
        "getInventoryProductsData",
        {
            "inventory_id": ids["inventory"],
            "products": [shared.drill.pk, shared.kit.pk, shared.drill_red.pk, shared.secret.pk],
            "include_additional_eans": True,
        },
    )
    products = body["products"]
    assert_keyed(products, INVENTORY_PRODUCT)
    assert set(products) == {str(shared.drill.pk), str(shared.kit.pk), str(shared.drill_red.pk)}
    drill = products[str(shared.drill.pk)]
    colour = ExtraField.objects.get(account=account_b, name="Colour")
    assert drill["text_fields"] == {
        "name": "Cordless drill",
        "description": "Strong 18V drill",
        "features": {"Voltage": "18V"},
        f"extra_field_{colour.pk}": "yellow",  # B's own field of that name; "Margin note" is not passed
    }
    assert drill["images"] == {"0": "https://img.example/drill-1.jpg", "1": "https://img.example/drill-2.jpg"}
    assert drill["prices"] == {str(ids["inventory"]): 100.0} and drill["stock"] == {ids["storage"]: 12}
    assert drill["tags"] == ["promo"] and drill["category_id"] == shared.drills.pk
    assert drill["weight"] == 1.5 and drill["ean_additional"] == []
    # What the supplier keeps to itself: its costs and ratings.
    assert drill["average_cost"] == 0.0 and drill["star"] == 0 and drill["manufacturer_id"] == 0
    assert set(drill["variants"]) == {str(shared.drill_red.pk), str(shared.drill_blue.pk)}
    red = drill["variants"][str(shared.drill_red.pk)]
    assert_shape(
        red, {"name": STR, "sku": STR, "ean": STR, "asin": STR, "prices": OBJ, "stock": OBJ, "locations": OBJ}
    )
    assert red["name"] == "Cordless drill red" and red["stock"] == {ids["storage"]: 5}
    assert products[str(shared.drill_red.pk)]["parent_id"] == shared.drill.pk
    assert products[str(shared.kit.pk)]["bundle_products"] == {str(shared.drill.pk): 1, str(shared.saw.pk): 2}
    assert products[str(shared.kit.pk)]["is_bundle"] is True


def test_descriptions_parameters_images_and_prices_follow_the_sharing_settings(bl_b, shared, ids):
    sharing_update(shared, descriptions=False, parameters=False, images="first", price_group=None)

    drill = bl_b.ok(
        "getInventoryProductsData", {"inventory_id": ids["inventory"], "products": [shared.drill.pk]}
    )["products"][str(shared.drill.pk)]
    assert drill["text_fields"]["description"] == "" and "features" not in drill["text_fields"]
    assert drill["images"] == {"0": "https://img.example/drill-1.jpg"}
    assert drill["prices"] == {} and drill["variants"][str(shared.drill_red.pk)]["prices"] == {}

    (entry,) = [i for i in bl_b.ok("getInventories")["inventories"] if i["inventory_id"] == ids["inventory"]]
    assert entry["price_groups"] == [] and entry["default_price_group"] == 0
    assert all(
        g["price_group_id"] != ids["inventory"] for g in bl_b.ok("getInventoryPriceGroups")["price_groups"]
    )
    prices = bl_b.ok("getInventoryProductsPrices", {"inventory_id": ids["inventory"]})["products"]
    assert prices[str(shared.drill.pk)] == {
        "prices": {},
        "variants": {str(shared.drill_red.pk): {}, str(shared.drill_blue.pk): {}},
    }
    listed = bl_b.ok("getInventoryProductsList", {"inventory_id": ids["inventory"], "filter_price_from": 0})
    assert listed["products"] == {}  # no prices shared: no price matches

    storage = bl_b.ok("getExternalStoragesList")["storages"][0]
    assert "getExternalStorageProductsPrices" not in storage["methods"]
    refused = bl_b.error("getExternalStorageProductsPrices", {"storage_id": ids["storage"]})
    assert refused["error_code"] == "ERROR_PRICES_NOT_SHARED"
    item = bl_b.ok(
        "getExternalStorageProductsData", {"storage_id": ids["storage"], "products": [shared.drill.pk]}
    )["products"][str(shared.drill.pk)]
    assert (item["price_brutto"], item["price_netto"], item["description"], item["features"]) == (
        0.0,
        0.0,
        "",
        {},
    )
    assert item["images"] == ["https://img.example/drill-1.jpg"]


def test_stock_and_prices_pages_of_the_shared_catalog(bl_b, shared, ids):
    stock = bl_b.ok("getInventoryProductsStock", {"inventory_id": ids["inventory"]})["products"]
    assert_keyed(stock, {"product_id": INT, "stock": OBJ, "variants": OBJ})
    assert stock[str(shared.drill.pk)] == {
        "product_id": shared.drill.pk,
        "stock": {ids["storage"]: 12},
        "variants": {
            str(shared.drill_red.pk): {ids["storage"]: 5},
            str(shared.drill_blue.pk): {ids["storage"]: 0},
        },
    }
    assert set(stock) == {str(shared.drill.pk), str(shared.saw.pk), str(shared.kit.pk)}
    prices = bl_b.ok("getInventoryProductsPrices", {"inventory_id": ids["inventory"], "page": 1})["products"]
    assert_keyed(prices, {"prices": OBJ, "variants": OBJ})
    assert prices[str(shared.saw.pk)] == {"prices": {str(ids["inventory"]): 20.0}, "variants": {}}
    assert (
        bl_b.ok("getInventoryProductsStock", {"inventory_id": ids["inventory"], "page": 2})["products"] == {}
    )


def test_categories_of_the_shared_catalog(bl_b, shared, ids):
    categories = bl_b.ok("getInventoryCategories", {"inventory_id": ids["inventory"]})["categories"]
    for category in categories:
        assert_shape(category, CATEGORY, exact=True)
    # Categories holding shared products and the ones above them (Tools holds Drills).
    assert {(c["name"], c["parent_id"]) for c in categories} == {
        ("Tools", 0),
        ("Drills", shared.tools.pk),
        ("Garden", 0),
    }


def test_the_contractors_range_hides_the_rest_everywhere(bl_b, shared, ids):
    link_update(shared, range_mode="categories", range_categories=[shared.garden])
    inventory = {"inventory_id": ids["inventory"]}
    storage = {"storage_id": ids["storage"]}
    drill = shared.drill.pk

    assert _skus(
        bl_b.ok("getInventoryProductsList", {**inventory, "include_variants": 1})["products"], shared
    ) == {
        "SAW-1",
        "KIT-1",
    }
    assert bl_b.ok("getInventoryProductsData", {**inventory, "products": [drill]})["products"] == {}
    assert str(drill) not in bl_b.ok("getInventoryProductsStock", inventory)["products"]
    assert str(drill) not in bl_b.ok("getInventoryProductsPrices", inventory)["products"]
    assert {p["sku"] for p in bl_b.ok("getExternalStorageProductsList", storage)["products"]} == {
        "SAW-1",
        "KIT-1",
    }
    assert bl_b.ok("getExternalStorageProductsData", {**storage, "products": [drill]})["products"] == {}
    assert drill not in {
        p["product_id"] for p in bl_b.ok("getExternalStorageProductsQuantity", storage)["products"]
    }
    assert drill not in {
        p["product_id"] for p in bl_b.ok("getExternalStorageProductsPrices", storage)["products"]
    }
    assert {c["name"] for c in bl_b.ok("getExternalStorageCategories", storage)["categories"]} == {"Garden"}
    # The kit is shared, but its drill is not: the bundle lists only what B may see.
    kit = bl_b.ok("getInventoryProductsData", {**inventory, "products": [shared.kit.pk]})["products"]
    assert kit[str(shared.kit.pk)]["bundle_products"] == {str(shared.saw.pk): 2}


def test_stock_reads_zero_while_the_credit_is_under_block_stock_below(bl_b, account_a, shared, ids):
    tenant = owner_tenant(account_a)
    services.credit_settings_update(
        actor=tenant,
        link=shared.link,
        credit_limit=Decimal("100"),
        credit_currency="EUR",
        block_stock_below=50,
    )
    services.credit_adjust(actor=tenant, link=shared.link, amount="-60", description="order")

    stock = bl_b.ok("getInventoryProductsStock", {"inventory_id": ids["inventory"]})["products"]
    quantities = bl_b.ok("getExternalStorageProductsQuantity", {"storage_id": ids["storage"]})["products"]

    assert {q for p in stock.values() for q in p["stock"].values()} == {0}
    assert {p["quantity"] for p in quantities} == {0}
    assert {v["quantity"] for p in quantities for v in p["variants"]} == {0}


def test_products_data_reads_many_products_in_a_fixed_number_of_queries(bl_b, account_a, shared, ids):
    for n in range(20):
        Product.objects.create(account=account_a, inventory=shared.inventory, sku=f"EXTRA-{n}")
    every = list(Product.objects.filter(inventory=shared.inventory).values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as one:
        bl_b.ok("getInventoryProductsData", {"inventory_id": ids["inventory"], "products": every[:1]})
    with CaptureQueriesContext(connection) as many:
        body = bl_b.ok("getInventoryProductsData", {"inventory_id": ids["inventory"], "products": every})

    assert len(body["products"]) == len(every)
    assert len(many.captured_queries) <= len(one.captured_queries) + 3


# -- read-only ---------------------------------------------------------------------------------------


def _writes(shared, ids) -> list[tuple[str, dict]]:
    inventory, storage, product = ids["inventory"], ids["storage"], shared.drill.pk
    return [
        ("addInventory", {"inventory_id": inventory, "name": "Mine now"}),
        ("deleteInventory", {"inventory_id": inventory}),
        ("addInventoryCategory", {"inventory_id": inventory, "name": "New"}),
        ("addInventoryProduct", {"inventory_id": inventory, "sku": "NEW"}),
        ("addInventoryProduct", {"inventory_id": inventory, "product_id": product, "sku": "CHANGED"}),
        ("deleteInventoryProduct", {"inventory_id": inventory, "product_id": product}),
        (
            "updateInventoryProductsStock",
            {"inventory_id": inventory, "products": {str(product): {storage: 1}}},
        ),
        (
            "updateInventoryProductsPrices",
            {"inventory_id": inventory, "products": {str(product): {str(inventory): 1}}},
        ),
        ("addInventoryPriceGroup", {"price_group_id": inventory, "name": "Mine now"}),
        ("deleteInventoryPriceGroup", {"price_group_id": inventory}),
        ("addInventoryWarehouse", {"warehouse_id": storage, "name": "Mine now"}),
        ("deleteInventoryWarehouse", {"warehouse_id": storage}),
        ("updateExternalStorageProductsQuantity", {"storage_id": storage, "products": [[product, 0, 1]]}),
    ]


def test_every_write_to_the_shared_catalog_is_refused_as_read_only(account_b, shared, ids):
    admin = connector_for(account_b, role="admin")
    before = (
        list(Product.objects.filter(inventory=shared.inventory).order_by("pk").values_list("pk", "sku")),
        list(
            Stock.objects.filter(product__inventory=shared.inventory)
            .order_by("pk")
            .values_list("pk", "quantity")
        ),
        list(
            Price.objects.filter(product__inventory=shared.inventory)
            .order_by("pk")
            .values_list("pk", "amount")
        ),
        Category.objects.count(),
    )

    for name, parameters in _writes(shared, ids):
        body = admin.error(name, parameters)
        assert body["error_code"] == "ERROR_READ_ONLY", (name, body)
        assert "My supplier (Connect)" in body["error_message"] and "read-only" in body["error_message"]

    assert before == (
        list(Product.objects.filter(inventory=shared.inventory).order_by("pk").values_list("pk", "sku")),
        list(
            Stock.objects.filter(product__inventory=shared.inventory)
            .order_by("pk")
            .values_list("pk", "quantity")
        ),
        list(
            Price.objects.filter(product__inventory=shared.inventory)
            .order_by("pk")
            .values_list("pk", "amount")
        ),
        Category.objects.count(),
    )
    assert Inventory.objects.filter(account=account_b).count() == 1


# -- as an external storage --------------------------------------------------------------------------


def test_external_storages_list(bl_b, shared, ids):
    body = bl_b.ok("getExternalStoragesList", "[]")
    assert set(body) == {"status", "storages"}
    (storage,) = body["storages"]
    assert_shape(storage, STORAGE, exact=True)
    assert storage == {"storage_id": ids["storage"], "name": "My supplier (Connect)", "methods": READ_METHODS}


def test_external_storage_categories(bl_b, shared, ids):
    body = bl_b.ok("getExternalStorageCategories", {"storage_id": ids["storage"]})
    assert body["storage_id"] == ids["storage"]
    for category in body["categories"]:
        assert_shape(category, CATEGORY, exact=True)
    assert [c["category_id"] for c in body["categories"]] == sorted(
        [shared.tools.pk, shared.drills.pk, shared.garden.pk]
    )


def test_external_storage_products_list_filters_sorts_and_pages(bl_b, shared, ids):
    body = bl_b.ok("getExternalStorageProductsList", {"storage_id": ids["storage"]})
    assert set(body) == {"status", "storage_id", "products"} and body["storage_id"] == ids["storage"]
    assert isinstance(body["products"], list)
    for product in body["products"]:
        assert_shape(product, STORAGE_LIST_PRODUCT, exact=True)
    assert [p["sku"] for p in body["products"]] == ["DRILL-1", "SAW-1", "KIT-1"]  # by id
    assert body["products"][0] == {
        "product_id": shared.drill.pk,
        "sku": "DRILL-1",
        "ean": "",
        "asin": "",
        "name": "Cordless drill",
        "quantity": 12,
        "price_brutto": 100.0,
    }

    def skus(**parameters) -> list[str]:
        found = bl_b.ok("getExternalStorageProductsList", {"storage_id": ids["storage"], **parameters})
        return [p["sku"] for p in found["products"]]

    assert skus(filter_sort="name ASC") == ["DRILL-1", "KIT-1", "SAW-1"]
    assert skus(filter_sort="quantity DESC") == ["SAW-1", "DRILL-1", "KIT-1"]
    assert skus(filter_sort="price") == ["SAW-1", "DRILL-1", "KIT-1"]
    assert skus(filter_sort="id desc") == ["KIT-1", "SAW-1", "DRILL-1"]
    assert skus(filter_category_id=shared.tools.pk) == ["DRILL-1"]  # its subcategory Drills too
    assert skus(filter_id=shared.saw.pk) == ["SAW-1"]
    assert skus(filter_sku="KIT-1") == ["KIT-1"]
    assert skus(filter_ean="5900000000000") == []
    assert skus(filter_asin="B00X") == []
    assert skus(filter_name="SAW") == ["SAW-1"]
    assert skus(filter_price_from=25, filter_price_to="130") == ["DRILL-1", "KIT-1"]
    assert skus(filter_quantity_from=4, filter_quantity_to=20) == ["DRILL-1"]
    Stock.objects.filter(product=shared.kit).update(quantity=0)
    assert skus(filter_available=1) == ["DRILL-1", "SAW-1"]
    assert skus(filter_available="0") == ["KIT-1"]
    assert skus(filter_available="") == ["DRILL-1", "SAW-1", "KIT-1"]
    assert skus(page=2) == []
    bad = bl_b.error(
        "getExternalStorageProductsList", {"storage_id": ids["storage"], "filter_sort": "stock ASC"}
    )
    assert bad["error_code"] == "ERROR_INVALID_PARAMETERS" and "filter_sort" in bad["error_message"]


def test_external_storage_products_data(bl_b, shared, ids):
    body = bl_b.ok(
        "getExternalStorageProductsData",
        {"storage_id": ids["storage"], "products": [shared.drill.pk, str(shared.saw.pk), shared.secret.pk]},
    )
    assert body["storage_id"] == ids["storage"]
    products = body["products"]
    assert_keyed(products, STORAGE_PRODUCT)
    assert set(products) == {str(shared.drill.pk), str(shared.saw.pk)}
    drill = products[str(shared.drill.pk)]
    assert drill["name"] == "Cordless drill" and drill["description"] == "Strong 18V drill"
    assert drill["features"] == {"Voltage": "18V"}
    assert drill["images"] == ["https://img.example/drill-1.jpg", "https://img.example/drill-2.jpg"]
    assert drill["quantity"] == 12 and drill["price_brutto"] == 100.0
    tax = Decimal(shared.drill.tax_rate)
    assert drill["price_netto"] == float((Decimal("100") * 100 / (100 + tax)).quantize(Decimal("0.01")))
    assert drill["category_id"] == shared.drills.pk
    assert [v["sku"] for v in drill["variants"]] == ["DRILL-1-RED", "DRILL-1-BLUE"]
    for variant in drill["variants"]:
        assert_shape(variant, STORAGE_VARIANT, exact=True)
    assert drill["variants"][0] == {
        "variant_id": shared.drill_red.pk,
        "name": "Cordless drill red",
        "price": 105.0,
        "quantity": 5,
        "sku": "DRILL-1-RED",
        "ean": "",
        "asin": "",
    }
    empty = bl_b.ok(
        "getExternalStorageProductsData", {"storage_id": ids["storage"], "products": [shared.secret.pk]}
    )
    assert empty["products"] == {}


def test_external_storage_quantity_and_prices(bl_b, shared, ids):
    quantities = bl_b.ok("getExternalStorageProductsQuantity", {"storage_id": ids["storage"]})
    assert quantities["storage_id"] == ids["storage"] and isinstance(quantities["products"], list)
    for product in quantities["products"]:
        assert_shape(product, {"product_id": INT, "quantity": INT, "variants": LIST}, exact=True)
    assert quantities["products"][0] == {
        "product_id": shared.drill.pk,
        "quantity": 12,
        "variants": [
            {"variant_id": shared.drill_red.pk, "quantity": 5},
            {"variant_id": shared.drill_blue.pk, "quantity": 0},
        ],
    }
    prices = bl_b.ok("getExternalStorageProductsPrices", {"storage_id": ids["storage"], "page": "1"})
    for product in prices["products"]:
        assert_shape(product, {"product_id": INT, "price": FLOAT, "variants": LIST}, exact=True)
    assert prices["products"][0] == {
        "product_id": shared.drill.pk,
        "price": 100.0,
        "variants": [
            {"variant_id": shared.drill_red.pk, "price": 105.0},
            {"variant_id": shared.drill_blue.pk, "price": 105.0},
        ],
    }
    assert (
        bl_b.ok("getExternalStorageProductsPrices", {"storage_id": ids["storage"], "page": 2})["products"]
        == []
    )


# -- who sees it -------------------------------------------------------------------------------------


def _reads(ids) -> list[tuple[str, dict]]:
    inventory, storage = ids["inventory"], ids["storage"]
    return [
        ("getInventoryProductsList", {"inventory_id": inventory}),
        ("getInventoryProductsData", {"inventory_id": inventory, "products": [1]}),
        ("getInventoryProductsStock", {"inventory_id": inventory}),
        ("getInventoryProductsPrices", {"inventory_id": inventory}),
        ("getInventoryCategories", {"inventory_id": inventory}),
        *((name, {"storage_id": storage, "products": [1]}) for name in READ_METHODS),
    ]


def _answers_as_missing(connector, ids) -> None:
    missing = {"inventory": BASE + 10**9, "storage": f"warehouse_{10**9}"}
    for (name, theirs), (_name, nothing) in zip(_reads(ids), _reads(missing), strict=True):
        named = connector.error(name, theirs)
        absent = connector.error(name, nothing)
        assert named["error_code"] in ("ERROR_INVENTORY_NOT_FOUND", "ERROR_STORAGE_NOT_FOUND"), (name, named)
        assert named["error_code"] == absent["error_code"], name
        masked = named["error_message"].replace(str(ids["inventory"]), "<id>").replace(ids["storage"], "<id>")
        assert masked == absent["error_message"].replace(str(missing["inventory"]), "<id>").replace(
            missing["storage"], "<id>"
        ), name


def test_nobody_but_the_contractor_reads_the_shared_catalog(bl_a, shared, ids):
    stranger = connector_for(AccountFactory(name="Gamma"))
    for connector in (bl_a, stranger):  # the provider itself, an account without a link
        _answers_as_missing(connector, ids)
        assert connector.ok("getExternalStoragesList")["storages"] == []
        assert all(i["inventory_id"] < BASE for i in connector.ok("getInventories")["inventories"])


@pytest.mark.parametrize("close", ["block", "disconnect"])
def test_a_closed_link_closes_the_inventory_and_the_storage(bl_b, account_a, account_b, shared, ids, close):
    if close == "block":
        services.contractor_set_state(actor=owner_tenant(account_a), link=shared.link, state="blocked")
    else:
        services.integration_disconnect(
            actor=owner_tenant(account_b), integration=shared.contractor_integration
        )

    _answers_as_missing(bl_b, ids)
    assert bl_b.ok("getExternalStoragesList")["storages"] == []
    assert [i["inventory_id"] for i in bl_b.ok("getInventories")["inventories"]] == [
        Inventory.objects.get(account=account_b, is_default=True).pk
    ]
    assert all(w["warehouse_type"] == "bl" for w in bl_b.ok("getInventoryWarehouses")["warehouses"])
    # Writes naming it are "not found" now, not "read-only": nothing says it exists.
    body = bl_b.error("deleteInventory", {"inventory_id": ids["inventory"]})
    assert body["error_code"] == "ERROR_INVENTORY_NOT_FOUND"
    body = bl_b.error("updateExternalStorageProductsQuantity", {"storage_id": ids["storage"], "products": []})
    assert body["error_code"] == "ERROR_STORAGE_NOT_FOUND"


@pytest.mark.parametrize(
    "storage_id", ["shop_1", "bl_1", "warehouse_0", "warehouse_x", "1", "warehouse_99999999"]
)
def test_other_storage_ids_are_not_found(bl_b, shared, storage_id):
    body = bl_b.error("getExternalStorageProductsList", {"storage_id": storage_id})
    assert body["error_code"] == "ERROR_STORAGE_NOT_FOUND" and storage_id in body["error_message"]


def test_reading_the_shared_catalog_needs_only_a_member(account_b, shared, ids):
    member = connector_for(account_b, role="member", name="member")
    member.ok("getExternalStorageProductsList", {"storage_id": ids["storage"]})
    member.ok("getInventoryProductsData", {"inventory_id": ids["inventory"], "products": [shared.drill.pk]})
    refused = member.error("deleteInventory", {"inventory_id": ids["inventory"]})
    assert refused["error_code"] == "ERROR_PERMISSION_DENIED"  # refused before anything is looked up


def test_the_isolation_suites_shared_catalog_calls_name_what_account_a_really_reads(account_a, account_b):
    """B's answers in the isolation suite mean something only if the same calls by A reach A's shared
    catalog: A reads it (its supplier's product shown), orders from it and links its own products to
    it, and is told each write to it is read-only."""
    from tests.isolation.routes_connector import CALLS, MARKER, _account_a_world, _own_ids

    ids = {**_account_a_world(account_a).kwargs, **_own_ids(account_a)}
    storage = f"warehouse_{ids['connect_joined_integration']}"
    names = (storage, str(ids["connect_shared_inventory"]))
    own = connector_for(account_a, limit=10_000)
    named = [call for call in CALLS if any(name in str(call.params(ids)) for name in names)]
    assert len(named) >= 20
    for call in named:
        body = own(call.method, call.params(ids))
        if call.method.startswith("get"):
            assert body["status"] == "SUCCESS", (call.method, body)
            if "Categories" not in call.method:  # the supplier has no categories
                assert str(ids["connect_supplied_product"]) in str(body) or MARKER in str(body), call.method
        elif call.method == "addOrder" or "links" in call.params(ids):
            assert body["status"] == "SUCCESS", (call.method, body)
        else:
            assert body.get("error_code") == "ERROR_READ_ONLY", (call.method, body)
    products = own.ok("getExternalStorageProductsList", {"storage_id": storage})["products"]
    assert [p["name"] for p in products] == [f"{MARKER} supplied product"]


def test_external_storage_products_sort_by_what_they_show(bl_b, shared, ids):
    """A product without a price is answered with 0 and sorts as 0; names sort without regard to case,
    a product without a name by the SKU it is answered with."""
    Price.objects.filter(product=shared.kit).delete()
    ProductText.objects.filter(product=shared.saw).update(name="axe")
    ProductText.objects.filter(product=shared.drill).update(name="")

    def listed(**parameters) -> list[tuple[str, str]]:
        found = bl_b.ok("getExternalStorageProductsList", {"storage_id": ids["storage"], **parameters})
        return [(p["sku"], p["name"]) for p in found["products"]]

    assert listed(filter_sort="price DESC")[-1] == ("KIT-1", "Garden kit")
    assert listed(filter_sort="price ASC")[0] == ("KIT-1", "Garden kit")
    assert listed(filter_sort="name ASC") == [
        ("SAW-1", "axe"),
        ("DRILL-1", "DRILL-1"),
        ("KIT-1", "Garden kit"),
    ]
    assert listed(filter_sort="name DESC") == [
        ("KIT-1", "Garden kit"),
        ("DRILL-1", "DRILL-1"),
        ("SAW-1", "axe"),
    ]
