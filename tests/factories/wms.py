"""A WMS connection of an account for tests that only need one to exist (its pages, its runs)."""

from __future__ import annotations

from catalog.models import Inventory
from wmsbridge.models import WmsConnection


def wms_connection(account, **fields) -> WmsConnection:
    """A connection named "Magazyn" to an unreachable test address, for ``account``'s default catalog."""
    values = {
        "name": "Magazyn",
        "base_url": "https://api.example.test/warehouse/",
        "api_user": "alpha",
        "goods_owner_id": 1,
        "inventory": Inventory.objects.get(account=account, is_default=True),
        **fields,
    }
    return WmsConnection.objects.create(account=account, **values)
