"""How the suite tries a route as account B, one function per kind, and the tally its report prints."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse
from rest_framework.parsers import JSONParser
from rest_framework.test import APIClient

from tests.factories import ApiTokenFactory
from tests.isolation.framework import RouteCase, Setup
from tests.isolation.ownership import DataState
from tests.isolation.refs import (
    MISSING_ID,
    Ref,
    api_errors,
    api_refs,
    body_of,
    error_at,
    form_base_data,
    form_errors,
    form_refs,
    forms_in,
    same_words,
    value_missing,
    value_of_a,
)
from tests.isolation.routes import METHODS, SAFE_METHODS, Route, allowed_methods

# -- the tally ---------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What account B tried, for the report printed at the end of the run."""

    tried: set[tuple[str, str]] = field(default_factory=set)  # (route, method)
    requests: Counter = field(default_factory=Counter)  # by way in: session, token
    refs: set[tuple[str, str]] = field(default_factory=set)  # (route, body field) named with A's ids
    grants: set[str] = field(default_factory=set)
    admin: set[tuple[str, str]] = field(default_factory=set)  # (admin route, method)


TALLY = Tally()


# -- account B's ways in -------------------------------------------------------------------------------


def body_text(response) -> str:
    """The whole body, streamed ones (CSV exports) included."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def send(client, method: str, url: str, payload: dict | None = None, api_format: str = "json"):
    call = getattr(client, method.lower())
    if method in SAFE_METHODS:
        return call(url)
    if isinstance(client, APIClient):
        return call(url, payload or {}, format=api_format)
    if method == "POST":
        return call(url, payload or {})
    return call(url, urlencode(payload or {}, doseq=True), content_type="application/x-www-form-urlencoded")


class Requester:
    """Account B at one route: signed in, and with its API token when the route is a REST one.

    ``each()`` gives every (way in, method) the route allows. A function view tells its methods only
    when asked: every method is sent and a 405 answer means "not allowed" (``send`` returns None).
    """

    def __init__(self, route: Route, user_b, account_b):
        self.route = route
        self.methods = allowed_methods(route)
        session = APIClient() if route.is_api else Client()  # REST bodies go as JSON either way
        session.force_login(user_b)
        self.clients: list[tuple[str, Any]] = [("session", session)]
        if route.is_api:
            _token, secret = ApiTokenFactory.create_with_secret(account=account_b, name="b token")
            api = APIClient()
            api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
            self.clients.append(("token", api))
        self._refs: dict[str, tuple[list[Ref], dict]] = {}
        # A REST route that reads only uploads (CSV imports) gets its bodies as multipart forms.
        parsers = (getattr(route.callback, "initkwargs", None) or {}).get("parser_classes")
        if parsers is None and route.is_api:
            parsers = route.view_class.parser_classes
        self.api_format = "json" if any(issubclass(p, JSONParser) for p in parsers or []) else "multipart"

    def each(self) -> Iterator[tuple[str, Any, str]]:
        for how, client in self.clients:
            for method in self.methods or METHODS:
                yield how, client, method

    def send(self, how: str, client, method: str, url: str, payload: dict | None = None):
        response = send(client, method, url, payload, self.api_format)
        if self.methods is None and response.status_code == 405:
            return None
        TALLY.tried.add((self.route.id, method))
        TALLY.requests[how] += 1
        return response

    def refs(self, method: str, url: str, instance_pk=None) -> tuple[list[Ref], dict]:
        """The reference fields of a write, and the rest of the body a client would send with them."""
        key = f"{method} {url}"
        if key not in self._refs:
            if self.route.is_api:
                self._refs[key] = (api_refs(self.route, method, instance_pk), {})
            elif self.methods is not None and "GET" in self.methods:
                # The page as account B sees it: the forms it renders are the forms it takes back.
                page = self.clients[0][1].get(url)
                forms = forms_in(page) if page.status_code == 200 else []
                self._refs[key] = (form_refs(forms), form_base_data(forms))
            else:
                self._refs[key] = ([], {})
        return self._refs[key]


def _payload(case: RouteCase, setup: Setup | None) -> dict | None:
    return case.payload(setup) if callable(case.payload) else case.payload


def _missing(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: (MISSING_ID if isinstance(v, int) else v) for k, v in kwargs.items()}


def _assert_nothing_changed(before: DataState, after: DataState, where: str) -> None:
    assert not before.changes_of_watched(after), (
        f"{where} changed account A's {before.changes_of_watched(after)}"
    )
    assert not before.count_changes(after), f"{where} created or deleted rows: {before.count_changes(after)}"


def _assert_no_marker(response, marker: str | None, where: str) -> None:
    if marker:
        assert marker not in body_text(response), f"{where} shows account A's data ({marker!r})"


# -- detail ------------------------------------------------------------------------------------------


def try_detail(case: RouteCase, requester: Requester, setup: Setup, account_a) -> None:
    """Every allowed method on A's object: 404 (OPTIONS: as for a missing id); nothing changes."""
    route = requester.route
    url = reverse(route.id, kwargs=setup.kwargs)
    missing_url = reverse(route.id, kwargs=_missing(setup.kwargs))
    payload = _payload(case, setup)
    before = DataState.take(account_a)
    for how, client, method in requester.each():
        response = requester.send(how, client, method, url, payload)
        if response is None:
            continue
        where = f"{how} {method} {url}"
        if method == "OPTIONS":
            control = send(client, method, missing_url)
            assert response.status_code == control.status_code and same_words(
                body_text(response), body_text(control)
            ), f"{where} answers OPTIONS differently for account A's object than for a missing one"
        else:
            assert response.status_code == 404, f"{where} answered {response.status_code}"
        _assert_no_marker(response, setup.marker, where)
    _assert_nothing_changed(before, DataState.take(account_a), f"{route.id} as account B")
    if setup.unchanged:
        setup.unchanged()


