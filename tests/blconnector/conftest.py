"""Fixtures of the /connector.php tests: a client that speaks BaseLinker's wire format, and account A's
catalog and orders made through the services."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.test import Client

from accounts.models import ApiToken
from catalog.models import Inventory
from catalog.services import product_write
from orders.services import order_create
from tests.actors import admin_of
from tests.factories import ApiTokenFactory
from tests.origins import TEST_ORIGIN

URL = "/connector.php"


class Connector:
    """Calls /connector.php as BaseLinker's clients do: a form-encoded POST with ``method`` and
    ``parameters`` (a JSON string), the token in the ``X-BLToken`` header (or the ``token`` field)."""

    def __init__(self, secret: str | None, *, token_in: str = "header"):
        self.secret = secret
        self.token_in = token_in
        self.client = Client()

    def post(self, fields: dict, headers: dict | None = None):
        return self.client.post(
            URL, urlencode(fields), content_type="application/x-www-form-urlencoded", headers=headers or {}
        )

    def raw(self, method: str, parameters=None, **fields):
        form = {"method": method}
        if parameters is not None:
            form["parameters"] = parameters if isinstance(parameters, str) else json.dumps(parameters)
        headers = {}
        if self.secret is not None:
            if self.token_in == "header":
                headers["X-BLToken"] = self.secret
            else:
                form["token"] = self.secret
        form.update(fields)
        return self.post(form, headers)

    def __call__(self, method: str, parameters=None, **fields) -> dict:
        response = self.raw(method, parameters, **fields)
        assert response.status_code == 200, response.content[:500]
        assert response["Content-Type"].startswith("application/json")
        return response.json()

    def ok(self, method: str, parameters=None, **fields) -> dict:
        body = self(method, parameters, **fields)
        assert body["status"] == "SUCCESS", body
        assert "error_code" not in body and "error_message" not in body
        return body

    def error(self, method: str, parameters=None, **fields) -> dict:
        body = self(method, parameters, **fields)
        assert body["status"] == "ERROR", body
        assert set(body) == {"status", "error_code", "error_message"}, body
        assert body["error_code"].startswith("ERROR_") and body["error_message"]
        return body


def connector_for(
    account, *, role: str = "admin", name: str = "bl token", limit: int | None = None
) -> Connector:
    token, secret = ApiTokenFactory.create_with_secret(account=account, name=name, role=role)
    if limit is not None:
        ApiToken.objects.filter(pk=token.pk).update(connector_rate_limit=limit)
    return Connector(secret)


@pytest.fixture
def bl_a(account_a) -> Connector:
    return connector_for(account_a, limit=10_000)


@pytest.fixture
def bl_b(account_b) -> Connector:
    return connector_for(account_b, limit=10_000)


@pytest.fixture
def inventory_a(account_a) -> Inventory:
    return Inventory.objects.get(account=account_a, is_default=True)


def make_product(account, inventory, *, sku: str, name: str, stock: int = 10, price: str = "49.90", **fields):
    return product_write(
        origin=TEST_ORIGIN,
        actor=admin_of(account),
        inventory=inventory,
        fields={"sku": sku, "ean": fields.pop("ean", ""), **fields},
        texts={inventory.default_language: {"name": name, "description": f"{name} — description"}},
        prices={inventory.default_price_group_id: Decimal(price)},
        stock={inventory.default_warehouse_id: stock},
    )


@pytest.fixture
def shirt_a(account_a, inventory_a):
    return make_product(
        account_a, inventory_a, sku="SHIRT", name="Koszulka", ean="5901234123457", weight="0.25"
    )


@pytest.fixture
def order_a(account_a, shirt_a):
    """A confirmed order of account A with one catalog line (2 shirts) and one free line."""
    return order_create(
        account=account_a,
        lines=[
            {"product": shirt_a, "quantity": 2, "price_brutto": Decimal("49.90")},
            {"name": "Gift wrap", "quantity": 1, "price_brutto": Decimal("5.00"), "tax_rate": Decimal("8")},
        ],
        confirmed=True,
        email="kupujacy@example.test",
        phone="+48600100200",
        delivery_fullname="Jan Kowalski",
        delivery_address="ul. Długa 1",
        delivery_city="Gdańsk",
        delivery_postcode="80-001",
        delivery_country_code="PL",
        delivery_price=Decimal("12.50"),
        payment_method_cod=True,
        origin=TEST_ORIGIN,
    )
