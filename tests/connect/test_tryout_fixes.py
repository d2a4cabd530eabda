"""What a user found trying a provider's contractor page and joining a supplier: each fix as the user
meets it (the page, and the REST API where the same rule applies)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from connect import services
from connect.models import CreditEntry
from orders.services import order_create
from tests.connect.forwarded_pairs import forwarded_pair
from tests.factories.connect import contractor_join, owner_tenant
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def credit_pair(pair, account_a):
    """B is A's contractor with 100 EUR of trade credit."""
    integration, link = pair
    link = services.credit_settings_update(
        actor=owner_tenant(account_a), link=link, credit_limit="100", credit_currency="EUR"
    )
    return integration, link


def _own_order(account):
    return order_create(
        account=account,
        lines=[{"name": "Crate", "quantity": 1, "price_brutto": Decimal("5")}],
        origin=TEST_ORIGIN,
    )


# ------------------------------------------------- 1. a ledger entry names only the contractor's orders


@pytest.mark.parametrize(
    ("panel", "data"),
    [
        ("contractor-payment", {"payment-amount": "10", "payment-description": "wire"}),
        ("contractor-adjust", {"adjust-amount": "-10", "adjust-description": "fee"}),
    ],
)
def test_a_ledger_entry_cannot_name_an_order_the_contractor_did_not_forward(
    client_a, account_a, credit_pair, panel, data
):
    integration, link = credit_pair
    prefix = next(iter(data)).split("-")[0]
    url = reverse(f"connect:{panel}", args=[integration.pk, link.pk])
    not_theirs = _own_order(account_a)
    missing_id = not_theirs.pk + 1000

    refused = page(client_a.post(url, {**data, f"{prefix}-order": str(not_theirs.pk)}))
    missing = page(client_a.post(url, {**data, f"{prefix}-order": str(missing_id)}))
    assert "This order does not exist." in refused and "This order does not exist." in missing
    assert f'id="id_{prefix}-order_error"' in refused
    assert not CreditEntry.objects.filter(link=link).exists()

    theirs = forwarded_pair(link).provider_order
    assert client_a.post(url, {**data, f"{prefix}-order": str(theirs.pk)}).status_code == 302
    ledger = page(client_a.get(reverse("connect:contractor-edit", args=[integration.pk, link.pk])))
    ledger = ledger.split('id="ledger"')[1]
    assert f"#{theirs.pk}</a>" in ledger and f"#{not_theirs.pk}</a>" not in ledger


def test_the_rest_api_refuses_an_order_the_contractor_did_not_forward_like_a_missing_one(
    api_a, account_a, credit_pair
):
    _integration, link = credit_pair
    not_theirs = _own_order(account_a)
    for endpoint, body in (
        ("payments", {"amount": "10.00"}),
        ("adjustments", {"amount": "-10.00", "description": "fee"}),
    ):
        url = f"/api/v1/connect/contractors/{link.pk}/{endpoint}/"
        refused = api_a.post(url, {**body, "order": not_theirs.pk}, format="json")
        missing = api_a.post(url, {**body, "order": not_theirs.pk + 1000}, format="json")
        assert refused.status_code == missing.status_code == 400
        assert refused.json()["errors"]["order"] == [
            m.replace(str(not_theirs.pk + 1000), str(not_theirs.pk))
            for m in missing.json()["errors"]["order"]
        ]
    assert not CreditEntry.objects.filter(link=link).exists()
    theirs = forwarded_pair(link).provider_order
    done = api_a.post(
        f"/api/v1/connect/contractors/{link.pk}/payments/",
        {"amount": "10.00", "order": theirs.pk},
        format="json",
    )
    assert done.status_code == 201 and done.json()["order"] == theirs.pk


def test_the_service_refuses_an_order_forwarded_by_another_contractor(account_a, credit_pair, account_c):
    """The rule is the service's: an order another contractor forwarded is not this one's either."""
    from django.core.exceptions import ValidationError

    integration, link = credit_pair
    code = services.code_regenerate(actor=owner_tenant(account_a), integration=integration)
    other_order = forwarded_pair(contractor_join(account_c, code)).provider_order
    with pytest.raises(ValidationError) as refused:
        services.credit_payment_record(
            actor=owner_tenant(account_a), link=link, amount="5", order=other_order
        )
    assert refused.value.message_dict == {"order": ["This order does not exist."]}