def try_own_object_naming_a(case: RouteCase, requester: Requester, account_a, account_b) -> None:
    """B writes to one of B's own objects (the same setup, made for B) with A's ids in every reference
    field of the route's serializer or form: each is refused as a missing id; nothing is written."""
    route = requester.route
    writes = [m for m in requester.methods or () if m in ("POST", "PUT", "PATCH")]
    if route.is_api:
        # A row can only make fields read-only: if the body names nothing without one, it never does.
        if not any(api_refs(route, method) for method in writes):
            return
    elif not writes or "GET" not in requester.methods:
        return  # no page to read the form from (a function view, or an action without a page)
    own = case.setup(account_b)
    url = reverse(route.id, kwargs=own.kwargs)
    for how, client, method in requester.each():
        if method in writes:
            requester.refs(method, url, own.kwargs.get("pk"))
            try_write_naming_a(requester, how, client, method, url, account_a, None, only_with_refs=True)


# -- list --------------------------------------------------------------------------------------------


def try_list(case: RouteCase, requester: Requester, setup: Setup | None, account_a) -> None:
    """Reads: 200 without A's markers. Writes: A's ids in every reference field, each refused."""
    route = requester.route
    url = reverse(route.id, kwargs=setup.list_kwargs if setup else {})
    marker = setup.marker if setup else None
    for how, client, method in requester.each():
        if method in SAFE_METHODS:
            before = DataState.take(account_a)
            response = requester.send(how, client, method, url + case.query)
            if response is None:
                continue
            where = f"{how} {method} {url}{case.query}"
            assert response.status_code == 200, f"{where} answered {response.status_code}"
            _assert_no_marker(response, marker, where)
            _assert_nothing_changed(before, DataState.take(account_a), where)
        else:
            try_write_naming_a(requester, how, client, method, url, account_a, marker)
    if setup and setup.unchanged:
        setup.unchanged()


