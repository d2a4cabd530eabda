"""What external storages keep of a product (a Connect supplier's stock and price sync), for the pages.

The catalog never imports the apps that sync into it; they register a function here from their
``AppConfig.ready()``. Each takes an account id and product ids and returns the cells it keeps as
``(product id, "stock" | "prices", warehouse or price group id, who keeps it)``; the product page marks
those cells "synced" (a user's own edit there is overwritten at the next sync).
"""

from __future__ import annotations

from collections.abc import Callable

SyncedCell = tuple[int, str, int, str]

_sources: list[Callable[[int, list[int]], list[SyncedCell]]] = []


def register(source: Callable[[int, list[int]], list[SyncedCell]]) -> None:
    if source not in _sources:
        _sources.append(source)


def synced_cells(*, account_id: int, product_ids: list[int]) -> dict[tuple[str, int, int], str]:
    """``(kind, product id, target id)`` → who keeps it, for the cells some sync keeps."""
    cells: dict[tuple[str, int, int], str] = {}
    for source in _sources:
        for product_id, kind, target_id, label in source(account_id, product_ids):
            cells[(kind, product_id, target_id)] = label
    return cells
