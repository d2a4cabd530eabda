"""Bulk stock and price setting: services, the JSON batch endpoints and the CSV stream endpoints."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.bulk import BulkItemErrors, price_set_many, stock_set_many
from catalog.models import Inventory, Price, PriceGroup, Product, Stock, Warehouse
from changes.origin import Origin
from tests.actors import admin_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_a(account_a):
    """Account A: three products (one with stock and a price already) in its default catalog."""
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    products = [
        Product.objects.create(account=account_a, inventory=inventory, sku=f"A-{i}") for i in range(3)
    ]
    Stock.objects.create(product=products[0], warehouse=inventory.default_warehouse, quantity=5)
    Price.objects.create(
        product=products[0], price_group=inventory.default_price_group, amount=Decimal("9.99")
    )
    return inventory, products


def _quantities(products, warehouse):
    return dict(
        Stock.objects.filter(product__in=products, warehouse=warehouse).values_list(
            "product__sku", "quantity"
        )
    )


def test_stock_set_many_updates_existing_rows_and_creates_missing_ones(shop_a, account_a):
    inventory, products = shop_a
    warehouse = inventory.default_warehouse

    result = stock_set_many(
        origin=Origin.system(),
        actor=admin_of(account_a),
        rows=[
            (products[0].pk, warehouse.pk, 12),
            (products[1].pk, warehouse.pk, 0),
            ("A-2", warehouse.pk, 3, inventory.pk),
        ],
    )

    assert (result.updated, result.created) == (1, 2)
    assert _quantities(products, warehouse) == {"A-0": 12, "A-1": 0, "A-2": 3}


def test_stock_set_many_reports_every_bad_item_and_writes_nothing(shop_a, account_a, account_b):
    inventory, products = shop_a
    warehouse = inventory.default_warehouse
    product_b = Product.objects.create(
        account=account_b, inventory=Inventory.objects.get(account=account_b, is_default=True), sku="B-1"
    )
    warehouse_b = Warehouse.objects.get(account=account_b, is_default=True)

    with pytest.raises(BulkItemErrors) as caught:
        stock_set_many(
            origin=Origin.system(),
            actor=admin_of(account_a),
            rows=[
                (products[0].pk, warehouse.pk, 50),  # fine on its own
                (products[1].pk, warehouse.pk, -1),
                (product_b.pk, warehouse.pk, 1),
                (products[1].pk, warehouse_b.pk, 1),
                ("NO-SUCH-SKU", warehouse.pk, 1, inventory.pk),
                ("A-2", warehouse.pk, 1),  # a SKU without a catalog
                (products[0].pk, warehouse.pk, 51),  # the same pair again
                (999_999_999, warehouse.pk, 1),
                (products[2].pk, warehouse.pk, "many"),
            ],
        )

    errors = caught.value.errors
    assert set(errors) == {1, 2, 3, 4, 5, 6, 7, 8}
    assert errors[1] == {"quantity": ["Stock cannot be negative."]}
    assert errors[2] == {"product_id": ["There is no such product in this account."]}
    assert errors[3] == {"warehouse_id": ["There is no such warehouse in this account."]}
    assert "sku" in errors[4] and "inventory_id" in errors[5]
    assert "item 0" in errors[6]["non_field_errors"][0]
    assert "product_id" in errors[7] and "quantity" in errors[8]
    assert _quantities(products, warehouse) == {"A-0": 5}
    assert not Stock.objects.filter(product=product_b).exists()


def test_price_set_many_sets_amounts_and_refuses_negative_or_fractional_cents(shop_a, account_a):
    inventory, products = shop_a
    group = inventory.default_price_group
    wholesale = PriceGroup.objects.create(account=account_a, name="Wholesale", currency="EUR")

    result = price_set_many(
        origin=Origin.system(),
        actor=admin_of(account_a),
        rows=[(products[0].pk, group.pk, "19.90"), (products[0].pk, wholesale.pk, Decimal("7.5"))],
    )
    assert (result.updated, result.created) == (1, 1)
    assert dict(Price.objects.filter(product=products[0]).values_list("price_group__name", "amount")) == {
        group.name: Decimal("19.90"),
        "Wholesale": Decimal("7.50"),
    }

    with pytest.raises(BulkItemErrors) as caught:
        price_set_many(
            origin=Origin.system(),
            actor=admin_of(account_a),
            rows=[(products[1].pk, group.pk, "-1"), (products[2].pk, group.pk, "1.001")],
        )
    assert caught.value.errors == {
        0: {"amount": ["A price cannot be negative."]},
        1: {"amount": ["At most 2 digits after the decimal point."]},
    }
    assert not Price.objects.filter(product__in=products[1:]).exists()


# --- JSON batch endpoints ----------------------------------------------------------------------------------


def test_stock_bulk_endpoint_sets_quantities_by_id_or_sku(api_a, shop_a):
    inventory, products = shop_a
    warehouse = inventory.default_warehouse

    response = api_a.post(
        reverse("api:stock-bulk"),
        {
            "items": [
                {"product_id": products[0].pk, "warehouse_id": warehouse.pk, "quantity": 8},
                {"sku": "A-1", "inventory_id": inventory.pk, "warehouse_id": warehouse.pk, "quantity": 2},
            ]
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {"updated": 1, "created": 1}
    assert _quantities(products, warehouse) == {"A-0": 8, "A-1": 2}


def test_stock_bulk_endpoint_accepts_a_bare_list(api_a, shop_a):
    inventory, products = shop_a
    items = [{"product_id": products[1].pk, "warehouse_id": inventory.default_warehouse.pk, "quantity": 4}]

    response = api_a.post(reverse("api:stock-bulk"), items, format="json")

    assert response.status_code == 200 and response.json() == {"updated": 0, "created": 1}


def test_stock_bulk_endpoint_refuses_1001_items(api_a, shop_a):
    inventory, products = shop_a
    item = {"product_id": products[0].pk, "warehouse_id": inventory.default_warehouse.pk, "quantity": 1}

    response = api_a.post(reverse("api:stock-bulk"), {"items": [item] * 1001}, format="json")

    assert response.status_code == 400
    assert "At most 1000 items" in response.json()["errors"]["items"][0]
    assert _quantities(products, inventory.default_warehouse) == {"A-0": 5}


def test_stock_bulk_endpoint_reports_per_item_errors_and_writes_nothing(api_a, shop_a, account_b):
    inventory, products = shop_a
    warehouse = inventory.default_warehouse
    product_b = Product.objects.create(
        account=account_b, inventory=Inventory.objects.get(account=account_b, is_default=True), sku="B-1"
    )
    items = [
        {"product_id": products[0].pk, "warehouse_id": warehouse.pk, "quantity": 1},
        {"product_id": products[1].pk, "warehouse_id": warehouse.pk, "quantity": -4},
        {"sku": "A-2", "warehouse_id": warehouse.pk, "quantity": 1},
        {"product_id": product_b.pk, "warehouse_id": warehouse.pk, "quantity": 1},
    ]

    first = api_a.post(reverse("api:stock-bulk"), {"items": items}, format="json")
    # Once the shape is right, references are checked: another account's product is not found.
    second = api_a.post(reverse("api:stock-bulk"), {"items": [items[0], items[3]]}, format="json")

    assert first.status_code == 400
    errors = first.json()["errors"]["items"]
    assert set(errors) == {"1", "2"}
    assert "quantity" in errors["1"] and "inventory_id" in errors["2"]
    assert second.status_code == 400
    assert second.json()["errors"] == {
        "items": {"1": {"product_id": ["There is no such product in this account."]}}
    }
    assert second.json()["error_count"] == 1
    assert _quantities(products, warehouse) == {"A-0": 5}
    assert not Stock.objects.filter(product=product_b).exists()


def test_price_bulk_endpoint(api_a, shop_a):
    inventory, products = shop_a
    group = inventory.default_price_group

    ok = api_a.post(
        reverse("api:price-bulk"),
        {"items": [{"product_id": products[1].pk, "price_group_id": group.pk, "amount": "25.00"}]},
        format="json",
    )
    negative = api_a.post(
        reverse("api:price-bulk"),
        {"items": [{"product_id": products[2].pk, "price_group_id": group.pk, "amount": "-3"}]},
        format="json",
    )

    assert ok.status_code == 200 and ok.json() == {"updated": 0, "created": 1}
    assert Price.objects.get(product=products[1]).amount == Decimal("25.00")
    assert negative.status_code == 400 and "amount" in negative.json()["errors"]["items"]["0"]
    assert not Price.objects.filter(product=products[2]).exists()


# --- CSV stream endpoints ----------------------------------------------------------------------------------


def test_stock_bulk_file_streams_a_csv_body(api_a, shop_a):
    inventory, products = shop_a
    warehouse = inventory.default_warehouse
    body = "product_id,warehouse_id,quantity\n" + "".join(
        f"{p.pk},{warehouse.pk},{i + 20}\n" for i, p in enumerate(products)
    )

    response = api_a.post(reverse("api:stock-bulk-file"), body.encode(), content_type="text/csv")

    assert response.status_code == 200, response.json()
    assert response.json() == {"updated": 1, "created": 2}
    assert _quantities(products, warehouse) == {"A-0": 20, "A-1": 21, "A-2": 22}


def test_stock_bulk_file_by_sku_and_as_a_multipart_file(api_a, shop_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    inventory, products = shop_a
    warehouse = inventory.default_warehouse
    upload = SimpleUploadedFile(
        "stock.csv", f"sku,inventory_id,warehouse_id,quantity\nA-1,{inventory.pk},{warehouse.pk},6\n".encode()
    )

    response = api_a.post(reverse("api:stock-bulk-file"), {"file": upload}, format="multipart")

    assert response.status_code == 200, response.json()
    assert _quantities(products, warehouse)["A-1"] == 6


def test_stock_bulk_file_reports_problems_by_line_and_writes_nothing(api_a, shop_a):
    inventory, products = shop_a
    warehouse = inventory.default_warehouse
    body = (
        "product_id,warehouse_id,quantity\n"
        f"{products[1].pk},{warehouse.pk},3\n"
        f"{products[2].pk},{warehouse.pk},-3\n"
        f"{products[0].pk},{warehouse.pk},lots\n"
    )

    response = api_a.post(reverse("api:stock-bulk-file"), body.encode(), content_type="text/csv")

    assert response.status_code == 400
    assert set(response.json()["errors"]["rows"]) == {"3", "4"}
    assert _quantities(products, warehouse) == {"A-0": 5}


def test_stock_bulk_file_needs_the_columns(api_a, shop_a):
    response = api_a.post(reverse("api:stock-bulk-file"), b"product,qty\n1,2\n", content_type="text/csv")

    assert response.status_code == 400
    assert "warehouse_id" in response.json()["errors"]["file"][0]


def test_stock_bulk_file_with_another_accounts_product_ids_is_refused(api_b, shop_a, account_b):
    inventory, products = shop_a
    warehouse_b = Warehouse.objects.get(account=account_b, is_default=True)
    body = "product_id,warehouse_id,quantity\n" + "".join(f"{p.pk},{warehouse_b.pk},99\n" for p in products)

    response = api_b.post(reverse("api:stock-bulk-file"), body.encode(), content_type="text/csv")

    assert response.status_code == 400
    assert response.json()["error_count"] == 3
    assert not Stock.objects.filter(warehouse=warehouse_b).exists()
    assert _quantities(products, inventory.default_warehouse) == {"A-0": 5}


def test_price_bulk_file(api_a, shop_a):
    inventory, products = shop_a
    group = inventory.default_price_group
    body = f"product_id,price_group_id,amount\n{products[2].pk},{group.pk},4.20\n"

    response = api_a.post(reverse("api:price-bulk-file"), body.encode(), content_type="text/csv")

    assert response.status_code == 200 and response.json() == {"updated": 0, "created": 1}
    assert Price.objects.get(product=products[2]).amount == Decimal("4.20")


def test_a_json_body_on_the_file_endpoint_is_told_what_to_send(api_a, shop_a):
    response = api_a.post(reverse("api:stock-bulk-file"), {"items": []}, format="json")

    assert response.status_code == 400 and "text/csv" in response.json()["errors"]["file"][0]


def test_numeric_and_unusual_skus_name_products_by_sku(api_a, shop_a, account_a):
    inventory, _products = shop_a
    warehouse = inventory.default_warehouse
    numeric = Product.objects.create(account=account_a, inventory=inventory, sku="12345")
    odd = Product.objects.create(account=account_a, inventory=inventory, sku="A\\B\tC")
    body = f"sku,inventory_id,warehouse_id,quantity\n12345,{inventory.pk},{warehouse.pk},4\n"

    by_file = api_a.post(reverse("api:stock-bulk-file"), body.encode(), content_type="text/csv")
    by_json = api_a.post(
        reverse("api:stock-bulk"),
        {
            "items": [
                {"sku": "A\\B\tC", "inventory_id": inventory.pk, "warehouse_id": warehouse.pk, "quantity": 9}
            ]
        },
        format="json",
    )

    assert by_file.status_code == 200 and by_json.status_code == 200, (by_file.json(), by_json.json())
    assert Stock.objects.get(product=numeric).quantity == 4
    assert Stock.objects.get(product=odd).quantity == 9
