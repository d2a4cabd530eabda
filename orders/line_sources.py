"""External product sources for order lines: products an account may put on an order without having
them in its own catalogs (a Connect supplier's shared catalog).

The orders app never imports the apps that provide them: they register a :class:`LineSource` here from
their ``AppConfig.ready()``. The line form's suggestions, the line form and the REST order lines ask
every source; a source answers only with what the account may see (Connect: through an open link).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class ExternalLine:
    """A product of an external storage, ready to become an order line.

    ``product`` is the account's own product linked to it, if any (the line then reserves that
    product's stock); ``external_product_id`` is kept on the line either way. ``external_parent_id``: the
    main product when the external product is a variant."""

    storage: str
    storage_id: int
    external_product_id: int
    key: str  # what the picker sends, e.g. "connect:12:345"
    label: str  # what the picker shows
    sku: str
    ean: str
    name: str
    price: Decimal | None
    tax_rate: Decimal
    weight: Decimal
    product: Any = None
    external_parent_id: int | None = None
    currency: str = ""  # of ``price``
    stock: int | None = None  # what the source has on hand, when it says
    source: str = ""  # where it comes from, as the picker names it (a supplier's catalog)


@dataclass(frozen=True)
class LineSource:
    """``search(account, text, limit)``: suggestions; ``find(account, text)``: the products a typed key,
    SKU or EAN names (exact); ``get(account, storage_id, external_product_id)``: one, or None."""

    storage: str
    search: Callable[..., list[ExternalLine]]
    find: Callable[..., list[ExternalLine]]
    get: Callable[..., ExternalLine | None]


_sources: dict[str, LineSource] = {}


def register(source: LineSource) -> None:
    _sources[source.storage] = source


def external_search(*, account, text: str, limit: int = 10) -> list[ExternalLine]:
    found: list[ExternalLine] = []
    for source in _sources.values():
        found += source.search(account, text, limit)
    return found[:limit]


def external_find(*, account, text: str) -> list[ExternalLine]:
    found: list[ExternalLine] = []
    for source in _sources.values():
        found += source.find(account, text)
    return found


def external_get(*, account, storage: str, storage_id: int, external_product_id: int) -> ExternalLine | None:
    source = _sources.get(storage)
    return source.get(account, storage_id, external_product_id) if source is not None else None
