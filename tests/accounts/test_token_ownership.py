"""API tokens belong to the account but answer to the member who made them: they leave with that member."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken, Membership
from accounts.services import api_token_create
from accounts.tenancy import Tenant
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _bearer(secret: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api


def _works(secret: str) -> bool:
    return _bearer(secret).get(reverse("api:account")).status_code == 200


@pytest.fixture
def admin(account_a):
    return MembershipFactory(account=account_a, role="admin")


@pytest.fixture
def owner(account_a, user_a):
    return Membership.objects.get(user=user_a, account=account_a)


def _token_made_on_the_page(client, membership, name="ERP", role="admin") -> str:
    client.force_login(membership.user)
    page = client.post(reverse("settings-tokens"), {"name": name, "role": role})
    return page.context["secret"]


def _token_made_by_token(secret: str, name="made by a token", role="member") -> str:
    response = _bearer(secret).post(reverse("api:apitoken-list"), {"name": name, "role": role}, format="json")
    assert response.status_code == 201
    return response.json()["token"]


def test_a_token_made_by_a_token_records_the_person_behind_it(client, admin):
    first = _token_made_on_the_page(client, admin)
    second = _token_made_by_token(first)
    made = ApiToken.objects.get(key_hash=ApiToken.hash_secret(second))
    assert made.created_by == admin.user
    listed = _bearer(first).get(reverse("api:apitoken-detail", args=[made.pk])).json()
    assert listed["created_by"] == admin.user.email


def test_removing_a_member_revokes_every_token_they_stand_behind(client, account_a, owner, admin):
    first = _token_made_on_the_page(client, admin)
    second = _token_made_by_token(first)
    owners_token = _token_made_on_the_page(client, owner, name="owner's")
    client.force_login(owner.user)
    page = client.post(reverse("settings-member-remove", args=[admin.pk]), follow=True)
    assert "2 API tokens were revoked" in page.content.decode()
    assert not Membership.objects.filter(pk=admin.pk).exists()
    assert not _works(first) and not _works(second)
    assert _works(owners_token)


def test_a_removed_members_token_cannot_make_new_tokens(client, owner, admin):
    secret = _token_made_on_the_page(client, admin)
    token = ApiToken.objects.get(key_hash=ApiToken.hash_secret(secret))
    Membership.objects.filter(pk=admin.pk).delete()  # even when the row goes by another road
    response = _bearer(secret).post(reverse("api:apitoken-list"), {"name": "again"}, format="json")
    assert response.status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.objects.filter(name="again").count() == 0


def test_removal_over_the_api_revokes_in_the_same_step(client, account_a, owner, admin):
    secret = _token_made_on_the_page(client, admin)
    client.force_login(owner.user)
    assert client.delete(reverse("api:member-detail", args=[admin.pk])).status_code == 204
    assert not _works(secret)


def test_the_owner_may_hand_the_tokens_to_another_member_instead(client, account_a, owner, admin):
    secret = _token_made_on_the_page(client, admin)
    heir = MembershipFactory(account=account_a, role="admin")
    client.force_login(owner.user)
    response = client.delete(reverse("api:member-detail", args=[admin.pk]) + f"?tokens_to={heir.pk}")
    assert response.status_code == 204
    assert _works(secret)
    assert ApiToken.objects.get(key_hash=ApiToken.hash_secret(secret)).created_by == heir.user
    # The heir now answers for it: when they leave, it goes too.
    client.delete(reverse("api:member-detail", args=[heir.pk]))
    assert not _works(secret)


def test_the_members_page_offers_the_owner_to_hand_tokens_over(client, account_a, owner, admin):
    secret = _token_made_on_the_page(client, admin)
    heir = MembershipFactory(account=account_a, role="admin")
    client.force_login(owner.user)
    page = client.get(reverse("settings-members")).content.decode()
    assert 'name="tokens_to"' in page and f'value="{heir.pk}"' in page
    done = client.post(
        reverse("settings-member-remove", args=[admin.pk]), {"tokens_to": heir.pk}, follow=True
    )
    assert f"now belongs to {heir.user.email}" in done.content.decode()
    assert _works(secret)


def test_only_an_owner_hands_tokens_over(client, account_a, owner, admin):
    member = MembershipFactory(account=account_a, role="member")
    token, secret = api_token_create(account=account_a, name="member's", role="member")
    ApiToken.objects.filter(pk=token.pk).update(created_by=member.user)
    client.force_login(admin.user)
    assert 'name="tokens_to"' not in client.get(reverse("settings-members")).content.decode()
    url = reverse("api:member-detail", args=[member.pk]) + f"?tokens_to={admin.pk}"
    assert client.delete(url).status_code == 403
    assert Membership.objects.filter(pk=member.pk).exists()
    assert _works(secret)


def test_tokens_cannot_go_to_someone_whose_role_is_below_them(client, account_a, owner, admin):
    secret = _token_made_on_the_page(client, admin, role="admin")
    member = MembershipFactory(account=account_a, role="member")
    client.force_login(owner.user)
    response = client.delete(reverse("api:member-detail", args=[admin.pk]) + f"?tokens_to={member.pk}")
    assert response.status_code == 400 and "tokens_to" in response.json()["errors"]
    assert Membership.objects.filter(pk=admin.pk).exists() and _works(secret)


def test_tokens_cannot_go_to_another_accounts_member(client, account_a, account_b, owner, admin, user_b):
    _token_made_on_the_page(client, admin)
    stranger = Membership.objects.get(user=user_b)
    client.force_login(owner.user)
    response = client.delete(reverse("api:member-detail", args=[admin.pk]) + f"?tokens_to={stranger.pk}")
    assert response.status_code == 400 and "tokens_to" in response.json()["errors"]
    assert Membership.objects.filter(pk=admin.pk).exists()


def test_a_token_never_makes_a_token_above_its_own_role(account_a, admin):
    member_token, _secret = api_token_create(account=account_a, name="reader", role="member")
    as_member_token = Tenant(account=account_a, role="member", token=member_token)
    with pytest.raises(PermissionDenied):
        api_token_create(account=account_a, name="escalate", role="admin", actor=as_member_token)
    made, _secret = api_token_create(account=account_a, name="peer", role="member", actor=as_member_token)
    assert made.role == "member"
    as_admin = Tenant(account=account_a, role="admin", user=admin.user)
    with pytest.raises(ValidationError):  # owner tokens do not exist at all
        api_token_create(account=account_a, name="owner", role="owner", actor=as_admin)


def test_owner_tokens_cannot_exist_even_in_the_database(account_a):
    from django.db import IntegrityError, transaction

    token, _secret = api_token_create(account=account_a, name="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(role="owner")


def test_the_upgrade_revokes_tokens_of_people_who_already_left(account_a, admin):
    gone = UserFactory()
    kept, kept_secret = api_token_create(account=account_a, name="kept")
    ApiToken.objects.filter(pk=kept.pk).update(created_by=admin.user)
    orphan, orphan_secret = api_token_create(account=account_a, name="orphan")
    ApiToken.objects.filter(pk=orphan.pk).update(created_by=gone)
    system, system_secret = api_token_create(account=account_a, name="no maker")
    migration = importlib.import_module("accounts.migrations.0004_revoke_tokens_of_former_members")
    migration.revoke_tokens_of_former_members(django_apps, None)
    assert _works(kept_secret) and _works(system_secret)
    assert not _works(orphan_secret)


@pytest.mark.parametrize("value", ["abc", "²", "99999999999999999999999", "-1", "0"])
def test_a_bad_tokens_to_is_a_400_and_removes_nobody(client, owner, admin, value):
    client.force_login(owner.user)
    response = client.delete(reverse("api:member-detail", args=[admin.pk]) + f"?tokens_to={value}")
    assert response.status_code == 400 and "tokens_to" in response.json()["errors"]
    assert Membership.objects.filter(pk=admin.pk).exists()


@pytest.mark.parametrize("value", ["abc", "²", "99999999999999999999999"])
def test_a_bad_tokens_to_on_the_page_is_a_message_and_removes_nobody(client, owner, admin, value):
    client.force_login(owner.user)
    page = client.post(reverse("settings-member-remove", args=[admin.pk]), {"tokens_to": value}, follow=True)
    assert page.status_code == 200 and "Choose another member" in page.content.decode()
    assert Membership.objects.filter(pk=admin.pk).exists()
