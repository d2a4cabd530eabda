"""The product list's selection and bulk actions: add or remove a tag, delete."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.tenancy import Tenant
from catalog.models import BundleComponent, Inventory, Product, ProductText, Tag
from catalog.services import products_delete
from tests.factories import MembershipFactory
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db


def _product(account, sku: str, name: str, parent=None) -> Product:
    inventory = Inventory.objects.get(account=account, is_default=True)
    product = Product.objects.create(account=account, inventory=inventory, sku=sku, parent=parent)
    ProductText.objects.create(product=product, language=inventory.default_language, name=name)
    return product


@pytest.fixture
def lamps(account_a):
    return [_product(account_a, f"LAMP-{n}", f"Lampka {n}") for n in range(1, 4)]


@pytest.fixture
def sale(account_a):
    return Tag.objects.create(account=account_a, name="Wyprzedaż")


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_the_list_has_a_select_all_box_and_tag_actions(client_a, lamps, sale):
    page = client_a.get(reverse("catalog:product-list")).content.decode()
    assert 'data-select-all="products"' in page
    assert page.count('name="products"') == 3
    assert f'value="tag-add:{sale.pk}"' in page and f'value="tag-remove:{sale.pk}"' in page
    assert "Delete selected" in page  # the owner may delete


def test_tagging_the_selected_products_and_taking_the_tag_away(client_a, lamps, sale):
    chosen = [lamps[0].pk, lamps[2].pk]
    response = client_a.post(
        reverse("catalog:product-bulk"),
        {"products": chosen, "action": f"tag-add:{sale.pk}", "next": reverse("catalog:product-list")},
        follow=True,
    )
    assert "Tag “Wyprzedaż” added to 2 products." in _messages(response)
    assert set(sale.products.values_list("pk", flat=True)) == set(chosen)
    assert response.content.decode().count('<span class="badge">Wyprzedaż</span>') == 2
    filtered = client_a.get(reverse("catalog:product-list"), {"tags": sale.pk}).content.decode()
    assert "Lampka 1" in filtered and "Lampka 3" in filtered and "Lampka 2" not in filtered
    # Adding again changes nothing; removing from all three takes it from the two that had it.
    response = client_a.post(
        reverse("catalog:product-bulk"), {"products": chosen, "action": f"tag-add:{sale.pk}"}, follow=True
    )
    assert "added to 0 products" in _messages(response)
    response = client_a.post(
        reverse("catalog:product-bulk"),
        {"products": [p.pk for p in lamps], "action": f"tag-remove:{sale.pk}"},
        follow=True,
    )
    assert "Tag “Wyprzedaż” removed from 2 products." in _messages(response)
    assert not sale.products.exists()


def test_nothing_selected_or_no_action_says_so(client_a, lamps, sale):
    response = client_a.post(reverse("catalog:product-bulk"), {"action": f"tag-add:{sale.pk}"}, follow=True)
    assert "Select products first." in _messages(response)
    response = client_a.post(reverse("catalog:product-bulk"), {"products": [lamps[0].pk]}, follow=True)
    assert "Choose an action." in _messages(response)
    response = client_a.post(reverse("catalog:product-bulk-delete"), {}, follow=True)
    assert "Select products first." in _messages(response)
    assert Product.objects.filter(pk__in=[p.pk for p in lamps]).count() == 3


def test_another_accounts_tag_or_product_is_not_found(client_a, lamps, account_b):
    foreign_tag = Tag.objects.create(account=account_b, name="Beta tag")
    foreign_product = _product(account_b, "BETA-1", "Beta lamp")
    response = client_a.post(
        reverse("catalog:product-bulk"), {"products": [lamps[0].pk], "action": f"tag-add:{foreign_tag.pk}"}
    )
    assert response.status_code == 404
    response = client_a.post(
        reverse("catalog:product-bulk-delete"), {"products": [lamps[0].pk, foreign_product.pk]}
    )
    assert response.status_code == 404
    response = client_a.post(reverse("catalog:product-bulk-delete"), {"products": ["not-an-id"]})
    assert response.status_code == 404
    assert Product.objects.filter(pk__in=[lamps[0].pk, foreign_product.pk]).count() == 2
    assert not foreign_tag.products.exists()


def test_deleting_the_selected_products_keeps_the_one_a_bundle_needs(client_a, account_a, lamps):
    variant = _product(account_a, "LAMP-1-RED", "Lampka 1 czerwona", parent=lamps[0])
    bundle = _product(account_a, "SET-1", "Zestaw")
    BundleComponent.objects.create(bundle=bundle, component=lamps[1], quantity=2)
    response = client_a.post(
        reverse("catalog:product-bulk-delete"),
        {"products": [lamps[0].pk, lamps[1].pk], "next": reverse("catalog:product-list")},
        follow=True,
    )
    shown = _messages(response)
    assert "1 product deleted." in shown
    assert "LAMP-2 not deleted: The product is a component of the bundle SET-1" in shown
    assert not Product.objects.filter(pk__in=[lamps[0].pk, variant.pk]).exists()
    assert Product.objects.filter(pk=lamps[1].pk).exists()


def test_a_bundle_deleted_with_its_component_takes_both(client_a, account_a, lamps):
    bundle = _product(account_a, "SET-1", "Zestaw")
    BundleComponent.objects.create(bundle=bundle, component=lamps[1], quantity=2)
    response = client_a.post(
        reverse("catalog:product-bulk-delete"), {"products": [bundle.pk, lamps[1].pk]}, follow=True
    )
    assert "2 products deleted." in _messages(response)
    assert not Product.objects.filter(pk__in=[bundle.pk, lamps[1].pk]).exists()


def test_a_member_tags_but_may_not_delete(client, account_a, lamps, sale):
    member = MembershipFactory(account=account_a, role="member")
    client.force_login(member.user)
    page = client.get(reverse("catalog:product-list")).content.decode()
    assert "Delete selected" not in page and 'data-select-all="products"' in page
    response = client.post(
        reverse("catalog:product-bulk"), {"products": [lamps[0].pk], "action": f"tag-add:{sale.pk}"}
    )
    assert response.status_code == 302 and sale.products.filter(pk=lamps[0].pk).exists()
    response = client.post(reverse("catalog:product-bulk-delete"), {"products": [lamps[0].pk]})
    assert response.status_code == 403
    assert Product.objects.filter(pk=lamps[0].pk).exists()
    # The service itself refuses too, whoever calls it.
    with pytest.raises(PermissionDenied):
        products_delete(
            actor=Tenant(account=account_a, role="member", user=member.user),
            product_ids=[lamps[0].pk],
            origin=TEST_ORIGIN,
        )
    assert Product.objects.filter(pk=lamps[0].pk).exists()
