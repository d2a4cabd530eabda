"""Connect's continuous price and stock sync: a provider's stock and price changes reach every linked
contractor product (Connect part 2, the Prices and Stock tabs).

How it works:

- **Carried by the catalog's change events.** :func:`change_handle` is a ``changes`` consumer of the
  catalog's stock and price topics, so whatever changed the provider's values — a person, the API, a CSV
  import, a bulk endpoint, the WMS stock sync, an order's reservation — the change reaches the
  contractors after commit, without polling. An event names a set of products (a bulk change of 100k
  products is ten events of 10k, not 100k events).
- **One statement per batch.** For the changed products, every open link whose contractor has the sync
  on gets its rows computed and written by one ``UPDATE … FROM`` (with ``INSERT … ON CONFLICT`` for
  missing rows in the same statement) through ``catalog.bulk`` — all contractors of the provider at
  once. Values follow the contractor's Products settings through ``connect.transform``'s SQL, as the
  import computes them: stock = the provider's stock in the sharing source warehouse after the quantity
  correction (never below 0; 0 for all while the contractor's available credit is under the link's
  "block stock below"); price = the provider's price in the link's (else the sharing's) price group ×
  the multiplier, rounded to the minor unit of the target price group's currency. A row that already
  holds its value is not written.
- **Only through an open link, only what is shared.** The statement itself joins the link and requires
  it active and connected, so a link blocked while a sync runs stops writing for that contractor from
  the next statement on. Products are read only within the sharing settings (catalog, categories,
  tags) and the contractor's range — the shared catalog's own definition
  (:class:`connect.shared_catalog.ShareRange`, as SQL over every link's range at once), so the sync
  follows exactly the products the contractor sees and imports; a link marked "no longer shared" is
  left alone.
- **No echo.** The contractor's rows are recorded as changed with the Connect link as their origin, one
  level deeper than the change they follow; a contractor that shares its own catalog passes them on,
  and reactions stop at ``MAX_DEPTH`` (two accounts supplying each other cannot loop).
- **Reconciliation.** :func:`links_check` (Celery beat, every 15 minutes) recomputes every linked row
  set-based, batch by batch, repairs what differs (a missed event, a contractor's own edit) and stores
  what it repaired (``ProductSync``) for the contractor's Stock and Prices tabs. Saving the settings, a
  change of the link's price group, a reactivated link or a change of the trade credit resyncs the link
  the same way.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Literal

from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog import bulk
from catalog.models import ProductLink
from changes import topics
from changes.models import ChangeEvent
from changes.origin import Origin, OriginKind
from connect.models import ConnectIntegration, ContractorLink, ContractorSettings, ProductSync
from connect.shared_catalog import SHARE_RANGE_COLUMNS_SQL, ShareRange, share_range_sql, share_ranges
from connect.transform import minor_digits, price_sql, quantity_sql

logger = logging.getLogger("connect.sync")

CONSUMER = "connect.sync"
STORAGE = "connect"
# A change reacting to a change reacting to ...: past this depth Connect stops passing it on.
MAX_DEPTH = 5
# Linked products per statement when a whole link is recomputed (resync, reconciliation).
BATCH = 10_000

Kind = Literal["stock", "prices"]
STOCK: Kind = "stock"
PRICES: Kind = "prices"
_TOPIC_KIND: dict[str, Kind] = {topics.STOCK_CHANGED: STOCK, topics.PRICE_CHANGED: PRICES}
_TARGETS_KEY: dict[Kind, str] = {STOCK: "warehouse_ids", PRICES: "price_group_ids"}


# ---------------------------------------------------------------------------------- which links


def _links(kind: Kind) -> QuerySet[ContractorLink]:
    """Open links whose provider shares products and whose contractor has ``kind`` sync on, with the
    provider's source (warehouse or price group) as ``source_id``."""
    links = ContractorLink.objects.open().filter(
        provider_integration__deleted_at__isnull=True,
        provider_integration__products_enabled=True,
        provider_integration__sharing_settings__isnull=False,
        contractor_integration__deleted_at__isnull=True,
    )
    if kind == STOCK:
        return links.filter(
            contractor_integration__contractor_settings__stock_sync=True,
            contractor_integration__contractor_settings__warehouse__isnull=False,
        ).annotate(source_id=F("provider_integration__sharing_settings__source_warehouse_id"))
    return links.filter(
        contractor_integration__contractor_settings__price_sync=True,
        contractor_integration__contractor_settings__price_group__isnull=False,
    ).annotate(source_id=Coalesce("price_group_id", "provider_integration__sharing_settings__price_group_id"))


