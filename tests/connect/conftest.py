"""Connect fixtures: account A is the provider (wholesaler), account B the contractor (shop)."""

from __future__ import annotations

import pytest

from accounts.tenancy import Tenant
from tests.factories.accounts import AccountFactory, MembershipFactory
from tests.factories.connect import connected_pair, owner_tenant


@pytest.fixture
def tenant_a(user_a, account_a) -> Tenant:
    return owner_tenant(account_a)


@pytest.fixture
def tenant_b(user_b, account_b) -> Tenant:
    return owner_tenant(account_b)


@pytest.fixture
def member_a(account_a) -> Tenant:
    membership = MembershipFactory(account=account_a, role="member")
    return Tenant(account=account_a, role="member", user=membership.user)


@pytest.fixture
def pair(user_a, user_b, account_a, account_b):
    """A provides, B has joined: (provider integration, link)."""
    return connected_pair(account_a, account_b)


@pytest.fixture
def account_c(db):
    account = AccountFactory(name="Gamma Retail")
    MembershipFactory(account=account, role="owner")
    return account
