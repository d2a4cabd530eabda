"""The order card on both sides shows the forward: to whom / from whom, the other side's order number and
status (only while the connection is open), and a provider order that is gone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from changes.origin import Origin
from connect import services
from orders.models import Order, OrderStatus
from orders.services import order_set_status
from tests.factories.connect import owner_tenant

from .forwarded_pairs import forwarded_pair

pytestmark = pytest.mark.django_db


def _card(client, order_id: int) -> str:
    response = client.get(reverse("orders:order-detail", args=[order_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_both_cards_show_the_other_side_order_and_status(pair, account_a, account_b, client, user_a, user_b):
    _integration, link = pair
    forward = forwarded_pair(link)
    order_set_status(
        order=forward.provider_order,
        status=OrderStatus.objects.create(account=account_a, name="Packing at the wholesaler"),
        origin=Origin.system("Tests"),
    )

    client.force_login(user_b)
    contractor_card = _card(client, forward.contractor_order_id)
    assert f"Forwarded to {link.contractor_integration.display_name}" in contractor_card
    assert (
        f"#{forward.provider_order_id}" in contractor_card and "Packing at the wholesaler" in contractor_card
    )

    client.force_login(user_a)
    provider_card = _card(client, forward.provider_order_id)
    assert f"Received from {link.name}" in provider_card
    assert f"#{forward.contractor_order_id}" in provider_card and "New orders" in provider_card


def test_an_order_that_was_not_forwarded_has_no_connect_section(pair, account_b, client, user_b):
    _integration, link = pair
    forward = forwarded_pair(link)
    client.force_login(user_b)
    other = Order.objects.filter(account=account_b).exclude(pk=forward.contractor_order_id)
    assert "Forwarded to" in _card(client, forward.contractor_order_id)
    for order in other:
        assert "Forwarded to" not in _card(client, order.pk)


def test_a_blocked_link_hides_the_partner_status_and_says_why(pair, account_a, client, user_b):
    _integration, link = pair
    forward = forwarded_pair(link)
    order_set_status(
        order=forward.provider_order,
        status=OrderStatus.objects.create(account=account_a, name="Packing at the wholesaler"),
        origin=Origin.system("Tests"),
    )
    services.contractor_set_state(actor=owner_tenant(account_a), link=link, state="blocked")

    client.force_login(user_b)
    card = _card(client, forward.contractor_order_id)

    assert "Packing at the wholesaler" not in card
    assert "Connection blocked: statuses and tracking do not travel." in card


def test_the_contractor_card_says_when_the_supplier_deleted_its_order(pair, client, user_b):
    _integration, link = pair
    forward = forwarded_pair(link)

    Order.objects.filter(pk=forward.provider_order_id).delete()

    client.force_login(user_b)
    card = _card(client, forward.contractor_order_id)
    assert "The supplier deleted its order" in card
