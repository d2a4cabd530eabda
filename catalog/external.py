"""External catalogs an account can browse beside its own (a Connect supplier's shared catalog).

The catalog app shows them in its catalog selector and names a product's external storage on the
product page without importing the apps that provide them: those register a source here from their
``AppConfig.ready()`` (Connect does), as orders' automatic actions are registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


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


def register(source: ExternalSource) -> None:
    _sources[source.storage] = source


def external_catalogs(*, account) -> list[ExternalCatalog]:
    return [catalog for source in _sources.values() for catalog in source.catalogs(account)]


def storage_label(*, account, storage: str, storage_id: int) -> str | None:
    source = _sources.get(storage)
    return source.storage_label(account, storage_id) if source is not None else None
