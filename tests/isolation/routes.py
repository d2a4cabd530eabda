"""What the URL resolver says about each route: its name, its view, the HTTP methods it allows.

Nothing here is kept by hand. The methods come from the view itself, the way Django and DRF decide them
when a request arrives: a viewset's action map, a view's ``http_method_names`` and the handlers its
class defines (``head`` follows ``get``; ``options`` is always there). A plain function view says
nothing until asked, so for those ``allowed_methods`` answers ``None`` and the suite sends every
method, treating 405 as "not allowed".
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

# The methods the suite knows how to send. TRACE is left out: neither Django nor DRF answers it.
METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Route:
    id: str  # "namespace:name", or the pattern text of a route without a name
    pattern: str  # the full pattern text (for messages)
    callback: Callable

    @property
    def view_class(self) -> type | None:
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    @property
    def is_api(self) -> bool:
        """A DRF view: it is also reached with an API token."""
        cls = self.view_class
        return cls is not None and issubclass(cls, APIView)

    @property
    def actions(self) -> dict[str, str] | None:
        return getattr(self.callback, "actions", None)


def _walk(resolver: URLResolver, namespace: str = "", prefix: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            if entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
            else:
                name = pattern
            yield Route(id=name, pattern=pattern, callback=entry.callback)


def all_routes() -> list[Route]:
    """Every URL pattern of the project, in resolver order (a name used twice is listed once)."""
    seen: dict[str, Route] = {}
    for route in _walk(get_resolver()):
        seen.setdefault(route.id, route)
    return list(seen.values())


def route_named(route_id: str) -> Route:
    for route in all_routes():
        if route.id == route_id:
            return route
    raise LookupError(f"No URL pattern is called {route_id!r}")


def allowed_methods(route: Route) -> tuple[str, ...] | None:
    """The methods the route's view answers (not with 405), or None for a function view."""
    return _class_methods(route.callback)


@functools.cache
def _class_methods(callback: Callable) -> tuple[str, ...] | None:
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is None:
        return None
    initkwargs = getattr(callback, "initkwargs", None) or getattr(callback, "view_initkwargs", None) or {}
    view = cls(**initkwargs)
    # What ViewSetMixin.as_view() does per request: each action becomes the handler of its method.
    actions = dict(getattr(callback, "actions", None) or {})
    if "get" in actions and "head" not in actions:
        actions["head"] = actions["get"]
    for method, action in actions.items():
        setattr(view, method, getattr(view, action))
    # What View.setup() does per request.
    if hasattr(view, "get") and not hasattr(view, "head"):
        view.head = view.get
    return tuple(m for m in METHODS if m.lower() in view.http_method_names and hasattr(view, m.lower()))
