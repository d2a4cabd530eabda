"""Finding a partner and connecting: the directory's filters, Get in touch, Connect at once or by a
request the provider accepts or rejects, the cool-down, one pending request, and the code still works."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.time_zones import time_zone_of
from config import formats
from connect import directory, selectors, services
from connect.models import ConnectIntegration, ConnectionRequest, ContractorLink
from tests.factories.accounts import AccountFactory, MembershipFactory
from tests.factories.connect import contractor_join, listed_publication, owner_tenant, provider_create
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(account_a, user_a):
    return provider_create(account_a)[0]


@pytest.fixture
def listed(provider):
    return listed_publication(provider)


@pytest.fixture
def by_request(provider):
    return listed_publication(provider, approval_required=True)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def join_form(**changes) -> dict:
    return {
        "display_name": "Alpha supplier",
        "forwarding": "button",
        "price_multiplier": "1",
        "quantity_subtract": "0",
        "quantity_keep_percent": "0",
        "step": "join",
    } | changes


def connect_url(publication) -> str:
    return reverse("connect:directory-connect", args=[publication.pk])


# ------------------------------------------------------------------------------------- browsing


def test_the_directory_lists_verified_entries_filtered_by_name_country_industry_and_service(
    client_b, listed, account_a
):
    other_account = AccountFactory(name="Cargo Fulfilment")
    other = listed_publication(
        provider_create(other_account, name="Cargo")[0],
        company_name="Cargo Fulfilment",
        countries=["FR"],
        industries=["fashion"],
        services=["fulfilment"],
    )
    draft_account = AccountFactory(name="Draft Distribution")
    directory.publication_save(
        actor=owner_tenant(draft_account),
        integration=provider_create(draft_account)[0],
        is_public=True,
        company_name="Draft Distribution",
        description="Not verified yet",
        countries=["PL"],
        industries=["home_garden"],
        services=["wholesaler"],
        contact_email="d@example.test",
    )
    url = reverse("connect:directory-list")
    page = client_b.get(url).content.decode()
    assert listed.listed_name in page and "Cargo Fulfilment" in page and "Draft Distribution" not in page
    assert "2 partners" in page

    by_country = client_b.get(url, {"countries": ["PL"], "services": ["wholesaler"]}).content.decode()
    assert listed.listed_name in by_country and "Cargo Fulfilment" not in by_country
    by_service = client_b.get(url, {"services": ["fulfilment"]}).content.decode()
    assert "Cargo Fulfilment" in by_service and listed.listed_name not in by_service
    by_industry = client_b.get(url, {"industries": ["fashion"]}).content.decode()
    assert "Cargo Fulfilment" in by_industry and listed.listed_name not in by_industry
    by_name = client_b.get(url, {"search": "cargo"}).content.decode()
    assert "Cargo Fulfilment" in by_name and listed.listed_name not in by_name
    nothing = client_b.get(url, {"countries": ["JP"]}).content.decode()
    assert "No partner matches these filters" in nothing
    # A bad filter value is ignored, never a 500.
    assert client_b.get(url, {"countries": ["\x00"], "page": "x"}).status_code == 200
    assert client_b.get(reverse("connect:directory-detail", args=[other.pk])).status_code == 200


def test_the_country_filter_offers_only_the_countries_listed_entries_serve_by_name_in_the_readers_language(
    client_b, user_b, listed
):
    listed_publication(
        provider_create(AccountFactory(name="Cargo Fulfilment"), name="Cargo")[0],
        company_name="Cargo Fulfilment",
        countries=["FR", "LV", "LU"],
    )
    draft_account = AccountFactory(name="Draft Distribution")
    directory.publication_save(
        actor=owner_tenant(draft_account),
        integration=provider_create(draft_account)[0],
        is_public=True,
        company_name="Draft Distribution",
        description="Not verified yet",
        countries=["JP"],
        industries=["home_garden"],
        services=["wholesaler"],
        contact_email="d@example.test",
    )
    user_b.language = "pl"
    user_b.save(update_fields=["language"])
    url = reverse("connect:directory-list")

    page = client_b.get(url).content.decode()

    offered = re.findall(
        r'<input type="checkbox" name="countries" value="(\w\w)"[^>]*>\s*([^<]+)</label>', page
    )
    # Only what listed entries serve (not the unverified entry's Japan), by Polish name: Ł after L.
    assert [(code, name.strip()) for code, name in offered] == [
        ("FR", "Francja"),
        ("LU", "Luksemburg"),
        ("LV", "Łotwa"),
        ("DE", "Niemcy"),
        ("PL", "Polska"),
    ]
    assert "Wszystkie kraje" in page

    chosen = client_b.get(url, {"countries": ["DE"]}).content.decode()
    assert listed.listed_name in chosen and "Cargo Fulfilment" not in chosen
    assert 'value="DE" id="id_countries_3" checked' in chosen
    # A country no listed entry serves, from an old link, is shown chosen and finds nobody.
    nobody = client_b.get(url, {"countries": ["JP"]}).content.decode()
    assert 'value="JP"' in nobody and "Japonia" in nobody and "Draft Distribution" not in nobody


def test_listed_since_is_a_date_like_every_other_date_of_the_site(client_b, user_b, account_b, listed):
    url = reverse("connect:directory-detail", args=[listed.pk])
    with formats.region_override("GB"), timezone.override(time_zone_of(user_b, account_b)):
        english = formats.format_date(listed.listed_at)
    assert (
        f"<dt>Listed since</dt><dd>{english}</dd>"
        in client_b.get(url, HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    )

    user_b.language = "pl"
    user_b.save(update_fields=["language"])
    page = client_b.get(url).content.decode()
    assert re.search(r"<dt>W katalogu od</dt><dd>\d\d\.\d\d\.\d{4}</dd>", page)


def test_unlisted_entries_are_404_like_ids_never_used(client_b, provider, listed):
    detail = reverse("connect:directory-detail", args=[listed.pk])
    assert client_b.get(detail).status_code == 200
    services.integration_delete(actor=owner_tenant(provider.account), integration=provider)
    for route in ("directory-detail", "directory-connect", "directory-logo"):
        assert client_b.get(reverse(f"connect:{route}", args=[listed.pk])).status_code == 404
        assert client_b.get(reverse(f"connect:{route}", args=[listed.pk + 1000])).status_code == 404


def test_the_directory_never_shows_the_contact_address_or_the_code(client_b, provider, listed):
    page = client_b.get(reverse("connect:directory-detail", args=[listed.pk])).content.decode()
    assert listed.contact_email not in page
    assert selectors.provider_code(integration=provider) not in page


# ------------------------------------------------------------------------------ get in touch


@pytest.mark.django_db(transaction=True)
def test_get_in_touch_emails_the_contact_with_the_sender_and_reply_address(
    client_b, listed, account_b, celery_worker
):
    url = reverse("connect:directory-message", args=[listed.pk])
    response = client_b.post(
        url, {"reply_to": "buyer@beta.example.test", "message": "Do you ship to Austria?"}
    )
    assert response.status_code == 302
    wait_for(lambda: len(mail.outbox) == 1, what="the directory message")
    sent = mail.outbox[0]
    assert sent.to == [listed.contact_email] and sent.reply_to == ["buyer@beta.example.test"]
    assert account_b.name in sent.subject and "Do you ship to Austria?" in sent.body
    assert "buyer@beta.example.test" in sent.body


def test_get_in_touch_checks_its_fields_and_is_limited_per_account(client_b, listed):
    """A form with errors comes back open with its errors and the input kept, answered 200 (a 4xx is a
    failed request to the browser); so does the limit, as a clear message on the form."""
    url = reverse("connect:directory-message", args=[listed.pk])
    bad = client_b.post(url, {"reply_to": "not-an-address", "message": ""})
    assert bad.status_code == 200
    assert set(bad.context["message_form"].errors) == {"reply_to", "message"}
    assert '<details id="get-in-touch" open>' in bad.content.decode()
    assert 'value="not-an-address"' in bad.content.decode()
    for _n in range(directory.MESSAGE_LIMIT.limit):
        assert client_b.post(url, {"reply_to": "b@example.test", "message": "Hello"}).status_code == 302
    refused = client_b.post(url, {"reply_to": "b@example.test", "message": "Hello"})
    assert refused.status_code == 200
    assert "Your account has sent many messages. Try again in an hour." in refused.content.decode()


def test_nobody_writes_to_an_unlisted_entry_or_to_itself(client_b, provider, user_a):
    draft = directory.publication_save(
        actor=owner_tenant(provider.account), integration=provider, company_name="Draft", is_public=False
    )
    url = reverse("connect:directory-message", args=[draft.pk])
    assert client_b.post(url, {"reply_to": "b@example.test", "message": "Hi"}).status_code == 404
    listed = listed_publication(provider)
    own = login(user_a).post(
        reverse("connect:directory-message", args=[listed.pk]),
        {"reply_to": "a@example.test", "message": "Hi"},
    )
    assert own.status_code == 200
    assert own.context["message_form"].errors["message"] == ["This is your own account's entry."]


# ----------------------------------------------------------------------------------- connecting


def test_connect_without_approval_opens_the_join_window_and_connects_at_once(client_b, listed, account_b):
    window = client_b.get(connect_url(listed)).content.decode()
    assert "Settings" in window and "Connection code" not in window and ">Connect<" in window
    response = client_b.post(connect_url(listed), join_form())
    assert response.status_code == 302
    link = ContractorLink.objects.get(contractor_account=account_b)
    assert link.is_open and link.code is None
    assert not ConnectionRequest.objects.exists()
    page = client_b.get(reverse("connect:directory-detail", args=[listed.pk])).content.decode()
    assert "Connected — open" in page
    again = client_b.get(connect_url(listed)).content.decode()
    assert "already connected" in again


def test_with_approval_required_the_integration_waits_and_nothing_crosses(client_b, by_request, account_b):
    window = client_b.get(connect_url(by_request)).content.decode()
    assert "accepts each new contractor" in window and "Send connection request" in window
    response = client_b.post(connect_url(by_request), join_form(), follow=True)
    page = response.content.decode()
    assert "Request sent, waiting for" in page and by_request.integration.account.name in page
    link = ContractorLink.objects.get(contractor_account=account_b)
    assert link.state == "awaiting" and not link.is_open
    assert (
        selectors.provider_integration_for_contractor(contractor_integration=link.contractor_integration)
        is None
    )
    assert selectors.partner_status_list(link=link, account=account_b) == []
    assert ConnectionRequest.objects.get().state == "pending"


def test_the_provider_sees_pending_requests_on_the_contractors_tab_and_the_dashboard(
    client_a, by_request, account_b
):
    contractor = owner_tenant(account_b)
    services.integration_join(actor=contractor, publication=by_request, client_ip=None, display_name="Alpha")
    tab = client_a.get(
        reverse("connect:provider-contractors", args=[by_request.integration_id])
    ).content.decode()
    assert "Connection requests" in tab and account_b.name in tab and "Accept" in tab
    home = client_a.get(reverse("home")).content.decode()
    assert "1 company from the partner directory waits for your answer" in home and account_b.name in home


@pytest.mark.django_db(transaction=True)
def test_accepting_opens_the_link_and_tells_the_contractor(
    client_a, by_request, account_b, user_b, celery_worker
):
    services.integration_join(
        actor=owner_tenant(account_b), publication=by_request, client_ip=None, display_name="Alpha"
    )
    wait_for(lambda: len(mail.outbox) == 1, what="the new-request e-mail to the provider")
    assert mail.outbox[0].to == [by_request.contact_email] and account_b.name in mail.outbox[0].subject
    request = ConnectionRequest.objects.get()
    response = client_a.post(
        reverse("connect:request-answer", args=[by_request.integration_id, request.pk]),
        {"answer": "accept", "message": "Welcome aboard!"},
    )
    assert response.status_code == 302
    link = ContractorLink.objects.get(contractor_account=account_b)
    assert link.is_open and ConnectionRequest.objects.get().state == "accepted"
    wait_for(lambda: len(mail.outbox) == 2, what="the answer e-mail")
    assert mail.outbox[1].to == [user_b.email] and "accepted" in mail.outbox[1].subject
    assert "Welcome aboard!" in mail.outbox[1].body
    shop = Client()
    shop.force_login(user_b)
    page = shop.get(
        reverse("connect:supplier-detail", args=[link.contractor_integration_id])
    ).content.decode()
    assert "accepted your connection request" in page and "Welcome aboard!" in page


def test_rejecting_keeps_the_link_waiting_and_a_new_request_waits_for_the_cool_down(
    client_b, by_request, account_b, user_a
):
    client_a = login(user_a)
    integration = services.integration_join(
        actor=owner_tenant(account_b), publication=by_request, client_ip=None, display_name="Alpha"
    )
    request = ConnectionRequest.objects.get()
    client_a.post(
        reverse("connect:request-answer", args=[by_request.integration_id, request.pk]),
        {"answer": "reject", "message": "We only work with shops in Poland."},
    )
    link = ContractorLink.objects.get(contractor_account=account_b)
    assert link.state == "awaiting" and not link.is_open
    page = client_b.get(reverse("connect:supplier-detail", args=[integration.pk])).content.decode()
    assert "did not accept" in page and "We only work with shops in Poland." in page
    assert "You can send it again after" in page

    refused = client_b.post(reverse("connect:supplier-request", args=[integration.pk]), follow=True)
    assert "You can send it again after" in refused.content.decode()
    assert ConnectionRequest.objects.count() == 1

    ConnectionRequest.objects.filter(pk=request.pk).update(
        answered_at=timezone.now() - directory.REQUEST_COOLDOWN - timedelta(minutes=1)
    )
    page = client_b.get(reverse("connect:supplier-detail", args=[integration.pk])).content.decode()
    assert "Send the request again" in page
    client_b.post(reverse("connect:supplier-request", args=[integration.pk]))
    assert ConnectionRequest.objects.filter(state="pending").count() == 1
    # While it waits, a second one is refused.
    with pytest.raises(ValidationError, match="already waiting"):
        directory.request_resend(actor=owner_tenant(account_b), integration=integration)


def test_one_pending_request_per_account_and_integration_is_a_database_rule(by_request, account_b):
    services.integration_join(
        actor=owner_tenant(account_b), publication=by_request, client_ip=None, display_name="Alpha"
    )
    link = ContractorLink.objects.get(contractor_account=account_b)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectionRequest.objects.create(
            link=link,
            provider_integration_id=link.provider_integration_id,
            provider_account_id=link.provider_account_id,
            contractor_account=account_b,
        )


def test_requests_are_limited_per_account(by_request, account_b):
    actor = owner_tenant(account_b)
    directory.REQUEST_LIMIT.count(directory.REQUEST_LIMIT.keys(f"account:{account_b.pk}") * 10)
    with pytest.raises(services.RateLimited):
        services.integration_join(actor=actor, publication=by_request, client_ip=None, display_name="Alpha")
    assert not ConnectIntegration.objects.filter(account=account_b).exists()


def test_activating_an_awaiting_contractor_on_its_page_accepts_the_request(by_request, account_b, account_a):
    services.integration_join(
        actor=owner_tenant(account_b), publication=by_request, client_ip=None, display_name="Alpha"
    )
    link = ContractorLink.objects.get(contractor_account=account_b)
    services.contractor_set_state(actor=owner_tenant(account_a), link=link, state="active")
    assert ConnectionRequest.objects.get().state == "accepted"


def test_disconnecting_withdraws_the_pending_request(by_request, account_b, account_a):
    integration = services.integration_join(
        actor=owner_tenant(account_b), publication=by_request, client_ip=None, display_name="Alpha"
    )
    services.integration_disconnect(actor=owner_tenant(account_b), integration=integration)
    assert ConnectionRequest.objects.get().state == "withdrawn"
    assert not directory.pending_request_list(account=account_a).exists()


def test_a_published_integrations_code_still_works_and_joins_active(by_request, provider, account_c):
    link = contractor_join(account_c, selectors.provider_code(integration=provider))
    assert link.is_open and not ConnectionRequest.objects.exists()


def test_the_own_entry_cannot_be_joined(client_a, listed):
    page = client_a.get(connect_url(listed)).content.decode()
    assert "your own account" in page
    assert client_a.post(connect_url(listed), join_form()).status_code == 200
    assert not ContractorLink.objects.exists()


def test_a_member_cannot_open_the_join_window_or_answer(by_request, account_a, account_b):
    member = Client()
    member.force_login(MembershipFactory(account=account_b, role="member").user)
    assert member.get(connect_url(by_request)).status_code == 403
    detail = member.get(reverse("connect:directory-detail", args=[by_request.pk])).content.decode()
    assert "connect-button" not in detail
    services.integration_join(
        actor=owner_tenant(account_b), publication=by_request, client_ip=None, display_name="Alpha"
    )
    request = ConnectionRequest.objects.get()
    provider_member = Client()
    provider_member.force_login(MembershipFactory(account=account_a, role="member").user)
    url = reverse("connect:request-answer", args=[by_request.integration_id, request.pk])
    assert provider_member.post(url, {"answer": "accept"}).status_code == 403
    assert ConnectionRequest.objects.get().state == "pending"


def test_an_unpublished_entry_refuses_a_join_in_flight(by_request, account_b):
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_user(email="s@hurtlink.test", password=None, is_staff=True)
    directory.publication_unpublish(staff_user=staff, publication=by_request, reason="Gone.")
    with pytest.raises(ValidationError, match="does not exist"):
        services.integration_join(
            actor=owner_tenant(account_b), publication=by_request, client_ip=None, display_name="Alpha"
        )
