import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Account, Membership, User

pytestmark = pytest.mark.django_db

GOOD = {
    "email": "Jan@Example.test",
    "full_name": "Jan Kowalski",
    "password": "a-long-and-unusual-passphrase",
    "company_name": "Kowalski Hurt",
    "country": "PL",
    "default_currency": "PLN",
}


def test_signup_creates_account_with_user_as_owner_and_signs_in(client):
    response = client.post(reverse("signup"), GOOD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = User.objects.get(email="jan@example.test")
    membership = Membership.objects.get(user=user)
    assert membership.role == "owner"
    assert membership.account.name == "Kowalski Hurt"
    assert membership.account.default_currency == "PLN"
    home = client.get(reverse("home"))
    assert "Kowalski Hurt" in home.content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"password": "short"}, "password", "too short"),
        ({"password": "password123456"}, "password", "too common"),
        ({"company_name": ""}, "company_name", "required"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"default_currency": "XYZ"}, "default_currency", "valid choice"),
    ],
)
def test_signup_with_bad_input_shows_field_errors_and_creates_nothing(client, change, field, message):
    response = client.post(reverse("signup"), {**GOOD, **change})
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field]).lower()
    assert User.objects.count() == 0 and Account.objects.count() == 0


def test_signup_with_an_email_already_used_is_refused(client):
    client.post(reverse("signup"), GOOD)
    client.logout()
    response = client.post(reverse("signup"), {**GOOD, "email": "JAN@example.test", "company_name": "Other"})
    assert "already exists" in " ".join(response.context["form"].errors["email"])
    assert Account.objects.count() == 1


def test_login_and_logout_with_email(client):
    client.post(reverse("signup"), GOOD)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
    bad = client.post(reverse("login"), {"username": "jan@example.test", "password": "wrong-password-here"})
    assert bad.status_code == 200 and bad.context["form"].errors
    good = client.post(reverse("login"), {"username": "jan@example.test", "password": GOOD["password"]})
    assert good.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_password_reset_mail_lets_the_user_choose_a_new_password(client):
    client.post(reverse("signup"), GOOD)
    client.post(reverse("logout"))
    client.post(reverse("password_reset"), {"email": "jan@example.test"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line).strip()
    path = link[link.index("/reset/") :]
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    new = "another-long-passphrase-2026"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert client.login(username="jan@example.test", password=new)


def test_pages_need_a_signed_in_user(client):
    for name in ("home", "settings-company", "settings-members", "settings-tokens"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_sign_up_page_names_countries_in_the_readers_language(client):
    english = client.get(reverse("signup"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="PL">Poland</option>' in english
    polish = client.get(reverse("signup"), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert '<option value="PL">Polska</option>' in polish and '<option value="DE">Niemcy</option>' in polish
