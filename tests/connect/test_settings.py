"""Settings of both sides: switches fixed at creation, validation against the account's own rows,
contractors' range and state, status mappings."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.models import Category, Inventory, PriceGroup, Product, Tag, Warehouse
from connect import selectors, services
from connect.models import ContractorLink, StatusMapping
from orders.models import OrderStatus

pytestmark = pytest.mark.django_db


def inventory_of(account) -> Inventory:
    return Inventory.objects.get(account=account, is_default=True)


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_a_provider_chooses_its_settings_and_they_are_stored(account_a, tenant_a):
    inventory = inventory_of(account_a)
    category = Category.objects.create(account=account_a, inventory=inventory, name="Shoes")
    tag = Tag.objects.create(account=account_a, name="B2B")
    status = OrderStatus.objects.filter(account=account_a).order_by("position")[1]
    integration, code = services.provider_create(
        actor=tenant_a,
        display_name="Alpha B2B",
        code_name="shops",
        orders_enabled=True,
        products_enabled=True,
        order_settings={
            "target_status": status,
            "payment": "source",
            "delivery_cost": "zero",
            "overwrite_price": True,
            "match_inventory": inventory,
            "omit_unmatched": True,
            "additional_info": ["admin_comments", "extra_field_1"],
        },
        sharing_settings={
            "inventory": inventory,
            "category_mode": "only",
            "categories": [category],
            "tags": [tag],
            "language": inventory.default_language,
            "images": "first",
            "descriptions": False,
        },
    )
    orders = integration.order_settings
    assert orders.target_status == status and orders.payment == "source" and orders.delivery_cost == "zero"
    # Matching in a catalog without a warehouse / price group takes that catalog's defaults.
    assert orders.source_warehouse == inventory.default_warehouse
    assert orders.price_group == inventory.default_price_group
    sharing = integration.sharing_settings
    assert list(sharing.categories.all()) == [category] and list(sharing.tags.all()) == [tag]
    assert sharing.images == "first" and not sharing.descriptions
    assert len(code) == 28


def test_another_account_s_rows_do_not_exist(account_a, account_b, tenant_a):
    foreign = inventory_of(account_b)
    errors = errors_of(
        lambda: services.provider_create(
            actor=tenant_a,
            display_name="x",
            orders_enabled=True,
            products_enabled=True,
            order_settings={
                "target_status": OrderStatus.objects.filter(account=account_b).first(),
                "source_warehouse": Warehouse.objects.get(account=account_b),
            },
            sharing_settings={
                "inventory": foreign,
                "price_group": PriceGroup.objects.get(account=account_b),
                "tags": [Tag.objects.create(account=account_b, name="theirs")],
            },
        )
    )
    assert errors["orders.target_status"] == ["This status does not exist."]
    assert errors["orders.source_warehouse"] == ["This warehouse does not exist."]
    assert errors["sharing.inventory"] == ["This catalog does not exist."]
    assert errors["sharing.price_group"] == ["This price group does not exist."]
    assert errors["sharing.tags"] == ["This tag does not exist."]


def test_contradictory_sharing_choices_are_refused(account_a, tenant_a):
    for mode in ("only", "except"):
        errors = errors_of(
            lambda mode=mode: services.provider_create(
                actor=tenant_a,
                display_name="x",
                orders_enabled=False,
                products_enabled=True,
                sharing_settings={"category_mode": mode, "categories": []},
            )
        )
        assert "categories" in errors["sharing.categories"][0]
    errors = errors_of(
        lambda: services.provider_create(
            actor=tenant_a, display_name="x", orders_enabled=False, products_enabled=False
        )
    )
    assert "orders_enabled" in errors
    errors = errors_of(
        lambda: services.provider_create(
            actor=tenant_a,
            display_name="",
            orders_enabled=False,
            products_enabled=True,
            sharing_settings={"language": "xx"},
        )
    )
    assert "display_name" in errors and "sharing.language" in errors


def test_the_two_switches_are_fixed_after_creation(account_a, tenant_a):
    integration, _code = services.provider_create(
        actor=tenant_a, display_name="Orders only", orders_enabled=True, products_enabled=False
    )
    errors = errors_of(
        lambda: services.provider_update(actor=tenant_a, integration=integration, products_enabled=True)
    )
    assert "Create a new integration" in errors["products_enabled"][0]
    integration.refresh_from_db()
    assert not integration.products_enabled
    # Everything else can change.
    services.provider_update(
        actor=tenant_a,
        integration=integration,
        display_name="Renamed",
        order_settings={"payment": "paid", "shipments": False},
    )
    integration.refresh_from_db()
    assert integration.display_name == "Renamed"
    assert integration.order_settings.payment == "paid" and not integration.order_settings.shipments


def test_contractor_settings_are_validated_where_the_provider_offers_them(
    account_a, account_b, user_a, tenant_b
):
    from tests.factories.connect import provider_create

    _provider, code = provider_create(account_a, orders=True, products=True)
    errors = errors_of(
        lambda: services.integration_join(
            actor=tenant_b,
            code=code,
            client_ip=None,
            display_name="Alpha",
            settings={
                "overwrite_invoice": True,
                "invoice_company": "",
                "invoice_address": "",
                "price_sync": True,
                "stock_sync": True,
                "warehouse": Warehouse.objects.get(account=account_a),
                "price_multiplier": "0",
            },
        )
    )
    assert set(errors) >= {
        "invoice_company",
        "invoice_address",
        "price_group",
        "warehouse",
        "price_multiplier",
    }
    assert errors["warehouse"] == ["This warehouse does not exist."]
    assert not ContractorLink.objects.exists()
    # Defaults come from the contractor's company data.
    defaults = services.contractor_settings_defaults(account_b)
    assert defaults["invoice_company"] == "Beta Shop"


def test_the_provider_sets_a_contractor_s_range_and_price_group(pair, account_a, account_b, tenant_a):
    _provider, link = pair
    inventory = inventory_of(account_a)
    product = Product.objects.create(account=account_a, inventory=inventory, sku="A-1")
    errors = errors_of(
        lambda: services.contractor_link_update(actor=tenant_a, link=link, range_mode="products")
    )
    assert errors["range_products"] == ["Choose at least one product."]
    theirs = Product.objects.create(account=account_b, inventory=inventory_of(account_b), sku="B-1")
    errors = errors_of(
        lambda: services.contractor_link_update(
            actor=tenant_a, link=link, range_mode="products", range_products=[theirs]
        )
    )
    assert errors["range_products"] == ["This product does not exist."]
    group = PriceGroup.objects.create(account=account_a, name="Wholesale", currency="EUR")
    link = services.contractor_link_update(
        actor=tenant_a, link=link, range_mode="products", range_products=[product], price_group=group
    )
    assert list(link.range_products.all()) == [product] and link.price_group == group


def test_block_and_activate(pair, tenant_a, member_a):
    _provider, link = pair
    with pytest.raises(PermissionDenied):
        services.contractor_set_state(actor=member_a, link=link, state="blocked")
    link = services.contractor_set_state(actor=tenant_a, link=link, state="blocked")
    contractor = link.contractor_integration
    assert selectors.provider_integration_for_contractor(contractor_integration=contractor) is None
    summary = selectors.provider_summary_for_contractor(contractor_integration=contractor)
    assert summary.state == "blocked" and not summary.is_open and not summary.disconnected
    assert selectors.partner_status_list(link=link, account=contractor.account) == []
    link = services.contractor_set_state(actor=tenant_a, link=link, state="active")
    assert selectors.provider_integration_for_contractor(contractor_integration=contractor) is not None


def test_status_mappings_accept_only_the_two_sides_statuses(
    pair, account_a, account_b, account_c, tenant_a, tenant_b
):
    _provider, link = pair
    mine = OrderStatus.objects.filter(account=account_a).order_by("position")
    theirs = OrderStatus.objects.filter(account=account_b).order_by("position")
    strangers = OrderStatus.objects.filter(account=account_c).first()
    services.status_mappings_replace(
        actor=tenant_a, link=link, direction="send", pairs=[(mine[0], theirs[1]), (mine[4], theirs[4])]
    )
    services.status_mappings_replace(
        actor=tenant_b, link=link, direction="receive", pairs=[(theirs[4], mine[4])]
    )
    assert selectors.status_mapping_list(account=account_a, link=link).count() == 2
    assert selectors.status_mapping_list(account=account_b, link=link).count() == 1
    errors = errors_of(
        lambda: services.status_mapping_create(
            actor=tenant_a, link=link, direction="send", local_status=mine[1], remote_status=strangers
        )
    )
    assert errors["remote_status"] == ["This status does not exist."]
    errors = errors_of(
        lambda: services.status_mapping_create(
            actor=tenant_a, link=link, direction="send", local_status=mine[0], remote_status=theirs[2]
        )
    )
    assert "mapped already" in errors["local_status"][0]
    errors = errors_of(
        lambda: services.status_mappings_replace(
            actor=tenant_a, link=link, direction="send", pairs=[(mine[0], theirs[1]), (mine[0], theirs[2])]
        )
    )
    assert "pairs" in errors
    assert StatusMapping.objects.filter(account=account_a).count() == 2
