"""Bad input on the catalog's API and pages is a message on its field, never a 500 — and what was
stored before the checks existed still shows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from catalog.api import WarehouseSerializer
from catalog.models import (
    BundleComponent,
    ExtraField,
    Inventory,
    PriceGroup,
    Product,
    ProductText,
    Stock,
    Warehouse,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def inventory(account_a):
    return Inventory.objects.get(account=account_a, is_default=True)


@pytest.fixture
def mug(account_a, inventory):
    product = Product.objects.create(account=account_a, inventory=inventory, sku="MUG")
    ProductText.objects.create(product=product, language=inventory.default_language, name="Kubek")
    return product


def _errors(response) -> dict:
    assert response.status_code == 400, response.content[:500]
    return response.json()["errors"]


# --- numbers -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", ["²", "٣", "1e20", "9" * 25, 10**12])
def test_stock_quantities_that_are_not_plain_digits_or_beyond_the_column_are_field_errors(
    api_a, inventory, mug, quantity
):
    response = api_a.patch(
        reverse("api:product-detail", args=[mug.pk]),
        {"stock": [{"warehouse": inventory.default_warehouse_id, "quantity": quantity}]},
        format="json",
    )
    assert "quantity" in _errors(response)["stock"]["0"]
    assert not Stock.objects.filter(product=mug).exists()


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1e400", "٣", "1" * 20])
def test_prices_that_are_not_finite_or_do_not_fit_the_column_are_field_errors(api_a, inventory, mug, amount):
    response = api_a.patch(
        reverse("api:product-detail", args=[mug.pk]),
        {"prices": [{"price_group": inventory.default_price_group_id, "amount": amount}]},
        format="json",
    )
    assert "amount" in _errors(response)["prices"]["0"]


@pytest.mark.parametrize("ref", ["²", "٣", "1e20", 10**19, "9" * 25, -1])
def test_ids_that_are_not_ids_are_field_errors_in_references_and_bulk_items(api_a, inventory, mug, ref):
    product = api_a.patch(reverse("api:product-detail", args=[mug.pk]), {"category": ref}, format="json")
    assert "category" in _errors(product)
    bulk = api_a.post(
        reverse("api:stock-bulk"),
        {"items": [{"product_id": ref, "warehouse_id": inventory.default_warehouse_id, "quantity": 1}]},
        format="json",
    )
    assert "product_id" in _errors(bulk)["items"]["0"]


def test_the_stock_grid_refuses_unicode_digits_with_a_message_and_saves_nothing(client_a, inventory, mug):
    url = reverse("catalog:product-grid", args=[mug.pk, "stock"])
    for value in ("²", "٣", "1" * 25):
        page = client_a.post(url, {f"v-{mug.pk}-{inventory.default_warehouse_id}": value}, follow=True)
        assert page.status_code == 200
        assert "A whole number is required." in page.content.decode() or "Too large." in page.content.decode()
    assert not Stock.objects.filter(product=mug).exists()
    client_a.post(url, {f"v-{mug.pk}-{inventory.default_warehouse_id}": " 7 "})
    assert Stock.objects.get(product=mug).quantity == 7


def test_the_csv_stock_batch_refuses_unicode_digit_ids_per_row(api_a, inventory, mug):
    body = f"product_id,warehouse_id,quantity\n{mug.pk},{inventory.default_warehouse_id},1\n²,1,1\n٣,1,1\n"
    response = api_a.generic("POST", reverse("api:stock-bulk-file"), body.encode(), content_type="text/csv")
    rows = _errors(response)["rows"]
    assert set(rows) == {"3", "4"} and all("product_id" in row for row in rows.values())


def test_bundle_component_form_refuses_ids_and_quantities_it_cannot_use(client_a, account_a, inventory, mug):
    bundle = Product.objects.create(account=account_a, inventory=inventory, sku="SET", is_bundle=True)
    url = reverse("catalog:product-components", args=[bundle.pk])
    for data in ({"remove": "²"}, {"remove": "1e20"}, {"component": "MUG", "quantity": "9" * 20}):
        page = client_a.post(url, data, follow=True)
        assert page.status_code == 200 and page.context["messages"]
    assert not bundle.components.exists()
    client_a.post(url, {"component": "MUG", "quantity": "2"})
    assert list(bundle.components.values_list("component__sku", "quantity")) == [("MUG", 2)]


# --- texts and JSON ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ({"extra_fields": [1, 2]}, "extra_fields"),
        ({"extra_fields": {"999999": "x"}}, "extra_fields"),
        ({"features": [1, 2]}, "features"),
        ({"features": [["Colour"]]}, "features"),
        ({"features": [["Colour", "a\u0000b"]]}, "features"),
        ({"name": "a\u0000b"}, "name"),
    ],
)
def test_product_texts_of_the_wrong_shape_or_with_nul_are_field_errors(api_a, inventory, mug, text, field):
    response = api_a.patch(
        reverse("api:product-detail", args=[mug.pk]),
        {"texts": [{"language": inventory.default_language, "name": "Kubek", **text}]},
        format="json",
    )
    assert field in _errors(response)["texts"]["0"]


def test_extra_field_values_are_keyed_by_the_accounts_extra_fields(api_a, account_a, inventory, mug):
    material = ExtraField.objects.create(account=account_a, name="Material")
    response = api_a.patch(
        reverse("api:product-detail", args=[mug.pk]),
        {
            "texts": [
                {"language": inventory.default_language, "extra_fields": {str(material.pk): "Porcelain"}}
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert ProductText.objects.get(product=mug).extra_fields == {str(material.pk): "Porcelain"}


def test_a_patch_whose_nested_rows_miss_their_key_is_a_field_error(api_a, mug):
    url = reverse("api:product-detail", args=[mug.pk])
    for nested, key in (("texts", "language"), ("stock", "warehouse"), ("prices", "price_group")):
        response = api_a.patch(url, {nested: [{"name": "x", "quantity": 1, "amount": "1"}]}, format="json")
        assert key in _errors(response)[nested]["0"]
    images = api_a.patch(url, {"images": [{"position": 1}]}, format="json")
    assert "url" in _errors(images)["images"]["0"]


def test_texts_stored_in_a_wrong_shape_before_the_checks_still_show(client_a, api_a, inventory, mug):
    ProductText.objects.filter(product=mug).update(
        features=["not a pair", ["Colour", "white"], 3], extra_fields=[1, 2]
    )
    page = client_a.get(reverse("catalog:product-detail", args=[mug.pk]))
    assert page.status_code == 200 and "Colour" in page.content.decode()
    assert client_a.get(reverse("catalog:product-edit", args=[mug.pk])).status_code == 200
    text = api_a.get(reverse("api:product-detail", args=[mug.pk])).json()["texts"][0]
    assert text["features"] == [["Colour", "white"]] and text["extra_fields"] == {}


# --- names unique in the account, rows in use ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("api:warehouse-list", {"name": "Depot"}),
        ("api:pricegroup-list", {"name": "Depot", "currency": "EUR"}),
        ("api:extrafield-list", {"name": "Depot", "kind": "short"}),
        ("api:manufacturer-list", {"name": "Depot"}),
        ("api:tag-list", {"name": "Depot"}),
    ],
)
def test_a_name_already_used_in_the_account_is_a_field_error(api_a, api_b, route, body):
    assert api_a.post(reverse(route), body, format="json").status_code == 201
    assert api_b.post(reverse(route), body, format="json").status_code == 201  # another account: fine
    assert _errors(api_a.post(reverse(route), body, format="json"))["name"] == ["This name is already used."]
    other = api_a.post(reverse(route), {**body, "name": "Other"}, format="json").json()
    renamed = api_a.patch(reverse(route.replace("-list", "-detail"), args=[other["id"]]), body, format="json")
    assert _errors(renamed)["name"] == ["This name is already used."]


def test_a_name_clash_lost_in_a_race_is_the_same_field_message(account_a):
    """Both requests pass the check; the second one's insert meets the unique constraint."""
    from config.integrity import unique_violation_errors

    serializer = WarehouseSerializer(data={"name": "Depot"}, context={"account": account_a})
    assert serializer.is_valid()
    Warehouse.objects.create(account=account_a, name="Depot")  # the other request wins meanwhile
    with pytest.raises(Exception) as raised:
        serializer.save(account=account_a)
    assert raised.value.detail == {"name": ["This name is already used."]}
    with pytest.raises(IntegrityError) as clash, transaction.atomic():
        PriceGroup.objects.create(account=account_a, name="Retail", currency="PLN")
    assert unique_violation_errors(clash.value, PriceGroup) == {"name": ["This name is already used."]}


