"""The catalog's services decide who may write: members work with products, stock and prices; only admins
change catalog settings or delete products — whichever way the call comes in."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import Role
from accounts.tenancy import Tenant
from catalog import bulk, services
from catalog.imports import import_csv
from catalog.models import (
    Category,
    ExtraField,
    Inventory,
    Manufacturer,
    PriceGroup,
    Product,
    Stock,
    Tag,
    Warehouse,
)
from tests.factories import ApiTokenFactory
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(account_a, member_user):
    return Tenant(account=account_a, role=Role.MEMBER, user=member_user)


@pytest.fixture
def admin(account_a, user_a):
    return Tenant(account=account_a, role=Role.ADMIN, user=user_a)


@pytest.fixture
def inventory(account_a):
    return Inventory.objects.get(account=account_a, is_default=True)


@pytest.fixture
def product(inventory, admin):
    return services.product_write(
        actor=admin, inventory=inventory, origin=TEST_ORIGIN, fields={"sku": "MUG-1"}
    )


def test_a_member_writes_products_stock_and_prices(member, inventory, product):
    services.product_write(
        actor=member,
        inventory=inventory,
        origin=TEST_ORIGIN,
        product=product,
        stock={inventory.default_warehouse_id: 4},
    )
    bulk.price_set_many(
        actor=member, rows=[(product.pk, inventory.default_price_group_id, "9.99")], origin=TEST_ORIGIN
    )
    report = import_csv(
        actor=member, inventory=inventory, fileobj=io.BytesIO(b"sku,name\nMUG-2,Mug\n"), origin=TEST_ORIGIN
    )

    assert Stock.objects.get(product=product).quantity == 4
    assert str(product.prices.get().amount) == "9.99"
    assert report.created == 1


def _settings_and_products(inventory) -> tuple:
    models = (Warehouse, PriceGroup, Manufacturer, Tag, ExtraField, Inventory, Category, Product)
    return (
        *(model.objects.filter(account=inventory.account).count() for model in models),
        Inventory.objects.get(pk=inventory.pk).languages,
    )


@pytest.mark.parametrize(
    "write",
    [
        lambda actor, inventory, product: services.warehouse_save(actor=actor, name="Annex"),
        lambda actor, inventory, product: services.price_group_save(actor=actor, name="B2B"),
        lambda actor, inventory, product: services.manufacturer_save(actor=actor, name="Polmet"),
        lambda actor, inventory, product: services.tag_save(actor=actor, name="sale"),
        lambda actor, inventory, product: services.extra_field_save(actor=actor, name="Material"),
        lambda actor, inventory, product: services.inventory_save(actor=actor, name="Outlet"),
        lambda actor, inventory, product: services.inventory_save(
            actor=actor, inventory=inventory, languages=["en", "de"]
        ),
        lambda actor, inventory, product: services.category_save(
            actor=actor, inventory=inventory.pk, name="Mugs"
        ),
        lambda actor, inventory, product: services.warehouse_delete(
            actor=actor, warehouse=Warehouse.objects.get(account=actor.account, name="Old")
        ),
        lambda actor, inventory, product: services.tag_delete(
            actor=actor, tag=Tag.objects.get(account=actor.account, name="old")
        ),
        lambda actor, inventory, product: services.manufacturer_delete(
            actor=actor, manufacturer=Manufacturer.objects.get(account=actor.account, name="Old")
        ),
        lambda actor, inventory, product: services.category_delete(
            actor=actor, category=Category.objects.get(account=actor.account, name="Old")
        ),
        lambda actor, inventory, product: services.product_delete(
            actor=actor, product=product, origin=TEST_ORIGIN
        ),
        lambda actor, inventory, product: bulk.products_purge(actor=actor, origin=TEST_ORIGIN),
    ],
    ids=[
        "warehouse",
        "price group",
        "manufacturer",
        "tag",
        "extra field",
        "new catalog",
        "catalog languages",
        "category",
        "warehouse delete",
        "tag delete",
        "manufacturer delete",
        "category delete",
        "product delete",
        "products purge",
    ],
)
def test_a_member_may_not_change_settings_or_delete_products(member, admin, inventory, product, write):
    account = inventory.account
    Warehouse.objects.create(account=account, name="Old")
    Tag.objects.create(account=account, name="old")
    Manufacturer.objects.create(account=account, name="Old")
    Category.objects.create(account=account, name="Old")
    before = _settings_and_products(inventory)

    with pytest.raises(PermissionDenied):
        write(member, inventory, product)

    assert _settings_and_products(inventory) == before
    write(admin, inventory, product)
    assert _settings_and_products(inventory) != before


def test_rows_of_another_account_are_refused_even_for_an_admin(account_b, admin, inventory):
    inventory_b = Inventory.objects.get(account=account_b, is_default=True)
    theirs = Product.objects.create(account=account_b, inventory=inventory_b, sku="B-1")
    with pytest.raises(ValueError):
        services.product_save(actor=admin, product=theirs, origin=TEST_ORIGIN)
    with pytest.raises(ValueError):
        services.product_delete(actor=admin, product=theirs, origin=TEST_ORIGIN)
    with pytest.raises(ValueError):
        services.warehouse_delete(actor=admin, warehouse=inventory_b.default_warehouse)
    with pytest.raises(ValueError):
        services.product_write(actor=admin, inventory=inventory_b, origin=TEST_ORIGIN, fields={"sku": "X"})
    assert Product.objects.filter(pk=theirs.pk).exists()


def _member_token(account_a):
    from rest_framework.test import APIClient

    _token, secret = ApiTokenFactory.create_with_secret(account=account_a, role=Role.MEMBER)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api


def test_a_member_token_gets_a_clear_403_for_settings_and_deletes_and_writes_products(
    account_a, inventory, product
):
    api = _member_token(account_a)

    refused = [
        api.post(reverse("api:warehouse-list"), {"name": "Annex"}, format="json"),
        api.post(reverse("api:tag-list"), {"name": "sale"}, format="json"),
        api.patch(reverse("api:inventory-detail", args=[inventory.pk]), {"name": "X"}, format="json"),
        api.delete(reverse("api:product-detail", args=[product.pk])),
    ]
    allowed = api.patch(
        reverse("api:product-detail", args=[product.pk]),
        {"stock": [{"warehouse": inventory.default_warehouse_id, "quantity": 2}]},
        format="json",
    )

    assert [r.status_code for r in refused] == [403] * 4
    assert all("role" in r.json()["detail"] for r in refused)
    assert allowed.status_code == 200
    assert (
        not Warehouse.objects.filter(name="Annex").exists() and Product.objects.filter(pk=product.pk).exists()
    )
