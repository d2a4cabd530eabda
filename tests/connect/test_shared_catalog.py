"""The shared catalog's selectors: exactly what the sharing settings and the contractor's range allow,
and nothing while the link is not open."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404

from catalog.models import ExtraField
from connect import services
from connect.shared_catalog import (
    shared_catalog_get,
    shared_catalogs_for,
    shared_product_get,
    shared_product_list,
)
from tests.connect.shared_setup import link_update, shared_catalog_setup, sharing_update
from tests.factories.connect import owner_tenant


@pytest.fixture
def shared(account_a, account_b):
    return shared_catalog_setup(account_a, account_b)


def _catalog(shared, account_b):
    return shared_catalog_get(account=account_b, pk=shared.contractor_integration.pk)


def _skus(queryset) -> set[str]:
    return set(queryset.values_list("sku", flat=True))


def test_the_contractor_sees_the_shared_catalogs_main_products_with_name_stock_and_price(shared, account_b):
    catalog = _catalog(shared, account_b)

    products = {p.sku: p for p in shared_product_list(catalog)}

    assert set(products) == {"DRILL-1", "SAW-1", "KIT-1"}
    drill = products["DRILL-1"]
    assert drill.shared_name == "Cordless drill"
    assert drill.shared_stock == 12 and drill.shared_price == Decimal("100.00")
    assert drill.variant_count == 2
    assert drill.shared_image == "https://img.example/drill-1.jpg"
    assert catalog.label == "My supplier (Connect)"
    assert [c.pk for c in shared_catalogs_for(account=account_b)] == [catalog.pk]


def test_a_product_page_shows_variants_bundle_components_and_only_the_passed_extra_field(shared, account_b):
    catalog = _catalog(shared, account_b)

    drill = shared_product_get(catalog, pk=shared.drill.pk)
    kit = shared_product_get(catalog, pk=shared.kit.pk)

    assert drill.name == "Cordless drill" and drill.description == "Strong 18V drill"
    assert drill.features == [("Voltage", "18V")]
    assert [v.sku for v in drill.variants] == ["DRILL-1-RED", "DRILL-1-BLUE"]
    assert len(drill.images) == 2 and drill.category == "Drills" and drill.tags == ["promo"]
    colour = ExtraField.objects.get(account=account_b, name="Colour")
    assert drill.extra_fields == {colour.pk: "yellow"}  # "Margin note" is not passed
    assert [(c.sku, q) for c, q in kit.components] == [("DRILL-1", 1), ("SAW-1", 2)]


def test_descriptions_parameters_and_images_follow_the_sharing_settings(shared, account_b):
    sharing_update(shared, descriptions=False, parameters=False, images="first")
    catalog = _catalog(shared, account_b)

    drill = shared_product_get(catalog, pk=shared.drill.pk)

    assert drill.description == "" and drill.features == []
    assert drill.images == ["https://img.example/drill-1.jpg"]
    sharing_update(shared, images="none")
    assert shared_product_get(_catalog(shared, account_b), pk=shared.drill.pk).images == []


def test_texts_come_only_in_the_shared_language(shared, account_b):
    sharing_update(shared, language="pl")
    catalog = _catalog(shared, account_b)

    names = {p.sku: p.shared_name for p in shared_product_list(catalog)}

    assert names["DRILL-1"] == "Wiertarka"
    assert names["SAW-1"] == ""  # no Polish text: the English one is not shown instead
    assert shared_product_get(catalog, pk=shared.saw.pk).name == "SAW-1"
    assert not shared_product_list(catalog, search="Garden").exists()


def test_categories_only_and_except_include_subcategories(shared, account_b):
    sharing_update(shared, category_mode="only", categories=[shared.tools])
    assert _skus(shared_product_list(_catalog(shared, account_b))) == {"DRILL-1"}
    sharing_update(shared, category_mode="except", categories=[shared.tools])
    assert _skus(shared_product_list(_catalog(shared, account_b))) == {"SAW-1", "KIT-1"}


def test_tags_limit_the_shared_products(shared, account_b):
    sharing_update(shared, tags=[shared.promo])
    assert _skus(shared_product_list(_catalog(shared, account_b), variants=True)) == {
        "DRILL-1",
        "DRILL-1-RED",
        "DRILL-1-BLUE",
    }


def test_the_contractors_range_narrows_what_it_sees(shared, account_b):
    link_update(shared, range_mode="categories", range_categories=[shared.garden])
    catalog = _catalog(shared, account_b)
    assert _skus(shared_product_list(catalog)) == {"SAW-1", "KIT-1"}
    with pytest.raises(Http404):
        shared_product_get(catalog, pk=shared.drill.pk)

    link_update(shared, range_mode="products", range_products=[shared.drill_red])
    assert _skus(shared_product_list(_catalog(shared, account_b), variants=True)) == {
        "DRILL-1",
        "DRILL-1-RED",
    }


def test_prices_come_from_the_links_price_group_and_are_hidden_without_one(shared, account_b):
    link_update(shared, price_group=shared.wholesale)
    drill = shared_product_get(_catalog(shared, account_b), pk=shared.drill.pk)
    assert drill.price == Decimal("80.00")
    saw = shared_product_get(_catalog(shared, account_b), pk=shared.saw.pk)
    assert saw.price is None  # no wholesale price: the retail one is not shown instead

    link_update(shared, price_group=None)
    sharing_update(shared, price_group=None)
    catalog = _catalog(shared, account_b)
    assert not catalog.shows_prices
    assert {p.shared_price for p in shared_product_list(catalog)} == {None}


def test_stock_is_zero_for_all_while_the_credit_is_under_block_stock_below(shared, account_a, account_b):
    tenant = owner_tenant(account_a)
    services.credit_settings_update(
        actor=tenant,
        link=shared.link,
        credit_limit=Decimal("100"),
        credit_currency="EUR",
        block_stock_below=Decimal("50"),
    )
    assert {p.shared_stock for p in shared_product_list(_catalog(shared, account_b))} != {0}
    services.credit_adjust(actor=tenant, link=shared.link, amount="-60", description="order")

    catalog = _catalog(shared, account_b)

    assert catalog.stock_blocked
    assert {p.shared_stock for p in shared_product_list(catalog, variants=True)} == {0}


def test_another_catalog_of_the_provider_is_never_reachable(shared, account_b):
    with pytest.raises(Http404):
        shared_product_get(_catalog(shared, account_b), pk=shared.secret.pk)


@pytest.mark.parametrize("close", ["block", "disconnect", "delete_provider"])
def test_a_closed_link_opens_nothing(shared, account_a, account_b, close):
    if close == "block":
        services.contractor_set_state(actor=owner_tenant(account_a), link=shared.link, state="blocked")
    elif close == "disconnect":
        services.integration_disconnect(
            actor=owner_tenant(account_b), integration=shared.contractor_integration
        )
    else:
        services.integration_delete(actor=owner_tenant(account_a), integration=shared.provider)

    with pytest.raises(Http404):
        _catalog(shared, account_b)
    assert shared_catalogs_for(account=account_b) == []


def test_an_unrelated_account_gets_nothing(shared, account_a):
    with pytest.raises(Http404):
        shared_catalog_get(account=account_a, pk=shared.contractor_integration.pk)


def test_many_products_read_at_once_are_each_what_one_read_shows_in_a_fixed_number_of_queries(
    shared, account_b
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from connect.shared_catalog import shared_products_get

    catalog = _catalog(shared, account_b)
    wanted = [shared.kit.pk, shared.drill.pk, shared.secret.pk, shared.drill_red.pk, shared.saw.pk]

    with CaptureQueriesContext(connection) as one:
        shared_products_get(catalog, ids=[shared.kit.pk])
    with CaptureQueriesContext(connection) as many:
        items = shared_products_get(catalog, ids=wanted)

    assert [item.product.pk for item in items] == sorted(item.product.pk for item in items)
    by_sku = {item.product.sku: item for item in items}
    assert set(by_sku) == {"DRILL-1", "DRILL-1-RED", "SAW-1", "KIT-1"}  # the unshared one is left out
    for sku, item in by_sku.items():
        single = shared_product_get(catalog, pk=item.product.pk)
        assert (item.name, item.description, item.features, item.extra_fields, item.images) == (
            single.name,
            single.description,
            single.features,
            single.extra_fields,
            single.images,
        ), sku
        assert (item.stock, item.price, item.tags, item.category, item.manufacturer) == (
            single.stock,
            single.price,
            single.tags,
            single.category,
            single.manufacturer,
        ), sku
        assert [v.pk for v in item.variants] == [v.pk for v in single.variants]
        assert [(c.pk, q) for c, q in item.components] == [(c.pk, q) for c, q in single.components]
        assert (item.parent.pk if item.parent else None) == (single.parent.pk if single.parent else None)
    assert by_sku["DRILL-1-RED"].parent.pk == shared.drill.pk
    assert len(many.captured_queries) <= len(one.captured_queries) + 2  # variants and parents: once each
