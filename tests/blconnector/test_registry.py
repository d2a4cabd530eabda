"""The method registry: every method is covered by the isolation suite, and the roles match the
REST API's."""

from __future__ import annotations

from accounts.models import Role
from blconnector.registry import METHODS, READ
from tests.isolation.routes_connector import CALLS


def test_every_method_is_in_the_isolation_suite():
    covered = {call.method for call in CALLS}
    missing = sorted(set(METHODS) - covered)
    assert not missing, f"add calls naming account A's ids to tests/isolation/routes_connector.py: {missing}"


def test_every_method_a_member_token_may_call_is_a_read_or_a_member_write():
    # Members read everything; what they may change is what the pages and the REST API let them.
    member_writes = sorted(name for name, m in METHODS.items() if m.act != READ and m.role == Role.MEMBER)
    assert all(METHODS[name].area.name in ("orders", "products", "packages") for name in member_writes)
    assert all(m.role == Role.MEMBER for m in METHODS.values() if m.act == READ)
    assert METHODS["deleteInventoryProduct"].role == Role.ADMIN
    assert METHODS["addInventoryWarehouse"].role == Role.ADMIN
