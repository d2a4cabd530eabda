"""External storages of the catalog (a Connect supplier's shared catalog), for the catalog's pages.

The catalog app never imports the apps that provide them; they register here from their
``AppConfig.ready()`` (Connect does), as orders' automatic actions are registered:

- an :class:`ExternalSource` names the external catalogs an account can browse beside its own (the
  product list's catalog selector) and a product link's storage in words (the product page);
- a synced-cells function (``register_synced``) takes an account id and product ids and returns the
  cells a sync keeps as ``(product id, "stock" | "prices", warehouse or price group id, who keeps it)``;
  the product page marks those cells "synced" (a user's own edit there is overwritten at the next sync).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SyncedCell = tuple[int, str, int, str]


@dataclass(frozen=True)
class ExternalCatalog:
    key: str  # what the product list's catalog selector sends, e.g. "connect-12"
    label: str
    url: str


@dataclass(frozen=True)
class ExternalSource:
    """``catalogs(account)``: the external catalogs open to the account now. ``storage_label(account,
    storage_id)``: a product link's storage in words (None when the account has no such storage)."""

    storage: str
    catalogs: Callable[..., list[ExternalCatalog]]
    storage_label: Callable[..., str | None]


_sources: dict[str, ExternalSource] = {}
_synced_sources: list[Callable[[int, list[int]], list[SyncedCell]]] = []


def register(source: ExternalSource) -> None:
    _sources[source.storage] = source


def register_synced(source: Callable[[int, list[int]], list[SyncedCell]]) -> None:
    if source not in _synced_sources:
        _synced_sources.append(source)


def external_catalogs(*, account) -> list[ExternalCatalog]:
    return [catalog for source in _sources.values() for catalog in source.catalogs(account)]


def storage_label(*, account, storage: str, storage_id: int) -> str | None:
    source = _sources.get(storage)
    return source.storage_label(account, storage_id) if source is not None else None


def synced_cells(*, account_id: int, product_ids: list[int]) -> dict[tuple[str, int, int], str]:
    """``(kind, product id, target id)`` → who keeps it, for the cells some sync keeps."""
    cells: dict[tuple[str, int, int], str] = {}
    for source in _synced_sources:
        for product_id, kind, target_id, label in source(account_id, product_ids):
            cells[(kind, product_id, target_id)] = label
    return cells
