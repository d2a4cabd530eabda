"""``GET /api/v1/`` links every collection of every app, found by walking the URL resolver."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.isolation.framework import route_patterns

pytestmark = pytest.mark.django_db


def _list_routes() -> list[str]:
    """Every list route under /api/v1/: a named ``api:*-list`` route that takes no URL arguments."""
    return sorted(
        route
        for route, pattern in route_patterns()
        if route.startswith("api:") and route.endswith("-list") and not pattern.pattern.regex.groupindex
    )


def test_the_root_links_every_collection(account_a):
    links = APIClient().get(reverse("api:root")).json()
    linked = set(links.values())
    missing = [route for route in _list_routes() if f"http://testserver{reverse(route)}" not in linked]
    assert not missing, f"Collections missing from GET /api/v1/: {missing}"
    assert len(_list_routes()) > 20  # every app's collections, not a hand-picked five


def test_the_root_names_each_link_by_its_path_and_keeps_schema_docs_and_account(account_a):
    links = APIClient().get(reverse("api:root")).json()
    assert links["products"].endswith("/api/v1/products/")
    assert links["account/members"].endswith("/api/v1/account/members/")
    assert links["wms-sync-runs"].endswith("/api/v1/wms-sync-runs/")
    assert links["account"].endswith("/api/v1/account/")
    assert links["schema"].endswith("/api/schema/") and links["docs"].endswith("/api/docs/")


def test_every_link_of_the_root_answers(api_a):
    links = api_a.get(reverse("api:root")).json()
    for name, url in links.items():
        if name in ("schema", "docs"):
            continue
        response = api_a.get(url)
        assert response.status_code == 200, f"{name}: {url} answered {response.status_code}"
