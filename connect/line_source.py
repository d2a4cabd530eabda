"""Connect as a source of order lines: the product picker searches the account's shared catalogs too,
and a line picked from one keeps its reference (storage "connect", the contractor integration's id, the
supplier's product). Every lookup goes through ``connect.shared_catalog``: only open links, only what is
shared with this account."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Q

from catalog.models import Product, ProductLink
from connect import transform
from connect.models import ConnectIntegration, ContractorLink
from connect.shared_catalog import (
    SharedCatalog,
    shared_catalog_open,
    shared_catalogs_for,
    shared_product_list,
)
from orders import line_sources

STORAGE = "connect"
_KEY = re.compile(r"connect:(\d{1,18}):(\d{1,18})\Z")


def _lines(account, catalog: SharedCatalog, products) -> list[line_sources.ExternalLine]:
    products = list(products)
    linked = dict(
        ProductLink.objects.filter(
            account=account,
            storage=STORAGE,
            storage_id=catalog.pk,
            external_product_id__in=[p.pk for p in products],
        ).values_list("external_product_id", "product_id")
    )
    own = (
        Product.objects.filter(account=account, pk__in=linked.values()).select_related("inventory").in_bulk()
    )
    settings = catalog.integration.contractor_settings
    multiplier = settings.price_multiplier
    # The price is the supplier's × the contractor's multiplier — the number an import writes into the
    # contractor's target price group, whose currency the multiplier converts to (the settings say so
    # when the currencies differ); without a target group it is in the supplier's currency.
    target = settings.price_group
    currency = target.currency if target is not None else catalog.currency
    lines = []
    for product in products:
        name = product.shared_name or product.sku or f"#{product.pk}"
        price = None if product.shared_price is None else transform.price(product.shared_price, multiplier)
        lines.append(
            line_sources.ExternalLine(
                storage=STORAGE,
                storage_id=catalog.pk,
                external_product_id=product.pk,
                key=f"connect:{catalog.pk}:{product.pk}",
                label=f"{name} · {product.sku or '—'} · {catalog.label}",
                sku=product.sku,
                ean=product.ean,
                name=name[:200],
                price=price,
                tax_rate=product.tax_rate,
                weight=product.weight,
                product=own.get(linked.get(product.pk)),
                external_parent_id=product.parent_id,
                currency=currency,
                stock=product.shared_stock,
                source=catalog.label,
            )
        )
    return lines


def _search(account, text: str, limit: int) -> list[line_sources.ExternalLine]:
    found = []
    for catalog in shared_catalogs_for(account=account):
        products = shared_product_list(catalog, search=text, variants=True).order_by("pk")[:limit]
        found += _lines(account, catalog, products)
        if len(found) >= limit:
            break
    return found[:limit]


def _get(account, storage_id: int, product_id: int) -> line_sources.ExternalLine | None:
    integration = ConnectIntegration.objects.alive().filter(account=account, pk=storage_id).first()
    catalog = shared_catalog_open(account=account, integration=integration) if integration else None
    if catalog is None:
        return None
    lines = _lines(account, catalog, shared_product_list(catalog, variants=True).filter(pk=product_id))
    return lines[0] if lines else None


def _find(account, text: str) -> list[line_sources.ExternalLine]:
    match = _KEY.match(text)
    if match:
        line = _get(account, int(match.group(1)), int(match.group(2)))
        return [line] if line else []
    found = []
    for catalog in shared_catalogs_for(account=account):
        exact = shared_product_list(catalog, variants=True).filter(Q(sku=text) | Q(ean=text))
        found += _lines(account, catalog, exact.order_by("pk")[:5])
    return found


def line_products(*, account, refs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
    """What ``account``'s order lines picked from its shared catalogs name — ``(contractor integration
    id, supplier product id)`` pairs, as the lines keep them — as ``(main product id, variant id or 0)``
    of the supplier's product, so a variant is named with its main product. Only products of the
    supplier behind each of the account's own integrations are read (whatever the link's state now: the
    lines stay as they were made); pairs naming anything else are left out. One query, and one per
    supplier named."""
    refs = set(refs)
    providers = dict(
        ContractorLink.objects.filter(
            contractor_account=account, contractor_integration_id__in={sid for sid, _pk in refs}
        ).values_list("contractor_integration_id", "provider_account_id")
    )
    wanted: dict[int, set[int]] = {}
    for storage_id, product_id in refs:
        if storage_id in providers:
            wanted.setdefault(providers[storage_id], set()).add(product_id)
    parents: dict[tuple[int, int], int | None] = {}
    for provider_id, ids in wanted.items():
        rows = Product.objects.filter(account_id=provider_id, pk__in=ids).values_list("pk", "parent_id")
        parents.update(((provider_id, pk), parent_id) for pk, parent_id in rows)
    found = {}
    for storage_id, product_id in refs:
        key = (providers.get(storage_id), product_id)
        if key in parents:
            parent_id = parents[key]
            found[storage_id, product_id] = (parent_id or product_id, product_id if parent_id else 0)
    return found


def line_source_register() -> None:
    line_sources.register(line_sources.LineSource(storage=STORAGE, search=_search, find=_find, get=_get))
