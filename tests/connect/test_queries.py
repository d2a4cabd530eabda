"""Lists cost the same number of queries whatever their length."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connect import services
from tests.factories.accounts import AccountFactory
from tests.factories.connect import contractor_join, owner_tenant, provider_create

pytestmark = pytest.mark.django_db


def queries(call) -> int:
    call()  # the first request of a token also records when it was last used
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200
    return len(captured)


def add_contractors(account, code, n: int, start: int) -> None:
    for i in range(start, start + n):
        link = contractor_join(AccountFactory(name=f"Shop {i}"), code)
        services.credit_settings_update(
            actor=owner_tenant(account), link=link, credit_limit=Decimal("100"), credit_currency="EUR"
        )
        services.credit_payment_record(actor=owner_tenant(account), link=link, amount="1")


def test_contractor_lists_are_constant_in_length(account_a, user_a, client_a, api_a):
    integration, code = provider_create(account_a)
    add_contractors(account_a, code, 1, 0)
    page_url = reverse("connect:provider-contractors", args=[integration.pk])
    api_url = f"/api/v1/connect/contractors/?integration={integration.pk}"
    few = (queries(lambda: client_a.get(page_url)), queries(lambda: api_a.get(api_url)))
    add_contractors(account_a, code, 4, 1)
    many = (queries(lambda: client_a.get(page_url)), queries(lambda: api_a.get(api_url)))
    assert few == many
    assert api_a.get(api_url).json()["count"] == 5


def test_integration_lists_are_constant_in_length(account_a, user_a, client_a, api_a):
    suppliers = [AccountFactory(name=f"Supplier {i}") for i in range(4)]
    provider_create(account_a, name="Own 0")
    contractor_join(account_a, provider_create(suppliers[0])[1])
    counts = lambda: (  # noqa: E731
        queries(lambda: client_a.get(reverse("connect:integration-list"))),
        queries(lambda: api_a.get("/api/v1/connect/provider-integrations/")),
        queries(lambda: api_a.get("/api/v1/connect/contractor-integrations/")),
    )
    few = counts()
    for i, supplier in enumerate(suppliers[1:], start=1):
        provider_create(account_a, name=f"Own {i}")
        contractor_join(account_a, provider_create(supplier)[1])
    assert counts() == few
