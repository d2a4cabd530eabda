"""Who may change whose role or remove whom: the same answer through the page, the API and the service."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Membership
from accounts.services import membership_remove, membership_set_role
from accounts.tenancy import Tenant
from tests.factories import ApiTokenFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _token_client(account, role="admin") -> APIClient:
    _token, secret = ApiTokenFactory.create_with_secret(account=account, role=role, name=f"{role} token")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api


@pytest.fixture
def owner(account_a, user_a):
    return Membership.objects.get(user=user_a, account=account_a)


@pytest.fixture
def admin(account_a):
    return MembershipFactory(account=account_a, role="admin")


def _roles(*memberships) -> list[str]:
    return [Membership.objects.get(pk=m.pk).role for m in memberships]


def test_admin_token_cannot_make_itself_owner_or_demote_or_remove_the_owner(account_a, owner, admin):
    api = _token_client(account_a, "admin")
    promote = api.patch(reverse("api:member-detail", args=[admin.pk]), {"role": "owner"}, format="json")
    assert promote.status_code == 403
    demote = api.patch(reverse("api:member-detail", args=[owner.pk]), {"role": "member"}, format="json")
    assert demote.status_code == 403
    remove = api.delete(reverse("api:member-detail", args=[owner.pk]))
    assert remove.status_code == 403
    assert _roles(owner, admin) == ["owner", "admin"]


def test_admin_session_gets_the_same_answers_on_the_api_and_the_page(client, account_a, owner, admin):
    client.force_login(admin.user)
    url = reverse("api:member-detail", args=[admin.pk])
    assert client.patch(url, {"role": "owner"}, content_type="application/json").status_code == 403
    assert client.delete(reverse("api:member-detail", args=[owner.pk])).status_code == 403
    page = client.post(reverse("settings-member-role", args=[admin.pk]), {"role": "owner"}, follow=True)
    assert "Only an owner can make or unmake owners." in page.content.decode()
    client.post(reverse("settings-member-remove", args=[owner.pk]))
    assert _roles(owner, admin) == ["owner", "admin"]


def test_owner_makes_another_owner_who_may_then_step_down_the_first(client, account_a, owner, admin):
    client.force_login(owner.user)
    url = reverse("api:member-detail", args=[admin.pk])
    assert client.patch(url, {"role": "owner"}, content_type="application/json").status_code == 200
    client.force_login(admin.user)
    response = client.patch(
        reverse("api:member-detail", args=[owner.pk]), {"role": "member"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert _roles(owner, admin) == ["member", "owner"]


def test_the_last_owner_cannot_step_down(client, owner):
    client.force_login(owner.user)
    response = client.patch(
        reverse("api:member-detail", args=[owner.pk]), {"role": "admin"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "at least one owner" in response.json()["errors"]["role"][0]
    assert _roles(owner) == ["owner"]


def test_admins_still_manage_members_and_admins(account_a, admin):
    member = MembershipFactory(account=account_a, role="member")
    api = _token_client(account_a, "admin")
    url = reverse("api:member-detail", args=[member.pk])
    assert api.patch(url, {"role": "admin"}, format="json").status_code == 200
    assert api.patch(url, {"role": "member"}, format="json").status_code == 200
    assert api.delete(url).status_code == 204
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_patch_without_a_role_is_a_400_with_a_field_message(api_a, admin):
    response = api_a.patch(reverse("api:member-detail", args=[admin.pk]), {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["role"] == ["This field is required."]


def test_an_unknown_role_is_a_400(api_a, admin):
    response = api_a.patch(reverse("api:member-detail", args=[admin.pk]), {"role": "god"}, format="json")
    assert response.status_code == 400 and "role" in response.json()["errors"]


# -- the service decides, whatever the way in ---------------------------------------------------------


def test_the_service_refuses_owner_changes_to_every_actor_but_an_owner(account_a, owner, admin):
    token, _secret = ApiTokenFactory.create_with_secret(account=account_a, role="admin")
    for actor in (
        Tenant(account=account_a, role="admin", user=admin.user),
        Tenant(account=account_a, role="admin", token=token),
        # Even a token row that claims more is not a person, so never an owner.
        Tenant(account=account_a, role="owner", token=token),
    ):
        with pytest.raises(PermissionDenied):
            membership_set_role(membership=admin, role="owner", actor=actor)
        with pytest.raises(PermissionDenied):
            membership_set_role(membership=owner, role="member", actor=actor)
        with pytest.raises(PermissionDenied):
            membership_remove(membership=owner, actor=actor)
    assert _roles(owner, admin) == ["owner", "admin"]


def test_the_service_refuses_members_and_other_accounts(account_a, account_b, owner, admin, user_b):
    member = MembershipFactory(account=account_a, role="member")
    as_member = Tenant(account=account_a, role="member", user=member.user)
    with pytest.raises(PermissionDenied):
        membership_set_role(membership=admin, role="member", actor=as_member)
    with pytest.raises(PermissionDenied):
        membership_remove(membership=admin, actor=as_member)
    other_owner = Tenant(account=account_b, role="owner", user=user_b)
    with pytest.raises(PermissionDenied):
        membership_set_role(membership=admin, role="member", actor=other_owner)
    with pytest.raises(PermissionDenied):
        membership_remove(membership=admin, actor=other_owner)
    assert _roles(owner, admin, member) == ["owner", "admin", "member"]


def test_the_service_reads_the_actors_role_afresh(account_a, owner, admin):
    """A request that began while its person was an owner, who has been demoted since, acts as what
    they are now."""
    MembershipFactory(account=account_a, role="owner")
    stale = Tenant(account=account_a, role="owner", user=owner.user)
    Membership.objects.filter(pk=owner.pk).update(role="admin")
    with pytest.raises(PermissionDenied):
        membership_set_role(membership=admin, role="owner", actor=stale)
    assert _roles(admin) == ["admin"]


def test_the_service_keeps_the_last_owner(account_a, owner):
    actor = Tenant(account=account_a, role="owner", user=owner.user)
    with pytest.raises(ValidationError):
        membership_set_role(membership=owner, role="admin", actor=actor)
    with pytest.raises(ValidationError):
        membership_remove(membership=owner, actor=actor)
    assert _roles(owner) == ["owner"]


def test_a_member_does_not_see_the_admin_only_tokens_tab_and_is_told_why_at_its_address(member_user, client):
    client.force_login(member_user)
    settings_page = client.get(reverse("settings-company")).content.decode()
    assert reverse("settings-tokens") not in settings_page
    refused = client.get(reverse("settings-tokens"))
    assert refused.status_code == 403
    assert "owner or admin" in refused.content.decode()


def test_the_dashboard_counts_products_as_the_list_does_and_names_the_variants(client_a, account_a):
    from catalog.models import Inventory, Product

    inventory = Inventory.objects.get(account=account_a, is_default=True)
    shirt = Product.objects.create(account=account_a, inventory=inventory, sku="SHIRT")
    for size in ("S", "M"):
        Product.objects.create(account=account_a, inventory=inventory, sku=f"SHIRT-{size}", parent=shirt)
    Product.objects.create(account=account_a, inventory=inventory, sku="MUG")
    page = client_a.get(reverse("home")).content.decode()
    assert "2 products" in page and "and 2 variants (listed under their products)" in page
    listed = client_a.get(reverse("catalog:product-list")).content.decode()
    assert "2 products" in listed
