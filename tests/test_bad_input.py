"""No input gives a 500: bad values in every field of every API write, every filter and the main web forms.

Each case starts from a valid request and replaces one value at a time (every field, nested ones too)
with a value that once broke something — Unicode digits, numbers beyond their column, NaN and Infinity,
NUL characters, impossible dates and time zone offsets, values of the wrong shape — and sends it. The
answer must never be a 5xx; where the field is a number, an id or JSON, it must be a 400 that names the
field. A test also fails when an API write has no case here, so a new endpoint cannot be forgotten.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass

import pytest
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from catalog.models import BundleComponent, ExtraField, Inventory, Product, ProductText
from catalog.services import stock_adjust_many
from orders import services as order_services
from orders.models import CustomButton, OrderExtraField, OrderSource, OrderStatus
from shipments.services import package_create
from tests.factories import AccountFactory, ApiTokenFactory, MembershipFactory
from tests.origins import TEST_ORIGIN
from wmsbridge import services as wms_services

pytestmark = pytest.mark.django_db

# Never a number anywhere (a field message is expected wherever a number belongs).
NUMBERS_NEVER_VALID = ["²", "٣", "NaN", "-Infinity", "1e400"]
# Too big for most columns (ids, quantities, amounts) but not for every one.
NUMBERS_TOO_BIG = ["1e20", "9" * 25, 10**25]
NUL = "a\u0000b"
DATES = ["2026-13-45", "2026-01-01T00:00:00+18:47"]
# By the kind of value a place holds in a valid request: what to put there instead.
BAD_FOR_NUMBER = [*NUMBERS_NEVER_VALID, *NUMBERS_TOO_BIG, NUL, None]
BAD_FOR_TEXT = [NUL, *DATES, {"a": 1}]
BAD_FOR_FLAG = ["²", [1, 2]]
BAD_FOR_LIST = [[1, 2], [NUL], [{"a": NUL}], {"a": 1}, 10**25]
BAD_FOR_OBJECT = [[1, 2], {NUL: 1}, {"a": [NUL]}, NUL]
BAD_BODIES = [[1, 2], NUL, 10**25, None]
DEEP_ARRAY = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 3000 + "1" + "}" * 3000
_NUMERIC = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")


class _Rollback(Exception):
    """Undo one probe's writes, so each bad value meets the same valid starting point."""


@dataclass
class World:
    """An account with one of everything, and the ids the request bodies refer to."""

    account: object
    ids: dict


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, inside a transaction rolled back at its end (each test's own
    transaction nests in it, and every probe below rolls its writes back too)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _world_create()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _world_create() -> World:
    account = AccountFactory(name="Bad input test")
    MembershipFactory(account=account, role="owner")
    admin = MembershipFactory(account=account, role="admin")
    inventory = Inventory.objects.get(account=account, is_default=True)
    warehouse, group = inventory.default_warehouse, inventory.default_price_group
    product = Product.objects.create(account=account, inventory=inventory, sku="P1")
    ProductText.objects.create(product=product, language=inventory.default_language, name="Kubek")
    bundle = Product.objects.create(account=account, inventory=inventory, sku="SET", is_bundle=True)
    component = BundleComponent.objects.create(bundle=bundle, component=product, quantity=1)
    stock_adjust_many(account=account, changes=[(product.pk, warehouse.pk, 100_000)], origin=TEST_ORIGIN)
    status = OrderStatus.objects.filter(account=account).first()
    lines = [{"product": product, "quantity": 1, "price_brutto": 10}]
    orders = [order_services.order_create(origin=TEST_ORIGIN, account=account, lines=lines) for _ in range(2)]
    package = package_create(
        origin=TEST_ORIGIN, order=orders[0], courier_code="manual", tracking_number="TRACK-1"
    )
    connection = wms_services.connection_create(
        account=account,
        password="secret",
        name="Warehouse",
        base_url="https://wms.example.test/x/",
        api_user="api",
        goods_owner_id=1,
        inventory=inventory,
    )
    connect = _connect_world(account)
    return World(
        account=account,
        ids={
            **connect,
            "inventory": inventory.pk,
            "language": inventory.default_language,
            "warehouse": warehouse.pk,
            "group": group.pk,
            "product": product.pk,
            "bundle": bundle.pk,
            "component": component.pk,
            "status": status.pk,
            "source": OrderSource.objects.filter(account=account).first().pk,
            "button": CustomButton.objects.create(account=account, name="Pack").pk,
            "order_field": OrderExtraField.objects.create(account=account, name="Gift", kind="number").pk,
            "product_field": ExtraField.objects.create(account=account, name="Material").pk,
            "order": orders[0].pk,
            "order2": orders[1].pk,
            "line": orders[0].lines.first().pk,
            "package": package.pk,
            "connection": connection.pk,
            "member": admin.pk,
        },
    )


