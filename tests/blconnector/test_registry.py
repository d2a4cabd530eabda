"""The method registry: every method is covered by the isolation suite."""

from __future__ import annotations

from blconnector.registry import METHODS
from tests.isolation.routes_connector import CALLS


def test_every_method_is_in_the_isolation_suite():
    covered = {call.method for call in CALLS}
    missing = sorted(set(METHODS) - covered)
    assert not missing, f"add calls naming account A's ids to tests/isolation/routes_connector.py: {missing}"
