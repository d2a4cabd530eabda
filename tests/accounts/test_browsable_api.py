"""The browsable API and the docs: never a 500 with a token, and no HTML API at all in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse
from rest_framework.test import APIClient

from config.api_root import api_collections
from tests.factories import ApiTokenFactory
from tests.isolation.framework import registered_cases

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

API_DETAIL_CASES = [
    case
    for case in registered_cases()
    if case.kind == "detail" and case.api and case.route.startswith("api:") and "GET" in case.methods
]


def _html_token_client(account, role="admin") -> APIClient:
    _token, secret = ApiTokenFactory.create_with_secret(account=account, role=role, name="browser")
    api = APIClient(raise_request_exception=False)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api


@pytest.mark.parametrize("route", ["api:root", *api_collections().values()])
@pytest.mark.parametrize("role", ["admin", "member"])
def test_every_collection_renders_as_html_with_a_token(route, role, account_a):
    response = _html_token_client(account_a, role).get(reverse(route), HTTP_ACCEPT="text/html")
    assert response.status_code in (200, 403), f"{route}: {response.status_code}"
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("case", API_DETAIL_CASES, ids=lambda c: c.route)
def test_every_detail_renders_as_html_with_a_token(case, account_a):
    setup = case.setup(account_a)  # an object of the token's own account
    response = _html_token_client(account_a).get(
        reverse(case.route, kwargs=setup.kwargs), HTTP_ACCEPT="text/html"
    )
    # 406: a route that only speaks JSON or PDF (the label) says so; anything but a server error.
    assert response.status_code in (200, 406), f"{case.route}: {response.status_code}"


def test_the_docs_and_the_schema_open_with_a_token(account_a):
    api = _html_token_client(account_a)
    docs = api.get(reverse("api-docs"), HTTP_ACCEPT="text/html")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    schema = api.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    assert schema.status_code == 200 and "/api/v1/products/" in schema.json()["paths"]


def test_the_session_browsable_api_still_shows_the_account_switcher(client_a, account_a):
    response = client_a.get(reverse("api:member-list"), HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


def _renderers(environment: dict[str, str]) -> list[str]:
    code = (
        "import django; django.setup();"
        "from rest_framework.settings import api_settings;"
        "print(','.join(r.__name__ for r in api_settings.DEFAULT_RENDERER_CLASSES))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **environment}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip().split(",")


def test_production_answers_json_only_even_with_debug_on():
    production = {
        "HURTLINK_ENV": "production",
        "DJANGO_DEBUG": "1",
        "DJANGO_SECRET_KEY": "production-test-" + "x" * 50,
        "HURTLINK_FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    assert _renderers(production) == ["JSONRenderer"]
    assert "BrowsableAPIRenderer" in _renderers({"HURTLINK_ENV": "development"})
