"""See products: a visitor from the directory browses what a listed entry's integration shares, through
the shared catalog's selectors — never more than the sharing settings allow, prices only when the
provider shows them publicly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Category, Inventory, PriceGroup, Product
from catalog.services import product_save
from changes.origin import Origin
from connect import services
from tests.actors import admin_of
from tests.factories.connect import listed_publication, owner_tenant, provider_create

pytestmark = pytest.mark.django_db


def make_product(account, sku: str, name: str, *, category=None, price=None) -> Product:
    inventory = Inventory.objects.get(account=account, is_default=True)
    prices = [(inventory.default_price_group_id, Decimal(price))] if price is not None else None
    return product_save(
        actor=admin_of(account),
        product=Product(account=account, inventory=inventory, sku=sku, category=category),
        origin=Origin.system(),
        texts={inventory.default_language: {"name": name}},
        prices=prices,
    )


@pytest.fixture
def provider(account_a, user_a):
    return provider_create(account_a)[0]


def products_url(publication) -> str:
    return reverse("connect:directory-products", args=[publication.pk])


def test_a_visitor_sees_the_shared_products_without_prices(client_b, provider, account_a):
    make_product(account_a, "CHAIR-1", "Garden chair", price="49.90")
    listed = listed_publication(provider, show_products=True, show_prices=False)
    detail = client_b.get(reverse("connect:directory-detail", args=[listed.pk])).content.decode()
    assert "See products" in detail
    page = client_b.get(products_url(listed)).content.decode()
    assert "Garden chair" in page and "CHAIR-1" in page
    assert "49.90" not in page and "49,90" not in page and "Prices are shown once you are connected" in page


def test_prices_show_when_the_provider_shows_them_publicly(client_b, api_b, provider, account_a):
    make_product(account_a, "CHAIR-1", "Garden chair", price="49.90")
    listed = listed_publication(provider, show_products=True, show_prices=True)
    page = client_b.get(products_url(listed)).content.decode()
    assert "49.90" in page or "49,90" in page
    body = api_b.get(reverse("api:connect-directory-products", args=[listed.pk])).json()
    assert [(row["sku"], row["price"]) for row in body["results"]] == [("CHAIR-1", "49.90")]


def test_only_what_the_sharing_settings_allow(client_b, api_b, provider, account_a):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    garden = Category.objects.create(account=account_a, inventory=inventory, name="Garden")
    office = Category.objects.create(account=account_a, inventory=inventory, name="Office")
    make_product(account_a, "CHAIR-1", "Garden chair", category=garden)
    make_product(account_a, "DESK-1", "Office desk", category=office)
    services.provider_update(
        actor=owner_tenant(account_a),
        integration=provider,
        sharing_settings={"category_mode": "only", "categories": [garden]},
    )
    listed = listed_publication(provider, show_products=True)
    page = client_b.get(products_url(listed)).content.decode()
    assert "Garden chair" in page and "Office desk" not in page
    body = api_b.get(reverse("api:connect-directory-products", args=[listed.pk])).json()
    assert [row["sku"] for row in body["results"]] == ["CHAIR-1"] and body["results"][0]["price"] is None


def test_no_products_unless_the_provider_shows_them(client_b, api_b, provider, account_a):
    make_product(account_a, "CHAIR-1", "Garden chair")
    listed = listed_publication(provider, show_products=False)
    detail = client_b.get(reverse("connect:directory-detail", args=[listed.pk])).content.decode()
    assert "See products" not in detail
    assert client_b.get(products_url(listed)).status_code == 404
    assert api_b.get(reverse("api:connect-directory-products", args=[listed.pk])).status_code == 404


def test_an_integration_that_shares_no_products_has_none_to_show(client_b, account_a, user_a):
    orders_only = provider_create(account_a, products=False)[0]
    listed = listed_publication(orders_only, show_products=True)
    assert client_b.get(products_url(listed)).status_code == 404


def test_a_price_group_of_the_provider_only(client_b, provider, account_a):
    # The sharing price group is the provider's own: the preview never reads another account's prices.
    assert PriceGroup.objects.filter(account=account_a).exists()
    make_product(account_a, "CHAIR-1", "Garden chair", price="10.00")
    listed = listed_publication(provider, show_products=True, show_prices=True)
    rows = client_b.get(products_url(listed)).context["products"]
    assert [row.shared_price for row in rows] == [Decimal("10.00")]