def change_wanted(account_id: int, topic: str, payload: dict) -> bool:
    """Asked when a stock or price change is recorded: does any contractor follow these values of this
    account? (One EXISTS query; when not, no delivery is written at all.)"""
    kind = _TOPIC_KIND.get(topic)
    if kind is None:
        return False
    sources = [s for s in payload.get(_TARGETS_KEY[kind]) or [] if isinstance(s, int)]
    return _links(kind).filter(provider_account_id=account_id, source_id__in=sources).exists()


def change_accepted(origin: Origin) -> bool:
    """Changes that are already ``MAX_DEPTH`` reactions deep are not passed on."""
    if origin.depth >= MAX_DEPTH:
        logger.warning("connect sync: not passing on a change %s reactions deep (%s)", origin.depth, origin)
        return False
    return True


@dataclass
class _Plan:
    """One link's part in a statement: where its values come from and go, and how they are computed."""

    link_id: int
    storage_id: int  # the contractor integration
    contractor: int
    provider: int
    label: str
    inventory: int
    source: int
    target: int
    subtract: int = 0
    keep: str = "0"
    zero: bool = False
    multiplier: str = "1"
    digits: int = 2
    share: ShareRange = field(default_factory=ShareRange)

    def row(self) -> dict:
        """The plan as a row of the statement's ``l`` (:data:`_PLAN_COLUMNS`)."""
        values = {k: v for k, v in self.__dict__.items() if k not in ("label", "provider", "share")}
        return values | self.share.columns()


def _plans(
    kind: Kind,
    *,
    provider_account_id: int | None = None,
    sources: list[int] | None = None,
    link_ids: list[int] | None = None,
) -> list[_Plan]:
    """The links to write for ``kind``: of one provider account for changed ``sources`` (an event), or
    the given links (a resync). A constant number of queries, whatever the number of links."""
    links = _links(kind).with_credit()
    if provider_account_id is not None:
        links = links.filter(provider_account_id=provider_account_id)
    if sources is not None:
        links = links.filter(source_id__in=sources)
    if link_ids is not None:
        links = links.filter(pk__in=link_ids)
    links = list(
        links.select_related(
            "provider_integration__sharing_settings",
            "contractor_integration__contractor_settings__price_group",
        ).order_by("pk")
    )
    if not links:
        return []
    # What each link lets through: the shared catalog's own definition, read for all links at once.
    shares = share_ranges(
        [(link.provider_account_id, link.provider_integration.sharing_settings, link) for link in links]
    )
    plans = []
    for link, share in zip(links, shares, strict=True):
        sharing = link.provider_integration.sharing_settings
        settings: ContractorSettings = link.contractor_integration.contractor_settings
        plan = _Plan(
            link_id=link.pk,
            storage_id=link.contractor_integration_id,
            contractor=link.contractor_account_id,
            provider=link.provider_account_id,
            label=link.contractor_integration.display_name,
            inventory=sharing.inventory_id,
            source=link.source_id,
            target=settings.warehouse_id if kind == STOCK else settings.price_group_id,
            share=share,
        )
        if kind == STOCK:
            plan.subtract = settings.quantity_subtract
            plan.keep = str(settings.quantity_keep_percent)
            plan.zero = _blocked(link)
        else:
            plan.multiplier = str(settings.price_multiplier)
            plan.digits = minor_digits(settings.price_group.currency)
        plans.append(plan)
    return plans


def _blocked(link: ContractorLink) -> bool:
    """The link (loaded ``with_credit``) is under its "block stock below" threshold."""
    return (
        link.block_stock_below is not None
        and link.credit_available is not None
        and link.credit_available < link.block_stock_below
    )


def stock_zeroed(*, link: ContractorLink) -> bool:
    """True while the contractor's available trade credit is under the link's "block stock below":
    every shared stock level then shows 0 to it — in its synced stock here, and wherever the shared
    catalog shows stock."""
    from connect.selectors import stock_blocked

    return stock_blocked(link=link)


# ---------------------------------------------------------------------------------- the statement

_PLAN_COLUMNS = (
    "link_id bigint, storage_id bigint, contractor bigint, inventory bigint, source bigint, target bigint,"
    " subtract integer, keep numeric, zero boolean, multiplier numeric, digits integer, "
    + SHARE_RANGE_COLUMNS_SQL
)
# Each link's range (the sharing settings and the contractor's range), as the shared catalog defines it.
_SHARED = f"AND {share_range_sql(settings='l', product='p', parent='par')}"


