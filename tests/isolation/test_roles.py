"""The role matrix: every write of every route needs the role ``accounts.roles`` names, pages and API alike.

The routes come from the URL resolver, the methods each allows from its view, the role each needs from
the area and act the view declares. For every unsafe method a member's session, a member's token, an
admin's session and an admin's token try it on objects of their own account (the isolation cases'
setups): a role below the matrix gets 403 and changes nothing; the roles at or above it are let
through. Web pages take no tokens, so a token there is sent to sign in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.views import APIView

from accounts import roles
from accounts.models import ROLE_RANK, Membership, Role, User
from accounts.permissions import IsAccountMember
from accounts.tenancy import AccountViewMixin
from tests.factories import ApiTokenFactory, MembershipFactory
from tests.isolation.framework import case_for, registered_cases, route_patterns

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

# Routes of signed-in people that act for no account's rows, so no account role applies.
OUTSIDE_THE_MATRIX = {
    "account-create": "any signed-in person may open a new account of their own (and owns it)",
}


@dataclass(frozen=True)
class MatrixRoute:
    route: str
    view: type
    methods: tuple[str, ...]
    acts: dict  # method → declared act (None: the method says it)
    api: bool

    def role_for(self, method: str) -> Role:
        return roles.area_of(self.view).role_for(roles.act_for(method, self.acts.get(method)))


def _matrix_route(route: str, callback) -> MatrixRoute | None:
    """What the resolver knows of a route's view, if the view acts for an account (None otherwise)."""
    drf_view = getattr(callback, "cls", None)
    if drf_view is not None and issubclass(drf_view, APIView):
        if not any(issubclass(p, IsAccountMember) for p in drf_view.permission_classes):
            return None
        allowed = {m.upper() for m in drf_view.http_method_names}
        actions = getattr(callback, "actions", None)
        if actions:
            methods = tuple(m.upper() for m in actions if m.upper() in allowed)
        else:
            methods = tuple(m.upper() for m in drf_view.http_method_names if hasattr(drf_view, m))
        declared = callback.initkwargs.get("act", getattr(drf_view, "act", None))
        return MatrixRoute(route, drf_view, methods, dict.fromkeys(methods, declared), api=True)
    view = getattr(callback, "view_class", None)
    if view is not None and issubclass(view, AccountViewMixin):
        methods = tuple(m.upper() for m in view.http_method_names if m != "options" and hasattr(view, m))
        return MatrixRoute(route, view, methods, dict.fromkeys(methods, view.act), api=False)
    return None


CASES = registered_cases()
ALL_ROUTES = list(route_patterns())
MATRIX = {route: m for route, p in ALL_ROUTES if (m := _matrix_route(route, p.callback)) is not None}
WRITES = [(m, method) for m in MATRIX.values() for method in m.methods if method in UNSAFE]


def test_every_route_of_an_account_declares_its_area():
    undeclared = sorted(
        route for route, m in MATRIX.items() if roles.area_of(m.view) not in roles.AREAS.values()
    )
    assert not undeclared, (
        "Routes whose view declares no area of accounts.roles (set `area = roles.<AREA>`): "
        + ", ".join(undeclared)
    )


def test_every_other_signed_in_route_says_why_no_role_applies():
    """A route outside the matrix is public, staff-only, or listed above with a reason. An ``rpc`` route
    (``/connector.php``) asks the matrix per method it serves (``tests/blconnector/test_roles.py``)."""
    unexplained = []
    for route, _pattern in ALL_ROUTES:
        if route in MATRIX or route in OUTSIDE_THE_MATRIX:
            continue
        case = case_for(route, CASES)
        if case is None or case.kind not in ("public", "staff", "rpc"):
            unexplained.append(route)
    assert not unexplained, "Routes neither in the role matrix nor public: " + ", ".join(sorted(unexplained))


def test_the_walk_finds_the_pages_and_api_of_every_app():
    """Guards the walk itself: a resolver change that hid the views would make the matrix test vacuous."""
    found = {(m.view.__module__.split(".")[0], m.api) for m, _method in WRITES}
    for app in ("accounts", "catalog", "orders", "shipments", "wmsbridge"):
        assert {(app, False), (app, True)} <= found, app


# -- the walk ------------------------------------------------------------------------------------------


def _person(account, role: str):
    """A member with no password (signed in with ``force_login``): no slow hashing per case."""
    user = User.objects.create_user(email=f"{role}-{User.objects.count()}@example.test", password=None)
    Membership.objects.create(user=user, account=account, role=role)
    return user


