"""``GET /api/v1/``: links to every collection of the REST API, found in the URL resolver.

Kept apart from ``config/api.py``, which DRF's settings import (pagination, error handler) before
its views can be.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response


def api_collections() -> dict[str, str]:
    """Every collection of the REST API, read from the URL resolver: link name → route name.

    A collection is a route of the ``api`` namespace that takes no URL arguments and lists rows (a
    router's ``<basename>-list``), plus the account itself. The name is the route's path under
    ``/api/v1/`` (``products``, ``account/members``), so nothing needs registering by hand.
    """
    from config import api_urls

    found: dict[str, str] = {"account": "api:account"}
    for name, path_text in _walk(api_urls.urlpatterns):
        if name.endswith("-list") and "<" not in path_text and "(?P" not in path_text:
            found[path_text.strip("^$/").removesuffix("/")] = f"api:{name}"
    return dict(sorted(found.items()))


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name, prefix + str(entry.pattern)


@extend_schema(
    responses=inline_serializer(
        "ApiRoot", {"schema": serializers.URLField(), "docs": serializers.URLField()}
    ),
    description="Links to the OpenAPI schema, the interactive documentation and every collection "
    "(keyed by its path under /api/v1/).",
)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request):
    """Links to every collection, the OpenAPI schema and the interactive documentation."""
    links = {
        "schema": request.build_absolute_uri(reverse("api-schema")),
        "docs": request.build_absolute_uri(reverse("api-docs")),
    }
    for name, route in api_collections().items():
        links[name] = request.build_absolute_uri(reverse(route))
    return Response(links)
