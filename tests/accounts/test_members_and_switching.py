import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Membership, User
from accounts.services import invitation_create
from tests.factories import AccountFactory, MembershipFactory
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_owner_invites_by_email_and_invitee_joins_as_member(client, account_a, user_a, celery_worker):
    """The invitation e-mail is sent by a real Celery worker, through Redis, after the commit."""
    client.force_login(user_a)
    response = client.post(
        reverse("settings-members"), {"email": "new.person@example.test", "role": "member"}
    )
    assert response.status_code == 302
    wait_for(lambda: len(mail.outbox) == 1, what="the invitation e-mail")
    assert mail.outbox[0].to == ["new.person@example.test"]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/invitations/" in line).strip()
    path = link[link.index("/invitations/") :]
    client.logout()
    page = client.get(path)
    assert page.status_code == 200 and account_a.name in page.content.decode()
    joined = client.post(path, {"full_name": "New Person", "password": "a-long-new-passphrase"})
    assert joined.status_code == 302
    user = User.objects.get(email="new.person@example.test")
    assert Membership.objects.get(user=user, account=account_a).role == "member"
    # The link is used up.
    assert client.get(path).status_code == 404


def test_existing_user_accepts_invitation_into_a_second_account(client, account_a, user_a, user_b, account_b):
    invitation = invitation_create(account=account_a, email=user_b.email, role="admin", invited_by=user_a)
    client.force_login(user_b)
    response = client.post(reverse("invitation-accept", args=[invitation.raw_key]))
    assert response.status_code == 302
    assert Membership.objects.get(user=user_b, account=account_a).role == "admin"
    assert Membership.objects.filter(user=user_b).count() == 2


def test_invitation_for_a_member_already_in_the_account_is_refused(client_a, user_a, account_a):
    response = client_a.post(reverse("settings-members"), {"email": user_a.email, "role": "member"})
    assert response.status_code == 200
    assert "already a member" in " ".join(response.context["form"].errors["email"])


def test_member_cannot_invite_or_change_roles(client, account_a, member_user, user_a):
    client.force_login(member_user)
    assert (
        client.post(reverse("settings-members"), {"email": "x@example.test", "role": "member"}).status_code
        == 403
    )
    owner_membership = Membership.objects.get(user=user_a)
    response = client.post(reverse("settings-member-role", args=[owner_membership.pk]), {"role": "member"})
    assert response.status_code == 403
    assert Membership.objects.get(pk=owner_membership.pk).role == "owner"


def test_last_owner_cannot_be_demoted_or_removed(client_a, user_a):
    membership = Membership.objects.get(user=user_a)
    client_a.post(reverse("settings-member-role", args=[membership.pk]), {"role": "member"})
    client_a.post(reverse("settings-member-remove", args=[membership.pk]))
    assert Membership.objects.get(pk=membership.pk).role == "owner"


def test_user_in_two_accounts_switches_the_active_account(client, user_a, account_a):
    second = AccountFactory(name="Second Company")
    MembershipFactory(user=user_a, account=second, role="member")
    client.force_login(user_a)
    first_page = client.get(reverse("home")).content.decode()
    assert "<h1>Alpha Wholesale</h1>" in first_page
    client.post(reverse("account-switch"), {"account": second.pk})
    assert "<h1>Second Company</h1>" in client.get(reverse("home")).content.decode()


def test_switching_to_an_account_the_user_is_not_in_is_refused(client_a, account_b):
    response = client_a.post(reverse("account-switch"), {"account": account_b.pk}, follow=True)
    assert "not a member" in response.content.decode()
    assert account_b.name not in response.content.decode().split("<main")[1]


def test_company_settings_are_saved_and_validated(client_a, account_a):
    data = {
        "name": "Alpha Wholesale S.A.",
        "vat_number": "PL5260250274",
        "street": "ul. Prosta 1",
        "postcode": "00-001",
        "city": "Warszawa",
        "country": "PL",
        "default_currency": "EUR",
        "email": "biuro@alpha.test",
        "phone": "+48 22 000 00 00",
    }
    assert client_a.post(reverse("settings-company"), data).status_code == 302
    account_a.refresh_from_db()
    assert account_a.name == "Alpha Wholesale S.A." and account_a.default_currency == "EUR"
    bad = client_a.post(reverse("settings-company"), {**data, "country": "XX", "name": ""})
    assert set(bad.context["form"].errors) == {"country", "name"}
    account_a.refresh_from_db()
    assert account_a.name == "Alpha Wholesale S.A."


def test_member_sees_company_settings_but_cannot_change_them(client, member_user, account_a):
    client.force_login(member_user)
    assert client.get(reverse("settings-company")).status_code == 200
    response = client.post(
        reverse("settings-company"), {"name": "Hijacked", "country": "PL", "default_currency": "PLN"}
    )
    assert response.status_code == 403
    account_a.refresh_from_db()
    assert account_a.name == "Alpha Wholesale"