def test_a_name_already_used_is_a_form_error_on_the_pages(client_a, account_a):
    for kind, data in (
        ("warehouses", {"name": "Main warehouse"}),
        ("price-groups", {"name": "Retail", "currency": "PLN"}),
        ("extra-fields", {"name": "Colour", "kind": "short"}),
    ):
        client_a.post(reverse("catalog:dictionary", args=[kind]), data)
        again = client_a.post(reverse("catalog:dictionary", args=[kind]), data)
        assert again.status_code == 200 and again.context["form"].errors["name"] == [
            "This name is already used."
        ]


def test_a_product_used_in_a_bundle_cannot_be_deleted(api_a, client_a, account_a, inventory, mug):
    bundle = Product.objects.create(account=account_a, inventory=inventory, sku="SET", is_bundle=True)
    BundleComponent.objects.create(bundle=bundle, component=mug, quantity=2)
    response = api_a.delete(reverse("api:product-detail", args=[mug.pk]))
    assert "SET" in _errors(response)["non_field_errors"][0]
    page = client_a.post(reverse("catalog:product-delete", args=[mug.pk]), follow=True)
    assert "SET" in page.content.decode()
    assert Product.objects.filter(pk=mug.pk).exists()
    variant = Product.objects.create(account=account_a, inventory=inventory, sku="MUG-RED", parent=mug)
    BundleComponent.objects.filter(component=mug).update(component=variant)
    assert api_a.delete(reverse("api:product-detail", args=[mug.pk])).status_code == 400
    BundleComponent.objects.all().delete()
    assert api_a.delete(reverse("api:product-detail", args=[mug.pk])).status_code == 204


def test_catalog_languages_may_not_repeat(api_a, inventory):
    response = api_a.patch(
        reverse("api:inventory-detail", args=[inventory.pk]),
        {"languages": ["pl", "en", "pl"], "default_language": "pl"},
        format="json",
    )
    assert "languages" in _errors(response)
    inventory.refresh_from_db()
    assert len(inventory.languages) == len(set(inventory.languages))


def test_the_bulk_endpoints_answer_options(api_a):
    for route in ("api:stock-bulk", "api:stock-bulk-file", "api:price-bulk", "api:price-bulk-file"):
        response = api_a.options(reverse(route))
        assert response.status_code == 200, route


def test_amounts_keep_working_with_plain_digits(api_a, inventory, mug):
    response = api_a.patch(
        reverse("api:product-detail", args=[mug.pk]),
        {
            "prices": [{"price_group": inventory.default_price_group_id, "amount": "12.50"}],
            "stock": [{"warehouse": inventory.default_warehouse_id, "quantity": "40"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert mug.prices.get().amount == Decimal("12.50") and mug.stock.get().quantity == 40
