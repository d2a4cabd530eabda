import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Inventory, PriceGroup, Product, Stock, Warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def defaults_a(account_a):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    return inventory, inventory.default_warehouse, inventory.default_price_group


def _payload(inventory, warehouse, price_group, sku="TSHIRT-M", **extra):
    return {
        "inventory": inventory.pk,
        "sku": sku,
        "ean": "5901234123457",
        "tax_rate": "23.00",
        "weight": "0.25",
        "texts": [
            {"language": "pl", "name": "Koszulka bawełniana", "description": "Miękka"},
            {"language": "en", "name": "Cotton T-shirt", "features": [["Material", "Cotton"]]},
        ],
        "stock": [{"warehouse": warehouse.pk, "quantity": 40}],
        "prices": [{"price_group": price_group.pk, "amount": "59.90"}],
        **extra,
    }


def test_create_a_product_with_texts_stock_and_prices(api_a, defaults_a):
    created = api_a.post(reverse("api:product-list"), _payload(*defaults_a), format="json")
    assert created.status_code == 201, created.json()
    body = api_a.get(reverse("api:product-detail", args=[created.json()["id"]])).json()
    assert body["sku"] == "TSHIRT-M"
    assert {t["language"]: t["name"] for t in body["texts"]} == {
        "pl": "Koszulka bawełniana",
        "en": "Cotton T-shirt",
    }
    assert body["stock"] == [{"warehouse": defaults_a[1].pk, "quantity": 40}]
    assert body["prices"] == [{"price_group": defaults_a[2].pk, "amount": "59.90"}]


