"""The isolation framework checks itself: it passes routes that keep accounts apart and catches the ones
that leak (``demo_urls.py``), it reads the methods a view allows, and its ``grant`` kind proves that a
grant is what opens the door and that revoking it closes it.

There is no real grant in the project yet (Connect's shared catalog will be the first); the grant routes
here read account A's products through a grant table made only for these tests.
"""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import AccountFactory
from tests.isolation import checks
from tests.isolation.demo_urls import GRANT_TABLE
from tests.isolation.framework import RouteCase
from tests.isolation.routes import allowed_methods, route_named
from tests.isolation.routes_catalog import _product_of_a

demo_urls = pytest.mark.urls("tests.isolation.demo_urls")


@pytest.fixture(autouse=True)
def own_tally(monkeypatch):
    """The demo routes are not the project's: what is tried here stays out of the suite's report."""
    tally = checks.Tally()
    monkeypatch.setattr(checks, "TALLY", tally)
    return tally


@pytest.fixture
def grant_table(db):
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {GRANT_TABLE} (id serial PRIMARY KEY, owner_id bigint NOT NULL,"
            " grantee_id bigint NOT NULL, revoked_at timestamptz)"
        )


def _grant(setup, owner, grantee) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {GRANT_TABLE} (owner_id, grantee_id) VALUES (%s, %s) RETURNING id",  # noqa: S608
            [owner.pk, grantee.pk],
        )
        return cursor.fetchone()[0]


def _revoke(grant_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {GRANT_TABLE} SET revoked_at = now() WHERE id = %s", [grant_id])  # noqa: S608


def _grant_case(route: str, **changes) -> RouteCase:
    return RouteCase(
        route, "grant", setup=_product_of_a, grant=changes.get("grant", _grant), revoke=_revoke, expect=404
    )


def _run(case: RouteCase, account_a, account_b, user_b) -> checks.Requester:
    requester = checks.Requester(route_named(case.route), user_b, account_b)
    setup = case.setup(account_a) if case.setup else None
    if case.kind == "grant":
        checks.try_grant(case, requester, setup, account_a, account_b, AccountFactory(name="Gamma Outsider"))
    elif case.kind == "detail":
        checks.try_detail(case, requester, setup, account_a)
    elif case.kind == "list":
        checks.try_list(case, requester, setup, account_a)
    return requester


# -- grant ---------------------------------------------------------------------------------------------


@demo_urls
def test_a_grant_case_passes_a_route_that_only_a_live_grant_opens(
    grant_table, account_a, account_b, user_b, own_tally
):
    _run(_grant_case("shared-product"), account_a, account_b, user_b)
    assert own_tally.grants == {"shared-product"}
    # Read before, with a grant elsewhere, with the grant, after the revocation, and a write under the grant
    # (5); HEAD and OPTIONS whenever it is closed (6); signed in and by token.
    assert own_tally.requests == {"session": 11, "token": 11}
    assert {("shared-product", m) for m in ("GET", "HEAD", "OPTIONS")} <= own_tally.tried


@demo_urls
def test_a_grant_case_catches_a_route_that_ignores_the_revocation(grant_table, account_a, account_b, user_b):
    with pytest.raises(AssertionError, match="after the grant was revoked answered 200"):
        _run(_grant_case("sticky-shared-product"), account_a, account_b, user_b)


@demo_urls
def test_a_grant_case_catches_a_route_open_without_any_grant(grant_table, account_a, account_b, user_b):
    with pytest.raises(AssertionError, match="before any grant answered 200"):
        _run(_grant_case("ungranted-shared-product"), account_a, account_b, user_b)


@demo_urls
def test_a_grant_case_catches_a_grant_that_opens_for_the_wrong_account(
    grant_table, account_a, account_b, user_b
):
    # A grant to account C must not let B in; this route is honest, the declared grant is not.
    with pytest.raises(AssertionError, match="with the grant answered 404"):
        _run(
            _grant_case("shared-product", grant=lambda s, o, g: _grant(s, o, o)), account_a, account_b, user_b
        )


# -- detail and list -----------------------------------------------------------------------------------


@demo_urls
def test_the_detail_check_catches_a_route_that_serves_another_accounts_object(account_a, account_b, user_b):
    with pytest.raises(AssertionError, match="GET /leaky/.* answered 200"):
        _run(RouteCase("leaky-product", "detail", setup=_product_of_a), account_a, account_b, user_b)


@demo_urls
def test_the_list_check_names_account_a_rows_in_every_reference_field(
    account_a, account_b, user_b, own_tally
):
    _run(RouteCase("scoped-body", "list"), account_a, account_b, user_b)
    assert own_tally.refs == {("scoped-body", "warehouse"), ("scoped-body", "tags")}


@demo_urls
def test_the_list_check_catches_a_reference_field_that_takes_another_accounts_id(
    account_a, account_b, user_b
):
    with pytest.raises(
        AssertionError, match="POST /bodies/unscoped/: warehouse took account A's catalog.Warehouse"
    ):
        _run(RouteCase("unscoped-body", "list"), account_a, account_b, user_b)


@demo_urls
def test_the_list_check_catches_a_field_that_tells_another_accounts_id_from_a_missing_one(
    account_a, account_b, user_b
):
    with pytest.raises(AssertionError, match="warehouse refuses account A's id with .* but a missing id"):
        _run(RouteCase("telling-body", "list"), account_a, account_b, user_b)


# -- methods -------------------------------------------------------------------------------------------


@demo_urls
def test_a_function_view_is_tried_with_every_method_it_does_not_refuse(
    account_a, account_b, user_b, own_tally
):
    requester = _run(RouteCase("own-notes", "list"), account_a, account_b, user_b)
    assert requester.methods is None
    assert own_tally.tried == {("own-notes", "GET"), ("own-notes", "POST")}


@demo_urls
def test_methods_come_from_the_handlers_a_view_defines(db):
    assert allowed_methods(route_named("leaky-product")) == ("GET", "HEAD", "OPTIONS", "DELETE")
    assert allowed_methods(route_named("scoped-body")) == ("GET", "HEAD", "OPTIONS", "POST")


def test_methods_come_from_a_viewsets_actions_and_its_method_names(db):
    # The router maps PUT for members, the viewset's http_method_names refuses it.
    assert allowed_methods(route_named("api:member-detail")) == ("GET", "HEAD", "OPTIONS", "PATCH", "DELETE")
    assert allowed_methods(route_named("api:order-merge")) == ("OPTIONS", "POST")
    assert allowed_methods(route_named("catalog:product-delete")) == ("OPTIONS", "POST")
    assert allowed_methods(route_named("account-create")) is None  # a function view