def try_write_naming_a(
    requester: Requester, how: str, client, method: str, url: str, account_a, marker, only_with_refs=False
):
    """A write whose every reference field names one of account A's rows.

    Refused field by field (400 with an error at each field, or the page again with an error at each
    field, or 404), with the same words as for ids that do not exist, and nothing written anywhere.
    A write without reference fields is sent empty: it may act on B's own rows, never on A's.
    """
    route = requester.route
    refs, base = requester.refs(method, url)
    where = f"{how} {method} {url}"
    if not refs and only_with_refs:
        return
    if not refs:
        before = DataState.take(account_a)
        response = requester.send(how, client, method, url, base)
        if response is not None:
            _assert_no_marker(response, marker, where)
            changed = before.changes_of_watched(DataState.take(account_a))
            assert not changed, f"{where} changed account A's {changed}"
        return
    naming_a = body_of(refs, value_of_a(account_a), base)  # makes A's rows first: before the snapshot
    before = DataState.take(account_a)
    response = requester.send(how, client, method, url, naming_a)
    if response is None:
        return
    control = send(client, method, url, body_of(refs, value_missing, base), requester.api_format)
    _assert_nothing_changed(before, DataState.take(account_a), f"{where} naming account A's rows")
    _assert_no_marker(response, marker, where)
    TALLY.refs.update((route.id, ref.name) for ref in refs)
    sent = json.dumps(naming_a, default=str)
    if route.is_api:
        assert response.status_code == 400, f"{where} with {sent} answered {response.status_code}"
        errors, control_errors = api_errors(response), api_errors(control)
        for ref in refs:
            error = error_at(errors, ref.path)
            assert error, (
                f"{where}: {ref.name} took account A's {ref.model._meta.label} "
                f"({sent} → {json.dumps(errors)})"
            )
            expected = error_at(control_errors, ref.path)
            assert same_words(error, expected), (
                f"{where}: {ref.name} refuses account A's id with {error!r} "
                f"but a missing id with {expected!r}"
            )
        return
    if response.status_code == 404:
        assert control.status_code == 404, f"{where}: 404 for A's ids, {control.status_code} for missing ones"
        return
    assert response.status_code in (200, 400, 422), f"{where} with {sent} answered {response.status_code}"
    errors, control_errors = form_errors(response), form_errors(control)
    for ref in refs:
        assert ref.name in errors, f"{where}: {ref.name} took account A's {ref.model._meta.label} ({sent})"
        assert same_words(errors[ref.name], control_errors.get(ref.name)), (
            f"{where}: {ref.name} refuses account A's id with {errors[ref.name]!r} "
            f"but a missing id with {control_errors.get(ref.name)!r}"
        )


# -- refs --------------------------------------------------------------------------------------------


def try_refs(case: RouteCase, requester: Requester, setup: Setup, account_a) -> None:
    """A hand-written body naming A's objects, with every allowed write: ``expect``; nothing changes."""
    route = requester.route
    url = reverse(route.id, kwargs=setup.list_kwargs)
    payload = _payload(case, setup)
    before = DataState.take(account_a)
    for how, client, method in requester.each():
        response = requester.send(how, client, method, url, payload)
        if response is None:
            continue
        where = f"{how} {method} {url}"
        if method in SAFE_METHODS:
            assert response.status_code < 500, f"{where} answered {response.status_code}"
        else:
            assert response.status_code == case.expect, f"{where} answered {response.status_code}"
        _assert_no_marker(response, setup.marker, where)
    _assert_nothing_changed(before, DataState.take(account_a), f"{route.id} as account B")
    if setup.unchanged:
        setup.unchanged()


# -- grant -------------------------------------------------------------------------------------------


