"""Connect set-ups through the real services: a provider integration, a contractor joined to it."""

from __future__ import annotations

from accounts.models import Account, Membership, Role
from accounts.tenancy import Tenant
from connect import services
from connect.models import ConnectIntegration, ContractorLink


def owner_tenant(account: Account) -> Tenant:
    """The account's owner acting on a page (a user with an owner membership is created if needed)."""
    membership = Membership.objects.filter(account=account, role=Role.OWNER).select_related("user").first()
    if membership is None:
        from tests.factories.accounts import MembershipFactory

        membership = MembershipFactory(account=account, role=Role.OWNER)
    return Tenant(account=account, role=Role.OWNER, user=membership.user)


def provider_create(
    account: Account, *, name: str = "Alpha Connect", orders: bool = True, products: bool = True
):
    """A provider integration of ``account`` with default settings; returns (integration, code)."""
    return services.provider_create(
        actor=owner_tenant(account),
        display_name=name,
        code_name="for tests",
        orders_enabled=orders,
        products_enabled=products,
    )


def contractor_join(account: Account, code: str, *, name: str = "My supplier") -> ContractorLink:
    """``account`` joins with ``code``; returns the new link."""
    integration = services.integration_join(
        actor=owner_tenant(account), code=code, client_ip=None, display_name=name
    )
    return ContractorLink.objects.get(contractor_integration=integration)


def connected_pair(provider_account: Account, contractor_account: Account, **kwargs):
    """A provider integration of the first account and the second joined to it: (provider, link)."""
    integration, code = provider_create(provider_account, **kwargs)
    return integration, contractor_join(contractor_account, code)


__all__ = [
    "ConnectIntegration",
    "connected_pair",
    "contractor_join",
    "listed_publication",
    "owner_tenant",
    "provider_create",
]


def listed_publication(integration, **values):
    """``integration``'s entry, public and verified (as staff would), with sensible required fields."""
    from connect import directory

    fields = {
        "is_public": True,
        "company_name": f"{integration.account.name} (listed)",
        "description": "Wholesale of everything, shipped the same day.",
        "countries": ["PL", "DE"],
        "industries": ["home_garden"],
        "services": ["wholesaler"],
        "contact_email": "sales@alpha.example.test",
    } | values
    publication = directory.publication_save(
        actor=owner_tenant(integration.account), integration=integration, **fields
    )
    return directory.publication_listing_take(publication=publication)