# ------------------------------------------------------------- 2. "block stock below" is 0 or more


def test_block_stock_below_cannot_be_negative_on_the_page(client_a, credit_pair):
    integration, link = credit_pair
    url = reverse("connect:contractor-credit", args=[integration.pk, link.pk])
    refused = page(
        client_a.post(url, {"credit_limit": "100", "credit_currency": "EUR", "block_stock_below": "-5"})
    )
    assert 'id="id_block_stock_below_error"' in refused and "greater than or equal to 0" in refused
    assert "stock shown as 0 now" not in refused
    link.refresh_from_db()
    assert link.block_stock_below is None
    assert (
        client_a.post(
            url, {"credit_limit": "100", "credit_currency": "EUR", "block_stock_below": "0"}
        ).status_code
        == 302
    )
    link.refresh_from_db()
    assert link.block_stock_below == Decimal("0.00")


def test_block_stock_below_cannot_be_negative_in_the_service_and_the_rest_api(api_a, account_a, credit_pair):
    from django.core.exceptions import ValidationError

    _integration, link = credit_pair
    with pytest.raises(ValidationError) as refused:
        services.credit_settings_update(actor=owner_tenant(account_a), link=link, block_stock_below="-5")
    assert refused.value.message_dict == {"block_stock_below": ["Enter an amount of 0 or more."]}
    response = api_a.patch(
        f"/api/v1/connect/contractors/{link.pk}/credit/", {"block_stock_below": "-5"}, format="json"
    )
    assert response.status_code == 400 and "block_stock_below" in response.json()["errors"]
    link.refresh_from_db()
    assert link.block_stock_below is None


def test_the_model_refuses_a_negative_block_stock_below(credit_pair):
    from django.core.exceptions import ValidationError

    _integration, link = credit_pair
    link.block_stock_below = Decimal("-5")
    with pytest.raises(ValidationError) as refused:
        link.full_clean()
    assert "block_stock_below" in refused.value.message_dict


# ------------------------------- 7. joining: the invoice data start from the company's, country included


def _selected_country(html: str) -> list[str]:
    select = html.split('<select name="invoice_country_code"')[1].split("</select>")[0]
    return re.findall(r'<option value="([A-Z]*)" selected>', select)


def test_joining_prefills_the_invoice_country_with_the_companys_on_both_ways_in(account_a, account_b, user_b):
    """With a code (after Verify) and from the directory: the invoice country is the account's country
    (Germany here, not the list's first entry), next to its name."""
    from django.test import Client

    from tests.factories.connect import listed_publication, provider_create

    account_b.country = "DE"
    account_b.save()
    integration, code = provider_create(account_a)
    shop = Client()
    shop.force_login(user_b)
    verified = page(shop.post(reverse("connect:join"), {"step": "verify", "code": code}))
    directory = page(
        shop.get(reverse("connect:directory-connect", args=[listed_publication(integration).pk]))
    )
    for html in (verified, directory):
        assert _selected_country(html) == ["DE"]
        assert 'name="invoice_company" value="Beta Shop"' in html


# ----------------------------------- 8. the contractor page asks in the app's dialog, not with confirm()


def test_the_contractor_page_asks_first_in_the_apps_own_dialog(client_a, credit_pair):
    integration, link = credit_pair
    html = page(client_a.get(reverse("connect:contractor-edit", args=[integration.pk, link.pk])))
    assert "confirm(" not in html
    adjust = html.split(f'action="{reverse("connect:contractor-adjust", args=[integration.pk, link.pk])}"')[1]
    adjust = adjust.split(">")[0]
    assert 'data-confirm="Write this adjustment into the ledger?"' in adjust
    assert 'data-confirm-lost="It cannot be deleted; a mistake is corrected by another adjustment."' in adjust
    assert 'data-confirm-button="Record adjustment"' in adjust
    block = html.split(f'action="{reverse("connect:contractor-state", args=[integration.pk, link.pk])}"')[1]
    assert 'data-confirm="Block this contractor?"' in block.split(">")[0]