def _send(client, method: str, url: str, payload, *, api: bool):
    call = getattr(client, method.lower())
    if method == "DELETE":
        return call(url)
    if api:
        return call(url, data=json.dumps(payload or {}), content_type="application/json")
    return call(url, payload or {})


def _refused_by_role(response) -> bool:
    return response.status_code == 403


@pytest.mark.parametrize(("matrix_route", "method"), WRITES, ids=lambda v: getattr(v, "route", v))
def test_every_write_needs_the_role_the_matrix_names(matrix_route: MatrixRoute, method: str, account_a):
    case = case_for(matrix_route.route, CASES)
    assert case is not None, f"{matrix_route.route} has no isolation case"
    setup = case.setup(account_a) if case.setup else None
    kwargs = (setup.kwargs if case.kind == "detail" else setup.list_kwargs) if setup else {}
    url = reverse(matrix_route.route, kwargs=kwargs) + (case.query if case.kind == "list" else "")
    payload = case.payload(setup) if callable(case.payload) else case.payload
    needed = matrix_route.role_for(method)

    requesters = []
    for role in (Role.MEMBER, Role.ADMIN):  # lower roles first: their refusals must change nothing
        person = _person(account_a, role)
        session = Client(raise_request_exception=False)
        session.force_login(person)
        _token, secret = ApiTokenFactory.create_with_secret(account=account_a, role=role, name=f"{role}")
        token = APIClient(raise_request_exception=False)
        token.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        requesters += [(role, "session", session), (role, "token", token)]

    for role, how, client in requesters:
        member_was_refused = ROLE_RANK[Role.MEMBER] < ROLE_RANK[needed]
        if (how, role) == ("session", Role.ADMIN) and member_was_refused and setup and setup.unchanged:
            setup.unchanged()  # the member's refusals left no trace
        response = _send(client, method, url, payload, api=matrix_route.api)
        said = f"{role} {how}: {method} {url} (needs {needed}) answered {response.status_code}"
        assert response.status_code < 500, said
        if how == "token" and not matrix_route.api:
            # Pages know sessions only: a token is a stranger there, sent to sign in.
            assert response.status_code == 302 and "/login/" in response["Location"], said
        elif ROLE_RANK[role] < ROLE_RANK[needed]:
            assert _refused_by_role(response), said
        else:
            assert not _refused_by_role(response), said


# -- pages and API agree -------------------------------------------------------------------------------

# The same thing done on a page and through the API: both need the same role.
SAME_THING = [
    (("catalog:product-edit", "POST"), ("api:product-detail", "PATCH")),
    (("catalog:product-delete", "POST"), ("api:product-detail", "DELETE")),
    (("catalog:product-grid", "POST"), ("api:stock-bulk", "POST")),
    (("catalog:product-grid", "POST"), ("api:price-bulk", "POST")),
    (("catalog:import-create", "POST"), ("api:importjob-list", "POST")),
    (("catalog:inventory-edit", "POST"), ("api:inventory-detail", "PATCH")),
    (("catalog:category-tree", "POST"), ("api:category-list", "POST")),
    (("catalog:category-delete", "POST"), ("api:category-detail", "DELETE")),
    (("catalog:dictionary-edit", "POST"), ("api:warehouse-detail", "PATCH")),
    (("catalog:dictionary-edit", "POST"), ("api:tag-detail", "PATCH")),
    (("catalog:dictionary-delete", "POST"), ("api:warehouse-detail", "DELETE")),
    (("catalog:dictionary-delete", "POST"), ("api:manufacturer-detail", "DELETE")),
    (("orders:order-create", "POST"), ("api:order-list", "POST")),
    (("orders:order-edit", "POST"), ("api:order-detail", "PATCH")),
    (("orders:order-action", "POST"), ("api:order-set-status", "POST")),
    (("orders:order-action", "POST"), ("api:orderline-detail", "DELETE")),
    (("orders:order-bulk", "POST"), ("api:order-merge", "POST")),
    (("orders:settings-edit", "POST"), ("api:orderstatus-detail", "PATCH")),
    (("orders:settings-delete", "POST"), ("api:orderstatus-detail", "DELETE")),
    (("orders:settings-delete", "POST"), ("api:orderbutton-detail", "DELETE")),
    (("orders:rule-edit", "POST"), ("api:automationrule-detail", "PATCH")),
    (("orders:rule-delete", "POST"), ("api:automationrule-detail", "DELETE")),
    (("shipments:package-create", "POST"), ("api:package-list", "POST")),
    (("shipments:package-event-add", "POST"), ("api:package-events", "POST")),
    (("shipments:package-delete", "POST"), ("api:package-detail", "DELETE")),
    (("wmsbridge:connection-create", "POST"), ("api:wmsconnection-list", "POST")),
    (("wmsbridge:connection-edit", "POST"), ("api:wmsconnection-detail", "PATCH")),
    (("wmsbridge:connection-test", "POST"), ("api:wmsconnection-test", "POST")),
    (("wmsbridge:connection-sync", "POST"), ("api:wmsconnection-sync", "POST")),
    (("wmsbridge:connection-resume", "POST"), ("api:wmsconnection-resume", "POST")),
    (("wmsbridge:connection-delete", "POST"), ("api:wmsconnection-detail", "DELETE")),
    (("settings-company", "POST"), ("api:account", "PATCH")),
    (("settings-member-role", "POST"), ("api:member-detail", "PATCH")),
    (("settings-member-remove", "POST"), ("api:member-detail", "DELETE")),
    (("settings-tokens", "POST"), ("api:apitoken-list", "POST")),
    (("settings-token-revoke", "POST"), ("api:apitoken-detail", "DELETE")),
]


