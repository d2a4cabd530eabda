"""Forwarding through the REST API and what the order cards and contractor pages show."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connect import forwarding
from connect.models import ContractorLink, ForwardedOrder
from orders.models import Order
from tests.connect.forwarding_setup import eur, free_line, product, set_credit, shop_order
from tests.factories.connect import owner_tenant

URL = "/api/v1/connect/forwards/"


def test_forwarding_many_orders_through_the_api_answers_each_ones_outcome(pair, api_b, account_a, account_b):
    _integration, link = pair
    set_credit(link, "50")
    fits = shop_order(account_b, [free_line("Thing", "20.00")])  # 30 with delivery
    too_much = shop_order(account_b, [free_line("Thing", "40.00")])  # 50 > 20 left

    answer = api_b.post(URL, {"orders": [fits.pk, too_much.pk]}, format="json")

    assert answer.status_code == 200, answer.content
    body = answer.json()
    provider_order = Order.objects.get(account=account_a)
    assert body["forwarded"] == [
        {"order": fits.pk, "provider_order": provider_order.pk, "charged": "30.00", "currency": "EUR"}
    ]
    assert body["refused"] == [
        {
            "order": too_much.pk,
            "reason": f"Not enough trade credit: {eur('50.00')} needed, {eur('20.00')} available.",
        }
    ]
    again = api_b.post(URL, {"orders": [fits.pk]}, format="json").json()
    assert again["already"][0]["provider_order"] == provider_order.pk and not again["forwarded"]


def test_the_forward_state_of_an_order_on_both_sides(pair, api_a, api_b, account_a, account_b):
    _integration, link = pair
    set_credit(link, "100")
    order = shop_order(account_b, [free_line("Thing", "20.00")])
    forwarding.forward(actor=owner_tenant(account_b), order_ids=[order.pk])
    theirs = Order.objects.get(account=account_a)

    mine = api_b.get(URL, {"order": order.pk}).json()["results"]
    assert len(mine) == 1
    assert mine[0] | {"created_at": None, "updated_at": None, "id": None} == {
        "id": None,
        "role": "contractor",
        "partner": "My supplier",
        "contractor_order": order.pk,
        "provider_order": theirs.pk,
        "state": "forwarded",
        "reason": "",
        "charge": {"amount": "30.00", "currency": "EUR", "returned": False},
        "created_at": None,
        "updated_at": None,
    }
    provider = api_a.get(URL, {"order": theirs.pk}).json()["results"]
    assert provider[0]["role"] == "provider" and provider[0]["partner"] == "Beta Shop"
    assert provider[0]["contractor_order"] == order.pk


def test_refusals_are_the_contractors_own_the_provider_does_not_list_them(pair, api_a, api_b, account_b):
    _integration, link = pair
    set_credit(link, "1")
    order = shop_order(account_b, [free_line("Thing", "20.00")])
    api_b.post(URL, {"orders": [order.pk]}, format="json")
    assert api_b.get(URL).json()["results"][0]["state"] == "refused"
    assert api_a.get(URL).json()["results"] == []


def test_bad_input_is_a_400_with_field_messages(pair, api_b, account_a, account_b):
    other = shop_order(account_a, [free_line("Theirs", "1.00")])
    for body, field in [
        ({"orders": []}, "orders"),
        ({"orders": ["x"]}, "orders"),
        ({"orders": [10**30]}, "orders"),
        ({"orders": [other.pk]}, "orders"),
        ({"orders": [1], "integration": 10**6}, "integration"),
    ]:
        answer = api_b.post(URL, body, format="json")
        assert answer.status_code == 400 and field in answer.json()["errors"], (body, answer.content)
    assert not ForwardedOrder.objects.exists()


def test_the_contractor_reads_its_own_ledger_with_the_supplier(pair, api_b, account_b):
    _integration, link = pair
    set_credit(link, "100")
    order = shop_order(account_b, [free_line("Thing", "20.00")])
    forwarding.forward(actor=owner_tenant(account_b), order_ids=[order.pk])
    url = f"/api/v1/connect/contractor-integrations/{link.contractor_integration_id}/ledger/"
    entries = api_b.get(url).json()["results"]
    assert [(e["kind"], e["amount"], e["currency"]) for e in entries] == [("charge", "30.00", "EUR")]
    assert "actor" not in entries[0]


def test_the_order_cards_show_the_forward_the_credit_used_and_a_refusals_reason(
    pair, client, user_a, user_b, account_a, account_b
):
    _integration, link = pair
    set_credit(link, "40")
    forwarded = shop_order(account_b, [free_line("Thing", "20.00")])
    refused = shop_order(account_b, [free_line("Thing", "50.00")])
    forwarding.forward(actor=owner_tenant(account_b), order_ids=[forwarded.pk, refused.pk])
    theirs = Order.objects.get(account=account_a)

    client.force_login(user_b)
    page = client.get(reverse("orders:order-detail", args=[forwarded.pk])).content.decode()
    assert f"Forwarded to My supplier as their order #{theirs.pk}" in page
    assert (
        f"Paid with trade credit: {eur('30.00', account_b)}." in page
        and f"Available credit now: {eur('10.00', account_b)}." in page
    )
    page = client.get(reverse("orders:order-detail", args=[refused.pk])).content.decode()
    assert "Not forwarded to My supplier" in page
    # The reason reads in the reader's conventions, whoever pressed the button.
    needed, available = eur("60.00", account_b), eur("10.00", account_b)
    assert f"Not enough trade credit: {needed} needed, {available} available." in page

    client.force_login(user_a)
    page = client.get(reverse("orders:order-detail", args=[theirs.pk])).content.decode()
    assert f"Forwarded by the contractor Beta Shop: their order #{forwarded.pk}" in page
    assert f"Paid with the contractor's trade credit: {eur('30.00', account_a)}." in page
    assert "Connect: Beta Shop" in page
    contractor_page = client.get(
        reverse("connect:contractor-edit", args=[link.provider_integration_id, link.pk])
    ).content.decode()
    assert f"#{theirs.pk}" in contractor_page and eur("30.00", account_a) in contractor_page
    listing = client.get(reverse("connect:provider-contractors", args=[link.provider_integration_id]))
    assert '<td class="num">1</td>' in listing.content.decode()


def test_a_deleted_supplier_order_is_said_on_the_contractors_card(pair, client, user_b, account_a, account_b):
    order = shop_order(account_b, [free_line("Thing", "20.00")])
    forwarding.forward(actor=owner_tenant(account_b), order_ids=[order.pk])
    Order.objects.filter(account=account_a).delete()
    client.force_login(user_b)
    page = client.get(reverse("orders:order-detail", args=[order.pk])).content.decode()
    assert "The supplier deleted its order: statuses and tracking no longer come back." in page


@pytest.mark.parametrize("size", [5, 40])
def test_forwarding_costs_the_same_number_of_queries_whatever_the_batch_size(
    pair, account_a, account_b, size, django_assert_max_num_queries
):
    _integration, link = pair
    set_credit(link, "100000")
    for sku in ("A-1", "A-2"):
        product(account_a, sku=sku, name=sku, stock=1000)
    ids = [
        shop_order(account_b, [free_line("a", "1.00", sku="A-1"), free_line("b", "2.00", sku="A-2")]).pk
        for _ in range(size)
    ]
    with CaptureQueriesContext(connection) as queries:
        result = forwarding.forward(actor=owner_tenant(account_b), order_ids=ids)
    assert len(result.forwarded) == size
    assert len(queries) <= 40, [q["sql"][:120] for q in queries]
    assert sum(o.charged for o in result.forwarded) == Decimal("13.00") * size


def test_the_supplier_filters_its_orders_by_the_contractors_source_and_merges_them(
    pair, api_a, client, user_a, account_a, account_b
):
    _integration, link = pair
    forwarding.forward(
        actor=owner_tenant(account_b),
        order_ids=[shop_order(account_b, [free_line("Thing", "10.00")]).pk for _ in range(2)],
    )
    walk_in = shop_order(account_a, [free_line("Walk-in", "5.00")])
    source = ContractorLink.objects.get(pk=link.pk).order_source
    listed = api_a.get("/api/v1/orders/", {"source": source.pk}).json()["results"]
    assert len(listed) == 2 and {o["source"] for o in listed} == {source.pk}
    client.force_login(user_a)
    page = client.get(reverse("orders:order-list"), {"source": source.pk}).content.decode()
    assert f"/orders/{listed[0]['id']}/" in page and f"/orders/{walk_in.pk}/" not in page
    merged = api_a.post("/api/v1/orders/merge/", {"orders": [o["id"] for o in listed]}, format="json")
    assert merged.status_code == 201 and merged.json()["is_technical"]
    assert merged.json()["source"] == source.pk
