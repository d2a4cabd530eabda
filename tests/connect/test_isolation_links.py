"""What a link opens, and what it does not: a blocked or disconnected link opens nothing, and no link
opens another contractor of the same provider (the route walk in tests/isolation covers every route;
these are the cases that need a link in a particular state)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from connect import selectors, services
from connect.models import StatusMapping
from orders.models import OrderStatus
from tests.factories import ApiTokenFactory
from tests.factories.connect import contractor_join, owner_tenant, provider_create

pytestmark = pytest.mark.django_db


def api_for(account) -> APIClient:
    _token, secret = ApiTokenFactory.create_with_secret(account=account, name="iso")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.mark.parametrize("how", ["blocked", "disconnected", "provider deleted"])
def test_a_blocked_or_ended_link_opens_nothing(how, account_a, account_b, user_a, user_b, client_b):
    provider, code = provider_create(account_a)
    link = contractor_join(account_b, code)
    contractor = link.contractor_integration
    if how == "blocked":
        services.contractor_set_state(actor=owner_tenant(account_a), link=link, state="blocked")
    elif how == "disconnected":
        services.integration_disconnect(actor=owner_tenant(account_b), integration=contractor)
    else:
        services.integration_delete(actor=owner_tenant(account_a), integration=provider)
    link.refresh_from_db()
    contractor.refresh_from_db()
    assert selectors.provider_integration_for_contractor(contractor_integration=contractor) is None
    assert selectors.partner_status_list(link=link, account=account_b) == []
    assert selectors.partner_status_list(link=link, account=account_a) == []
    # Neither side can map statuses across it.
    with pytest.raises(services.ValidationError):
        services.status_mapping_create(
            actor=owner_tenant(account_b),
            link=link,
            direction="send",
            local_status=OrderStatus.objects.filter(account=account_b).first(),
            remote_status=OrderStatus.objects.filter(account=account_a).first(),
        )
    api_b = api_for(account_b)
    if how == "blocked":
        statuses = api_b.get(f"/api/v1/connect/contractor-integrations/{contractor.pk}/provider-statuses/")
        assert statuses.json() == []
        page = client_b.get(reverse("connect:supplier-statuses", args=[contractor.pk])).content.decode()
        assert "available while the connection is active" in page
        assert (
            "has blocked this connection"
            in client_b.get(reverse("connect:supplier-detail", args=[contractor.pk])).content.decode()
        )
    elif how == "disconnected":
        # The contractor's integration is gone from its side; the provider keeps the history.
        assert client_b.get(reverse("connect:supplier-detail", args=[contractor.pk])).status_code == 404
    else:
        page = client_b.get(reverse("connect:supplier-detail", args=[contractor.pk])).content.decode()
        assert "The supplier has ended this connection" in page
    assert api_for(account_a).get(f"/api/v1/connect/contractors/{link.pk}/statuses/").json() == []
    assert not StatusMapping.objects.exists()


def test_a_contractor_never_reaches_another_contractor_of_the_same_provider(
    account_a, account_b, account_c, user_a, user_b, client_b
):
    provider, code = provider_create(account_a)
    theirs = contractor_join(account_c, code)
    mine = contractor_join(account_b, code)
    # B's own provider-side pages do not exist (B is not the provider), whatever ids it combines.
    for url in (
        reverse("connect:contractor-edit", args=[provider.pk, theirs.pk]),
        reverse("connect:provider-contractors", args=[provider.pk]),
        reverse("connect:supplier-detail", args=[theirs.contractor_integration_id]),
    ):
        assert client_b.get(url).status_code == 404, url
    # Its own provider integration with another account's link id: still 404.
    own_provider, _code = provider_create(account_b, name="Beta provides too")
    assert (
        client_b.get(reverse("connect:contractor-edit", args=[own_provider.pk, theirs.pk])).status_code == 404
    )
    api_b = api_for(account_b)
    assert api_b.get(f"/api/v1/connect/contractors/{theirs.pk}/").status_code == 404
    assert (
        api_b.get(f"/api/v1/connect/contractors/{mine.pk}/").status_code == 404
    )  # its own link, provider view
    assert api_b.get("/api/v1/connect/contractors/").json()["count"] == 0
    # Naming another contractor's link in a mapping body does not exist either.
    response = api_b.post(
        "/api/v1/connect/status-mappings/",
        {
            "link": theirs.pk,
            "direction": "send",
            "local_status": OrderStatus.objects.filter(account=account_b).first().pk,
            "remote_status": OrderStatus.objects.filter(account=account_a).first().pk,
        },
        format="json",
    )
    assert response.status_code == 400 and "does not exist" in str(response.json()["errors"]["link"])


def test_a_partner_s_status_is_accepted_only_for_its_own_link(
    account_a, account_b, account_c, user_a, user_b
):
    _provider, code = provider_create(account_a)
    link_b = contractor_join(account_b, code)
    contractor_join(account_c, code)
    api_a = api_for(account_a)
    gamma_status = OrderStatus.objects.filter(account=account_c).first()
    response = api_a.post(
        "/api/v1/connect/status-mappings/",
        {
            "link": link_b.pk,
            "direction": "send",
            "local_status": OrderStatus.objects.filter(account=account_a).first().pk,
            "remote_status": gamma_status.pk,  # a status of A's other contractor, not of B
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["remote_status"] == ["This status does not exist."]
