"""The cross-account isolation suite's registry.

Every URL pattern of the project must be registered here by one ``RouteCase`` (see
``test_isolation.py``, which walks the resolver and fails on any route not registered). Each app keeps
its cases in ``tests/isolation/routes_<app>.py`` as a list named ``CASES``.

Kinds:
- ``detail``: a route addressing one of account A's objects. Signed in as account B (session, and
  token for API routes), every listed method must answer 404 and leave A's object alone.
- ``list``: a collection or page of the requester's own rows. Account B gets 200 and none of A's
  markers appear in the body.
- ``refs``: a collection action whose body names objects by id (merge, bulk status...). Account B
  posts ``payload`` (a callable receiving the Setup) naming A's objects: 400 (``expect``), A's data
  unchanged.
- ``public``: no account data at all (sign-in, health...); ``reason`` says why.
- ``staff``: Django admin; a non-staff user is sent to the admin login.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["detail", "list", "refs", "public", "staff"]


@dataclass
class Setup:
    """What a case's setup returns: URL kwargs of A's object and text that only A's data contains."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    # URL kwargs for a list route nested under one of the requester's own objects (rare).
    list_kwargs: dict[str, Any] = field(default_factory=dict)
    marker: str | None = None
    # Called after the requests to prove nothing of A's changed (raise AssertionError if it did).
    unchanged: Callable[[], None] | None = None


@dataclass
class RouteCase:
    route: str  # "namespace:name", or the pattern text for a route without a name; a trailing "*" = prefix
    kind: Kind
    setup: Callable[[Any], Setup] | None = None  # receives account A
    methods: tuple[str, ...] = ("GET",)
    api: bool = False  # also try with account B's API token
    payload: dict[str, Any] | Callable[[Setup], dict[str, Any]] | None = None  # body for POST/PUT/PATCH
    reason: str = ""
    query: str = ""  # appended to the URL for list cases (e.g. "?page_size=1000")
    expect: int = 400  # the answer a ``refs`` case expects (web forms answer 404, like a detail route)

    @property
    def id(self) -> str:
        return self.route


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
