"""Signing up without choosing a currency gives the country's own."""

import pytest
from django.urls import reverse

from accounts.models import Account

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("country", "currency"), [("PL", "PLN"), ("DE", "EUR"), ("CZ", "CZK"), ("US", "USD")]
)
def test_signup_takes_the_countrys_currency_when_none_is_chosen(client, country, currency):
    response = client.post(
        reverse("signup"),
        {
            "email": f"owner-{country.lower()}@example.test",
            "password": "a-long-enough-password-2026",
            "company_name": f"Firma {country}",
            "country": country,
            "default_currency": "",
        },
    )
    assert response.status_code == 302
    assert Account.objects.get(name=f"Firma {country}").default_currency == currency
