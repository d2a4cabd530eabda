"""The transport of /connector.php (reference §1): envelope, token, parameters, limits, errors."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from blconnector.params import Int
from blconnector.registry import METHODS, ORDERS, READ, method
from tests.blconnector.conftest import URL, Connector, connector_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("parameters", [None, "", "{}", "[]", "null", {}, []])
def test_missing_or_empty_parameters_mean_none(bl_a, parameters):
    body = bl_a.ok("getOrderStatusList", parameters)
    assert [s["name"] for s in body["statuses"]][0] == "New orders"


def test_the_answer_is_json_with_the_status_first_and_no_error_keys_on_success(bl_a):
    response = bl_a.raw("getInventoryWarehouses", "[]")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.content.startswith(b'{"status":"SUCCESS"')


def test_the_header_token_wins_over_the_form_field(bl_a, account_b):
    other = connector_for(account_b)
    body = bl_a("getInventoryWarehouses", "[]", token=other.secret)
    mine = {w["warehouse_id"] for w in body["warehouses"]}
    theirs = {w["warehouse_id"] for w in other.ok("getInventoryWarehouses")["warehouses"]}
    assert mine and not mine & theirs


def test_the_deprecated_token_form_field_works(account_a):
    form_client = connector_for(account_a)
    form_client.token_in = "form"
    assert form_client.ok("getOrderSources", "[]")["sources"]


@pytest.mark.parametrize(
    ("secret", "message"),
    [(None, "No API token"), ("", "No API token"), ("hl_not-a-real-token", "Invalid API token")],
)
def test_a_missing_or_wrong_token_is_error_auth_token(secret, message):
    body = Connector(secret).error("getOrders")
    assert body["error_code"] == "ERROR_AUTH_TOKEN" and message in body["error_message"]


def test_a_revoked_token_is_refused(account_a):
    connector = connector_for(account_a)
    ApiToken.objects.filter(account=account_a).update(revoked_at=timezone.now())
    body = connector.error("getOrders")
    assert body["error_code"] == "ERROR_AUTH_TOKEN" and "revoked" in body["error_message"]


@pytest.mark.parametrize(
    "name", ["getInventoryProductList", "getOrdersByLogin", "getInvoices", "", "x" * 500]
)
def test_unknown_methods_are_error_unknown_method(bl_a, name):
    body = bl_a.error(name)
    assert body["error_code"] == "ERROR_UNKNOWN_METHOD"
    assert len(body["error_message"]) < 200


def test_a_call_without_a_method_is_error_unknown_method(bl_a):
    response = bl_a.post({"parameters": "{}"}, {"X-BLToken": bl_a.secret})
    assert response.status_code == 200 and response.json()["error_code"] == "ERROR_UNKNOWN_METHOD"


def test_unknown_parameters_are_ignored_and_loose_types_are_coerced(bl_a, inventory_a, shirt_a):
    # As baselinker-api sends them: inventory_id to an account-level list, ids as strings.
    assert bl_a.ok("getInventoryWarehouses", {"inventory_id": str(inventory_a.pk)})["warehouses"]
    body = bl_a.ok(
        "getInventoryProductsList",
        {
            "inventory_id": str(inventory_a.pk),
            "page": "1",
            "include_variants": "true",
            "unknown": [1, {"a": 2}],
        },
    )
    assert list(body["products"]) == [str(shirt_a.pk)]
    for flag in (True, 1, "1", "true", "TRUE", "yes"):
        body = bl_a.ok("getOrders", {"get_unconfirmed_orders": flag, "include_custom_extra_fields": flag})
        assert body["orders"] == []


@pytest.mark.parametrize(
    ("parameters", "named"),
    [
        ({"inventory_id": "abc"}, "inventory_id"),
        ({"inventory_id": True}, "inventory_id"),
        ({"inventory_id": -1}, "inventory_id"),
        ({"inventory_id": 1, "page": 0}, "page"),
        ({"inventory_id": 1, "include_variants": "maybe"}, "include_variants"),
        ({}, "inventory_id"),
    ],
)
def test_bad_parameters_name_the_parameter(bl_a, parameters, named):
    body = bl_a.error("getInventoryProductsList", parameters)
    assert body["error_code"] == "ERROR_INVALID_PARAMETERS"
    assert f"“{named}”" in body["error_message"]


@pytest.mark.parametrize("parameters", ["{not json", '"a string"', "[1, 2]", "42"])
def test_parameters_that_are_not_a_json_object_are_an_error(bl_a, parameters):
    body = bl_a.error("getOrders", parameters)
    assert body["error_code"] == "ERROR_INVALID_PARAMETERS" and "parameters" in body["error_message"]


def test_a_json_body_works_too(bl_a):
    response = bl_a.client.post(
        URL,
        json.dumps({"method": "getOrderSources", "parameters": {}}),
        content_type="application/json",
        headers={"X-BLToken": bl_a.secret},
    )
    assert response.json()["status"] == "SUCCESS"


def test_only_post_is_answered(bl_a):
    response = bl_a.client.get(URL, headers={"X-BLToken": bl_a.secret})
    assert response.status_code == 405 and response.json()["status"] == "ERROR"


def test_the_rate_limit_blocks_a_token_with_basselinkers_message(account_a, settings):
    settings.BLCONNECTOR_RATE_LIMIT = 3
    connector = connector_for(account_a)
    for _ in range(3):
        connector.ok("getOrderSources")
    body = connector.error("getOrderSources")
    assert body["error_code"] == "ERROR_BLOCKED_TOKEN"
    # entirius matches the first 18 characters; the date is local time, to the second.
    assert re.fullmatch(
        r"Query limit exceeded, token blocked until \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}",
        body["error_message"],
    )
    # The block holds for every process (counted in Redis): another client with the same token too,
    # while another token of the account is not affected.
    again = Connector(connector.secret).error("getOrderSources")
    assert again["error_message"] == body["error_message"]
    connector_for(account_a, name="other").ok("getOrderSources")


def test_a_tokens_own_limit_overrides_the_default(account_a):
    connector = connector_for(account_a, limit=2)
    connector.ok("getOrderSources")
    connector.ok("getOrderSources")
    assert connector.error("getOrderSources")["error_code"] == "ERROR_BLOCKED_TOKEN"


def test_a_member_token_cannot_change_catalog_settings_but_can_handle_orders(account_a, order_a):
    member = connector_for(account_a, role="member")
    body = member.error("addInventoryWarehouse", {"name": "Second"})
    assert body["error_code"] == "ERROR_PERMISSION_DENIED"
    assert body["error_message"] == "This needs the Admin role in this account."
    assert (
        member.error("deleteInventoryProduct", {"product_id": 1})["error_code"] == "ERROR_PERMISSION_DENIED"
    )
    status = order_a.account.order_statuses.order_by("position")[1]
    member.ok("setOrderStatus", {"order_id": order_a.pk, "status_id": status.pk})
    order_a.refresh_from_db()
    assert order_a.status == status


def test_an_unexpected_failure_is_an_error_answer_not_a_500(bl_a, caplog):
    @method("testExplode", area=ORDERS, act=READ, params=(Int("x"),))
    def explode(call, args):
        raise RuntimeError("boom")

    try:
        with caplog.at_level(logging.ERROR, logger="blconnector.views"):
            body = bl_a.error("testExplode", {"x": 1})
    finally:
        METHODS.pop("testExplode")
    assert body["error_code"] == "ERROR_INTERNAL"
    assert "boom" not in body["error_message"]
    assert "testExplode" in caplog.text and "boom" in caplog.text


def test_an_error_leaves_nothing_written(bl_a, account_a, shirt_a, inventory_a):
    # The product is written, then its price group turns out to be another account's: all rolled back.
    body = bl_a.error(
        "addInventoryProduct",
        {
            "inventory_id": inventory_a.pk,
            "sku": "NEW",
            "text_fields": {"name": "New"},
            "prices": {"999999": 10},
        },
    )
    assert body["error_code"] == "ERROR_INVALID_PARAMETERS"
    assert not account_a.products.filter(sku="NEW").exists()


def test_refusals_name_basselinkers_parameters_not_internal_fields(bl_a, inventory_a, shirt_a):
    variant = bl_a.ok(
        "addInventoryProduct",
        {
            "inventory_id": inventory_a.pk,
            "parent_id": shirt_a.pk,
            "sku": "SHIRT-M",
            "text_fields": {"name": "M"},
        },
    )["product_id"]
    cases = [
        ({"parent_id": variant, "sku": "SHIRT-M-X"}, "parent_id: "),
        ({"category_id": 999999, "sku": "NEW-1"}, "category_id: "),
        ({"is_bundle": True, "bundle_products": {"999999": 1}, "sku": "NEW-2"}, "bundle_products: "),
    ]
    for parameters, named in cases:
        body = bl_a.error("addInventoryProduct", {"inventory_id": inventory_a.pk, **parameters})
        assert body["error_code"] == "ERROR_INVALID_PARAMETERS"
        assert named in body["error_message"], body
        for internal in ("parent:", "category:", "components:"):
            assert internal not in body["error_message"].replace(named, "")


def test_a_form_with_too_many_fields_is_refused_without_naming_settings(bl_a):
    fields = {"method": "getInventories", **{f"junk{n}": "x" for n in range(1500)}}
    response = bl_a.post(fields, {"X-BLToken": bl_a.secret})
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ERROR"
    assert body["error_code"] == "ERROR_INVALID_PARAMETERS"
    assert "settings" not in body["error_message"] and "DATA_UPLOAD" not in body["error_message"]
    assert "Too many form fields" in body["error_message"]