def _connect_world(account) -> dict:
    """The account provides (a partner joined, with trade credit) and is a contractor of a supplier;
    another supplier's code is there to join with."""
    from connect import services as connect_services
    from tests.factories.connect import contractor_join, owner_tenant, provider_create

    provider, code = provider_create(account, name="Connect")
    partner = AccountFactory(name="Bad input partner")
    link = contractor_join(partner, code)
    connect_services.credit_settings_update(
        actor=owner_tenant(account), link=link, credit_limit=100, credit_currency="PLN"
    )
    from tests.connect.forwarded_pairs import forwarded_pair

    forwarded = forwarded_pair(link)  # an order the partner forwarded: ledger entries may name it
    supplier_link = contractor_join(account, provider_create(AccountFactory(name="Bad input supplier"))[1])
    _other, code_to_join = provider_create(AccountFactory(name="Bad input second supplier"))
    # The directory: another account's listed entry, and the account's own one (approval required)
    # with a partner's request waiting.
    from tests.factories.connect import listed_publication

    entry = listed_publication(provider_create(AccountFactory(name="Bad input listed"))[0])
    listed_publication(provider, approval_required=True)
    asking = AccountFactory(name="Bad input asking")
    requester = connect_services.integration_join(
        actor=owner_tenant(asking),
        publication=provider.publication,
        client_ip=None,
        display_name="Bad input",
    )
    return {
        "directory_entry": entry.pk,
        "connect_request": requester.provider_link.requests.get().pk,
        "connect_provider": provider.pk,
        "connect_link": link.pk,
        "connect_order": forwarded.provider_order_id,
        "connect_supplier": supplier_link.contractor_integration_id,
        "connect_code": code_to_join,
        "partner_status": OrderStatus.objects.filter(account=partner).first().pk,
    }


@pytest.fixture
def owner_client(world, client):
    client.force_login(world.account.memberships.get(role="owner").user)
    client.raise_request_exception = False
    return client


def _api(account) -> APIClient:
    api = APIClient(raise_request_exception=False)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {ApiTokenFactory.create_with_secret(account=account)[1]}")
    return api


# --- API writes --------------------------------------------------------------------------------------------

