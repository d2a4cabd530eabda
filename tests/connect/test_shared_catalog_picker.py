"""Adding order lines from a supplier's shared catalog: the picker suggests them, and a line keeps its
reference to the supplier's product (and uses the account's own linked product when there is one)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Inventory, PriceGroup, Product
from changes.origin import Origin
from connect import services
from connect.imports import connect_import_create, connect_import_job_run
from orders.models import OrderLine
from orders.services import order_create
from tests.connect.shared_setup import shared_catalog_setup
from tests.factories.connect import owner_tenant


@pytest.fixture
def shared(account_a, account_b):
    return shared_catalog_setup(account_a, account_b)


@pytest.fixture
def order_b(account_b):
    return order_create(
        account=account_b,
        lines=[{"name": "Gift wrap", "quantity": 1, "price_brutto": Decimal("0")}],
        origin=Origin.system(),
        currency="PLN",  # the supplier's (shared_catalog_setup) — prices are never converted
    )


def test_suggestions_include_the_suppliers_shared_products(shared, client_b):
    body = client_b.get(reverse("orders:product-suggest"), {"line-product": "drill"}).content.decode()

    # Picked, the field shows the name and SKU; the key goes back with the form.
    assert f'data-key="connect:{shared.contractor_integration.pk}:{shared.drill.pk}"' in body
    assert 'data-label="Cordless drill (DRILL-1)"' in body and 'data-price="100.00"' in body
    option = body.split(f'data-key="connect:{shared.contractor_integration.pk}:{shared.drill.pk}"')[1]
    option = option.split("</li>")[0]
    assert "Cordless drill" in option and "DRILL-1" in option and "12 in stock" in option
    assert "My supplier (Connect)" in option
    assert (
        "Unshared prototype"
        not in client_b.get(reverse("orders:product-suggest"), {"line-product": "prototype"}).content.decode()
    )


def test_a_line_from_the_shared_catalog_keeps_the_suppliers_product(shared, account_b, client_b, order_b):
    services.contractor_update(
        actor=owner_tenant(account_b),
        integration=shared.contractor_integration,
        price_multiplier=Decimal("1.5"),
    )
    response = client_b.post(
        reverse("orders:order-action", args=[order_b.pk, "line-add"]),
        {
            "line-product": f"connect:{shared.contractor_integration.pk}:{shared.saw.pk}",
            "line-quantity": "2",
        },
    )

    assert response.status_code in (200, 302)
    line = OrderLine.objects.get(order=order_b, storage="connect")
    assert line.storage == "connect" and line.storage_id == shared.contractor_integration.pk
    assert line.external_product_id == shared.saw.pk and line.product is None
    assert line.name == "Garden saw" and line.sku == "SAW-1" and line.price_brutto == Decimal("30.00")


def test_the_new_order_form_takes_a_shared_product_picked_by_its_key(shared, account_b, client_b):
    response = client_b.post(
        reverse("orders:order-create"),
        {
            "source": account_b.order_sources.get().pk,
            "currency": "PLN",
            "delivery_price": "0",
            "star": "0",
            "shop_order_id": "0",
            "line-0-product": "Garden saw (SAW-1)",
            "line-0-product_key": f"connect:{shared.contractor_integration.pk}:{shared.saw.pk}",
            "line-0-quantity": "3",
        },
    )

    assert response.status_code == 302
    line = OrderLine.objects.get(order__account=account_b)
    assert (line.storage, line.storage_id, line.external_product_id) == (
        "connect",
        shared.contractor_integration.pk,
        shared.saw.pk,
    )
    assert (line.name, line.sku, line.quantity, line.price_brutto) == (
        "Garden saw",
        "SAW-1",
        3,
        Decimal("20.00"),
    )


def test_a_picked_shared_product_no_longer_shared_is_refused_on_the_form(
    shared, account_a, account_b, client_b
):
    services.contractor_set_state(actor=owner_tenant(account_a), link=shared.link, state="blocked")
    response = client_b.post(
        reverse("orders:order-create"),
        {
            "source": account_b.order_sources.get().pk,
            "currency": "PLN",
            "delivery_price": "0",
            "star": "0",
            "shop_order_id": "0",
            "line-0-product": "Garden saw (SAW-1)",
            "line-0-product_key": f"connect:{shared.contractor_integration.pk}:{shared.saw.pk}",
            "line-0-quantity": "1",
        },
    )

    assert response.status_code == 200
    assert "This product is no longer available" in response.content.decode()
    assert not OrderLine.objects.filter(order__account=account_b).exists()


def test_a_line_for_a_linked_product_uses_the_own_product_and_still_names_the_suppliers(
    shared, account_b, api_b, order_b
):
    saved = connect_import_create(
        actor=owner_tenant(account_b),
        integration=shared.contractor_integration,
        inventory=Inventory.objects.get(account=account_b, is_default=True),
        scope="products",
        product_ids=[shared.saw.pk],
    )
    connect_import_job_run(job_id=saved.last_job_id)
    mine = Product.objects.get(account=account_b, sku="SAW-1")

    response = api_b.post(
        reverse("api:orderline-list"),
        {
            "order": order_b.pk,
            "external_product": shared.saw.pk,
            "storage": "connect",
            "storage_id": shared.contractor_integration.pk,
            "quantity": 1,
            "price_brutto": "25.00",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    line = OrderLine.objects.get(order=order_b, storage="connect")
    assert line.product_id == mine.pk and line.external_product_id == shared.saw.pk
    assert line.storage == "connect" and response.json()["external_product"] == shared.saw.pk


def test_the_api_refuses_a_product_that_is_not_shared(shared, account_a, api_b, order_b):
    services.contractor_set_state(actor=owner_tenant(account_a), link=shared.link, state="blocked")
    for product in (shared.saw, shared.secret):
        response = api_b.post(
            reverse("api:orderline-list"),
            {
                "order": order_b.pk,
                "external_product": product.pk,
                "storage": "connect",
                "storage_id": shared.contractor_integration.pk,
                "quantity": 1,
                "price_brutto": "1.00",
            },
            format="json",
        )
        assert response.status_code == 400 and "external_product" in response.json()["errors"]
    assert not OrderLine.objects.filter(order=order_b, storage="connect").exists()


def _order_in(account, currency: str, **line) -> dict:
    return {
        "source": account.order_sources.order_by("pk").first().pk,
        "currency": currency,
        "delivery_price": "0",
        "star": "0",
        "shop_order_id": "0",
        **{f"line-0-{name}": value for name, value in line.items()},
    }


def test_a_suppliers_price_in_another_currency_is_never_taken_as_the_orders(shared, account_b, client_b):
    supplier_currency = shared.retail.currency
    other = "USD" if supplier_currency != "USD" else "GBP"
    key = f"connect:{shared.contractor_integration.pk}:{shared.saw.pk}"
    suggestions = client_b.get(reverse("orders:product-suggest"), {"line-product": "saw"}).content.decode()
    assert f'data-currency="{supplier_currency}"' in suggestions

    refused = client_b.post(
        reverse("orders:order-create"),
        _order_in(account_b, other, product="Garden saw (SAW-1)", product_key=key, quantity="1"),
    )

    assert refused.status_code == 200
    assert f"Give the price in {other}: the catalog price is" in refused.content.decode()
    assert not OrderLine.objects.filter(order__account=account_b).exists()

    taken = client_b.post(
        reverse("orders:order-create"),
        _order_in(
            account_b, other, product="Garden saw (SAW-1)", product_key=key, quantity="1", price_brutto="7.50"
        ),
    )

    assert taken.status_code == 302
    line = OrderLine.objects.get(order__account=account_b)
    assert (line.order.currency, line.price_brutto, line.external_product_id) == (
        other,
        Decimal("7.50"),
        shared.saw.pk,
    )


def test_an_own_catalog_price_in_another_currency_is_not_taken_either(shared, account_a, client_a):
    own_currency = shared.retail.currency
    other = "USD" if own_currency != "USD" else "GBP"
    response = client_a.post(
        reverse("orders:order-create"),
        _order_in(account_a, other, product="SAW-1", product_key=f"product:{shared.saw.pk}", quantity="1"),
    )

    assert response.status_code == 200
    assert f"Give the price in {other}: the catalog price is" in response.content.decode()
    same = client_a.post(
        reverse("orders:order-create"),
        _order_in(
            account_a, own_currency, product="SAW-1", product_key=f"product:{shared.saw.pk}", quantity="1"
        ),
    )
    assert same.status_code == 302
    assert OrderLine.objects.get(order__account=account_a).price_brutto > 0


def test_a_multiplier_into_a_price_group_of_the_orders_currency_gives_the_price(shared, account_b, client_b):
    euros = PriceGroup.objects.create(account=account_b, name="Retail EUR", currency="EUR")
    services.contractor_update(
        actor=owner_tenant(account_b),
        integration=shared.contractor_integration,
        price_multiplier=Decimal("0.25"),
        price_group=euros,
    )
    key = f"connect:{shared.contractor_integration.pk}:{shared.saw.pk}"
    suggestions = client_b.get(reverse("orders:product-suggest"), {"line-product": "saw"}).content.decode()
    assert 'data-price="5.00" data-currency="EUR"' in suggestions

    response = client_b.post(
        reverse("orders:order-create"),
        _order_in(account_b, "EUR", product="Garden saw (SAW-1)", product_key=key, quantity="2"),
    )

    assert response.status_code == 302
    line = OrderLine.objects.get(order__account=account_b)
    assert (line.order.currency, line.price_brutto) == ("EUR", Decimal("5.00"))
