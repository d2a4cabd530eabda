import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Membership
from accounts.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def test_token_authenticates_and_records_last_use(api_a, token_a, account_a):
    assert ApiToken.objects.get(pk=token_a[0].pk).last_used_at is None
    response = api_a.get(reverse("api:account"))
    assert response.status_code == 200
    assert response.json()["name"] == account_a.name
    assert ApiToken.objects.get(pk=token_a[0].pk).last_used_at is not None


def test_only_the_hash_of_a_token_is_stored(token_a):
    token, secret = token_a
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.key_hash, stored.hint, stored.name)
    assert stored.key_hash == ApiToken.hash_secret(secret)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer hl_not-a-real-token", "Invalid token."),
        ("Bearer", "Malformed"),
        ("Bearer one two", "Malformed"),
        ("Bearer nothl_prefix", "Malformed"),
    ],
)
def test_bad_tokens_get_401_json(header, message):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get(reverse("api:account"))
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert message in response.json()["detail"]


def test_revoked_token_gets_401(account_a):
    token, secret = api_token_create(account=account_a, name="old")
    api_token_revoke(token=token)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = api.get(reverse("api:account"))
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


def test_no_credentials_get_401():
    assert APIClient().get(reverse("api:account")).status_code == 401


def test_session_auth_works_for_the_api(client_a, account_a):
    response = client_a.get(reverse("api:account"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["name"] == account_a.name


def test_admin_edits_company_data_with_field_errors_on_bad_input(api_a, account_a):
    ok = api_a.patch(reverse("api:account"), {"vat_number": "PL123", "city": "Kraków"}, format="json")
    assert ok.status_code == 200 and ok.json()["city"] == "Kraków"
    bad = api_a.patch(reverse("api:account"), {"country": "ZZ", "default_currency": "ABC"}, format="json")
    assert bad.status_code == 400
    body = bad.json()
    assert set(body["errors"]) == {"country", "default_currency"}
    account_a.refresh_from_db()
    assert account_a.city == "Kraków"


def test_member_token_cannot_do_admin_actions(account_a):
    _token, secret = api_token_create(account=account_a, name="reader", role="member")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get(reverse("api:account")).status_code == 200
    assert api.patch(reverse("api:account"), {"name": "X"}, format="json").status_code == 403
    assert api.get(reverse("api:apitoken-list")).status_code == 403
    assert api.post(reverse("api:apitoken-list"), {"name": "more"}, format="json").status_code == 403


def test_tokens_created_over_the_api_are_shown_once_and_revoked_by_delete(api_a):
    created = api_a.post(reverse("api:apitoken-list"), {"name": "ERP", "role": "member"}, format="json")
    assert created.status_code == 201
    secret = created.json()["token"]
    token_id = created.json()["id"]
    detail = api_a.get(reverse("api:apitoken-detail", args=[token_id])).json()
    assert "token" not in detail and detail["name"] == "ERP"
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert other.get(reverse("api:account")).status_code == 200
    assert api_a.delete(reverse("api:apitoken-detail", args=[token_id])).status_code == 204
    assert other.get(reverse("api:account")).status_code == 401
    assert api_a.get(reverse("api:apitoken-detail", args=[token_id])).json()["revoked_at"] is not None


def test_token_name_is_required(api_a):
    response = api_a.post(reverse("api:apitoken-list"), {}, format="json")
    assert response.status_code == 400 and "name" in response.json()["errors"]


def test_members_api_lists_changes_roles_and_keeps_an_owner(api_a, user_a, member_user):
    members = api_a.get(reverse("api:member-list")).json()
    assert members["count"] == 2
    assert {m["email"] for m in members["results"]} == {user_a.email, member_user.email}
    member = Membership.objects.get(user=member_user)
    promoted = api_a.patch(reverse("api:member-detail", args=[member.pk]), {"role": "admin"}, format="json")
    assert promoted.status_code == 200 and promoted.json()["role"] == "admin"
    owner = Membership.objects.get(user=user_a)
    refused = api_a.patch(reverse("api:member-detail", args=[owner.pk]), {"role": "member"}, format="json")
    assert refused.status_code == 403  # a token never touches owners
    assert Membership.objects.get(pk=owner.pk).role == "owner"
    assert api_a.delete(reverse("api:member-detail", args=[member.pk])).status_code == 204
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_lists_are_paginated_with_page_size(api_a, account_a):
    for n in range(5):
        api_token_create(account=account_a, name=f"t{n}")
    page = api_a.get(reverse("api:apitoken-list") + "?page_size=2&page=2").json()
    assert page["count"] == 6 and len(page["results"]) == 2
    assert page["next"] and page["previous"]


def test_list_filtering_by_role(api_a, member_user):
    response = api_a.get(reverse("api:member-list") + "?role=member").json()
    assert [m["email"] for m in response["results"]] == [member_user.email]


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/account/" in paths and "/api/v1/account/tokens/" in paths
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert b"/static/vendor/swagger-ui" in docs.content


def test_web_tokens_page_shows_secret_once_and_revokes(client_a, account_a):
    from django.urls import reverse as r

    page = client_a.post(r("settings-tokens"), {"name": "Shop sync", "role": "admin"})
    secret = page.context["secret"]
    assert secret and secret in page.content.decode()
    again = client_a.get(r("settings-tokens")).content.decode()
    assert secret not in again and "Shop sync" in again
    token = ApiToken.objects.get(account=account_a, name="Shop sync")
    client_a.post(r("settings-token-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_at <= timezone.now()
