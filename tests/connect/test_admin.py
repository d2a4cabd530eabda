"""Staff see every integration, contractor and ledger in the Django admin; nothing there writes money."""

from __future__ import annotations

import pytest

from connect import services
from connect.models import CreditEntry
from tests.factories.accounts import UserFactory
from tests.factories.connect import owner_tenant

pytestmark = pytest.mark.django_db


def test_staff_see_integrations_links_and_ledgers_read_only(client, pair, account_a):
    _provider, link = pair
    link = services.credit_settings_update(
        actor=owner_tenant(account_a), link=link, credit_limit="100", credit_currency="EUR"
    )
    entry = services.credit_payment_record(
        actor=owner_tenant(account_a), link=link, amount="12.50", description="admin-visible wire"
    )
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    for url in (
        "/admin/connect/connectintegration/",
        f"/admin/connect/connectintegration/{link.provider_integration_id}/change/",
        f"/admin/connect/connectintegration/{link.contractor_integration_id}/change/",
        "/admin/connect/contractorlink/",
        f"/admin/connect/contractorlink/{link.pk}/change/",
        "/admin/connect/creditentry/",
        "/admin/connect/statusmapping/",
    ):
        assert client.get(url).status_code == 200, url
    assert "admin-visible wire" in client.get("/admin/connect/creditentry/").content.decode()
    code_page = client.get(f"/admin/connect/connectintegration/{link.provider_integration_id}/change/")
    assert "code_encrypted" not in code_page.content.decode()
    assert client.get("/admin/connect/creditentry/add/").status_code == 403
    assert client.post(f"/admin/connect/creditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert CreditEntry.objects.filter(pk=entry.pk).exists()