def _select(kind: Kind, plans: list[_Plan], *, changed: bool) -> str:
    """The rows to write: (contractor product, target, value, link).

    ``changed``: for the provider products ``%(ids)s`` (an event) — the provider's values are read once
    per product, then fanned out to each open link's linked product. Otherwise for the links
    ``%(first)s``–``%(last)s`` of the plans' link (a whole-link resync)."""
    narrowed = any(plan.share.narrowed for plan in plans)
    if kind == STOCK:
        source_value = "COALESCE(ps.quantity, 0)"
        source = "LEFT JOIN catalog_stock ps ON ps.product_id = p.id AND ps.warehouse_id = {source}"
        value = f"CASE WHEN l.zero THEN 0 ELSE {quantity_sql('{value}', 'l.subtract', 'l.keep')} END"
    else:
        source_value = "ps.amount"
        source = "JOIN catalog_price ps ON ps.product_id = p.id AND ps.price_group_id = {source}"
        value = price_sql("{value}", "l.multiplier", "l.digits")
    # The links, each checked open again by this very statement: a link blocked since the plans were
    # read gets nothing.
    links = f"""l AS MATERIALIZED (
            SELECT l.* FROM jsonb_to_recordset(%(plans)s::jsonb) AS l({_PLAN_COLUMNS})
              JOIN connect_contractorlink cl
                ON cl.id = l.link_id AND cl.state = 'active' AND cl.disconnected_at IS NULL
        )"""  # noqa: S608 - generated from constants; values are parameters
    parent = "LEFT JOIN catalog_product par ON par.id = p.parent_id" if narrowed else ""
    shared = _SHARED if narrowed else ""
    if changed:
        return f"""
            WITH {links},
            p AS MATERIALIZED (
                SELECT p.id, p.parent_id, p.category_id, p.inventory_id, w.source,
                       {source_value} AS source_value
                  FROM catalog_product p
                 CROSS JOIN (SELECT DISTINCT source FROM l) AS w
                  {source.format(source="w.source")}
                 WHERE p.id = ANY(%(ids)s::bigint[]) AND p.account_id = %(provider)s
            )
            SELECT pl.product_id, l.target AS target_id, {value.format(value="p.source_value")} AS value,
                   l.link_id AS grp
              FROM l
              JOIN p ON p.source = l.source AND p.inventory_id = l.inventory
              JOIN catalog_productlink pl
                ON pl.storage = '{STORAGE}' AND pl.storage_id = l.storage_id AND pl.external_id = p.id
               AND pl.external_product_id = p.id AND pl.account_id = l.contractor AND pl.unshared_at IS NULL
              {parent}
             WHERE true {shared}
        """  # noqa: S608 - generated from constants; values are parameters
    return f"""
        WITH {links}
        SELECT pl.product_id, l.target AS target_id, {value.format(value=source_value)} AS value,
               l.link_id AS grp
          FROM l
          JOIN catalog_productlink pl
            ON pl.storage = '{STORAGE}' AND pl.storage_id = l.storage_id AND pl.account_id = l.contractor
           AND pl.unshared_at IS NULL AND pl.id BETWEEN %(first)s AND %(last)s
          JOIN catalog_product p
            ON p.id = pl.external_product_id AND p.account_id = %(provider)s AND p.inventory_id = l.inventory
          {source.format(source="l.source")}
          {parent}
         WHERE true {shared}
    """  # noqa: S608 - generated from constants; values are parameters


def _write(kind: Kind, plans: list[_Plan], *, changed: bool, params: dict, depth: int) -> dict[int, int]:
    """Write ``kind`` for ``plans`` (all of one provider account) in one statement; rows written per
    link. Marks the contractor integrations as synced now."""
    if not plans:
        return {}
    groups = {
        plan.link_id: (plan.contractor, Origin.connect(plan.link_id, plan.label, depth=depth))
        for plan in plans
    }
    payload = json.dumps([plan.row() for plan in plans])
    writer = bulk.stock_set_from_query if kind == STOCK else bulk.price_set_from_query
    written = writer(
        select=_select(kind, plans, changed=changed),
        params={**params, "plans": payload, "provider": plans[0].provider},
        groups=groups,
        # A change updates the rows the links already have (the import, the settings' resync and the
        # reconciliation create missing ones), sparing each change the search for missing rows.
        create_missing=not changed,
    )
    _mark(
        [plan.storage_id for plan in plans],
        **{"stock_synced_at" if kind == STOCK else "prices_synced_at": timezone.now()},
    )
    return written


