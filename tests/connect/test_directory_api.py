"""The directory over the REST API: search and filters, Get in touch, the provider's publication,
joining from an entry, connection requests and their answers."""

from __future__ import annotations

import base64
import io

import pytest
from django.urls import reverse
from PIL import Image

from connect import directory, services
from connect.models import ConnectionRequest, ContractorLink, Publication
from tests.factories.accounts import AccountFactory
from tests.factories.connect import listed_publication, owner_tenant, provider_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(account_a, user_a):
    return provider_create(account_a)[0]


def test_the_directory_lists_listed_entries_with_filters(api_b, provider):
    listed = listed_publication(provider)
    other = listed_publication(
        provider_create(AccountFactory(name="Cargo"))[0],
        company_name="Cargo",
        countries=["FR"],
        services=["fulfilment"],
    )
    directory.publication_save(
        actor=owner_tenant(provider.account),
        integration=provider_create(provider.account, name="Second")[0],
        is_public=True,
        company_name="Unverified",
        description="Waits for staff",
        countries=["PL"],
        industries=["other"],
        services=["other"],
        contact_email="u@example.test",
    )
    url = reverse("api:connect-directory-list")
    body = api_b.get(url).json()
    assert {row["name"] for row in body["results"]} == {listed.listed_name, "Cargo"}
    row = next(r for r in body["results"] if r["id"] == listed.pk)
    assert row["countries"] == ["DE", "PL"] and row["services"] == ["wholesaler"] and row["logo_url"] is None
    assert "contact_email" not in row
    assert [r["id"] for r in api_b.get(url, {"countries": "FR"}).json()["results"]] == [other.pk]
    assert [r["id"] for r in api_b.get(url, {"services": "wholesaler"}).json()["results"]] == [listed.pk]
    assert [r["id"] for r in api_b.get(url, {"search": "carg"}).json()["results"]] == [other.pk]
    bad = api_b.get(url, {"countries": "XX"})
    assert bad.status_code == 400 and "countries" in bad.json()["errors"]
    assert (
        api_b.get(reverse("api:connect-directory-detail", args=[listed.pk])).json()["name"]
        == listed.listed_name
    )
    assert api_b.get(reverse("api:connect-directory-detail", args=["abc"])).status_code == 404


def test_get_in_touch_over_the_api_is_limited_per_account(api_b, provider):
    listed = listed_publication(provider)
    url = reverse("api:connect-directory-message", args=[listed.pk])
    bad = api_b.post(url, {"reply_to": "nope", "message": ""}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"reply_to", "message"}
    for _n in range(directory.MESSAGE_LIMIT.limit):
        assert (
            api_b.post(url, {"reply_to": "b@example.test", "message": "Hi"}, format="json").status_code == 202
        )
    assert api_b.post(url, {"reply_to": "b@example.test", "message": "Hi"}, format="json").status_code == 429


def test_the_provider_saves_its_publication_and_reads_its_state(api_a, provider):
    url = reverse("api:connect-provider-publication", args=[provider.pk])
    before = api_a.get(url).json()
    assert before["id"] is None and before["state"] == "draft" and before["company_name"] == "Alpha Wholesale"
    refused = api_a.patch(url, {"is_public": True, "company_name": "Alpha"}, format="json")
    assert refused.status_code == 400 and "description" in refused.json()["errors"]
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="PNG")
    saved = api_a.patch(
        url,
        {
            "is_public": True,
            "company_name": "Alpha",
            "description": "Garden furniture.",
            "countries": ["PL"],
            "industries": ["home_garden"],
            "services": ["wholesaler"],
            "contact_email": "sales@alpha.example.test",
            "logo": base64.b64encode(buffer.getvalue()).decode(),
        },
        format="json",
    )
    assert saved.status_code == 200, saved.json()
    body = saved.json()
    assert body["state"] == "waiting" and body["has_logo"] and body["directory_id"] is None
    not_image = api_a.patch(url, {"logo": base64.b64encode(b"hello").decode()}, format="json")
    assert not_image.status_code == 400 and "logo" in not_image.json()["errors"]


def test_joining_from_the_directory_and_answering_the_request(api_a, api_b, provider, account_b):
    listed = listed_publication(provider, approval_required=True)
    joined = api_b.post(
        reverse("api:connect-contractor-integration-list"),
        {"publication": listed.pk, "display_name": "Alpha"},
        format="json",
    )
    assert joined.status_code == 201, joined.json()
    assert joined.json()["provider"]["state"] == "awaiting" and joined.json()["request"]["state"] == "pending"

    both = api_b.post(
        reverse("api:connect-contractor-integration-list"),
        {"publication": listed.pk, "code": "X", "display_name": "Alpha"},
        format="json",
    )
    assert both.status_code == 400

    requests = api_a.get(reverse("api:connect-connection-request-list"), {"state": "pending"}).json()[
        "results"
    ]
    assert [r["company"] for r in requests] == [account_b.name]
    answer = api_a.post(
        reverse("api:connect-connection-request-reject", args=[requests[0]["id"]]),
        {"message": "Not now."},
        format="json",
    )
    assert answer.status_code == 200 and answer.json()["state"] == "rejected"
    again = api_a.post(
        reverse("api:connect-connection-request-accept", args=[requests[0]["id"]]), {}, format="json"
    )
    assert again.status_code == 400
    mine = api_b.get(reverse("api:connect-contractor-integration-detail", args=[joined.json()["id"]])).json()
    assert mine["request"]["state"] == "rejected" and mine["request"]["answer_message"] == "Not now."
    assert mine["request"]["resend_after"] is not None
    resend = api_b.post(
        reverse("api:connect-contractor-integration-resend-request", args=[joined.json()["id"]])
    )
    assert resend.status_code == 400
    assert not ContractorLink.objects.get(contractor_account=account_b).is_open


def test_an_unlisted_entry_is_does_not_exist_when_joining(api_b, provider):
    draft = directory.publication_save(
        actor=owner_tenant(provider.account), integration=provider, company_name="D"
    )
    response = api_b.post(
        reverse("api:connect-contractor-integration-list"),
        {"publication": draft.pk, "display_name": "Alpha"},
        format="json",
    )
    missing = api_b.post(
        reverse("api:connect-contractor-integration-list"),
        {"publication": draft.pk + 1000, "display_name": "Alpha"},
        format="json",
    )
    assert response.status_code == missing.status_code == 400
    assert response.json()["errors"]["publication"] == missing.json()["errors"]["publication"]
    assert not ContractorLink.objects.exists() and Publication.objects.count() == 1


def test_accepting_over_the_api_opens_the_link(api_a, provider, account_b):
    listed = listed_publication(provider, approval_required=True)
    services.integration_join(
        actor=owner_tenant(account_b), publication=listed, client_ip=None, display_name="A"
    )
    request = ConnectionRequest.objects.get()
    response = api_a.post(
        reverse("api:connect-connection-request-accept", args=[request.pk]), {}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    assert ContractorLink.objects.get(contractor_account=account_b).is_open
