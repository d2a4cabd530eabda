"""Connect in the role matrix: members read, owners and admins write — on the pages and in the API
alike, and the services say the same (a member is refused by both)."""

from __future__ import annotations

import pytest

from accounts import roles
from accounts.models import Role
from tests.isolation.test_roles import MATRIX

SAME_THING = [
    (("connect:provider-create", "POST"), ("api:connect-provider-list", "POST")),
    (("connect:provider-detail", "POST"), ("api:connect-provider-detail", "PATCH")),
    (("connect:provider-regenerate", "POST"), ("api:connect-provider-regenerate-code", "POST")),
    (("connect:provider-delete", "POST"), ("api:connect-provider-detail", "DELETE")),
    (("connect:join", "POST"), ("api:connect-contractor-integration-list", "POST")),
    (("connect:join", "POST"), ("api:connect-contractor-integration-verify", "POST")),
    (("connect:supplier-detail", "POST"), ("api:connect-contractor-integration-detail", "PATCH")),
    (("connect:supplier-disconnect", "POST"), ("api:connect-contractor-integration-detail", "DELETE")),
    (("connect:contractor-edit", "POST"), ("api:connect-contractor-detail", "PATCH")),
    (("connect:contractor-state", "POST"), ("api:connect-contractor-detail", "PATCH")),
    (("connect:contractor-credit", "POST"), ("api:connect-contractor-credit", "PATCH")),
    (("connect:contractor-payment", "POST"), ("api:connect-contractor-payments", "POST")),
    (("connect:contractor-adjust", "POST"), ("api:connect-contractor-adjustments", "POST")),
    (("connect:provider-statuses", "POST"), ("api:connect-status-mapping-list", "POST")),
]


@pytest.mark.parametrize(("page", "api"), SAME_THING, ids=lambda v: f"{v[0]} {v[1]}")
def test_a_connect_page_and_its_api_route_need_the_same_role(page, api):
    (page_route, page_method), (api_route, api_method) = page, api
    assert MATRIX[page_route].role_for(page_method) == MATRIX[api_route].role_for(api_method) == Role.ADMIN


# The shared catalog and imports from it are product work, like the CSV import: the products area
# (members browse and import; the link they read through is still checked by connect's selectors).
PRODUCT_WORK = ("connect.views_catalog", "connect.api_catalog")


def test_browsing_and_importing_a_shared_catalog_is_product_work_members_do():
    routes = {route: m for route, m in MATRIX.items() if m.view.__module__ in PRODUCT_WORK}
    assert len(routes) >= 8
    for route, matrix_route in routes.items():
        assert roles.area_of(matrix_route.view) is roles.PRODUCTS, route
    assert MATRIX["connect:import-create"].role_for("POST") == Role.MEMBER
    assert MATRIX["api:connect-import-list"].role_for("POST") == MATRIX["connect:import-create"].role_for(
        "POST"
    )


# Forwarding an order is an order action: members forward (as they press the order card's button that
# runs the same forward), so these routes are in the orders area.
FORWARDING_ROUTES = {"api:connect-forward-list", "api:connect-forward-detail", "connect:order-forward-state"}


def test_every_connect_route_is_in_the_connect_area_and_members_read():
    connect_routes = {
        route: m
        for route, m in MATRIX.items()
        if m.view.__module__.startswith("connect.") and m.view.__module__ not in PRODUCT_WORK
    }
    assert len(connect_routes) >= 30
    for route, matrix_route in connect_routes.items():
        area = roles.ORDERS if route in FORWARDING_ROUTES else roles.CONNECT
        assert roles.area_of(matrix_route.view) is area, route
    for route in (
        "connect:integration-list",
        "connect:provider-contractors",
        "api:connect-contractor-ledger",
    ):
        assert MATRIX[route].role_for("GET") == Role.MEMBER, route
    # Opening the forms that create something is already for admins.
    for route in ("connect:provider-create", "connect:join"):
        assert MATRIX[route].role_for("GET") == Role.ADMIN, route


def test_members_forward_orders_through_the_api_as_through_the_order_card():
    assert MATRIX["api:connect-forward-list"].role_for("POST") == Role.MEMBER
    assert MATRIX["orders:order-action"].role_for("POST") == Role.MEMBER
    assert MATRIX["connect:order-forward-state"].role_for("GET") == Role.MEMBER
