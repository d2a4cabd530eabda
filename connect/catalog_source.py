"""Connect as an external storage of the catalog app: the shared catalogs in the product list's catalog
selector, and a product link's supplier in words on the product page."""

from __future__ import annotations

from django.urls import reverse

from catalog import external
from connect.models import ConnectIntegration
from connect.shared_catalog import shared_catalogs_for


def _catalogs(account) -> list[external.ExternalCatalog]:
    return [
        external.ExternalCatalog(
            key=f"connect-{c.pk}", label=c.label, url=reverse("connect:shared-catalog", args=[c.pk])
        )
        for c in shared_catalogs_for(account=account)
    ]


def _storage_label(account, storage_id: int) -> str | None:
    integration = ConnectIntegration.objects.filter(
        account=account, pk=storage_id, role=ConnectIntegration.Role.CONTRACTOR
    ).first()
    return str(integration.display_name) + " (Connect)" if integration is not None else None


def catalog_source_register() -> None:
    external.register(
        external.ExternalSource(storage="connect", catalogs=_catalogs, storage_label=_storage_label)
    )
