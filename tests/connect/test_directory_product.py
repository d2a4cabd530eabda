"""See products → one product: a directory visitor opens a product a listed entry shares, read-only,
through the shared catalog's selectors — what the sharing settings let through, prices only when the
provider shows them publicly, and 404 for everything else."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from catalog.models import Category, Inventory, Product
from catalog.services import product_save
from changes.origin import Origin
from connect import directory, services
from tests.actors import admin_of
from tests.factories.connect import listed_publication, owner_tenant, provider_create

pytestmark = pytest.mark.django_db


def make_product(account, sku: str, name: str, *, inventory=None, parent=None, category=None, stock=None):
    inventory = inventory or Inventory.objects.get(account=account, is_default=True)
    return product_save(
        actor=admin_of(account),
        product=Product(account=account, inventory=inventory, sku=sku, parent=parent, category=category),
        origin=Origin.system(),
        texts={inventory.default_language: {"name": name}},
        stock=[(inventory.default_warehouse_id, stock)] if stock is not None else None,
    )


@pytest.fixture
def provider(account_a, user_a):
    return provider_create(account_a)[0]


@pytest.fixture
def chair(account_a):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    return product_save(
        actor=admin_of(account_a),
        product=Product(account=account_a, inventory=inventory, sku="CHAIR-1", ean="5901234123457"),
        origin=Origin.system(),
        texts={
            inventory.default_language: {
                "name": "Teak garden chair",
                "description": "Folding chair of oiled teak.",
                "features": [["Material", "teak"], ["Seat height", "45 cm"]],
            }
        },
        images=["/demo-images/chair-front.jpg", "/demo-images/chair-side.jpg"],
        stock=[(inventory.default_warehouse_id, 7)],
        prices=[(inventory.default_price_group_id, Decimal("49.90"))],
    )


def product_url(publication, product) -> str:
    return reverse("connect:directory-product", args=[publication.pk, product.pk])


def test_a_visitor_opens_a_product_from_the_list_and_sees_what_is_shared(client_b, provider, chair):
    listed = listed_publication(provider, show_products=True, show_prices=False)
    listing = client_b.get(reverse("connect:directory-products", args=[listed.pk])).content.decode()
    assert f'href="{product_url(listed, chair)}"' in listing

    response = client_b.get(product_url(listed, chair))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Teak garden chair" in page and "CHAIR-1" in page and "5901234123457" in page
    assert "Folding chair of oiled teak." in page
    assert "Seat height" in page and "45 cm" in page
    assert "/demo-images/chair-front.jpg" in page and "/demo-images/chair-side.jpg" in page
    assert "in stock" in page and ">7<" in page
    # Prices stay hidden: the provider does not show them publicly.
    assert "49.90" not in page and "49,90" not in page and "Shown once you are connected." in page
    # The way in is on the page: the visitor's owner can connect from here.
    assert 'id="connect-button"' in page and reverse("connect:directory-connect", args=[listed.pk]) in page


def test_the_price_shows_only_when_the_provider_shows_prices_publicly(client_b, provider, chair):
    listed = listed_publication(provider, show_products=True, show_prices=True)
    page = client_b.get(product_url(listed, chair)).content.decode()
    assert "49.90" in page or "49,90" in page
    assert "Shown once you are connected." not in page


def test_descriptions_parameters_and_images_follow_the_sharing_settings(client_b, provider, account_a, chair):
    services.provider_update(
        actor=owner_tenant(account_a),
        integration=provider,
        sharing_settings={"descriptions": False, "parameters": False, "images": "first"},
    )
    listed = listed_publication(provider, show_products=True)
    page = client_b.get(product_url(listed, chair)).content.decode()
    assert "Teak garden chair" in page
    assert "Folding chair of oiled teak." not in page and "Seat height" not in page
    assert "/demo-images/chair-front.jpg" in page and "/demo-images/chair-side.jpg" not in page

    services.provider_update(
        actor=owner_tenant(account_a), integration=provider, sharing_settings={"images": "none"}
    )
    page = client_b.get(product_url(listed, chair)).content.decode()
    assert "chair-front.jpg" not in page and 'id="product-images"' not in page


def test_a_product_the_entry_does_not_share_is_not_found(client_b, provider, account_a, account_b, chair):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    garden = Category.objects.create(account=account_a, inventory=inventory, name="Garden")
    office = Category.objects.create(account=account_a, inventory=inventory, name="Office")
    Product.objects.filter(pk=chair.pk).update(category=garden)
    desk = make_product(account_a, "DESK-1", "Office desk", category=office)
    private = Inventory.objects.create(
        account=account_a,
        name="Private",
        languages=["en"],
        default_language="en",
        default_warehouse=inventory.default_warehouse,
        default_price_group=inventory.default_price_group,
    )
    prototype = make_product(account_a, "PROTO-1", "Unreleased prototype", inventory=private)
    own = make_product(account_b, "MINE-1", "The visitor's own product")
    services.provider_update(
        actor=owner_tenant(account_a),
        integration=provider,
        sharing_settings={"category_mode": "only", "categories": [garden]},
    )
    listed = listed_publication(provider, show_products=True)

    assert client_b.get(product_url(listed, chair)).status_code == 200
    for product in (desk, prototype, own):
        response = client_b.get(product_url(listed, product))
        assert response.status_code == 404, product.sku
        assert product.sku not in response.content.decode()
    missing = reverse("connect:directory-product", args=[listed.pk, 2**31 - 1])
    assert client_b.get(missing).status_code == 404


def test_no_product_page_unless_the_entry_is_listed_and_shows_products(client_b, provider, account_a, chair):
    listed = listed_publication(provider, show_products=False)
    assert client_b.get(product_url(listed, chair)).status_code == 404

    listed = directory.publication_save(
        actor=owner_tenant(account_a), integration=provider, show_products=True
    )
    assert client_b.get(product_url(listed, chair)).status_code == 200
    staff = get_user_model().objects.create(email="staff@example.test", is_staff=True)
    directory.publication_unpublish(staff_user=staff, publication=listed, reason="Misleading text")
    assert client_b.get(product_url(listed, chair)).status_code == 404

    orders_only = provider_create(account_a, name="Orders only", products=False)[0]
    entry = listed_publication(orders_only, show_products=True)
    assert client_b.get(product_url(entry, chair)).status_code == 404


def test_variants_have_their_own_pages_linked_both_ways(client_b, provider, account_a):
    lamp = make_product(account_a, "LAMP-1", "Garden lamp", stock=3)
    black = make_product(account_a, "LAMP-1-BLACK", "Garden lamp black", parent=lamp, stock=2)
    listed = listed_publication(provider, show_products=True)

    page = client_b.get(product_url(listed, lamp)).content.decode()
    assert "Garden lamp black" in page and f'href="{product_url(listed, black)}"' in page
    variant = client_b.get(product_url(listed, black)).content.decode()
    assert "Variant" in variant and f'href="{product_url(listed, lamp)}"' in variant


def test_the_page_speaks_polish(client_b, provider, chair):
    listed = listed_publication(provider, show_products=True)
    page = client_b.get(product_url(listed, chair), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Wróć do produktów" in page and "Parametry" in page
