"""Actors test code passes to services when who acts does not matter to the test: an account's admin
(the role that may do everything a service checks, short of owner-only member rules)."""

from accounts.models import Role
from accounts.tenancy import Tenant


def admin_of(account) -> Tenant:
    """An admin acting for ``account`` (no user: as a job acting for the account)."""
    return Tenant(account=account, role=Role.ADMIN)