# (operation as in the OpenAPI schema, URL, valid body). Bodies name account A's rows by key of World.ids.
API_WRITES = [
    ("PATCH /account/", "/account/", {"name": "Alpha", "email": "a@example.test", "country": "PL"}),
    ("PATCH /account/members/{id}/", "/account/members/{member}/", {"role": "member"}),
    ("POST /account/tokens/", "/account/tokens/", {"name": "Script", "role": "member"}),
    (
        "POST /automation-rules/",
        "/automation-rules/",
        {
            "name": "Rule",
            "event": "order_created",
            "position": 1,
            "conditions": {"statuses": ["{status}"], "total_min": "1.50", "paid": "paid"},
            "actions": [
                {"type": "add_comment", "text": "Hello"},
                {"type": "set_status", "status": "{status}"},
            ],
        },
    ),
    ("POST /categories/", "/categories/", {"name": "Mugs", "inventory": "{inventory}"}),
    ("POST /extra-fields/", "/extra-fields/", {"name": "Colour", "kind": "short"}),
    (
        "POST /inventories/",
        "/inventories/",
        {
            "name": "Second",
            "languages": ["en", "pl"],
            "default_language": "en",
            "warehouses": ["{warehouse}"],
            "price_groups": ["{group}"],
            "default_warehouse": "{warehouse}",
            "default_price_group": "{group}",
        },
    ),
    ("POST /manufacturers/", "/manufacturers/", {"name": "Acme"}),
    ("POST /tags/", "/tags/", {"name": "Sale"}),
    ("POST /warehouses/", "/warehouses/", {"name": "Second depot", "description": "North"}),
    ("POST /price-groups/", "/price-groups/", {"name": "Wholesale", "currency": "EUR"}),
    ("POST /order-buttons/", "/order-buttons/", {"name": "Print", "color": "#123456"}),
    (
        "POST /order-extra-fields/",
        "/order-extra-fields/",
        {"name": "Size", "kind": "select", "options": ["S"]},
    ),
    (
        "POST /order-lines/",
        "/order-lines/",
        {"order": "{order}", "product": "{product}", "quantity": 1, "price_brutto": "9.99", "tax_rate": "23"},
    ),
    (
        "PATCH /order-lines/{id}/",
        "/order-lines/{line}/",
        {"quantity": 2, "price_brutto": "8.50", "tax_rate": "8", "name": "Mug"},
    ),
    ("POST /order-sources/", "/order-sources/", {"name": "Shop", "kind": "shop"}),
    (
        "POST /order-statuses/",
        "/order-statuses/",
        {"name": "Packed", "name_for_customer": "Packed", "color": "#123456", "position": 3, "kind": "other"},
    ),
    (
        "POST /orders/",
        "/orders/",
        {
            "email": "buyer@example.test",
            "currency": "PLN",
            "delivery_price": "12.00",
            "shop_order_id": 7,
            "star": 1,
            "date_confirmed": "2026-01-01T10:00:00Z",
            "custom_extra_fields": {"{order_field}": "3.5"},
            "lines": [{"product": "{product}", "quantity": 1, "price_brutto": "10.00", "tax_rate": "23"}],
        },
    ),
    (
        "PATCH /orders/{id}/",
        "/orders/{order}/",
        {
            "email": "other@example.test",
            "delivery_price": "5.00",
            "shop_order_id": 8,
            "star": 2,
            "confirmed": True,
            "date_confirmed": "2026-01-01T10:00:00Z",
            "custom_extra_fields": {"{order_field}": "4"},
        },
    ),
    ("POST /orders/{id}/payment/", "/orders/{order}/payment/", {"payment_done": "5.00"}),
    ("POST /orders/{id}/status/", "/orders/{order}/status/", {"status": "{status}"}),
    ("POST /orders/bulk-status/", "/orders/bulk-status/", {"orders": ["{order}"], "status": "{status}"}),
    ("POST /orders/button/", "/orders/button/", {"orders": ["{order}"], "button": "{button}"}),
    ("POST /orders/merge/", "/orders/merge/", {"orders": ["{order}", "{order2}"], "main": "{order}"}),
    (
        "POST /packages/",
        "/packages/",
        {
            "order": "{order}",
            "courier_code": "manual",
            "courier_package_nr": "TRACK-2",
            "tracking_url": "https://track.example.test/2",
            "weight": "1.5",
            "length": "10",
        },
    ),
    (
        "POST /packages/{id}/events/",
        "/packages/{package}/events/",
        {"tracking_status": 2, "courier_status_code": "IN", "occurred_at": "2026-01-01T10:00:00Z"},
    ),
    (
        "POST /prices/bulk/",
        "/prices/bulk/",
        {"items": [{"product_id": "{product}", "price_group_id": "{group}", "amount": "19.99"}]},
    ),
    (
        "POST /stock/bulk/",
        "/stock/bulk/",
        {
            "items": [
                {"sku": "P1", "inventory_id": "{inventory}", "warehouse_id": "{warehouse}", "quantity": 5}
            ]
        },
    ),
    (
        "POST /products/",
        "/products/",
        {
            "inventory": "{inventory}",
            "sku": "NEW-1",
            "ean": "5901234123457",
            "tax_rate": "23",
            "weight": "0.350",
            "star": 1,
            "average_cost": "4.20",
            "is_bundle": True,
            "texts": [
                {
                    "language": "{language}",
                    "name": "Cup",
                    "features": [["Colour", "White"]],
                    "extra_fields": {"{product_field}": "Porcelain"},
                }
            ],
            "images": [{"position": 0, "url": "https://img.example.test/cup.png"}],
            "components": [{"component": "{product}", "quantity": 2}],
            "stock": [{"warehouse": "{warehouse}", "quantity": 3}],
            "prices": [{"price_group": "{group}", "amount": "9.99"}],
        },
    ),
    (
        "PATCH /products/{id}/",
        "/products/{bundle}/",
        {
            "tax_rate": "8",
            "texts": [{"language": "{language}", "features": [["Size", "M"]]}],
            "components": [{"component": "{product}", "quantity": 3}],
            "stock": [{"warehouse": "{warehouse}", "quantity": 4}],
            "prices": [{"price_group": "{group}", "amount": "7.50"}],
        },
    ),
    (
        "POST /wms-connections/",
        "/wms-connections/",
        {
            "name": "Second WMS",
            "base_url": "https://wms.example.test/y/",
            "api_user": "api",
            "password": "secret",
            "goods_owner_id": 2,
            "inventory": "{inventory}",
            "export_statuses": ["{status}"],
            "export_orders_since": "2026-01-01T00:00:00Z",
        },
    ),
    ("POST /wms-connections/{id}/sync/", "/wms-connections/{connection}/sync/", {"kinds": ["articles"]}),
    (
        "POST /connect/provider-integrations/",
        "/connect/provider-integrations/",
        {
            "display_name": "Second",
            "code_name": "Shops",
            "orders_enabled": True,
            "products_enabled": True,
            "order_settings": {
                "target_status": "{status}",
                "payment": "paid",
                "match_inventory": "{inventory}",
                "source_warehouse": "{warehouse}",
                "price_group": "{group}",
                "additional_info": ["admin_comments"],
            },
            "sharing_settings": {
                "inventory": "{inventory}",
                "category_mode": "all",
                "language": "{language}",
                "source_warehouse": "{warehouse}",
                "price_group": "{group}",
                "images": "first",
            },
        },
    ),
    (
        "PATCH /connect/provider-integrations/{id}/",
        "/connect/provider-integrations/{connect_provider}/",
        {
            "display_name": "Renamed",
            "order_settings": {"payment": "unpaid", "target_status": "{status}"},
            "sharing_settings": {"price_group": "{group}"},
        },
    ),
    (
        "POST /connect/contractor-integrations/verify/",
        "/connect/contractor-integrations/verify/",
        {"code": "{connect_code}"},
    ),
    (
        "POST /connect/contractor-integrations/",
        "/connect/contractor-integrations/",
        {
            "code": "{connect_code}",
            "display_name": "Supplier",
            "settings": {
                "price_multiplier": "1.30",
                "quantity_subtract": 1,
                "quantity_keep_percent": "5",
                "price_sync": True,
                "price_group": "{group}",
                "stock_sync": True,
                "warehouse": "{warehouse}",
            },
        },
    ),
    (
        "PATCH /connect/contractor-integrations/{id}/",
        "/connect/contractor-integrations/{connect_supplier}/",
        {
            "display_name": "S",
            "settings": {"price_multiplier": "1.10", "quantity_subtract": 2, "warehouse": "{warehouse}"},
        },
    ),
    (
        "PATCH /connect/contractors/{id}/",
        "/connect/contractors/{connect_link}/",
        {
            "name": "Partner",
            "state": "active",
            "range_mode": "products",
            "range_products": ["{product}"],
            "price_group": "{group}",
        },
    ),
    (
        "PATCH /connect/contractors/{id}/credit/",
        "/connect/contractors/{connect_link}/credit/",
        {"credit_limit": "500.00", "credit_currency": "PLN", "block_stock_below": "10.00", "message": "m"},
    ),
    (
        "POST /connect/contractors/{id}/credit-limit/",
        "/connect/contractors/{connect_link}/credit-limit/",
        {"new_limit": "300.00", "message": "m"},
    ),
    (
        "POST /connect/contractors/{id}/payments/",
        "/connect/contractors/{connect_link}/payments/",
        {"amount": "10.00", "description": "wire", "order": "{connect_order}"},
    ),
    (
        "POST /connect/contractors/{id}/adjustments/",
        "/connect/contractors/{connect_link}/adjustments/",
        {"amount": "-5.00", "description": "fee", "order": "{connect_order}"},
    ),
    (
        "POST /connect/imports/",
        "/connect/imports/",
        {
            "integration": "{connect_supplier}",
            "inventory": "{inventory}",
            "scope": "all",
            "keep_importing": True,
            "valid_rows_only": False,
        },
    ),
    (
        "POST /connect/forwards/",
        "/connect/forwards/",
        {"orders": ["{order}", "{order2}"], "integration": "{connect_supplier}"},
    ),
    (
        "POST /connect/status-mappings/",
        "/connect/status-mappings/",
        {
            "link": "{connect_link}",
            "direction": "send",
            "local_status": "{status}",
            "remote_status": "{partner_status}",
        },
    ),
]
API_WRITES += [
    (
        "PATCH /connect/provider-integrations/{id}/publication/",
        "/connect/provider-integrations/{connect_provider}/publication/",
        {
            "is_public": True,
            "company_name": "Bad input wholesale",
            "description": "Everything.",
            "countries": ["PL", "DE"],
            "industries": ["home_garden"],
            "services": ["wholesaler"],
            "contact_email": "sales@example.test",
            "website": "https://example.test",
            "show_products": True,
            "approval_required": True,
            "show_prices": False,
        },
    ),
    (
        "POST /connect/directory/{id}/message/",
        "/connect/directory/{directory_entry}/message/",
        {"reply_to": "me@example.test", "message": "Hello"},
    ),
    (
        "POST /connect/connection-requests/{id}/accept/",
        "/connect/connection-requests/{connect_request}/accept/",
        {"message": "Welcome"},
    ),
    (
        "POST /connect/connection-requests/{id}/reject/",
        "/connect/connection-requests/{connect_request}/reject/",
        {"message": "Not now"},
    ),
]
# Writes whose body is not a JSON object of fields: checked by their own tests.
WITHOUT_FIELDS = {
    "POST /connect/contractor-integrations/{id}/resend-request/": "no body",
    "POST /connect/contractor-integrations/{id}/resync/": "no body",
    "POST /imports/": "a multipart file upload (tests/catalog/test_import.py)",
    "POST /prices/bulk-file/": "a CSV body (tests/catalog/test_bulk_input.py)",
    "POST /stock/bulk-file/": "a CSV body (tests/catalog/test_bulk_input.py)",
    "POST /wms-connections/{id}/resume/": "no body",
    "POST /connect/provider-integrations/{id}/regenerate-code/": "no body",
    "POST /connect/imports/{id}/run/": "no body",
    "POST /wms-connections/{id}/test/": "no body (and it calls the WMS)",
}
# Text fields whose valid values are digits (so a number there is no error).
TEXT_OF_DIGITS = {"ean"}
# Known problems in other apps' code, fixed by their owners; kept visible here. (operation, field or None
# for the whole body) → what happens.
ELSEWHERE = {
    ("POST /wms-connections/", "goods_owner_id"): "Unicode digits are read as a number (the WMS bridge)",
}