def _mark(integration_ids: list[int], **values) -> None:
    """Update the sync state of these contractor integrations (rows created as needed)."""
    ProductSync.objects.bulk_create(
        [ProductSync(integration_id=pk) for pk in integration_ids], ignore_conflicts=True
    )
    ProductSync.objects.filter(integration_id__in=integration_ids).update(**values)


# ---------------------------------------------------------------------------------- carrying changes


def change_handle(event: ChangeEvent) -> None:
    """Carry a provider's stock or price change (one event: a set of products and the warehouses or
    price groups written) to every linked contractor product, one statement for all contractors. Runs in
    the transaction that marks the delivery done; idempotent (it writes current values, and only those
    that differ)."""
    kind = _TOPIC_KIND.get(event.topic)
    if kind is None:
        return
    product_ids = [pk for pk in event.payload.get("product_ids") or [] if isinstance(pk, int)]
    sources = [pk for pk in event.payload.get(_TARGETS_KEY[kind]) or [] if isinstance(pk, int)]
    if not product_ids or not sources:
        return
    origin = event.origin
    plans = [
        plan
        for plan in _plans(kind, provider_account_id=event.account_id, sources=sources)
        # a link never takes back what it has just written (a change can only come back to the link it
        # came through when two accounts supply each other)
        if not origin.is_(OriginKind.CONNECT, plan.link_id)
    ]
    _write(
        kind,
        plans,
        changed=True,
        params={"ids": product_ids},
        depth=event.origin_depth + 1,
    )


# ---------------------------------------------------------------------------------- whole links


