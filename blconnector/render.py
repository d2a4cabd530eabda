"""BaseLinker's value formats (reference §1.6): Unix timestamps, gross amounts as floats, warehouse keys."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal


class RawJson(str):
    """JSON text built elsewhere (by PostgreSQL), put into the answer as it is."""


_WAREHOUSE_KEY = re.compile(r"(?:bl_)?(\d{1,18})\Z")
# The external storage type of a Connect shared catalog: ``warehouse_<integration id>`` (reference §7).
SHARED_STORAGE_TYPE = "warehouse"


def timestamp(moment: datetime.datetime | None) -> int:
    """Unix seconds; 0 for "never"."""
    return int(moment.timestamp()) if moment is not None else 0


def amount(value: Decimal | None) -> float:
    return float(value) if value is not None else 0.0


def warehouse_key(warehouse_id: int) -> str:
    """Our warehouses are BaseLinker's own ("bl") warehouses: ``bl_<id>``."""
    return f"bl_{warehouse_id}"


def warehouse_id(key) -> int | None:
    """The id in ``"bl_12"`` (or a bare ``12``); None for anything else — ``shop_``/``warehouse_`` keys name
    read-only mirrors of external stock (here only the Connect shared catalogs' ``warehouse_<id>``)."""
    if isinstance(key, int) and not isinstance(key, bool):
        return key if key > 0 else None
    match = _WAREHOUSE_KEY.match(str(key).strip())
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


def flag(value: bool) -> str:
    """The ``"0"``/``"1"`` strings some order flags are in real output."""
    return "1" if value else "0"
