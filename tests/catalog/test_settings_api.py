"""The REST settings endpoints of the catalog save through the services the settings pages use: the same
rules, the same messages (a row still in use is refused saying what uses it)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import Category, Inventory, Warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def inventory(account_a):
    return Inventory.objects.get(account=account_a, is_default=True)


def test_a_catalogs_new_warehouse_list_without_its_default_takes_the_first_listed_one(api_a, inventory):
    outlet = api_a.post(reverse("api:warehouse-list"), {"name": "Outlet"}, format="json").json()

    response = api_a.patch(
        reverse("api:inventory-detail", args=[inventory.pk]), {"warehouses": [outlet["id"]]}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["warehouses"] == [outlet["id"]]
    assert response.json()["default_warehouse"] == outlet["id"]
    inventory.refresh_from_db()
    assert inventory.default_warehouse_id == outlet["id"]


def test_a_category_stays_in_its_catalog_and_moves_to_the_top_level(api_a, account_a, inventory):
    other = Inventory.objects.create(
        account=account_a,
        name="Outlet",
        languages=["en"],
        default_language="en",
        default_warehouse=inventory.default_warehouse,
        default_price_group=inventory.default_price_group,
    )
    top = api_a.post(reverse("api:category-list"), {"inventory": inventory.pk, "name": "Home"}, format="json")
    mugs = api_a.post(
        reverse("api:category-list"),
        {"inventory": inventory.pk, "parent": top.json()["id"], "name": "Mugs"},
        format="json",
    )
    assert (top.status_code, mugs.status_code) == (201, 201)
    url = reverse("api:category-detail", args=[mugs.json()["id"]])

    moved = api_a.patch(url, {"inventory": other.pk, "parent": None}, format="json")
    assert moved.status_code == 400
    assert moved.json()["errors"]["inventory"] == ["A category cannot move to another catalog."]

    lifted = api_a.patch(url, {"parent": None}, format="json")
    assert lifted.status_code == 200 and lifted.json()["parent"] is None
    assert Category.objects.get(pk=mugs.json()["id"]).inventory_id == inventory.pk


def test_deleting_a_category_takes_its_subcategories_as_on_the_page(api_a, account_a, inventory):
    top = Category.objects.create(account=account_a, inventory=inventory, name="Home")
    Category.objects.create(account=account_a, inventory=inventory, parent=top, name="Mugs")

    assert api_a.delete(reverse("api:category-detail", args=[top.pk])).status_code == 204
    assert not Category.objects.filter(account=account_a).exists()


def test_a_warehouse_a_catalog_still_uses_is_refused_naming_it_and_stays(api_a, account_a, inventory):
    annex = Warehouse.objects.create(account=account_a, name="Annex")
    Inventory.objects.create(
        account=account_a,
        name="Outlet",
        languages=["en"],
        default_language="en",
        default_warehouse=annex,
        default_price_group=inventory.default_price_group,
    )

    response = api_a.delete(reverse("api:warehouse-detail", args=[annex.pk]))

    assert response.status_code == 400
    assert "catalogs" in response.json()["errors"]["non_field_errors"][0]
    assert Warehouse.objects.filter(pk=annex.pk).exists()


def test_the_default_price_group_is_refused_with_the_pages_message(api_a, inventory):
    response = api_a.delete(reverse("api:pricegroup-detail", args=[inventory.default_price_group_id]))
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"] == ["The default one cannot be deleted."]
