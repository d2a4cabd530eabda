"""/connector.php asks the role matrix (``accounts.roles``) per method, as the pages and the REST API
do per route: a member's token is refused exactly the writes a member is refused elsewhere."""

from __future__ import annotations

import pytest

from accounts.models import Role
from accounts.roles import Act
from blconnector.registry import METHODS
from tests.blconnector.conftest import connector_for

pytestmark = pytest.mark.django_db

WRITES = sorted(name for name, m in METHODS.items() if m.act != Act.READ)


def test_reads_are_open_to_members():
    assert all(m.role == Role.MEMBER for m in METHODS.values() if m.act == Act.READ)


@pytest.mark.parametrize("name", WRITES)
def test_every_write_needs_the_role_the_matrix_names(name, account_a):
    needed = METHODS[name].role
    member = connector_for(account_a, role=Role.MEMBER, name="member")(name, "{}")
    admin = connector_for(account_a, role=Role.ADMIN, name="admin")(name, "{}")
    # Refused before the parameters are read: the answer says nothing about them.
    assert (member.get("error_code") == "ERROR_PERMISSION_DENIED") == (needed == Role.ADMIN), member
    assert admin.get("error_code") != "ERROR_PERMISSION_DENIED", admin


def test_matrix_places_the_bl_methods_where_the_pages_put_them():
    admin_only = {name for name in WRITES if METHODS[name].role == Role.ADMIN}
    assert {"addInventoryWarehouse", "deleteInventoryProduct", "addInventory"} <= admin_only
    assert not {"addOrder", "setOrderStatus", "updateInventoryProductsStock", "createPackage"} & admin_only
