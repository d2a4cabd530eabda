"""The Publish tab and staff verification: private or public, required fields, the logo, the states
(draft, waiting, verified, rejected with a reason) and the listed copy that stays while changes wait."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from connect import directory
from connect.models import Publication
from tests.factories.accounts import MembershipFactory
from tests.factories.connect import listed_publication, provider_create

pytestmark = pytest.mark.django_db


def png(size=(40, 20), color="red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def publish_form(**changes) -> dict:
    data = {
        "is_public": "1",
        "company_name": "Alpha Wholesale",
        "description": "Garden furniture and tools, wholesale and dropshipping.",
        "countries": ["PL", "DE"],
        "industries": ["home_garden"],
        "services": ["wholesaler", "dropshipping"],
        "contact_email": "sales@alpha.example.test",
        "website": "https://alpha.example.test",
        "show_products": "on",
        "approval_required": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def staff():
    return get_user_model().objects.create_user(email="staff@hurtlink.test", password=None, is_staff=True)


@pytest.fixture
def provider(account_a, user_a):
    return provider_create(account_a)[0]


def publish_url(integration) -> str:
    return reverse("connect:provider-publish", args=[integration.pk])


def test_a_new_integration_is_private_and_saving_it_private_keeps_a_draft(client_a, provider):
    page = client_a.get(publish_url(provider)).content.decode()
    assert "Private: only partners with your code" in page and "Alpha Wholesale" in page  # company data
    response = client_a.post(publish_url(provider), publish_form(is_public="0", description=""))
    assert response.status_code == 302
    publication = Publication.objects.get(integration=provider)
    assert publication.state == "draft" and not publication.is_public
    assert not directory.directory_list().exists()


def test_going_public_needs_every_required_field(client_a, provider):
    response = client_a.post(
        publish_url(provider),
        publish_form(description="", countries=None, industries=None, services=None, contact_email=""),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["description"] == ["Describe what you offer your partners."]
    assert errors["countries"] == ["Choose at least one country you serve."]
    assert errors["industries"] == ["Choose at least one industry."]
    assert errors["services"] == ["Choose at least one service."]
    assert errors["contact_email"] == ["Enter the e-mail address partners write to."]
    assert not Publication.objects.exists()


def test_unknown_countries_industries_and_services_are_refused(client_a, provider):
    response = client_a.post(
        publish_url(provider), publish_form(countries=["XX"], industries=["weapons"], services=["magic"])
    )
    errors = response.context["form"].errors
    assert {"countries", "industries", "services"} <= set(errors)
    assert not Publication.objects.exists()


def test_saving_a_public_entry_sends_it_for_verification_and_it_is_not_listed_yet(client_a, provider):
    response = client_a.post(publish_url(provider), publish_form(), follow=True)
    assert "sent for verification" in response.content.decode()
    publication = Publication.objects.get(integration=provider)
    assert publication.state == "waiting" and publication.is_public
    assert publication.countries == ["DE", "PL"] and publication.services == ["dropshipping", "wholesaler"]
    assert not directory.directory_list().exists()
    assert client_a.get(reverse("connect:directory-detail", args=[publication.pk])).status_code == 404


def test_staff_verify_and_the_entry_is_listed_with_its_text(client_a, provider, staff, account_b, user_b):
    client_a.post(publish_url(provider), publish_form())
    publication = directory.publication_verify(
        staff_user=staff, publication=Publication.objects.get(integration=provider)
    )
    assert publication.state == "verified" and publication.listed_name == "Alpha Wholesale"
    shop = Client()
    shop.force_login(user_b)
    page = shop.get(reverse("connect:directory-detail", args=[publication.pk])).content.decode()
    assert "Garden furniture and tools" in page and "Send connection request" in page
    tab = client_a.get(publish_url(provider)).content.decode()
    assert "Verified" in tab and "Open in the directory" in tab


def test_changing_the_name_of_a_verified_entry_waits_while_the_old_text_stays_listed(
    client_a, provider, staff
):
    client_a.post(publish_url(provider), publish_form())
    publication = directory.publication_verify(
        staff_user=staff, publication=Publication.objects.get(integration=provider)
    )
    client_a.post(publish_url(provider), publish_form(company_name="Alpha Renamed", description="New text"))
    publication.refresh_from_db()
    assert publication.state == "waiting"
    listed = directory.directory_get(pk=publication.pk)
    assert listed.listed_name == "Alpha Wholesale" and "Garden furniture" in listed.listed_description
    tab = client_a.get(publish_url(provider)).content.decode()
    assert "the directory shows the text verified before" in tab

    # Other fields take effect at once and do not ask for verification.
    directory.publication_verify(staff_user=staff, publication=publication)
    client_a.post(
        publish_url(provider),
        publish_form(company_name="Alpha Renamed", description="New text", countries=["CZ"]),
    )
    publication.refresh_from_db()
    assert publication.state == "verified" and publication.listed_name == "Alpha Renamed"
    assert list(directory.directory_list(countries=["CZ"])) == [publication]


def test_a_rejection_shows_its_reason_and_saving_the_same_text_does_not_ask_again(client_a, provider, staff):
    client_a.post(publish_url(provider), publish_form())
    publication = Publication.objects.get(integration=provider)
    with pytest.raises(ValidationError):
        directory.publication_reject(staff_user=staff, publication=publication, reason="  ")
    directory.publication_reject(staff_user=staff, publication=publication, reason="Describe your range.")
    tab = client_a.get(publish_url(provider)).content.decode()
    assert "Not accepted" in tab and "Describe your range." in tab
    client_a.post(publish_url(provider), publish_form(website="https://other.example.test"))
    publication.refresh_from_db()
    assert publication.state == "rejected"
    client_a.post(publish_url(provider), publish_form(description="Our range: chairs, tables, tools."))
    publication.refresh_from_db()
    assert publication.state == "waiting" and publication.rejection_reason == ""


def test_unpublishing_takes_the_entry_out_at_once_and_says_why(client_a, provider, staff):
    publication = listed_publication(provider)
    directory.publication_unpublish(staff_user=staff, publication=publication, reason="Complaints.")
    assert not directory.directory_list().exists()
    with pytest.raises(Exception) as raised:
        directory.directory_get(pk=publication.pk)
    assert raised.type.__name__ == "Http404"
    assert "Complaints." in client_a.get(publish_url(provider)).content.decode()


def test_only_staff_verify(provider, user_a):
    client = Client()
    client.force_login(user_a)
    client.post(publish_url(provider), publish_form())
    with pytest.raises(PermissionDenied):
        directory.publication_verify(staff_user=user_a, publication=Publication.objects.get())


def test_going_private_hides_a_listed_entry_and_public_again_shows_it(client_a, provider):
    publication = listed_publication(provider)
    client_a.post(publish_url(provider), publish_form(is_public="0", **_same_text(publication)))
    assert not directory.directory_list().exists()
    client_a.post(publish_url(provider), publish_form(is_public="1", **_same_text(publication)))
    publication.refresh_from_db()
    assert publication.state == "verified" and directory.directory_list().count() == 1


def _same_text(publication) -> dict:
    return {"company_name": publication.listed_name, "description": publication.listed_description}


def test_the_logo_must_be_a_small_image(client_a, provider):
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client_a.post(publish_url(provider), {**publish_form(), "logo": fake})
    assert response.context["form"].errors["logo"] == ["Upload a PNG, JPEG, GIF or WebP image."]
    big = SimpleUploadedFile("logo.png", b"\x89PNG" + b"0" * (directory.LOGO_MAX_BYTES + 10))
    response = client_a.post(publish_url(provider), {**publish_form(), "logo": big})
    assert response.context["form"].errors["logo"] == ["The logo may be at most 256 KB."]
    huge = SimpleUploadedFile("logo.png", png(size=(3000, 10)))
    response = client_a.post(publish_url(provider), {**publish_form(), "logo": huge})
    assert "at most 2000 × 2000 pixels" in response.context["form"].errors["logo"][0]
    assert not Publication.objects.exists()

    good = SimpleUploadedFile("logo.png", png())
    assert client_a.post(publish_url(provider), {**publish_form(), "logo": good}).status_code == 302
    publication = Publication.objects.get()
    assert publication.logo_type == "image/png" and bytes(publication.logo) == png()
    assert "data:image/png;base64," in client_a.get(publish_url(provider)).content.decode()


def test_a_new_logo_of_a_listed_entry_waits_and_the_directory_serves_the_verified_one(
    client_a, provider, staff, client
):
    client_a.post(publish_url(provider), {**publish_form(), "logo": SimpleUploadedFile("a.png", png())})
    publication = directory.publication_verify(staff_user=staff, publication=Publication.objects.get())
    logo_url = reverse("connect:directory-logo", args=[publication.pk])
    first = client_a.get(logo_url)
    assert first.status_code == 200 and first["Content-Type"] == "image/png" and first.content == png()
    new_logo = SimpleUploadedFile("b.png", png(color="blue"))
    client_a.post(publish_url(provider), {**publish_form(), "logo": new_logo})
    publication.refresh_from_db()
    assert publication.state == "waiting"
    assert client_a.get(logo_url).content == png()  # the verified one until staff look


def test_members_see_the_tab_but_cannot_save(provider, account_a):
    member = Client()
    member.force_login(MembershipFactory(account=account_a, role="member").user)
    page = member.get(publish_url(provider)).content.decode()
    assert "Publish in the partner directory" in page and ">Save<" not in page
    assert member.post(publish_url(provider), publish_form()).status_code == 403
    assert not Publication.objects.exists()


def test_staff_verify_reject_and_unpublish_in_the_admin(client_a, provider, staff, admin_client):
    client_a.post(publish_url(provider), publish_form())
    publication = Publication.objects.get()
    changelist = reverse("admin:connect_publication_changelist")
    listing = admin_client.get(changelist + "?state__exact=waiting").content.decode()
    assert "Alpha Wholesale" in listing
    asked = admin_client.post(changelist, {"action": "reject", "_selected_action": [publication.pk]})
    assert "The provider sees this reason" in asked.content.decode()
    admin_client.post(
        changelist,
        {"action": "reject", "_selected_action": [publication.pk], "apply": "1", "reason": "No logo."},
    )
    publication.refresh_from_db()
    assert publication.state == "rejected" and publication.rejection_reason == "No logo."
    client_a.post(publish_url(provider), publish_form(description="Now with a better description."))
    admin_client.post(changelist, {"action": "verify", "_selected_action": [publication.pk]})
    publication.refresh_from_db()
    assert publication.state == "verified" and publication.is_listed
    listed = admin_client.get(changelist + "?listed=yes").content.decode()
    assert "Now with a better" not in listed and "Alpha Wholesale" in listed
    admin_client.post(
        changelist,
        {"action": "unpublish", "_selected_action": [publication.pk], "apply": "1", "reason": "Spam."},
    )
    publication.refresh_from_db()
    assert not publication.is_listed and publication.rejection_reason == "Spam."