def _with_ids(value, ids: dict):
    """The body with "{key}" placeholders replaced by account A's ids (as numbers, or inside text)."""
    if isinstance(value, dict):
        return {_with_ids(k, ids): _with_ids(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_ids(v, ids) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    return value


def _keyed(value):
    """Object keys stay text in JSON: {"{order_field}": …} becomes {"12": …}."""
    if isinstance(value, dict):
        return {str(k): _keyed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_keyed(v) for v in value]
    return value


def _paths(body, path=()):
    """Every place a value sits in ``body``: each key of each object, the first item of each list."""
    if isinstance(body, dict):
        for key, value in body.items():
            yield (*path, key)
            yield from _paths(value, (*path, key))
    elif isinstance(body, list) and body:
        yield (*path, 0)
        yield from _paths(body[0], (*path, 0))


def _replaced(body, path, value):
    body = copy.deepcopy(body)
    node = body
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return body


def _at(body, path):
    for step in path:
        body = body[step]
    return body


def _bad_values_for(value) -> list:
    if _is_number(value):
        return BAD_FOR_NUMBER
    if isinstance(value, bool):
        return BAD_FOR_FLAG
    if isinstance(value, list):
        return BAD_FOR_LIST
    if isinstance(value, dict):
        return BAD_FOR_OBJECT
    return BAD_FOR_TEXT


def _is_number(value) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or bool(
        isinstance(value, str) and _NUMERIC.match(value)
    )


def _send(api, method: str, url: str, *, body=None, raw: str | None = None):
    """One request whose writes are undone afterwards; returns (status, parsed JSON body or None)."""
    try:
        with transaction.atomic():
            if raw is not None:
                response = getattr(api, method)(url, raw, content_type="application/json")
            else:
                response = getattr(api, method)(url, body, format="json")
            raise _Rollback(response)
    except _Rollback as done:
        response = done.args[0]
    try:
        data = response.json()
    except (ValueError, TypeError):
        data = None
    return response.status_code, data


@pytest.mark.parametrize(("operation", "url", "body"), API_WRITES, ids=[case[0] for case in API_WRITES])
def test_no_bad_value_in_any_field_of_an_api_write_is_a_server_error(world, operation, url, body):
    api = _api(world.account)
    method = operation.split()[0].lower()
    url = "/api/v1" + url.format(**world.ids)
    body = _keyed(_with_ids(body, world.ids))
    status, data = _send(api, method, url, body=body)
    assert status < 300, f"the valid body is refused: {data}"
    problems = []
    for path in _paths(body):
        original = _at(body, path)
        for bad in _bad_values_for(original):
            status, data = _send(api, method, url, body=_replaced(body, path, bad))
            if status >= 500:
                problems.append(f"{path} = {bad!r:.40}: {status}")
            elif (
                # A number, an id or a value inside a JSON field: refused, with a message on the field.
                _is_number(original)
                and path[-1] not in TEXT_OF_DIGITS
                and (operation, path[0]) not in ELSEWHERE
                and bad in NUMBERS_NEVER_VALID
                and (status != 400 or path[0] not in (data or {}).get("errors", {}))
            ):
                problems.append(f"{path} = {bad!r:.40}: {status} {data} (a field message expected)")
    for name, raw in (("deep array", DEEP_ARRAY), ("deep object", DEEP_OBJECT)):
        status, data = _send(api, method, url, raw=raw)
        if status != 400:
            problems.append(f"{name}: {status} (400 expected)")
    if (operation, None) not in ELSEWHERE:
        for bad in BAD_BODIES:
            status, data = _send(api, method, url, body=bad)
            if status >= 500:
                problems.append(f"whole body {bad!r:.40}: {status}")
    assert not problems, "\n".join(problems)


def test_every_api_write_has_a_bad_input_case():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    writes = {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("post", "put", "patch")
    }
    covered = {case[0] for case in API_WRITES} | set(WITHOUT_FIELDS)
    # PUT and PATCH of a row take the fields its collection's POST takes: that case covers them, unless
    # the row has its own (products, orders and order lines, whose PATCH differs).
    missing = {
        write
        for write in writes - covered
        if write.split()[0] in ("PUT", "PATCH")
        and f"POST {write.split()[1].removesuffix('{id}/')}" not in covered
        or write.split()[0] == "POST"
    }
    assert not missing, f"API writes without a bad-input case: {sorted(missing)}"


@pytest.mark.parametrize(
    "url",
    [
        "/stock/bulk/",
        "/stock/bulk-file/",
        "/prices/bulk/",
        "/prices/bulk-file/",
        "/orders/merge/",
        "/orders/bulk-status/",
        "/products/",
        "/order-statuses/",
        "/imports/",
    ],
)
def test_options_describes_the_endpoint(world, url):
    response = _api(world.account).options("/api/v1" + url)
    assert response.status_code == 200, response.content[:300]


# Form fields and query parameters are text: the bad values as text.
WEB_BAD = ["²", "٣", "NaN", "1e400", "9" * 25, NUL, *DATES]
WEB_BAD_FOR_TEXT = [NUL, DATES[1], "x" * 3000]

# --- API filters -------------------------------------------------------------------------------------------

API_FILTERS = {
    "/orders/": [
        "currency",
        "date_from",
        "date_to",
        "email",
        "external_order_id",
        "is_technical",
        "ordering",
        "page",
        "page_size",
        "paid",
        "search",
        "source",
        "status",
        "status_date_from",
        "status_date_to",
    ],
    "/products/": [
        "category",
        "ean",
        "has_variants",
        "inventory",
        "is_variant",
        "manufacturer",
        "ordering",
        "page",
        "page_size",
        "parent",
        "search",
        "sku",
        "stock_max",
        "stock_min",
        "tags",
    ],
    "/journal/": ["from_id", "order", "ordering", "page", "page_size", "type"],
    "/packages/": ["courier_code", "courier_package_nr", "order", "ordering", "page", "page_size"],
    "/categories/": ["inventory", "parent", "page_size"],
    "/imports/": ["inventory", "status", "page_size"],
    "/order-lines/": ["order", "product", "page_size"],
    "/wms-connections/": ["enabled", "inventory", "page_size"],
    "/wms-sync-runs/": ["connection", "kind", "status", "page_size"],
    "/account/members/": ["role", "page_size"],
    "/connect/contractors/": ["integration", "state", "connected", "search", "page_size"],
    "/connect/status-mappings/": ["link", "direction", "page_size"],
    "/connect/directory/": ["search", "countries", "industries", "services", "page", "page_size"],
    "/connect/connection-requests/": ["integration", "state", "page_size"],
}
# Impossible dates are a 400 on the parameter (offsets beyond ±15:59 are read in UTC by these filters).
DATE_FILTERS = {("/orders/", name) for name in ("date_from", "date_to", "status_date_from", "status_date_to")}


@pytest.mark.parametrize("path", sorted(API_FILTERS))
def test_no_bad_value_in_any_api_filter_is_a_server_error(world, path):
    api = _api(world.account)
    problems = []
    for name in API_FILTERS[path]:
        for bad in WEB_BAD:
            status, data = _send(api, "get", "/api/v1" + path, body={name: bad})
            if status >= 500:
                problems.append(f"{name}={bad!r:.40}: {status}")
            elif (
                (path, name) in DATE_FILTERS
                and bad == "2026-13-45"
                and (status != 400 or name not in (data or {}).get("errors", {}))
            ):
                problems.append(f"{name}={bad!r}: {status} {data} (a 400 on the filter expected)")
    assert not problems, "\n".join(problems)


def test_wms_sync_run_filter_reads_offsets_postgresql_cannot_store_in_utc(world):
    """Like the order filters: an ISO 8601 offset beyond ±15:59 is read in UTC, an impossible one refused."""
    status, _data = _send(
        _api(world.account),
        "get",
        "/api/v1/wms-sync-runs/",
        body={"started_from": "2026-01-01T00:00:00+18:47"},
    )
    assert status == 200
    status, _data = _send(
        _api(world.account), "get", "/api/v1/wms-sync-runs/", body={"started_from": "2026-13-45T00:00:00"}
    )
    assert status == 400


@pytest.mark.parametrize("size", ["-5", "0", "²", "1e3", "abc"])
def test_a_page_size_that_is_not_a_positive_whole_number_is_a_400(world, size):
    response = _api(world.account).get("/api/v1/products/", {"page_size": size})
    assert response.status_code == 400 and "page_size" in response.json()["errors"]


def test_a_page_size_above_the_limit_is_cut_to_the_limit(world):
    response = _api(world.account).get("/api/v1/products/", {"page_size": "99999999999999999999"})
    assert response.status_code == 200 and len(response.json()["results"]) == 2


# --- web forms ---------------------------------------------------------------------------------------------

WEB_FORMS = [
    (
        "/catalog/new/",
        {
            "inventory": "{inventory}",
            "sku": "NEW-1",
            "tax_rate": "23",
            "weight": "1",
            "height": "0",
            "width": "0",
            "length": "0",
            "star": "0",
            "average_cost": "0",
            "name_{language}": "Cup",
            "features_{language}": "Colour: white",
            "images": "https://img.example.test/cup.png",
        },
    ),
    ("/catalog/{product}/grid/stock/", {"v-{product}-{warehouse}": "5"}),
    ("/catalog/{product}/grid/prices/", {"v-{product}-{group}": "5.50"}),
    ("/catalog/{bundle}/components/", {"component": "P1", "quantity": "2"}),
    ("/catalog/{bundle}/components/", {"remove": "{component}"}),
    (
        "/catalog/catalogs/",
        {
            "name": "Second",
            "languages": "en, pl",
            "default_language": "en",
            "warehouses": "{warehouse}",
            "default_warehouse": "{warehouse}",
            "price_groups": "{group}",
            "default_price_group": "{group}",
        },
    ),
    ("/catalog/catalogs/{inventory}/categories/", {"name": "Mugs"}),
    ("/catalog/settings/warehouses/", {"name": "Second depot"}),
    ("/catalog/settings/price-groups/", {"name": "Wholesale", "currency": "EUR"}),
    ("/catalog/settings/extra-fields/", {"name": "Colour", "kind": "short"}),
    (
        "/orders/new/",
        {
            "source": "{source}",
            "currency": "PLN",
            "email": "buyer@example.test",
            "delivery_price": "1",
            "shop_order_id": "1",
            "star": "1",
            "x_{order_field}": "1",
            "line-product": "P1",
            "line-quantity": "1",
            "line-price_brutto": "10",
            "line-warehouse": "{warehouse}",
        },
    ),
    ("/orders/{order}/edit/", {"source": "{source}", "currency": "PLN", "delivery_price": "2", "star": "1"}),
    ("/orders/{order}/status/", {"status": "{status}"}),
    ("/orders/{order}/button/", {"button": "{button}"}),
    ("/orders/{order}/payment/", {"payment_done": "1"}),
    ("/orders/{order}/line-add/", {"line-product": "P1", "line-quantity": "1", "line-price_brutto": "1"}),
    ("/orders/{order}/line-change/", {"line": "{line}", "quantity": "2", "price_brutto": "1"}),
    ("/orders/{order}/line-remove/", {"line": "{line}"}),
    ("/orders/bulk/", {"orders": "{order}", "action": "status:{status}"}),
    ("/orders/bulk/", {"orders": "{order}", "action": "button:{button}"}),
    ("/orders/bulk/", {"orders": ["{order}", "{order2}"], "action": "merge", "main": "{order}"}),
    (
        "/orders/settings/rules/",
        {
            "name": "Rule",
            "enabled": "on",
            "event": "order_created",
            "position": "0",
            "c_total_min": "1",
            "c_statuses": "{status}",
            "a0_type": "set_status",
            "a0_status": "{status}",
        },
    ),
    (
        "/orders/settings/statuses/",
        {
            "name": "Packed",
            "name_for_customer": "Packed",
            "color": "#123456",
            "position": "1",
            "kind": "other",
        },
    ),
    ("/orders/settings/extra-fields/", {"name": "Size", "kind": "select", "options": "S\nM"}),
    ("/orders/settings/buttons/", {"name": "Print", "color": "#123456"}),
    ("/shipments/orders/{order}/new/", {"courier_code": "manual", "courier_package_nr": "T2", "weight": "1"}),
    ("/shipments/packages/{package}/events/", {"tracking_status": "2", "occurred_at": "2026-01-01T10:00"}),
    (
        "/connect/provider/new/",
        {
            "display_name": "Second",
            "orders_enabled": "on",
            "products_enabled": "on",
            "orders-target_status": "{status}",
            "orders-payment": "paid",
            "orders-delivery_cost": "copy",
            "orders-match_inventory": "{inventory}",
            "sharing-inventory": "{inventory}",
            "sharing-category_mode": "all",
            "sharing-language": "{language}",
            "sharing-source_warehouse": "{warehouse}",
            "sharing-price_group": "{group}",
            "sharing-images": "all",
        },
    ),
    ("/connect/join/", {"step": "verify", "code": "{connect_code}"}),
    (
        "/connect/join/",
        {
            "step": "join",
            "code": "{connect_code}",
            "display_name": "Supplier",
            "forwarding": "button",
            "price_multiplier": "1.3",
            "quantity_subtract": "1",
            "quantity_keep_percent": "5",
        },
    ),
    ("/connect/supplier/{connect_supplier}/stock/", {"stock_sync": "on", "warehouse": "{warehouse}"}),
    (
        "/connect/supplier/{connect_supplier}/products/",
        {"price_multiplier": "1.2", "quantity_subtract": "3", "quantity_keep_percent": "10"},
    ),
    (
        "/connect/provider/{connect_provider}/contractors/{connect_link}/",
        {"name": "P", "range_mode": "products", "range_products_text": "P1", "price_group": "{group}"},
    ),
    (
        "/connect/provider/{connect_provider}/contractors/{connect_link}/credit/",
        {"credit_limit": "100", "credit_currency": "PLN", "block_stock_below": "5"},
    ),
    (
        "/connect/provider/{connect_provider}/contractors/{connect_link}/payment/",
        {"payment-amount": "5", "payment-order": "{connect_order}"},
    ),
    (
        "/connect/provider/{connect_provider}/contractors/{connect_link}/adjust/",
        {"adjust-amount": "-5", "adjust-description": "fee", "adjust-order": "{connect_order}"},
    ),
    (
        "/connect/provider/{connect_provider}/statuses/",
        {"action": "send", "contractor": "{connect_link}", "send-s{status}": "{partner_status}"},
    ),
    (
        "/connect/provider/{connect_provider}/publish/",
        {
            "is_public": "1",
            "company_name": "Bad input wholesale",
            "description": "Everything.",
            "countries": ["PL"],
            "industries": ["home_garden"],
            "services": ["wholesaler"],
            "contact_email": "sales@example.test",
            "website": "https://example.test",
        },
    ),
    ("/connect/directory/{directory_entry}/message/", {"reply_to": "me@example.test", "message": "Hi"}),
    (
        "/connect/provider/{connect_provider}/requests/{connect_request}/answer/",
        {"answer": "reject", "message": "Not now"},
    ),
]


def _filled(text: str, ids: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), text)


def _post(client, url: str, data: dict) -> int:
    """The status of one form post whose writes are undone afterwards."""
    try:
        with transaction.atomic():
            raise _Rollback(client.post(url, data))
    except _Rollback as done:
        return done.args[0].status_code


@pytest.mark.parametrize(("url", "body"), WEB_FORMS, ids=[f"{u} {sorted(b)[0]}" for u, b in WEB_FORMS])
def test_no_bad_value_in_a_web_form_is_a_server_error(world, owner_client, url, body):
    url = _filled(url, world.ids)
    body = {
        _filled(k, world.ids): [_filled(x, world.ids) for x in v]
        if isinstance(v, list)
        else _filled(v, world.ids)
        for k, v in body.items()
    }
    assert _post(owner_client, url, body) in (200, 302), "the valid form is refused"
    problems = []
    for key, value in body.items():
        numeric = isinstance(value, str) and bool(_NUMERIC.match(value))
        for bad in WEB_BAD if numeric else WEB_BAD_FOR_TEXT:
            status = _post(owner_client, url, {**body, key: bad})
            if status >= 500:
                problems.append(f"{key} = {bad!r:.40}: {status}")
    assert not problems, "\n".join(problems)


WEB_FILTERS = {
    "/catalog/": ["inventory", "category", "manufacturer", "tags", "search", "stock_min", "sort", "page"],
    "/orders/": ["status", "source", "date_from", "date_to", "paid", "search", "technical", "page"],
    "/orders/product-suggestions/": ["line-product"],
    "/shipments/": ["page"],
    "/connect/provider/{connect_provider}/contractors/": ["search", "state", "page"],
    "/connect/directory/": ["search", "countries", "industries", "services", "page"],
}


@pytest.mark.parametrize("path", sorted(WEB_FILTERS))
def test_no_bad_value_in_a_page_filter_is_a_server_error(world, owner_client, path):
    problems = []
    for name in WEB_FILTERS[path]:
        for bad in [*WEB_BAD, "x" * 3000]:
            status = owner_client.get(_filled(path, world.ids), {name: bad}).status_code
            if status >= 500:
                problems.append(f"{name}={bad!r:.40}: {status}")
    assert not problems, "\n".join(problems)


def test_request_bodies_nested_too_deeply_are_refused_not_crashed(world):
    api = _api(world.account)
    for raw in (DEEP_ARRAY, DEEP_OBJECT, "[" * 40 + "]" * 40):
        response = api.post("/api/v1/warehouses/", raw, content_type="application/json")
        assert response.status_code == 400 and "JSON" in response.json()["detail"]
    shallow = _send(api, "post", "/api/v1/warehouses/", raw=json.dumps({"name": "Depot"}))
    assert shallow[0] == 201
