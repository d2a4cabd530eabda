"""The demo the run command loads once: a wholesaler and a shop, one user each."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal
from django.utils import translation

from accounts.models import Account, Membership, User
from accounts.services import account_create

# Sent once, right after the demo accounts were first created (kwargs: wholesaler, shop). Apps add
# their demo data (products, orders, a WMS connection...) here.
demo_accounts_created = Signal()


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    company: str
    country: str
    currency: str
    # The language the account's defaults (statuses, warehouse, catalog...) are named in.
    language: str


DEMO_USERS = (
    DemoUser(
        "wholesaler@demo.hurtlink.test",
        "demo-wholesaler-2026",
        "Hurtownia Demo Sp. z o.o.",
        "PL",
        "PLN",
        "pl",
    ),
    DemoUser("shop@demo.hurtlink.test", "demo-shop-2026", "Demo Shop GmbH", "DE", "EUR", "en"),
)


def demo_setup() -> tuple[bool, list[DemoUser]]:
    """Create the demo accounts if they do not exist. Returns (created now?, the demo users)."""
    with transaction.atomic():
        if User.objects.filter(email=DEMO_USERS[0].email).exists():
            return False, list(DEMO_USERS)
        accounts: list[Account] = []
        for demo in DEMO_USERS:
            user = User.objects.create_user(email=demo.email, password=demo.password, full_name=demo.company)
            with translation.override(demo.language):
                accounts.append(
                    account_create(
                        owner=user, name=demo.company, country=demo.country, default_currency=demo.currency
                    )
                )
        demo_accounts_created.send(sender=Account, wholesaler=accounts[0], shop=accounts[1])
    return True, list(DEMO_USERS)


def demo_memberships():
    return Membership.objects.filter(user__email__in=[d.email for d in DEMO_USERS]).select_related(
        "user", "account"
    )
