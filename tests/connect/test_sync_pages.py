"""What the contractor sees of the stock and price sync: the product page's "synced" cells, the Stock and
Prices tabs (linked products, last sync, last check and its repairs, Synchronise now) and the same in
the REST API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.bulk import stock_set_many
from changes.origin import Origin
from connect import sync
from tests.actors import admin_of
from tests.connect.sync_setup import shared_catalog
from tests.factories.accounts import ApiTokenFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def shared(account_a, account_b, user_b):
    return shared_catalog(account_a, account_b, count=2, stock=10, price="8.00")


def test_the_product_page_marks_synced_stock_and_prices(client_b, shared):
    html = page(client_b.get(reverse("catalog:product-detail", args=[shared.copies[0].pk])))
    assert html.count('class="badge synced"') == 2  # the stock cell and the price cell
    assert "follow your Connect supplier (My supplier)" in html


def test_with_sync_off_the_product_page_marks_nothing(client_b, shared):
    shared.settings(stock_sync=False, price_sync=False)
    html = page(client_b.get(reverse("catalog:product-detail", args=[shared.copies[0].pk])))
    assert "badge synced" not in html


def test_the_stock_tab_shows_the_last_check_and_what_it_repaired(client_b, shared):
    stock_set_many(
        actor=admin_of(shared.contractor),
        rows=[(shared.copies[0].pk, shared.target_warehouse.pk, 999)],
        origin=Origin.system(),
    )
    sync.link_check(link_id=shared.link.pk)
    html = page(client_b.get(reverse("connect:supplier-tab", args=[shared.supplier.pk, "stock"])))
    assert "2 products of yours are linked to this supplier" in html
    assert "repaired 1 stock level" in html
    assert "Synchronise now" in html
    prices = page(client_b.get(reverse("connect:supplier-tab", args=[shared.supplier.pk, "prices"])))
    assert "synced" in prices and "Last check" in prices


def test_synchronise_now_repairs_at_once_and_says_so(client_b, shared, django_capture_on_commit_callbacks):
    stock_set_many(
        actor=admin_of(shared.contractor),
        rows=[(shared.copies[1].pk, shared.target_warehouse.pk, 3)],
        origin=Origin.system(),
    )
    url = reverse("connect:supplier-resync", args=[shared.supplier.pk])
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_b.post(url, {"tab": "stock"}, follow=True)
    assert "Synchronising" in page(response)
    assert len(callbacks) == 1  # the resync task, sent after commit
    sync.link_resync_full(link_id=shared.link.pk)  # what that task runs
    assert shared.stock(shared.copies[1]) == 10


def test_a_member_cannot_ask_for_a_resync(client, shared, account_b):
    member = MembershipFactory(account=account_b, role="member").user
    client.force_login(member)
    response = client.post(reverse("connect:supplier-resync", args=[shared.supplier.pk]), {"tab": "stock"})
    assert response.status_code == 403


def test_the_credit_block_is_explained_on_the_stock_tab(client_b, shared, account_a):
    from connect import services
    from tests.factories.connect import owner_tenant

    provider = owner_tenant(account_a)
    services.credit_settings_update(
        actor=provider,
        link=shared.link,
        credit_limit=Decimal("10"),
        credit_currency="PLN",
        block_stock_below=Decimal("50"),
    )
    html = page(client_b.get(reverse("connect:supplier-tab", args=[shared.supplier.pk, "stock"])))
    assert "the stock of its products shows 0" in html


def test_the_api_shows_the_sync_and_resyncs(shared, account_b):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {ApiTokenFactory.create_with_secret(account=account_b)[1]}")
    sync.link_check(link_id=shared.link.pk)
    url = reverse("api:connect-contractor-integration-detail", args=[shared.supplier.pk])
    body = api.get(url).json()
    assert body["sync"]["linked_products"] == 2 and body["sync"]["checked_at"]
    assert body["sync"]["repaired_stock"] == 0 and body["settings"]["stock_sync"] is True

    resync = reverse("api:connect-contractor-integration-resync", args=[shared.supplier.pk])
    assert api.post(resync).status_code == 202

    off = api.patch(url, {"settings": {"stock_sync": False, "price_sync": False}}, format="json")
    assert off.status_code == 200, off.json()
    refused = api.post(resync)
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"non_field_errors": ["Switch on price or stock sync first."]}


def test_the_api_refuses_a_resync_through_a_blocked_link(shared, account_a, account_b):
    from connect import services
    from tests.factories.connect import owner_tenant

    services.contractor_set_state(actor=owner_tenant(account_a), link=shared.link, state="blocked")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {ApiTokenFactory.create_with_secret(account=account_b)[1]}")
    refused = api.post(reverse("api:connect-contractor-integration-resync", args=[shared.supplier.pk]))
    assert refused.status_code == 400
    assert "Nothing crosses" in refused.json()["errors"]["non_field_errors"][0]
