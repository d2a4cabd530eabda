"""A script written for BaseLinker runs against Hurtlink by changing only the URL and the token.

The three clients below send exactly what the known PyPI clients send (reference §9), over real HTTP
to a live server: ``baselinker-api`` (X-BLToken header on a session, explicit form content type,
client-side extras such as ``order_source_id`` and ``product_id: 0``, errors told by the presence of
``error_code`` after ``raise_for_status()``), ``entirius-django-baselinker`` (a plain form post with
the deprecated ``token`` field, always ``get_unconfirmed_orders`` and ``include_custom_extra_fields``,
``getOrderExtraFields`` with an ``order_id``) and ``py-baselinker`` (form ``token``, lists under
``orders``/``logs``).
"""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest
import requests

from catalog.models import Price, Stock
from orders.models import Order
from tests.blconnector.conftest import make_product
from tests.factories import ApiTokenFactory


class BaseLinkerApiClient:
    """As ``baselinker-api`` 1.0.0: ``BASE_URL`` pointed at the test host."""

    BASE_URL = "https://api.baselinker.com/connector.php"

    def __init__(self, token: str, timeout: int = 30):
        self.session = requests.Session()
        self.session.headers.update({"X-BLToken": token, "Content-Type": "application/x-www-form-urlencoded"})
        self.timeout = timeout

    def make_request(self, method: str, parameters: dict | None = None) -> dict:
        data = {"method": method, "parameters": json.dumps(parameters or {})}
        response = self.session.post(self.BASE_URL, data=data, timeout=self.timeout)
        response.raise_for_status()
        result = response.json()
        if "error_code" in result:
            raise RuntimeError(f"{result['error_code']}: {result.get('error_message')}")
        return result