def link_resync(*, link_id: int, kinds: tuple[Kind, ...] = (STOCK, PRICES)) -> dict[Kind, int]:
    """Recompute every linked product of one link, ``BATCH`` linked products per statement, each batch
    its own transaction; returns rows written per kind. Stops for a kind as soon as the link is no
    longer open or its sync is off (a link blocked mid-way stops being written). Idempotent."""
    written: dict[Kind, int] = {}
    for kind in kinds:
        after = 0
        while True:
            plans = _plans(kind, link_ids=[link_id])
            if not plans:
                break
            ids = list(
                ProductLink.objects.filter(
                    storage=STORAGE,
                    storage_id=plans[0].storage_id,
                    account_id=plans[0].contractor,
                    pk__gt=after,
                )
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                break
            with transaction.atomic():
                result = _write(
                    kind,
                    plans,
                    changed=False,
                    params={"first": ids[0], "last": ids[-1]},
                    depth=1,
                )
            written[kind] = written.get(kind, 0) + result.get(link_id, 0)
            after = ids[-1]
    return written


def product_link_resync(*, product_link: ProductLink) -> dict[Kind, int]:
    """Recompute one linked product's stock and price now (a product just linked by hand): the rows a
    resync of its link would write, in the caller's transaction. Nothing while the link is not open or
    its sync is off. Returns rows written per kind."""
    link_id = (
        ContractorLink.objects.filter(
            contractor_account_id=product_link.account_id,
            contractor_integration_id=product_link.storage_id,
        )
        .values_list("pk", flat=True)
        .first()
    )
    written: dict[Kind, int] = {}
    for kind in (STOCK, PRICES) if link_id is not None else ():
        plans = _plans(kind, link_ids=[link_id])
        result = _write(
            kind, plans, changed=False, params={"first": product_link.pk, "last": product_link.pk}, depth=1
        )
        written[kind] = result.get(link_id, 0)
    return written


def link_resync_full(*, link_id: int, kinds: tuple[Kind, ...] = (STOCK, PRICES)) -> dict[Kind, int]:
    """A resync after the settings changed (Products / Prices / Stock tab, the link's price group, its
    state, the trade credit): every linked row recomputed; the contractor sees when it ran."""
    written = link_resync(link_id=link_id, kinds=kinds)
    integration_id = (
        ContractorLink.objects.filter(pk=link_id).values_list("contractor_integration_id", flat=True).first()
    )
    if integration_id is not None:
        _mark([integration_id], resynced_at=timezone.now())
    return written


def link_check(*, link_id: int) -> dict[Kind, int]:
    """The reconciliation of one link: recompute every linked row and repair what differs (events
    missed, a contractor's own edits of synced values). What it repaired is stored for the contractor
    and logged. Returns the repairs per kind."""
    repaired = link_resync(link_id=link_id)
    integration_id = (
        ContractorLink.objects.filter(pk=link_id).values_list("contractor_integration_id", flat=True).first()
    )
    if integration_id is None:
        return repaired
    now = timezone.now()
    values: dict = {"checked_at": now}
    if any(repaired.values()):
        values |= {
            "repaired_at": now,
            "repaired_stock": repaired.get(STOCK, 0),
            "repaired_prices": repaired.get(PRICES, 0),
        }
        logger.warning(
            "connect sync: link %s had drifted; repaired %s stock levels and %s prices",
            link_id,
            repaired.get(STOCK, 0),
            repaired.get(PRICES, 0),
        )
    _mark([integration_id], **values)
    return repaired


def links_to_check() -> list[int]:
    """Every link with stock or price sync on, for the reconciliation."""
    stock = _links(STOCK).values_list("pk", flat=True)
    prices = _links(PRICES).values_list("pk", flat=True)
    return sorted(set(stock) | set(prices))


def resync_on_commit(*, link_id: int, kinds: tuple[Kind, ...] = (STOCK, PRICES)) -> None:
    """Resync the link after the current transaction commits (settings saved, credit changed...)."""
    from connect.tasks import connect_link_resync

    connect_link_resync.delay_on_commit(link_id, list(kinds))


def resync_provider_on_commit(*, provider_integration: ConnectIntegration) -> None:
    """Resync every contractor of a provider integration after commit (its sharing settings changed)."""
    for link_id in (
        ContractorLink.objects.open()
        .filter(provider_integration=provider_integration)
        .values_list("pk", flat=True)
    ):
        resync_on_commit(link_id=link_id)


# ---------------------------------------------------------------------------------- what pages show


@dataclass(frozen=True)
class SyncStatus:
    """What the contractor's Products / Prices / Stock tabs say about the sync."""

    linked: int
    stock_on: bool
    prices_on: bool
    open: bool
    state: ProductSync | None


def linked_count() -> Coalesce:
    """An annotation for contractor integrations: how many of the account's products are linked to the
    supplier's catalog."""
    links = (
        ProductLink.objects.filter(
            storage=STORAGE, storage_id=OuterRef("pk"), account_id=OuterRef("account_id")
        )
        .order_by()
        .values("storage_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(links, output_field=IntegerField()), Value(0))


def sync_status(*, integration: ConnectIntegration) -> SyncStatus:
    """The contractor's own view of its integration's sync (its own rows only)."""
    settings = integration.contractor_settings
    link = ContractorLink.objects.filter(contractor_integration=integration).first()
    return SyncStatus(
        linked=ProductLink.objects.filter(
            account_id=integration.account_id, storage=STORAGE, storage_id=integration.pk
        ).count(),
        stock_on=settings.stock_sync and settings.warehouse_id is not None,
        prices_on=settings.price_sync and settings.price_group_id is not None,
        open=link is not None and link.is_open,
        state=ProductSync.objects.filter(integration=integration).first(),
    )


def synced_cells(account_id: int, product_ids: list[int]) -> list[tuple[int, str, int, str]]:
    """Which stock and price cells of these products (of ``account_id``) the sync keeps:
    ``(product id, "stock" | "prices", warehouse or price group id, supplier's name)`` — for the product
    page's "synced" marks. Registered with ``catalog.external``."""
    links = list(
        ProductLink.objects.filter(
            account_id=account_id, storage=STORAGE, product_id__in=product_ids, unshared_at__isnull=True
        ).values_list("product_id", "storage_id")
    )
    if not links:
        return []
    integrations = {
        row["integration_id"]: row
        for row in ContractorSettings.objects.filter(
            Q(stock_sync=True) | Q(price_sync=True),
            integration_id__in={storage for _p, storage in links},
            integration__account_id=account_id,
            integration__deleted_at__isnull=True,
            integration__provider_link__state=ContractorLink.State.ACTIVE,
            integration__provider_link__disconnected_at__isnull=True,
        ).values(
            "integration_id",
            "stock_sync",
            "warehouse_id",
            "price_sync",
            "price_group_id",
            "integration__display_name",
        )
    }
    cells = []
    for product_id, storage_id in links:
        row = integrations.get(storage_id)
        if row is None:
            continue
        name = row["integration__display_name"]
        if row["stock_sync"] and row["warehouse_id"]:
            cells.append((product_id, STOCK, row["warehouse_id"], name))
        if row["price_sync"] and row["price_group_id"]:
            cells.append((product_id, PRICES, row["price_group_id"], name))
    return cells


def sync_register() -> None:
    """Called from ``ConnectConfig.ready()``: the consumer of the catalog's stock and price changes and
    the product page's "synced" marks."""
    from catalog import external
    from changes import registry

    registry.register(
        CONSUMER,
        topics=_TOPIC_KIND,
        handler=change_handle,
        accepts=change_accepted,
        wants=change_wanted,
    )
    external.register_synced(synced_cells)
