"""The OpenAPI schema tells clients (and the API fuzzing in CI) what each operation answers when a request
is refused, and the rules a field obeys; what it says must be what the API does."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.test import APIClient

from catalog.models import Inventory

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema():
    # Through JSON, as a client reads it (lazy translations become text).
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


def operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def body_schema(schema, reference: str) -> dict:
    return {"$ref": reference, "components": schema["components"]}


def error_schema(schema, path: str, method: str, status: int) -> dict:
    response = schema["paths"][path][method]["responses"][str(status)]
    return body_schema(schema, response["content"]["application/json"]["schema"]["$ref"])


def test_every_operation_documents_the_errors_it_can_answer(schema):
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        where = f"{method.upper()} {path}"
        assert "401" in codes, where  # a wrong or revoked token is refused on every route
        if path != "/api/v1/":
            assert "403" in codes, where
        if "{" in path:
            assert "404" in codes, where
        if method in ("post", "put", "patch", "delete") or "page_size" in str(operation.get("parameters")):
            assert "400" in codes, where
        if method == "delete":
            # A row still in use is refused with the 400 every refusal gets (README: REST API).
            assert "409" not in codes, where
            assert "cannot be deleted" in operation["responses"]["400"]["description"], where
        if "requestBody" in operation:
            assert "415" in codes, where
        for code in codes - {"200", "201", "202", "204"}:
            assert "application/json" in operation["responses"][code]["content"], (where, code)


def test_an_error_a_view_declares_without_a_body_gets_the_common_one(schema):
    label = schema["paths"]["/api/v1/packages/{id}/label/"]["get"]["responses"]["404"]
    assert label["description"] == "No such package, or it has no label"
    assert label["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/ErrorDetail"
    upload = schema["paths"]["/api/v1/imports/"]["post"]["responses"]["400"]
    assert upload["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/ValidationError"


def test_refused_requests_answer_the_documented_error_bodies(schema, api_a, account_a):
    refused = api_a.post("/api/v1/warehouses/", {"name": "   ", "description": "x"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["name"]
    jsonschema.validate(refused.json(), error_schema(schema, "/api/v1/warehouses/", "post", 400))

    bad_filter = api_a.get("/api/v1/products/", {"stock_min": "many"})
    assert bad_filter.status_code == 400
    jsonschema.validate(bad_filter.json(), error_schema(schema, "/api/v1/products/", "get", 400))

    missing = api_a.get("/api/v1/products/999999/")
    assert missing.status_code == 404
    jsonschema.validate(missing.json(), error_schema(schema, "/api/v1/products/{id}/", "get", 404))

    stranger = APIClient().get("/api/v1/products/")
    assert stranger.status_code == 401
    jsonschema.validate(stranger.json(), error_schema(schema, "/api/v1/products/", "get", 401))


def test_a_refused_delete_answers_the_documented_400(schema, api_a, account_a):
    from catalog.models import Warehouse

    annex = Warehouse.objects.create(account=account_a, name="Annex")
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    inventory.warehouses.add(annex)
    inventory.default_warehouse = annex
    inventory.save(update_fields=["default_warehouse"])

    refused = api_a.delete(f"/api/v1/warehouses/{annex.pk}/")

    assert refused.status_code == 400, refused.content
    assert refused.json()["detail"] and Warehouse.objects.filter(pk=annex.pk).exists()
    jsonschema.validate(refused.json(), error_schema(schema, "/api/v1/warehouses/{id}/", "delete", 400))


def test_a_members_token_refused_a_write_gets_the_documented_403(schema, account_a):
    from accounts.services import api_token_create

    _token, secret = api_token_create(account=account_a, name="member", role="member")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    refused = api.post("/api/v1/warehouses/", {"name": "Second"}, format="json")
    assert refused.status_code == 403
    jsonschema.validate(refused.json(), error_schema(schema, "/api/v1/warehouses/", "post", 403))


def test_lists_say_how_they_page_and_sort(schema, api_a, account_a):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/products/"]["get"]["parameters"]}
    assert parameters["page"]["minimum"] == 1
    assert (parameters["page_size"]["minimum"], parameters["page_size"]["maximum"]) == (1, 1000)
    ordering = re.compile(parameters["ordering"]["pattern"])
    assert ordering.match("-created_at,sku") and not ordering.match("password")
    assert parameters["inventory"]["minimum"] == 1

    inventory = Inventory.objects.get(account=account_a, is_default=True)
    for sku in ("MUG-1", "MUG-2"):
        assert (
            api_a.post(
                "/api/v1/products/", {"inventory": inventory.pk, "sku": sku}, format="json"
            ).status_code
            == 201
        )
    answer = api_a.get("/api/v1/products/", {"ordering": "-created_at,sku", "page_size": 1})
    assert answer.status_code == 200 and answer.json()["count"] == 2


@pytest.mark.parametrize(
    "value", ["Mug", " Mug ", "Kubek ceramiczny", "", "   ", "\t\n", "a\x00b", "\x00", "ż", "\u2003x"]
)
def test_the_text_rules_in_the_schema_are_the_ones_drf_applies(schema, value):
    name = schema["components"]["schemas"]["WarehouseRequest"]["properties"]["name"]
    description = schema["components"]["schemas"]["WarehouseRequest"]["properties"]["description"]
    for field, documented in (
        (serializers.CharField(max_length=100), name),
        (serializers.CharField(allow_blank=True), description),
    ):
        try:
            field.run_validation(value)
            accepted = True
        except serializers.ValidationError:
            accepted = False
        try:
            jsonschema.validate(value, documented)
            valid = True
        except jsonschema.ValidationError:
            valid = False
        assert valid == accepted, (value, documented)


@pytest.mark.parametrize(
    "value", ["1", "19.99", ".5", "0", "-1", "NaN", "Infinity", "1e3", "", ".", "123456789012.99", "1.999"]
)
def test_the_decimal_rules_in_the_schema_are_the_ones_drf_applies(schema, value):
    documented = schema["components"]["schemas"]["PriceRequest"]["properties"]["amount"]
    field = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    try:
        field.run_validation(value)
        accepted = True
    except serializers.ValidationError:
        accepted = False
    valid = re.fullmatch(documented["pattern"].strip("^$"), value) is not None
    # What the schema calls valid is accepted (DRF also takes exponents such as "1e3": lenient, not wrong).
    assert accepted or not valid, (value, documented["pattern"])
    if value in ("NaN", "Infinity", "-1", "", ".", "1.999"):
        assert not valid


def test_lists_that_may_not_be_empty_and_json_that_may_not_be_null_say_so(schema, api_a):
    components = schema["components"]["schemas"]
    assert components["MergeRequest"]["properties"]["orders"]["minItems"] == 1
    assert components["InventoryRequest"]["properties"]["languages"]["minItems"] == 1
    assert components["StockBatchRequest"]["properties"]["items"]["maxItems"] == 1000
    actions = components["AutomationRuleRequest"]["properties"]["actions"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(None, actions)
    refused = api_a.post(
        "/api/v1/automation-rules/",
        {"name": "Null", "event": "order_created", "actions": None},
        format="json",
    )
    assert refused.status_code == 400 and "actions" in refused.json()["errors"]


def test_request_bodies_are_json_and_uploads_multipart(schema):
    for path, method, operation in operations(schema):
        content = set(operation.get("requestBody", {}).get("content", {}))
        assert content <= {"application/json", "multipart/form-data", "text/csv"}, (method, path, content)
    assert set(schema["paths"]["/api/v1/imports/"]["post"]["requestBody"]["content"]) == {
        "multipart/form-data"
    }