def test_variants_are_products_with_a_parent(api_a, defaults_a):
    parent = api_a.post(
        reverse("api:product-list"), _payload(*defaults_a, sku="TSHIRT"), format="json"
    ).json()
    variant = api_a.post(
        reverse("api:product-list"),
        _payload(*defaults_a, sku="TSHIRT-XL", parent=parent["id"]),
        format="json",
    )
    assert variant.status_code == 201
    assert api_a.get(reverse("api:product-detail", args=[parent["id"]])).json()["variants"] == [
        variant.json()["id"]
    ]
    listed = api_a.get(reverse("api:product-list") + "?has_variants=true").json()
    assert [p["sku"] for p in listed["results"]] == ["TSHIRT"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stock": [{"warehouse": None, "quantity": -3}]}, "stock"),
        ({"prices": [{"price_group": None, "amount": "-1.00"}]}, "prices"),
        ({"weight": "heavy"}, "weight"),
        ({"star": 9}, "star"),
        ({"texts": [{"language": "pl", "name": "A"}, {"language": "pl", "name": "B"}]}, "texts"),
    ],
)
def test_bad_product_input_gets_field_messages_and_writes_nothing(api_a, defaults_a, change, field):
    payload = _payload(*defaults_a)
    for row in change.get("stock", []):
        row["warehouse"] = defaults_a[1].pk
    for row in change.get("prices", []):
        row["price_group"] = defaults_a[2].pk
    payload.update(change)
    response = api_a.post(reverse("api:product-list"), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Product.objects.exists() and not Stock.objects.exists()


def test_duplicate_sku_in_a_catalog_is_refused(api_a, defaults_a):
    api_a.post(reverse("api:product-list"), _payload(*defaults_a), format="json")
    again = api_a.post(reverse("api:product-list"), _payload(*defaults_a), format="json")
    assert again.status_code == 400 and "sku" in again.json()["errors"]


def test_another_accounts_warehouse_or_catalog_cannot_be_referenced(api_a, defaults_a, account_b):
    warehouse_b = Warehouse.objects.get(account=account_b)
    inventory_b = Inventory.objects.get(account=account_b)
    payload = _payload(*defaults_a)
    payload["stock"] = [{"warehouse": warehouse_b.pk, "quantity": 1}]
    payload["inventory"] = inventory_b.pk
    response = api_a.post(reverse("api:product-list"), payload, format="json")
    assert response.status_code == 400
    assert {"inventory", "stock"} <= set(response.json()["errors"])
    assert not Stock.objects.filter(warehouse=warehouse_b).exists()


def test_stock_and_price_updates_through_patch(api_a, defaults_a):
    product = api_a.post(reverse("api:product-list"), _payload(*defaults_a), format="json").json()
    second = api_a.post(reverse("api:warehouse-list"), {"name": "Outlet"}, format="json").json()
    patched = api_a.patch(
        reverse("api:product-detail", args=[product["id"]]),
        {"stock": [{"warehouse": second["id"], "quantity": 5}]},
        format="json",
    )
    assert patched.status_code == 200
    quantities = {row["warehouse"]: row["quantity"] for row in patched.json()["stock"]}
    assert quantities == {defaults_a[1].pk: 40, second["id"]: 5}


def test_default_and_used_warehouses_cannot_be_deleted(api_a, defaults_a):
    default = api_a.delete(reverse("api:warehouse-detail", args=[defaults_a[1].pk]))
    assert default.status_code == 400 and "default" in default.json()["errors"]["non_field_errors"][0]
    assert Warehouse.objects.filter(pk=defaults_a[1].pk).exists()


def test_catalog_default_language_must_be_one_of_its_languages(api_a, defaults_a):
    inventory, warehouse, group = defaults_a
    response = api_a.post(
        reverse("api:inventory-list"),
        {
            "name": "B2B",
            "languages": ["pl"],
            "default_language": "de",
            "warehouses": [warehouse.pk],
            "price_groups": [group.pk],
            "default_warehouse": warehouse.pk,
            "default_price_group": group.pk,
        },
        format="json",
    )
    assert response.status_code == 400 and "default_language" in response.json()["errors"]


def test_member_token_reads_but_cannot_change_warehouses(account_a):
    from rest_framework.test import APIClient

    from accounts.services import api_token_create

    _token, secret = api_token_create(account=account_a, name="reader", role="member")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get(reverse("api:warehouse-list")).status_code == 200
    assert api.post(reverse("api:warehouse-list"), {"name": "X"}, format="json").status_code == 403
    assert PriceGroup.objects.filter(account=account_a).count() == 1


def test_product_list_query_count_does_not_grow_with_page_size(api_a, defaults_a):
    inventory, warehouse, group = defaults_a
    for n in range(30):
        api_a.post(
            reverse("api:product-list"), _payload(inventory, warehouse, group, sku=f"P{n}"), format="json"
        )

    def queries(size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api_a.get(reverse("api:product-list") + f"?page_size={size}")
        assert len(response.json()["results"]) == size
        return len(captured)

    assert queries(5) == queries(30)


def test_product_links_categories_tags_images_and_bundle_components(api_a, account_a, account_b):
    from catalog.models import Category, Inventory, Tag

    inventory = Inventory.objects.get(account=account_a, is_default=True)
    category = api_a.post(
        reverse("api:category-list"), {"inventory": inventory.pk, "name": "Kuchnia"}, format="json"
    ).json()
    child = api_a.post(
        reverse("api:category-list"),
        {"inventory": inventory.pk, "parent": category["id"], "name": "Kubki"},
        format="json",
    )
    assert child.status_code == 201, child.json()
    tag = api_a.post(reverse("api:tag-list"), {"name": "nowość"}, format="json").json()
    assert api_a.post(reverse("api:tag-list"), {"name": "nowość"}, format="json").status_code == 400
    maker = api_a.post(reverse("api:manufacturer-list"), {"name": "Ćmielów"}, format="json").json()
    part = api_a.post(
        reverse("api:product-list"), {"inventory": inventory.pk, "sku": "PART"}, format="json"
    ).json()
    response = api_a.post(
        reverse("api:product-list"),
        {
            "inventory": inventory.pk,
            "sku": "SET",
            "is_bundle": True,
            "category": child.json()["id"],
            "manufacturer": maker["id"],
            "tags": [tag["id"]],
            "images": [{"url": "https://img.example.test/a.jpg"}, {"url": "https://img.example.test/b.jpg"}],
            "components": [{"component": part["id"], "quantity": 4}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["tags"] == [tag["id"]] and body["manufacturer"] == maker["id"]
    assert [i["url"][-5:] for i in body["images"]] == ["a.jpg", "b.jpg"]
    assert body["components"] == [{"component": part["id"], "quantity": 4}]
    filtered = api_a.get(reverse("api:product-list"), {"tags": tag["id"]}).json()["results"]
    assert [p["sku"] for p in filtered] == ["SET"]
    # Another account's tag or category is not found, and a non-bundle has no components.
    foreign_tag = Tag.objects.create(account=account_b, name="obcy")
    foreign_category = Category.objects.create(account=account_b, name="obca")
    bad = api_a.post(
        reverse("api:product-list"),
        {
            "inventory": inventory.pk,
            "sku": "BAD",
            "tags": [foreign_tag.pk],
            "category": foreign_category.pk,
            "components": [{"component": part["id"], "quantity": 1}],
        },
        format="json",
    )
    assert bad.status_code == 400
    assert {"tags", "category"} <= set(bad.json()["errors"])
    # A category cannot move inside its own child.
    loop = api_a.patch(
        reverse("api:category-detail", args=[category["id"]]), {"parent": child.json()["id"]}, format="json"
    )
    assert loop.status_code == 400 and "parent" in loop.json()["errors"]
