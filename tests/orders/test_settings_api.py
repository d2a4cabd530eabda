"""The REST endpoints of the order settings save through the services the settings pages use: the same
rules and messages (a row still in use is refused saying so), and the role checked by the service."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import CustomButton, OrderSource, OrderStatus
from orders.services import order_create
from tests.factories import ApiTokenFactory
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db


def test_an_order_source_orders_come_from_is_refused_and_stays(api_a, account_a):
    order = order_create(
        origin=TEST_ORIGIN,
        account=account_a,
        lines=[{"name": "Service", "quantity": 1, "price_brutto": Decimal("10")}],
    )

    response = api_a.delete(reverse("api:ordersource-detail", args=[order.source_id]))

    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"] == ["Orders still use it; move them first."]
    assert OrderSource.objects.filter(pk=order.source_id).exists()


def test_a_source_nobody_uses_is_deleted(api_a, account_a):
    created = api_a.post(reverse("api:ordersource-list"), {"name": "Shop", "kind": "shop"}, format="json")
    assert created.status_code == 201, created.json()
    assert api_a.delete(reverse("api:ordersource-detail", args=[created.json()["id"]])).status_code == 204
    assert not OrderSource.objects.filter(account=account_a, name="Shop").exists()


def test_statuses_and_buttons_are_created_and_renamed(api_a, account_a):
    packed = {"name": "Packed", "color": "#123456", "kind": "other"}
    status = api_a.post(reverse("api:orderstatus-list"), packed, format="json")
    button = api_a.post(reverse("api:orderbutton-list"), {"name": "Pack", "color": "#123456"}, format="json")
    assert (status.status_code, button.status_code) == (201, 201)

    renamed = api_a.patch(
        reverse("api:orderbutton-detail", args=[button.json()["id"]]), {"name": "Pack now"}, format="json"
    )

    assert renamed.status_code == 200 and renamed.json()["name"] == "Pack now"
    assert OrderStatus.objects.get(pk=status.json()["id"]).account_id == account_a.pk
    assert CustomButton.objects.get(pk=button.json()["id"]).name == "Pack now"


def test_a_member_token_is_refused_on_every_order_setting(account_a):
    from rest_framework.test import APIClient

    _token, secret = ApiTokenFactory.create_with_secret(account=account_a, role="member")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    status = OrderStatus.objects.filter(account=account_a).first()

    answers = [
        api.post(reverse("api:orderstatus-list"), {"name": "Packed", "color": "#123456"}, format="json"),
        api.patch(reverse("api:orderstatus-detail", args=[status.pk]), {"name": "X"}, format="json"),
        api.delete(reverse("api:orderstatus-detail", args=[status.pk])),
        api.post(reverse("api:orderbutton-list"), {"name": "Pack"}, format="json"),
        api.post(reverse("api:ordersource-list"), {"name": "Shop", "kind": "shop"}, format="json"),
    ]

    assert [answer.status_code for answer in answers] == [403] * 5
    assert OrderStatus.objects.get(pk=status.pk).name == status.name
    assert not CustomButton.objects.filter(account=account_a).exists()
