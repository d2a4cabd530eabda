"""Cross-account isolation: account B can never see or touch account A's data, through any route."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

import tests.isolation as isolation_package
from tests.factories import ApiTokenFactory
from tests.isolation.framework import RouteCase


def _all_cases() -> list[RouteCase]:
    cases: list[RouteCase] = []
    for module in pkgutil.iter_modules(isolation_package.__path__):
        if module.name.startswith("routes_"):
            cases.extend(importlib.import_module(f"tests.isolation.{module.name}").CASES)
    return cases


CASES = _all_cases()


def _walk(resolver: URLResolver, namespace: str = "", prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            if entry.name:
                yield f"{namespace}:{entry.name}" if namespace else entry.name
            else:
                yield prefix + str(entry.pattern)


def _covered(route: str, registered: list[str]) -> bool:
    for name in registered:
        if name.endswith("*") and route.startswith(name[:-1]):
            return True
        if name == route:
            return True
    return False


def test_every_route_is_in_the_isolation_suite():
    registered = [case.route for case in CASES]
    missing = sorted({route for route in _walk(get_resolver()) if not _covered(route, registered)})
    assert not missing, (
        "Routes without an isolation case (add them to tests/isolation/routes_<app>.py): "
        + ", ".join(missing)
    )


def test_no_route_is_registered_twice():
    seen = [case.route for case in CASES]
    assert len(seen) == len(set(seen)), sorted({r for r in seen if seen.count(r) > 1})


def _body(response) -> str:
    """The whole body, streamed ones (CSV exports) included."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _send(client, method: str, url: str, payload):
    call = getattr(client, method.lower())
    if method in ("POST", "PUT", "PATCH"):
        if isinstance(client, APIClient):
            return call(url, payload or {}, format="json")
        return call(url, payload or {})
    return call(url)


def _clients(case: RouteCase, user_b, account_b):
    from django.test import Client

    session = Client()
    session.force_login(user_b)
    yield "session", session
    if case.api:
        _token, secret = ApiTokenFactory.create_with_secret(account=account_b, name="b token")
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        yield "token", api


@pytest.mark.parametrize("case", [c for c in CASES if c.kind == "detail"], ids=lambda c: c.id)
def test_account_b_gets_404_for_account_a_objects(case: RouteCase, account_a, account_b, user_b):
    setup = case.setup(account_a)
    url = reverse(case.route, kwargs=setup.kwargs)
    payload = case.payload(setup) if callable(case.payload) else case.payload
    for how, client in _clients(case, user_b, account_b):
        for method in case.methods:
            response = _send(client, method, url, payload)
            assert response.status_code == 404, f"{how} {method} {url} answered {response.status_code}"
            if setup.marker:
                assert setup.marker not in _body(response)
    if setup.unchanged:
        setup.unchanged()


@pytest.mark.parametrize("case", [c for c in CASES if c.kind == "list"], ids=lambda c: c.id)
def test_account_b_lists_show_nothing_of_account_a(case: RouteCase, account_a, account_b, user_b):
    setup = case.setup(account_a) if case.setup else None
    url = reverse(case.route, kwargs=(setup.list_kwargs if setup else {})) + case.query
    for how, client in _clients(case, user_b, account_b):
        response = client.get(url)
        assert response.status_code == 200, f"{how} GET {url} answered {response.status_code}"
        if setup and setup.marker:
            assert setup.marker not in _body(response), f"{how} {url} shows A's data"


@pytest.mark.parametrize("case", [c for c in CASES if c.kind == "refs"], ids=lambda c: c.id)
def test_account_b_cannot_name_account_a_objects_in_a_body(case: RouteCase, account_a, account_b, user_b):
    setup = case.setup(account_a)
    url = reverse(case.route, kwargs=setup.list_kwargs)
    payload = case.payload(setup) if callable(case.payload) else case.payload
    for how, client in _clients(case, user_b, account_b):
        for method in case.methods:
            response = _send(client, method, url, payload)
            assert response.status_code == case.expect, (
                f"{how} {method} {url} answered {response.status_code}"
            )
            if setup.marker:
                assert setup.marker not in _body(response)
    if setup.unchanged:
        setup.unchanged()


@pytest.mark.parametrize("case", [c for c in CASES if c.kind == "public"], ids=lambda c: c.id)
def test_public_routes_say_why_they_hold_no_account_data(case: RouteCase):
    assert case.reason, f"{case.route}: a public route needs a reason"


def test_admin_refuses_non_staff(client_b):
    response = client_b.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