@pytest.mark.parametrize(("page", "api"), SAME_THING, ids=lambda v: f"{v[0]} {v[1]}")
def test_a_page_and_its_api_route_need_the_same_role(page, api):
    (page_route, page_method), (api_route, api_method) = page, api
    assert MATRIX[page_route].role_for(page_method) == MATRIX[api_route].role_for(api_method)


def test_deletes_of_products_and_packages_and_settings_need_an_admin():
    for route in (
        "api:product-detail",
        "api:package-detail",
        "api:warehouse-detail",
        "api:orderstatus-detail",
    ):
        assert MATRIX[route].role_for("DELETE") == Role.ADMIN, route


# -- the reported cases, spelled out ------------------------------------------------------------------


def _member_token(account) -> APIClient:
    _token, secret = ApiTokenFactory.create_with_secret(account=account, role="member", name="member")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api


@pytest.mark.django_db
def test_a_member_token_cannot_delete_a_product(account_a):
    from tests.isolation.routes_catalog import _product_of_a

    setup = _product_of_a(account_a)
    response = _member_token(account_a).delete(reverse("api:product-detail", kwargs=setup.kwargs))
    assert response.status_code == 403
    assert "admin" in response.json()["detail"].lower()
    setup.unchanged()


@pytest.mark.django_db
def test_a_member_cannot_delete_a_package_on_the_page_or_with_a_token(client, account_a):
    from tests.isolation.routes_shipments import _manual_package_of_a

    setup = _manual_package_of_a(account_a)
    assert (
        _member_token(account_a).delete(reverse("api:package-detail", kwargs=setup.kwargs)).status_code == 403
    )
    member = MembershipFactory(account=account_a, role="member").user
    client.force_login(member)
    assert client.post(reverse("shipments:package-delete", kwargs=setup.kwargs)).status_code == 403
    page = client.get(reverse("shipments:package-detail", kwargs=setup.kwargs)).content.decode()
    assert reverse("shipments:package-delete", kwargs=setup.kwargs) not in page  # no button to a 403
    setup.unchanged()


def test_a_view_with_the_old_role_settings_is_refused_loudly():
    from django.core.exceptions import ImproperlyConfigured

    class Legacy:
        required_role = Role.ADMIN

    with pytest.raises(ImproperlyConfigured):
        roles.required_role(Legacy, "GET")


@pytest.mark.django_db
def test_templates_ask_the_same_matrix(account_a):
    from django.template import engines
    from django.test import RequestFactory

    template = engines["django"].from_string(
        "{% if may.products.write %}edit {% endif %}{% if may.products.delete %}delete {% endif %}"
        "{% if may.catalog_settings.write %}settings {% endif %}{% if may.nowhere.read %}never{% endif %}"
    )
    seen = {}
    for role in (Role.MEMBER, Role.ADMIN):
        request = RequestFactory().get("/")
        request.user = _person(account_a, role)
        seen[role] = template.render({}, request).split()
    assert seen == {Role.MEMBER: ["edit"], Role.ADMIN: ["edit", "delete", "settings"]}