def try_grant(case: RouteCase, requester: Requester, setup: Setup, account_a, account_b, account_c) -> None:
    """The grant from A to B, and only it, lets B read A's row; revoking it shuts the door again."""
    route = requester.route
    assert case.grant and case.revoke, f"{route.id}: a grant case needs grant and revoke"
    assert setup.marker, f"{route.id}: a grant case needs a marker to recognise A's row"
    url = reverse(route.id, kwargs=setup.kwargs)

    def reads():
        for how, client in requester.clients:
            response = requester.send(how, client, "GET", url)
            yield f"{how} GET {url}", response

    def assert_closed(when: str):
        for where, response in reads():
            assert response.status_code == case.expect, f"{where} {when} answered {response.status_code}"
            _assert_no_marker(response, setup.marker, f"{where} {when}")
        # HEAD says what GET would (with no body); OPTIONS describes the route and never shows A's row.
        for how, client, method in requester.each():
            if method in ("HEAD", "OPTIONS"):
                response = requester.send(how, client, method, url)
                if response is None:
                    continue
                where = f"{how} {method} {url} {when}"
                if method == "HEAD":
                    assert response.status_code == case.expect, f"{where} answered {response.status_code}"
                else:
                    status = response.status_code
                    assert status in (200, case.expect), f"{where} answered {status}"
                _assert_no_marker(response, setup.marker, where)

    assert_closed("before any grant")
    elsewhere = case.grant(setup, account_a, account_c)
    assert_closed("while A grants another account")
    case.revoke(elsewhere)

    granted = case.grant(setup, account_a, account_b)
    for where, response in reads():
        assert response.status_code == 200, f"{where} with the grant answered {response.status_code}"
        assert setup.marker in body_text(response), f"{where} with the grant does not show A's row"
    before = DataState.take(account_a)
    for how, client, method in requester.each():
        if method not in SAFE_METHODS:
            response = requester.send(how, client, method, url, _payload(case, setup))
            if response is not None:
                assert response.status_code in (403, 404, 405), (
                    f"{how} {method} {url} with a read grant answered {response.status_code}"
                )
    _assert_nothing_changed(before, DataState.take(account_a), f"{route.id} writes under a read grant")

    case.revoke(granted)
    assert_closed("after the grant was revoked")
    TALLY.grants.add(route.id)
    if setup.unchanged:
        setup.unchanged()


# -- rpc ---------------------------------------------------------------------------------------------


class _Recording(dict):
    """The ids a call's parameters were built from."""

    def __init__(self, *args):
        super().__init__(*args)
        self.read: list[str] = []

    def __getitem__(self, name):
        self.read.append(name)
        return super().__getitem__(name)


def _with_ids_masked(body: str, ids: dict) -> str:
    """The answer with every id of ``ids`` replaced by "<id>" (numbers only where they stand alone)."""
    for value in sorted({str(v) for v in ids.values()}, key=len, reverse=True):
        if value.isdigit():
            body = re.sub(rf"(?<!\d){value}(?!\d)", "<id>", body)
        else:
            body = body.replace(value, "<id>")
    return body


def try_rpc(case: RouteCase, setup: Setup, account_a, account_b) -> None:
    """Each call naming A's ids answers as the same call naming ids that exist nowhere; nothing changes.

    The calls go as BaseLinker's clients send them: a form POST with the token in ``X-BLToken``.
    ``case.payload(account_b)`` gives the requester's own ids (``own_*``), the same in both calls.
    """
    token, secret = ApiTokenFactory.create_with_secret(account=account_b, name="b token")
    token.connector_rate_limit = 100_000
    token.save(update_fields=["connector_rate_limit"])
    own = case.payload(account_b) if callable(case.payload) else {}
    theirs = {**setup.kwargs, **own}
    missing = {
        **{k: (v + MISSING_ID if isinstance(v, int) else f"{v}-MISSING") for k, v in setup.kwargs.items()},
        **own,
    }
    url = reverse(case.route)
    client = Client()

    def call(method: str, params: dict) -> str:
        response = client.post(
            url,
            urlencode({"method": method, "parameters": json.dumps(params)}),
            content_type="application/x-www-form-urlencoded",
            headers={"X-BLToken": secret},
        )
        TALLY.tried.add((case.route, "POST"))
        TALLY.requests["token"] += 1
        assert response.status_code == 200, f"{method} answered {response.status_code}"
        return response.content.decode()

    before = DataState.take(account_a)
    for rpc in case.calls:
        used = _Recording(theirs)
        naming_a = call(rpc.method, rpc.params(used))
        naming_nothing = call(rpc.method, rpc.params(missing))
        assert "ERROR_INTERNAL" not in naming_a, f"{rpc.method}: {naming_a}"
        if setup.marker:
            assert setup.marker not in naming_a, f"{rpc.method} shows account A's data: {naming_a}"
        # Only the ids the call sent are masked: the requester's own rows may carry equal numbers.
        sent = [name for name in used.read if name in setup.kwargs]
        assert _with_ids_masked(naming_a, {n: theirs[n] for n in sent}) == _with_ids_masked(
            naming_nothing, {n: missing[n] for n in sent}
        ), rpc.method
    _assert_nothing_changed(before, DataState.take(account_a), f"{case.route} as account B")
    if setup.unchanged:
        setup.unchanged()
