"""The profile page (name, language, password), the language switcher and the browser's language."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    membership = MembershipFactory(account__name="Alpha Wholesale", user__full_name="Ola Nowak")
    client.force_login(membership.user)
    return membership


def test_the_profile_page_needs_a_signed_in_user(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_header_links_to_the_profile_under_the_persons_name(client, member):
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("profile")}"' in html
    assert "Ola Nowak" in html


def test_saving_name_and_polish_makes_the_next_pages_polish(client, member):
    response = client.post(reverse("profile"), {"full_name": "Aleksandra Nowak", "language": "pl"})
    assert response.status_code == 302
    user = User.objects.get(pk=member.user.pk)
    assert (user.full_name, user.language) == ("Aleksandra Nowak", "pl")
    page = client.get(reverse("profile"))
    assert page["Content-Language"] == "pl"
    html = page.content.decode()
    assert '<html lang="pl"' in html
    assert "Twój profil" in html and "Profil zapisany." in html


def test_a_saved_language_wins_over_the_browser(client, member):
    User.objects.filter(pk=member.user.pk).update(language="en")
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="pl-PL,pl;q=0.9")
    assert page["Content-Language"] == "en"


def test_without_a_saved_language_the_browser_decides(client, member):
    assert client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="pl-PL,pl;q=0.9")["Content-Language"] == "pl"
    assert client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")["Content-Language"] == "en"


def test_an_unknown_language_is_refused_with_a_field_message(client, member):
    response = client.post(reverse("profile"), {"full_name": "X", "language": "xx"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert User.objects.get(pk=member.user.pk).full_name == "Ola Nowak"


def test_the_switcher_saves_the_language_of_a_signed_in_person(client, member):
    response = client.post(reverse("language-switch"), {"language": "pl", "next": "/orders/"})
    assert response.status_code == 302 and response["Location"] == "/orders/"
    assert User.objects.get(pk=member.user.pk).language == "pl"
    assert client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "pl"


def test_the_switcher_works_signed_out_and_never_redirects_elsewhere(client):
    response = client.post(reverse("language-switch"), {"language": "pl", "next": "https://evil.test/"})
    assert response["Location"] == "/"
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "pl"
    assert "Zaloguj się" in page.content.decode()


def test_the_password_change_needs_the_current_password(client, member):
    response = client.post(
        reverse("profile-password"),
        {
            "old_password": "wrong",
            "new_password1": "a-new-long-password-2026",
            "new_password2": "a-new-long-password-2026",
        },
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    assert User.objects.get(pk=member.user.pk).check_password(TEST_PASSWORD)


def test_the_password_change_keeps_the_session_and_the_new_password_signs_in(client, member):
    response = client.post(
        reverse("profile-password"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a-new-long-password-2026",
            "new_password2": "a-new-long-password-2026",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200  # still signed in
    assert User.objects.get(pk=member.user.pk).check_password("a-new-long-password-2026")


def test_a_persons_language_ends_with_their_request(client, member):
    from django.utils.translation import gettext

    User.objects.filter(pk=member.user.pk).update(language="pl")
    assert client.get(reverse("home"))["Content-Language"] == "pl"
    # The server thread serves the next person in the site's language, not in the last person's.
    assert gettext("Orders") == "Orders"
