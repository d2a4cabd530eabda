"""Clicking through both sides: generate a code, join with it, settings tabs, contractors, credit."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Inventory, PriceGroup, Warehouse
from connect import selectors
from connect.models import ConnectIntegration, ContractorLink, CreditEntry
from orders.models import OrderStatus
from tests.factories.accounts import MembershipFactory

pytestmark = pytest.mark.django_db


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def provider_form(account, **changes) -> dict:
    inventory = Inventory.objects.get(account=account, is_default=True)
    data = {
        "display_name": "Alpha for shops",
        "code_name": "EU shops",
        "orders_enabled": "on",
        "products_enabled": "on",
        "orders-target_status": OrderStatus.objects.filter(account=account).order_by("position").first().pk,
        "orders-payment": "unpaid",
        "orders-delivery_cost": "copy",
        "orders-shipments": "on",
        "sharing-inventory": inventory.pk,
        "sharing-category_mode": "all",
        "sharing-language": inventory.default_language,
        "sharing-source_warehouse": inventory.default_warehouse_id,
        "sharing-price_group": inventory.default_price_group_id,
        "sharing-images": "all",
        "sharing-descriptions": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def shown_code(html: str) -> str:
    return re.search(r'id="connection-code">([0-9A-Z-]+)<', html).group(1)


def login(account, role="owner") -> Client:
    client = Client()
    client.force_login(MembershipFactory(account=account, role=role).user)
    return client


def test_the_integrations_menu_leads_to_connect_and_wms(client_a):
    home = page(client_a.get(reverse("home")))
    assert reverse("connect:integration-list") in home
    listing = page(client_a.get(reverse("connect:integration-list")))
    assert "Generate a connection code" in listing and "I have a connection code" in listing
    assert reverse("wmsbridge:connection-list") in listing


def test_a_provider_and_a_contractor_click_through(client_a, account_a, account_b, user_b):
    response = client_a.post(reverse("connect:provider-create"), provider_form(account_a))
    integration = ConnectIntegration.objects.get(account=account_a)
    assert response.status_code == 302
    detail = page(client_a.get(response["Location"]))
    code = shown_code(detail)
    assert "Copy" in detail and "cannot be switched" not in detail  # the note is on the creation form
    assert "Fixed when the code was created" in detail

    shop = Client()
    shop.force_login(user_b)
    verify = page(shop.post(reverse("connect:join"), {"step": "verify", "code": code.lower()}))
    assert "Alpha Wholesale" in verify and "Alpha for shops" in verify
    assert 'name="invoice_company"' in verify and 'value="Beta Shop"' in verify  # prefilled company data
    joined = shop.post(
        reverse("connect:join"),
        {
            "step": "join",
            "code": code,
            "display_name": "Alpha (supplier)",
            "forwarding": "button",
            "price_multiplier": "1.30",
            "quantity_subtract": "0",
            "quantity_keep_percent": "0",
        },
    )
    assert joined.status_code == 302, joined.content.decode()[:3000]
    supplier = ConnectIntegration.objects.get(account=account_b)
    assert supplier.contractor_settings.price_multiplier == Decimal("1.30")
    tab = page(shop.get(joined["Location"]))
    assert "Alpha Wholesale" in tab and "Products" in tab and "Statuses" in tab
    for name in ("products", "prices", "stock"):
        page(shop.get(reverse("connect:supplier-tab", args=[supplier.pk, name])))
    warehouse = Warehouse.objects.get(account=account_b)
    saved = shop.post(
        reverse("connect:supplier-tab", args=[supplier.pk, "stock"]),
        {"stock_sync": "on", "warehouse": warehouse.pk},
    )
    assert saved.status_code == 302
    supplier.contractor_settings.refresh_from_db()
    assert supplier.contractor_settings.stock_sync and supplier.contractor_settings.warehouse == warehouse

    # The provider sees the contractor, sets a credit limit, records a payment and an adjustment.
    listing = page(client_a.get(reverse("connect:provider-contractors", args=[integration.pk])))
    assert "Beta Shop" in listing
    link = ContractorLink.objects.get()
    edit_url = reverse("connect:contractor-edit", args=[integration.pk, link.pk])
    client_a.post(
        reverse("connect:contractor-credit", args=[integration.pk, link.pk]),
        {"credit_limit": "1000", "credit_currency": "EUR", "block_stock_below": "100", "message": "start"},
    )
    client_a.post(
        reverse("connect:contractor-payment", args=[integration.pk, link.pk]),
        {"payment-amount": "50.00", "payment-description": "wire 1"},
    )
    client_a.post(
        reverse("connect:contractor-adjust", args=[integration.pk, link.pk]),
        {"adjust-amount": "-80.00", "adjust-description": "returns fee"},
    )
    edit = page(client_a.get(edit_url))
    assert "wire 1" in edit and "returns fee" in edit
    assert "970,00\xa0€" in edit  # available = 1000 + 50 − 80, summed from the ledger
    assert CreditEntry.objects.count() == 2

    # Lowering the limit below what is used shows a negative available amount.
    services_link = ContractorLink.objects.get()
    CreditEntry.objects.create(link=services_link, kind="charge", amount=Decimal("500"), currency="EUR")
    client_a.post(
        reverse("connect:contractor-credit", args=[integration.pk, link.pk]),
        {"credit_limit": "100", "credit_currency": "EUR"},
    )
    edit = page(client_a.get(edit_url))
    assert "\u2212430,00\xa0€" in edit and "The limit is below what is used." in edit

    # Blocking shows on both sides.
    client_a.post(reverse("connect:contractor-state", args=[integration.pk, link.pk]), {"state": "blocked"})
    assert "Blocked:" in page(client_a.get(edit_url))
    assert "has blocked this connection" in page(
        shop.get(reverse("connect:supplier-detail", args=[supplier.pk]))
    )


def test_creation_errors_stay_next_to_their_fields(client_a, account_a, account_b):
    foreign = Inventory.objects.get(account=account_b)
    html = page(
        client_a.post(
            reverse("connect:provider-create"),
            provider_form(account_a, **{"sharing-inventory": foreign.pk, "sharing-category_mode": "only"}),
        )
    )
    assert "Select a valid choice" in html
    html = page(
        client_a.post(
            reverse("connect:provider-create"), provider_form(account_a, **{"sharing-category_mode": "only"})
        )
    )
    assert "Choose at least one category" in html
    html = page(
        client_a.post(
            reverse("connect:provider-create"),
            provider_form(account_a, orders_enabled=None, products_enabled=None),
        )
    )
    assert "Choose downloading orders, sharing products, or both." in html
    assert not ConnectIntegration.objects.exists()


def test_wrong_and_own_codes_on_the_join_page(client_a, account_a, client, user_b):
    client_a.post(reverse("connect:provider-create"), provider_form(account_a))
    code = shown_code(
        page(client_a.get(reverse("connect:provider-detail", args=[ConnectIntegration.objects.get().pk])))
    )
    own = page(client_a.post(reverse("connect:join"), {"step": "verify", "code": code}))
    assert "code of your own account" in own
    client.force_login(user_b)
    wrong = page(client.post(reverse("connect:join"), {"step": "verify", "code": "ABCD-EFGH"}))
    assert "There is no such connection code" in wrong


def test_regenerating_shows_a_new_code_and_members_see_no_code(client_a, account_a):
    client_a.post(reverse("connect:provider-create"), provider_form(account_a))
    integration = ConnectIntegration.objects.get()
    url = reverse("connect:provider-detail", args=[integration.pk])
    before = shown_code(page(client_a.get(url)))
    client_a.post(reverse("connect:provider-regenerate", args=[integration.pk]))
    after = shown_code(page(client_a.get(url)))
    assert before != after
    member = login(account_a, role="member")
    html = page(member.get(url))
    assert after not in html and "Only owners and admins see the code" in html
    assert member.post(reverse("connect:provider-regenerate", args=[integration.pk])).status_code == 403
    assert member.post(url, provider_form(account_a, display_name="hijacked")).status_code == 403
    assert member.get(reverse("connect:provider-create")).status_code == 403
    integration.refresh_from_db()
    assert integration.display_name == "Alpha for shops"


def test_status_mapping_tables_are_stored_from_both_tabs(client_a, account_a, account_b, pair, user_b):
    integration, link = pair
    mine = list(OrderStatus.objects.filter(account=account_a).order_by("position"))
    theirs = list(OrderStatus.objects.filter(account=account_b).order_by("position"))
    url = reverse("connect:provider-statuses", args=[integration.pk])
    html = page(client_a.get(url))
    assert theirs[0].name in html
    client_a.post(url, {"action": "switches", "send_statuses": "on"})
    response = client_a.post(
        url,
        {
            "action": "send",
            "contractor": link.pk,
            f"send-s{mine[4].pk}": theirs[4].pk,
            f"send-s{mine[6].pk}": theirs[6].pk,
        },
    )
    assert response.status_code == 302
    integration.refresh_from_db()
    assert integration.send_statuses and not integration.receive_statuses
    rows = selectors.status_mapping_list(account=account_a, link=link)
    assert {(m.local_status_id, m.remote_status_id) for m in rows} == {
        (mine[4].pk, theirs[4].pk),
        (mine[6].pk, theirs[6].pk),
    }
    shop = Client()
    shop.force_login(user_b)
    supplier_url = reverse("connect:supplier-statuses", args=[link.contractor_integration_id])
    assert mine[0].name in page(shop.get(supplier_url))
    # A status id that is not offered is refused next to its row.
    bad = page(
        shop.post(
            supplier_url,
            {
                "action": "receive",
                f"receive-s{mine[4].pk}": OrderStatus.objects.filter(account=account_a).first().pk,
            },
        )
    )
    assert "Select a valid choice" in bad


def test_contractor_range_by_sku(client_a, account_a, pair):
    from catalog.models import Product

    integration, link = pair
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    Product.objects.create(account=account_a, inventory=inventory, sku="ALPHA-1")
    url = reverse("connect:contractor-edit", args=[integration.pk, link.pk])
    group = PriceGroup.objects.get(account=account_a)
    html = page(
        client_a.post(url, {"name": "Beta", "range_mode": "products", "range_products_text": "ALPHA-1, NOPE"})
    )
    assert "do not exist in the shared catalog: NOPE" in html
    response = client_a.post(
        url,
        {"name": "Beta", "range_mode": "products", "range_products_text": "ALPHA-1", "price_group": group.pk},
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert [p.sku for p in link.range_products.all()] == ["ALPHA-1"] and link.price_group == group


def test_disconnecting_asks_first_and_removes_the_integration(client, account_b, pair, user_b):
    _integration, link = pair
    client.force_login(user_b)
    detail = page(client.get(reverse("connect:supplier-detail", args=[link.contractor_integration_id])))
    assert "Disconnect from this supplier?" in detail  # the confirmation says what is lost
    client.post(reverse("connect:supplier-disconnect", args=[link.contractor_integration_id]))
    assert (
        client.get(reverse("connect:supplier-detail", args=[link.contractor_integration_id])).status_code
        == 404
    )
    link.refresh_from_db()
    assert link.disconnected_at is not None
