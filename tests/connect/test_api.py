"""The Connect REST API: a script creates a provider integration, joins with the code, manages the
contractor and its credit, and maps statuses — with the same rules as the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from catalog.models import Inventory
from connect import services
from connect.models import ContractorLink, CreditEntry
from orders.models import OrderStatus
from tests.factories import ApiTokenFactory

pytestmark = pytest.mark.django_db

PROVIDERS = "/api/v1/connect/provider-integrations/"
CONTRACTOR_INTEGRATIONS = "/api/v1/connect/contractor-integrations/"
CONTRACTORS = "/api/v1/connect/contractors/"
MAPPINGS = "/api/v1/connect/status-mappings/"


def api_for(account, role="admin") -> APIClient:
    _token, secret = ApiTokenFactory.create_with_secret(account=account, role=role, name=f"{role} token")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def create_provider(api, **extra):
    body = {"display_name": "Alpha API", "orders_enabled": True, "products_enabled": True} | extra
    return api.post(PROVIDERS, body, format="json")


def test_a_script_connects_two_accounts_and_runs_the_credit(api_a, api_b, account_a, account_b):
    created = create_provider(api_a, code_name="for shops")
    assert created.status_code == 201, created.json()
    provider = created.json()
    assert provider["orders_enabled"] and provider["sharing_settings"]["inventory"]
    code = provider["code"]
    assert code.count("-") == 6

    offer = api_b.post(f"{CONTRACTOR_INTEGRATIONS}verify/", {"code": code}, format="json")
    assert offer.json() == {
        "provider_name": "Alpha Wholesale",
        "display_name": "Alpha API",
        "orders": True,
        "products": True,
    }
    joined = api_b.post(
        CONTRACTOR_INTEGRATIONS,
        {
            "code": code,
            "display_name": "Alpha",
            "settings": {"hide_prices": True, "price_multiplier": "1.30"},
        },
        format="json",
    )
    assert joined.status_code == 201, joined.json()
    assert joined.json()["settings"]["hide_prices"] is True
    assert joined.json()["provider"]["provider_name"] == "Alpha Wholesale"

    contractors = api_a.get(CONTRACTORS, {"integration": provider["id"]}).json()["results"]
    assert [c["company"] for c in contractors] == ["Beta Shop"]
    contractor_id = contractors[0]["id"]

    response = api_a.post(
        f"{CONTRACTORS}{contractor_id}/credit-limit/",
        {"new_limit": "500.00", "message": "first order"},
        format="json",
    )
    assert response.json() == {"new_limit_set": "500.00"}
    assert ContractorLink.objects.get(pk=contractor_id).credit_currency == "PLN"  # the provider's currency
    paid = api_a.post(
        f"{CONTRACTORS}{contractor_id}/payments/", {"amount": "120.00", "description": "wire"}, format="json"
    )
    assert paid.status_code == 201 and paid.json()["kind"] == "payment"
    adjusted = api_a.post(
        f"{CONTRACTORS}{contractor_id}/adjustments/",
        {"amount": "-20.00", "description": "fee"},
        format="json",
    )
    assert adjusted.status_code == 201
    detail = api_a.get(f"{CONTRACTORS}{contractor_id}/").json()
    assert (detail["credit_used"], detail["credit_available"]) == ("-100.00", "600.00")
    ledger = api_a.get(f"{CONTRACTORS}{contractor_id}/ledger/").json()
    assert [e["kind"] for e in ledger["results"]] == ["adjustment", "payment"]
    # The contractor sees its own credit on its integration.
    contractor_integration = api_b.get(CONTRACTOR_INTEGRATIONS).json()["results"][0]
    assert contractor_integration["credit"]["available"] == "600.00"

    blocked = api_a.patch(f"{CONTRACTORS}{contractor_id}/", {"state": "blocked"}, format="json")
    assert blocked.json()["state"] == "blocked"
    seen = api_b.get(f"{CONTRACTOR_INTEGRATIONS}{contractor_integration['id']}/").json()
    assert seen["provider"]["state"] == "blocked" and seen["provider"]["is_open"] is False


def test_field_errors_name_the_field_and_foreign_ids_do_not_exist(api_a, account_a, account_b):
    foreign = Inventory.objects.get(account=account_b)
    response = create_provider(api_a, sharing_settings={"inventory": foreign.pk})
    assert response.status_code == 400
    assert "does not exist" in response.json()["errors"]["sharing_settings"]["inventory"][0]
    missing = create_provider(api_a, sharing_settings={"inventory": 999999})
    assert str(missing.json()).replace("999999", "X") == str(response.json()).replace(str(foreign.pk), "X")
    contradictory = create_provider(api_a, sharing_settings={"category_mode": "only"})
    assert "category" in contradictory.json()["errors"]["sharing_settings"]["categories"][0]


def test_the_switches_cannot_change_and_settings_can(api_a):
    provider = create_provider(api_a, products_enabled=False).json()
    refused = api_a.patch(f"{PROVIDERS}{provider['id']}/", {"products_enabled": True}, format="json")
    assert refused.status_code == 400 and "products_enabled" in refused.json()["errors"]
    changed = api_a.patch(
        f"{PROVIDERS}{provider['id']}/",
        {"order_settings": {"payment": "paid"}, "send_statuses": True},
        format="json",
    )
    assert changed.json()["order_settings"]["payment"] == "paid" and changed.json()["send_statuses"] is True


def test_regenerating_the_code_over_the_api(api_a, api_b):
    provider = create_provider(api_a).json()
    new = api_a.post(f"{PROVIDERS}{provider['id']}/regenerate-code/").json()["code"]
    assert new != provider["code"]
    old = api_b.post(f"{CONTRACTOR_INTEGRATIONS}verify/", {"code": provider["code"]}, format="json")
    assert old.status_code == 400 and "no such connection code" in old.json()["errors"]["code"][0]
    assert api_b.post(f"{CONTRACTOR_INTEGRATIONS}verify/", {"code": new}, format="json").status_code == 200


def test_members_read_but_do_not_write(api_a, account_a, account_b):
    member = api_for(account_a, role="member")
    provider = create_provider(api_a).json()
    assert member.get(f"{PROVIDERS}{provider['id']}/").json()["code"] is None  # only admins see the code
    assert create_provider(member).status_code == 403
    assert member.post(PROVIDERS, {}, format="json").status_code == 403  # refused before the body is read
    assert member.post(f"{PROVIDERS}{provider['id']}/regenerate-code/").status_code == 403
    assert member.delete(f"{PROVIDERS}{provider['id']}/").status_code == 403
    b_member = api_for(account_b, role="member")
    assert (
        b_member.post(
            CONTRACTOR_INTEGRATIONS, {"code": provider["code"], "display_name": "x"}, format="json"
        ).status_code
        == 403
    )


def test_too_many_wrong_codes_answer_429(api_b):
    for _ in range(services.CODE_FAILURE_LIMIT):
        assert (
            api_b.post(f"{CONTRACTOR_INTEGRATIONS}verify/", {"code": "AAAA"}, format="json").status_code
            == 400
        )
    response = api_b.post(f"{CONTRACTOR_INTEGRATIONS}verify/", {"code": "AAAA"}, format="json")
    assert response.status_code == 429 and "Too many wrong codes" in response.json()["detail"]


def test_status_mappings_over_the_api(api_a, api_b, account_a, account_b, pair):
    _provider, link = pair
    theirs = api_a.get(f"{CONTRACTORS}{link.pk}/statuses/").json()
    assert [s["name"] for s in theirs] == list(
        OrderStatus.objects.filter(account=account_b).order_by("position").values_list("name", flat=True)
    )
    mine = OrderStatus.objects.filter(account=account_a).order_by("position")
    created = api_a.post(
        MAPPINGS,
        {"link": link.pk, "direction": "send", "local_status": mine[4].pk, "remote_status": theirs[4]["id"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    # A status of neither side, and one's own status as the partner's, do not exist.
    stranger = OrderStatus.objects.create(account=account_a, name="Only mine")
    wrong = api_a.post(
        MAPPINGS,
        {"link": link.pk, "direction": "send", "local_status": mine[1].pk, "remote_status": stranger.pk},
        format="json",
    )
    assert wrong.status_code == 400 and "does not exist" in wrong.json()["errors"]["remote_status"][0]
    assert api_b.get(MAPPINGS).json()["count"] == 0  # B's own table is empty
    assert api_b.delete(f"{MAPPINGS}{created.json()['id']}/").status_code == 404
    assert api_a.delete(f"{MAPPINGS}{created.json()['id']}/").status_code == 204


def test_payments_validate_their_fields(api_a, pair, account_b):
    _provider, link = pair
    url = f"{CONTRACTORS}{link.pk}/payments/"
    no_currency = api_a.post(url, {"amount": "10.00"}, format="json")
    assert "settlement currency" in no_currency.json()["errors"]["amount"][0]
    api_a.patch(
        f"{CONTRACTORS}{link.pk}/credit/", {"credit_limit": "50", "credit_currency": "EUR"}, format="json"
    )
    assert api_a.post(url, {"amount": "-1"}, format="json").json()["errors"]["amount"]
    from orders.models import Order

    theirs = Order.objects.filter(account=account_b).first()
    if theirs is not None:
        assert (
            "does not exist"
            in api_a.post(url, {"amount": "1", "order": theirs.pk}, format="json").json()["errors"]["order"][
                0
            ]
        )
    assert not CreditEntry.objects.exists()
    assert Decimal(api_a.get(f"{CONTRACTORS}{link.pk}/").json()["credit_available"]) == Decimal("50")


def test_the_schema_stays_clean():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