class EntiriusClient:
    """As ``entirius-django-baselinker`` 2.0.1 (``BaselinkerClient(url, token)``)."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url, token

    def _call(self, method: str, parameters: dict) -> dict:
        response = requests.post(
            self.url,
            {"token": self.token, "method": method, "parameters": json.dumps(parameters)},
            timeout=30,
        )
        body = response.json()
        assert "status" in body
        if response.status_code > 399 or body["status"] != "SUCCESS":
            raise RuntimeError(body)
        return body

    def get_orders(self, **filters) -> list[dict]:
        filters.setdefault("get_unconfirmed_orders", False)
        filters.setdefault("include_custom_extra_fields", True)
        return self._call("getOrders", filters)["orders"]

    def get_journal_list(self, last_log_id: int, logs_types: list[int] | None = None) -> list[dict]:
        parameters = {"last_log_id": last_log_id}
        if logs_types:
            parameters["logs_types"] = logs_types
        return self._call("getJournalList", parameters)["logs"]

    def get_order_status_list(self) -> dict[int, str]:
        return {status["id"]: status["name"] for status in self._call("getOrderStatusList", {})["statuses"]}

    def get_order_sources(self) -> dict[str, dict[int, str]]:
        sources = self._call("getOrderSources", {})["sources"]
        return {kind: {int(pk): name for pk, name in ids.items()} for kind, ids in sources.items()}

    def get_order_extra_fields(self, order_id: int) -> list[dict]:
        return self._call("getOrderExtraFields", {"order_id": order_id})["extra_fields"]

    def set_order_fields(self, order_id: int, **fields) -> None:
        self._call("setOrderFields", {"order_id": order_id, **fields})

    def create_package_manual(self, order_id: int, courier_code: str, package_number: str, pickup_date: int):
        return self._call(
            "createPackageManual",
            {
                "order_id": order_id,
                "courier_code": courier_code,
                "package_number": package_number,
                "pickup_date": pickup_date,
                "return_shipment": False,
            },
        )


class PyBaseLinker:
    """As ``py-baselinker`` 0.0.2 (``BaseLinker(host, token)``)."""

    def __init__(self, host: str, token: str):
        self.host, self.token = host, token

    def _post(self, method: str, **kwargs) -> dict:
        response = requests.post(
            self.host,
            data={"token": self.token, "method": method, "parameters": json.dumps(kwargs)},
            timeout=30,
        )
        if response.status_code != 200:
            raise RuntimeError(response.content)
        body = response.json()
        assert body["status"] == "SUCCESS", body
        return body

    def get_journal_list(self, **kwargs) -> list[dict]:
        assert {"last_log_id", "logs_types", "order_id"} & set(kwargs)
        logs = self._post("getJournalList", **kwargs)["logs"]
        assert isinstance(logs, list)
        return logs

    def get_orders(self, **kwargs) -> list[dict]:
        orders = self._post("getOrders", **kwargs)["orders"]
        assert isinstance(orders, list)
        return orders


@pytest.mark.django_db(transaction=True)
def test_a_baselinker_script_runs_unchanged_against_hurtlink(live_server, account_a):
    url = live_server.url + "/connector.php"
    _token, secret = ApiTokenFactory.create_with_secret(account=account_a, name="migrated script")
    shirt = make_product(account_a, account_a.inventories.get(is_default=True), sku="SHIRT", name="Koszulka")

    api = BaseLinkerApiClient(secret)
    api.BASE_URL = url  # the only change to a baselinker-api script: the instance's endpoint
    entirius = EntiriusClient(url, secret)
    py = PyBaseLinker(url, secret)

    # Look around: catalogs (with the inventory_id baselinker-api adds to account-level lists).
    inventory = api.make_request("getInventories")["inventories"][0]
    warehouses = api.make_request("getInventoryWarehouses", {"inventory_id": inventory["inventory_id"]})
    warehouse = warehouses["warehouses"][0]["warehouse_id"]
    statuses = entirius.get_order_status_list()
    by_name = {name: pk for pk, name in statuses.items()}
    sources = entirius.get_order_sources()
    assert all(isinstance(pk, int) for ids in sources.values() for pk in ids)

    # Add an order (baselinker-api insists on order_source_id, which addOrder does not take).
    created = api.make_request(
        "addOrder",
        {
            "order_status_id": str(by_name["New orders"]),
            "order_source_id": "0",
            "date_add": "1700000000",
            "currency": "PLN",
            "payment_method": "Przelew",
            "payment_method_cod": "0",
            "paid": "0",
            "email": "klient@example.test",
            "delivery_fullname": "Anna Nowak",
            "delivery_address": "ul. Polna 2",
            "delivery_city": "Poznań",
            "delivery_postcode": "60-001",
            "delivery_country_code": "PL",
            "delivery_price": "15.00",
            "products": [
                {
                    "storage": "db",
                    "storage_id": "0",
                    "product_id": str(shirt.pk),
                    "variant_id": "0",
                    "name": "Koszulka",
                    "price_brutto": "49.90",
                    "tax_rate": "23",
                    "quantity": "2",
                }
            ],
        },
    )
    order_id = created["order_id"]

    # Read new orders from the journal, as the integrations do.
    logs = py.get_journal_list(last_log_id=0, logs_types=[1])
    assert [log["order_id"] for log in logs] == [order_id]
    orders = entirius.get_orders(order_id=order_id)
    assert orders[0]["products"][0]["sku"] == "SHIRT" and orders[0]["delivery_price"] == 15.0
    assert py.get_orders(date_confirmed_from=orders[0]["date_confirmed"])[0]["order_id"] == order_id
    assert entirius.get_order_extra_fields(order_id) == []

    # Set its status and fields.
    api.make_request("setOrderStatus", {"order_id": str(order_id), "status_id": str(by_name["In progress"])})
    entirius.set_order_fields(order_id, admin_comments="Paid by transfer", extra_field_1="ERP-7")

    # Update stock and prices.
    stock = api.make_request(
        "updateInventoryProductsStock",
        {
            "inventory_id": str(inventory["inventory_id"]),
            "products": {str(shirt.pk): {f"bl_{warehouse}": "25"}},
        },
    )
    assert stock == {"status": "SUCCESS", "counter": 1, "warnings": {}}
    prices = api.make_request(
        "updateInventoryProductsPrices",
        {
            "inventory_id": inventory["inventory_id"],
            "products": {str(shirt.pk): {str(inventory["default_price_group"]): 44.9}},
        },
    )
    assert prices["counter"] == 1
    # addInventoryProduct with product_id 0 (baselinker-api rejects "") creates a product.
    added = api.make_request(
        "addInventoryProduct",
        {
            "inventory_id": inventory["inventory_id"],
            "product_id": 0,
            "sku": "CAP",
            "text_fields": {"name": "Czapka"},
        },
    )
    assert added["warnings"] == {} and added["product_id"] != shirt.pk

    # Create a package with the label courier and read its label; record another one made elsewhere.
    package = api.make_request("createPackage", {"order_id": order_id, "courier_code": "hurtlink"})
    label = api.make_request("getLabel", {"courier_code": "hurtlink", "package_id": package["package_id"]})
    assert label["extension"] == "pdf" and base64.b64decode(label["label"]).startswith(b"%PDF")
    entirius.create_package_manual(order_id, "inpost", "6200000000001", pickup_date=1700000000)

    # The journal shows what the script did, after the last entry it had seen.
    later = py.get_journal_list(last_log_id=logs[-1]["log_id"] + 1, order_id=order_id)
    assert [log["log_type"] for log in later] == [2, 18, 16, 9, 9]

    order = Order.objects.get(pk=order_id)
    assert (order.status_id, order.admin_comments, order.extra_field_1) == (
        by_name["In progress"],
        "Paid by transfer",
        "ERP-7",
    )
    assert (order.delivery_package_module, order.delivery_package_nr) == ("inpost", "6200000000001")
    assert Stock.objects.get(product=shirt).quantity == 25
    assert Price.objects.get(product=shirt).amount == Decimal("44.90")

    # Errors reach the scripts as BaseLinker's would: an HTTP 200 with error_code.
    with pytest.raises(RuntimeError, match="ERROR_ORDER_NOT_FOUND"):
        api.make_request("setOrderStatus", {"order_id": 999999, "status_id": by_name["Sent"]})
    with pytest.raises(RuntimeError, match="ERROR_UNKNOWN_METHOD"):
        api.make_request("getOrdersByLogin", {"login": "x"})


@pytest.mark.django_db(transaction=True)
def test_a_supplier_script_manages_contractor_credit_unchanged(live_server, account_a, account_b):
    from connect.models import CreditEntry
    from connect.services import credit_charge
    from tests.factories.connect import connected_pair

    url = live_server.url + "/connector.php"
    _token, secret = ApiTokenFactory.create_with_secret(account=account_a, name="credit script")
    _integration, link = connected_pair(account_a, account_b, name="Wholesale PL")
    api = BaseLinkerApiClient(secret)
    api.BASE_URL = url
    entirius = EntiriusClient(url, secret)

    integrations = api.make_request("getConnectIntegrations", [])["integrations"]
    integration_id = integrations["own_integrations"][0]["connect_integration_id"]
    contractors = entirius._call(
        "getConnectIntegrationContractors", {"connect_integration_id": str(integration_id)}
    )
    contractor_id = int(next(iter(contractors["contractors"])))
    assert contractors["contractors"][str(contractor_id)]["credit_data"] == {}
    limit = api.make_request(
        "setConnectContractorCreditLimit",
        {"connect_contractor_id": str(contractor_id), "new_limit": "1500.00", "message": "Q3 terms"},
    )
    assert limit["new_limit_set"] == 1500.0
    credit_charge(
        link=link, amount=Decimal("400"), currency=account_a.default_currency, description="Order 1"
    )
    settled = entirius._call(
        "addConnectContractorCreditSettlement",
        {
            "connect_contractor_id": contractor_id,
            "amount": "250",
            "message": "Transfer 2024/11",
            "order_id": 0,
        },
    )
    assert (settled["new_blocked_credit"], settled["new_available_credit"]) == (150.0, 1350.0)
    history = api.make_request("getConnectContractorCreditHistory", {"connect_contractor_id": contractor_id})
    assert [(e["type"], e["amount"]) for e in history["credit_data"]] == [
        ("payment", 250.0),
        ("charge", 400.0),
    ]
    assert CreditEntry.objects.filter(link=link).count() == 2
    # The older name baselinker-api still calls is not a method here, as at BaseLinker.
    with pytest.raises(RuntimeError, match="ERROR_UNKNOWN_METHOD"):
        api.make_request("addConnectContractorCredit", {"connect_contractor_id": contractor_id, "amount": 5})
