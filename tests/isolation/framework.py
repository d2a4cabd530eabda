"""The cross-account isolation suite's registry.

Every URL pattern of the project must be registered here by one ``RouteCase`` (see
``test_isolation.py``, which walks the resolver and fails on any route not registered). Each app keeps
its cases in ``tests/isolation/routes_<app>.py`` as a list named ``CASES``.

A case says which of account A's objects the route is about (``setup``) and what only A's data
contains (``marker``). It does not say which HTTP methods to try, whether the route takes API tokens or
which body fields name other rows: the suite reads those from the route itself (``routes.py``,
``refs.py``) and tries every method the route allows, as account B signed in and (for REST routes) with
account B's API token.

Kinds:
- ``detail``: a route addressing one of account A's objects. Every allowed method answers 404 (OPTIONS
  answers exactly as for an id that does not exist) and nothing anywhere changes. Then the same setup
  makes one of B's own objects, and B's writes to it name A's rows in every reference field of the
  route's serializer (as built for that row) or of the form its page shows: refused, as below.
- ``list``: a collection or page of the requester's own rows, or an action on a collection. Reads
  answer 200 and show none of A's markers. Every allowed write is sent with account A's ids in every
  foreign-key field of the route's serializer or form: each of them is refused (400, a form error, or
  404) exactly as an id that does not exist, and nothing is created in either account.
- ``refs``: a collection action whose body names objects in a way no serializer field shows (ids in
  JSON or CSV items, SKUs, hand-parsed form fields). Account B sends ``payload`` (a callable receiving
  the Setup) naming A's objects with every allowed write: ``expect`` (400), nothing changes.
- ``grant``: a route where one account reads another's rows through an explicit grant (Connect: a
  contractor reads its provider's shared catalog through an active link). ``grant(setup, owner,
  grantee)`` opens the door and returns what ``revoke`` takes to close it. B gets 404 (``expect``;
  200 without the marker for a collection) before the grant and after its revocation, and while a grant
  to another account exists; with the grant, B reads the row (200, marker shown) and still cannot
  write it.
- ``public``: no account data at all (sign-in, health...); ``reason`` says why.
- ``staff``: Django admin; a non-staff user is sent to the admin login on every admin route.
- ``rpc``: one URL serving many methods named in the body (BaseLinker's ``/connector.php``). For
  each of ``calls``, account B's token sends the parameters naming A's objects (``Setup.kwargs``: A's
  ids by name) and then the same parameters with ids that exist nowhere: the two answers must be the
  same (ids aside), and A's data unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["detail", "list", "refs", "grant", "public", "staff", "rpc"]


@dataclass
class Setup:
    """What a case's setup returns: URL kwargs of A's object and text that only A's data contains."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    # URL kwargs for a list route nested under one of the requester's own objects (rare).
    list_kwargs: dict[str, Any] = field(default_factory=dict)
    marker: str | None = None
    # Called after the requests to prove nothing of A's changed (raise AssertionError if it did). The
    # suite also fingerprints every row touching account A; this is for what a reader should see.
    unchanged: Callable[[], None] | None = None


@dataclass
class RpcCall:
    """One method call of an ``rpc`` route; ``params`` receives the ids (A's, or missing ones, plus the
    requester's own under ``own_*`` names) and returns the call's parameters."""

    method: str
    params: Callable[[dict[str, Any]], dict[str, Any]] = lambda ids: {}


@dataclass
class RouteCase:
    route: str  # "namespace:name", or the pattern text for a route without a name; a trailing "*" = prefix
    kind: Kind
    setup: Callable[[Any], Setup] | None = None  # receives account A
    payload: dict[str, Any] | Callable[[Setup], dict[str, Any]] | None = None  # body for POST/PUT/PATCH
    reason: str = ""
    query: str = ""  # appended to the URL for list cases (e.g. "?page_size=1000")
    expect: int = 400  # ``refs``: the answer expected (web forms answer 404); ``grant``: the closed answer
    # ``grant`` cases: open the door from the owner to the grantee, and close it again.
    grant: Callable[[Setup, Any, Any], Any] | None = None
    revoke: Callable[[Any], None] | None = None
    calls: tuple[RpcCall, ...] = ()  # the method calls of an ``rpc`` case

    @property
    def id(self) -> str:
        return self.route

    @property
    def methods(self) -> tuple[str, ...]:
        """The methods the route allows (read from its view; every method for a function view)."""
        from tests.isolation.routes import METHODS, allowed_methods, route_named

        if self.route.endswith("*"):
            return ()
        return allowed_methods(route_named(self.route)) or METHODS

    @property
    def api(self) -> bool:
        """A REST route: also tried with account B's API token."""
        from tests.isolation.routes import route_named

        return not self.route.endswith("*") and route_named(self.route).is_api


def with_kwargs(setup: Callable[[Any], Setup], **extra) -> Callable[[Any], Setup]:
    """A setup whose URL kwargs carry ``extra`` too (e.g. ``kind="stock"`` beside A's ``pk``)."""

    def wrapped(account_a) -> Setup:
        result = setup(account_a)
        result.kwargs.update(extra)
        return result

    return wrapped


# -- hooks for suites that walk the same routes (the role matrix in test_roles.py) ------------------


def registered_cases() -> list[RouteCase]:
    """Every ``RouteCase`` of every ``routes_<app>.py``."""
    import importlib
    import pkgutil

    import tests.isolation as isolation_package

    cases: list[RouteCase] = []
    for module in pkgutil.iter_modules(isolation_package.__path__):
        if module.name.startswith("routes_"):
            cases.extend(importlib.import_module(f"tests.isolation.{module.name}").CASES)
    return cases


def route_patterns(resolver=None, namespace: str = "", prefix: str = ""):
    """``(route, pattern)`` for every URL pattern, ``route`` named as ``RouteCase.route`` names it."""
    from django.urls import URLPattern, URLResolver, get_resolver

    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from route_patterns(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            if entry.name:
                yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry
            else:
                yield prefix + str(entry.pattern), entry


def case_for(route: str, cases: list[RouteCase]) -> RouteCase | None:
    """The case that registers ``route`` (exactly, or by a ``*`` prefix)."""
    for case in cases:
        if case.route == route or (case.route.endswith("*") and route.startswith(case.route[:-1])):
            return case
    return None
