"""The shared catalog: every read a contractor makes of its provider's products.

This module is the one way across accounts into a provider's catalog. Browsing, the order-line picker,
the import, the continuous import, price and stock sync and the directory's product preview all start
with :func:`shared_catalog_open` (or :func:`shared_catalog_get` / :func:`shared_catalogs_for`), which
answers only while the link is open — the contractor integration alive, the link active and connected,
the provider integration alive and sharing products — and then read through the :class:`SharedCatalog`
it returns. Nothing else of the provider is reachable from here.

What a :class:`SharedCatalog` lets through is exactly what the provider's sharing settings and this
contractor's range allow:

- products of the shared catalog, filtered by category (all / only / all except, subcategories
  included), by tags (one of the chosen tags) and by the contractor's range (categories / tags /
  products); a variant is shared with its main product, so variants follow their parent;
- texts in the shared language only; descriptions and parameters only when shared; extra fields only
  those the provider passes, keyed by the contractor's extra field of the same name;
- images: the first, all or none;
- stock of the source warehouse — 0 for every product while the contractor's available credit is under
  the provider's "block stock below";
- prices of the contractor's price group (the link's override, else the integration's); none at all
  when neither is set.

Selectors return querysets (or SQL for the set-based import), so one definition of "shared" serves a
page of 50 products and an import of 100,000 alike; the continuous price and stock sync
(:mod:`connect.sync`) reads the same definition as SQL (:class:`ShareRange`,
:func:`share_range_sql`), for every link of a provider in one statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from string import Formatter

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Account
from catalog.models import (
    BundleComponent,
    Category,
    ExtraField,
    Price,
    Product,
    ProductImage,
    ProductLink,
    ProductText,
    Stock,
)
from connect.models import ConnectIntegration, ContractorLink, ProviderSharingSettings

_MONEY = DecimalField(max_digits=14, decimal_places=2)


# ------------------------------------------------------------------------------------------ the range


@dataclass(frozen=True)
class ShareRange:
    """Which of a provider's products cross to one contractor (or to a directory visitor) — the one
    definition of "shared", read as a queryset filter by the pages, the API and the import
    (:func:`shared_products`) and as SQL over many links in one statement by the continuous sync
    (:func:`share_range_sql`).

    - the sharing settings' categories: all, only the chosen ones or all except them, subcategories
      included (a product without a category passes "all except" and fails "only");
    - the sharing settings' tags: none chosen, or one of them;
    - the contractor's range: all, chosen categories (subcategories included), chosen tags, or chosen
      products.

    A variant goes with its main product: the main product's category and tags decide. In a "chosen
    products" range a chosen main product brings its variants, and a chosen variant is shared with its
    main product (which must still pass the sharing settings) but without its other variants."""

    only_categories: frozenset[int] | None = None  # None: every category (and none)
    except_categories: frozenset[int] = frozenset()
    tags: frozenset[int] = frozenset()
    range_mode: str = ContractorLink.Range.ALL.value
    range_ids: frozenset[int] = frozenset()  # categories, tags or products, as ``range_mode`` says
    range_parents: frozenset[int] = frozenset()  # "chosen products": the main products of chosen variants

    @property
    def narrowed(self) -> bool:
        """False when every product of the shared catalog crosses (nothing to filter)."""
        return (
            self.only_categories is not None
            or bool(self.except_categories)
            or bool(self.tags)
            or self.range_mode != ContractorLink.Range.ALL
        )

    def columns(self) -> dict[str, list[int] | str | None]:
        """The values of :data:`SHARE_RANGE_COLUMNS`, JSON-ready (the sync passes one row per link)."""
        return {name: _column_value(getattr(self, name)) for name, _type in SHARE_RANGE_COLUMNS}


def _column_value(value):
    if isinstance(value, frozenset):
        return sorted(value)
    return value.value if isinstance(value, Enum) else value


# The range's values as SQL columns: how the sync carries one range per link into its statement.
SHARE_RANGE_COLUMNS = (
    ("only_categories", "bigint[]"),
    ("except_categories", "bigint[]"),
    ("tags", "bigint[]"),
    ("range_mode", "text"),
    ("range_ids", "bigint[]"),
    ("range_parents", "bigint[]"),
)
SHARE_RANGE_COLUMNS_SQL = ", ".join(f"{name} {kind}" for name, kind in SHARE_RANGE_COLUMNS)

_TAGS_TABLE = Product.tags.through._meta.db_table
# {id}, {parent_id}, {category_id}: the product row; {parent_category_id}: its main product's category
# (NULL for a main product); the other fields are the range's columns. Every part opens with a test of
# the range alone, so with the range's values as constants PostgreSQL folds away what does not apply
# (and with none narrowing, the whole condition and the join to the main product).
_RANGE_SQL = """(
    ({only_categories} IS NULL OR {main_category} = ANY({only_categories}))
    AND (cardinality({except_categories}) = 0
         OR NOT COALESCE({main_category} = ANY({except_categories}), false))
    AND (cardinality({tags}) = 0
         OR EXISTS (SELECT 1 FROM {tags_table} st
                     WHERE st.product_id = {main_id} AND st.tag_id = ANY({tags})))
    AND ({range_mode} = 'all'
         OR ({range_mode} = 'categories' AND {main_category} = ANY({range_ids}))
         OR ({range_mode} = 'tags'
             AND EXISTS (SELECT 1 FROM {tags_table} rt
                          WHERE rt.product_id = {main_id} AND rt.tag_id = ANY({range_ids})))
         OR ({range_mode} = 'products'
             AND ({id} = ANY({range_ids}) OR {parent_id} = ANY({range_ids}) OR {id} = ANY({range_parents}))))
)""".replace(
    "{main_category}", "(CASE WHEN {parent_id} IS NULL THEN {category_id} ELSE {parent_category_id} END)"
).replace("{main_id}", "COALESCE({parent_id}, {id})")
_PRODUCT_FIELDS = ("id", "parent_id", "category_id", "parent_category_id")


def _range_sql(value: Callable[[str], str]) -> str:
    """:data:`_RANGE_SQL` with each field replaced by ``value(name)``, called once per occurrence, in
    order (so a caller binding positional parameters gets them in the order they appear)."""
    parts = []
    for text, name, _spec, _conversion in Formatter().parse(_RANGE_SQL):
        parts.append(text)
        if name is not None:
            parts.append(_TAGS_TABLE if name == "tags_table" else value(name))
    return "".join(parts)


def share_range_sql(*, settings: str, product: str, parent: str) -> str:
    """The range as a SQL condition over a row ``settings`` holding :data:`SHARE_RANGE_COLUMNS` (the
    sync checks every link's range in one statement), for the product row ``product`` (``id``,
    ``parent_id``, ``category_id``) and its main product ``parent`` (LEFT JOINed on
    ``product.parent_id``; NULL for a main product). No parameters."""
    refs = {
        "id": f"{product}.id",
        "parent_id": f"{product}.parent_id",
        "category_id": f"{product}.category_id",
        "parent_category_id": f"{parent}.category_id",
    }
    return _range_sql(lambda name: refs.get(name) or f"{settings}.{name}")


class InShareRange(Expression):
    """The range as a queryset filter on products: the same SQL as :func:`share_range_sql`, its values
    bound as parameters (``Product.objects.filter(InShareRange(share_range))``)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, share_range: ShareRange, *, main_category=None):
        super().__init__()
        self.share_range = share_range
        # The main product's category: its parent's (joined), unless the caller knows it without a join
        # (a main product is its own main product; the variants of an outer row have its category).
        main_category = main_category if main_category is not None else F("parent__category_id")
        self.columns = [F("pk"), F("parent_id"), F("category_id"), main_category]

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, exprs):
        self.columns = list(exprs)

    def as_sql(self, compiler, connection):
        refs = {
            name: compiler.compile(column) for name, column in zip(_PRODUCT_FIELDS, self.columns, strict=True)
        }
        values = self.share_range.columns()
        casts = dict(SHARE_RANGE_COLUMNS)
        params: list = []

        def value(name: str) -> str:
            if name in refs:
                sql, column_params = refs[name]
                params.extend(column_params)
                return sql
            params.append(values[name])
            return f"%s::{casts[name]}"

        return _range_sql(value), params


def _children_by_account(account_ids: Iterable[int]) -> dict[int, dict[int | None, list[int]]]:
    """Every category tree of these accounts, as parent → children (one query)."""
    trees: dict[int, dict[int | None, list[int]]] = {pk: {} for pk in account_ids}
    if not trees:
        return trees
    rows = Category.objects.filter(account_id__in=list(trees)).values_list("account_id", "pk", "parent_id")
    for account_id, pk, parent in rows:
        trees[account_id].setdefault(parent, []).append(pk)
    return trees


def _subtree(children: dict[int | None, list[int]], roots: Iterable[int]) -> frozenset[int]:
    found, todo = set(), list(roots)
    while todo:
        node = todo.pop()
        if node in found:
            continue
        found.add(node)
        todo.extend(children.get(node, []))
    return frozenset(found)


def _descendants(account_id: int, roots) -> frozenset[int]:
    """``roots`` and every category under them (one query for the provider's tree)."""
    roots = set(roots)
    if not roots:
        return frozenset()
    return _subtree(_children_by_account([account_id])[account_id], roots)


def _m2m(relation, owner: str, item: str, owners: Iterable[int]) -> dict[int, list[int]]:
    owners = list(owners)
    found: dict[int, list[int]] = {}
    if owners:
        rows = relation.through.objects.filter(**{f"{owner}__in": owners}).values_list(owner, item)
        for owner_id, item_id in rows:
            found.setdefault(owner_id, []).append(item_id)
    return found


def share_ranges(
    pairs: Sequence[tuple[int, ProviderSharingSettings, ContractorLink | None]],
) -> list[ShareRange]:
    """The range of each ``(provider account id, sharing settings, link)`` — the link None for a
    directory visitor, who has no range of its own — in a constant number of queries, however many
    pairs (the sync reads every link of a provider at once)."""
    Mode = ProviderSharingSettings.Categories
    sharing_ids = {sharing.pk for _a, sharing, _l in pairs}
    chosen = _m2m(
        ProviderSharingSettings.categories, "providersharingsettings_id", "category_id", sharing_ids
    )
    tags = _m2m(ProviderSharingSettings.tags, "providersharingsettings_id", "tag_id", sharing_ids)
    link_modes = {link.pk: link.range_mode for _a, _s, link in pairs if link is not None}
    by_mode = {
        mode: [pk for pk, link_mode in link_modes.items() if link_mode == mode]
        for mode in (
            ContractorLink.Range.CATEGORIES,
            ContractorLink.Range.TAGS,
            ContractorLink.Range.PRODUCTS,
        )
    }
    range_cats = _m2m(
        ContractorLink.range_categories,
        "contractorlink_id",
        "category_id",
        by_mode[ContractorLink.Range.CATEGORIES],
    )
    range_tags = _m2m(
        ContractorLink.range_tags, "contractorlink_id", "tag_id", by_mode[ContractorLink.Range.TAGS]
    )
    range_products = _m2m(
        ContractorLink.range_products,
        "contractorlink_id",
        "product_id",
        by_mode[ContractorLink.Range.PRODUCTS],
    )
    # The main products of chosen variants (shared with them), and the category trees (for subcategories).
    chosen_products = {pk for ids in range_products.values() for pk in ids}
    parents = dict(
        Product.objects.filter(
            pk__in=chosen_products,
            parent__isnull=False,
            account_id__in={account_id for account_id, _s, _l in pairs},
        ).values_list("pk", "parent_id")
        if chosen_products
        else []
    )
    trees = _children_by_account(
        {
            account_id
            for account_id, sharing, link in pairs
            if sharing.category_mode != Mode.ALL
            or (link is not None and link.range_mode == ContractorLink.Range.CATEGORIES)
        }
    )
    ranges = []
    for account_id, sharing, link in pairs:
        tree = trees.get(account_id, {})
        mine = chosen.get(sharing.pk, [])
        only, excluded = None, frozenset()
        if sharing.category_mode == Mode.ONLY:
            only = _subtree(tree, mine)
        elif sharing.category_mode == Mode.EXCEPT:
            excluded = _subtree(tree, mine)
        mode, ids, range_parents = ContractorLink.Range.ALL.value, frozenset(), frozenset()
        if link is not None and link.range_mode != ContractorLink.Range.ALL:
            mode = str(link.range_mode)
            if mode == ContractorLink.Range.CATEGORIES:
                ids = _subtree(tree, range_cats.get(link.pk, []))
            elif mode == ContractorLink.Range.TAGS:
                ids = frozenset(range_tags.get(link.pk, []))
            else:
                ids = frozenset(range_products.get(link.pk, []))
                range_parents = frozenset(parents[pk] for pk in ids if pk in parents)
        ranges.append(
            ShareRange(
                only_categories=only,
                except_categories=excluded,
                tags=frozenset(tags.get(sharing.pk, [])),
                range_mode=mode,
                range_ids=ids,
                range_parents=range_parents,
            )
        )
    return ranges


@dataclass(frozen=True)
class SharedCatalog:
    """An open door into one provider's shared catalog, as one contractor integration sees it."""

    integration: ConnectIntegration  # the contractor's (the provider's for a directory preview)
    link: ContractorLink | None  # None for a directory preview
    sharing: ProviderSharingSettings
    provider_account_id: int
    inventory_id: int
    language: str
    warehouse_id: int
    price_group_id: int | None
    currency: str
    stock_blocked: bool
    descriptions: bool
    parameters: bool
    images: str
    # provider extra field id (as text, as texts key them) → the contractor's extra field id of that name
    extra_fields: dict[str, int] = field(default_factory=dict)
    share_range: ShareRange = field(default_factory=ShareRange)

    @property
    def pk(self) -> int:
        """The contractor integration's id: how URLs and order lines (``storage_id``) name the catalog."""
        return self.integration.pk

    @property
    def label(self) -> str:
        return _("%(name)s (Connect)") % {"name": self.integration.display_name}

    @property
    def shows_prices(self) -> bool:
        return self.price_group_id is not None


def _open_link(integration: ConnectIntegration) -> ContractorLink | None:
    return (
        ContractorLink.objects.open()
        .with_credit()
        .filter(
            contractor_integration=integration,
            contractor_account_id=integration.account_id,
            provider_integration__deleted_at__isnull=True,
            provider_integration__products_enabled=True,
            provider_integration__sharing_settings__isnull=False,
        )
        .select_related(
            "provider_integration",
            "provider_integration__sharing_settings",
            "provider_integration__sharing_settings__price_group",
            "price_group",
        )
        .first()
    )


def shared_catalog_open(*, account: Account, integration: ConnectIntegration) -> SharedCatalog | None:
    """The shared catalog behind one of ``account``'s contractor integrations, or None when nothing
    crosses (not the account's, deleted, link blocked / awaiting / disconnected, provider integration
    deleted or not sharing products)."""
    if (
        integration.account_id != account.pk
        or integration.role != ConnectIntegration.Role.CONTRACTOR
        or integration.deleted_at is not None
    ):
        return None
    link = _open_link(integration)
    if link is None:
        return None
    sharing = link.provider_integration.sharing_settings
    provider_id = link.provider_account_id
    price_group = link.price_group if link.price_group_id else sharing.price_group
    if price_group is not None and price_group.account_id != provider_id:
        price_group = None
    passed = dict(sharing.extra_fields.values_list("name", "pk"))
    mine = dict(ExtraField.objects.filter(account=account, name__in=list(passed)).values_list("name", "pk"))
    blocked = False
    if link.block_stock_below is not None and link.credit_limit is not None:
        blocked = link.credit_available is not None and link.credit_available < link.block_stock_below
    return _catalog(
        integration,
        link,
        sharing,
        provider_id,
        price_group,
        stock_blocked=blocked,
        extra_fields={str(pk): mine[name] for name, pk in passed.items() if name in mine},
    )


def _catalog(
    integration, link, sharing, provider_id, price_group, *, stock_blocked, extra_fields
) -> SharedCatalog:
    """The SharedCatalog of ``sharing`` seen through ``link`` (None: a directory visitor, who has no
    contractor range) with ``price_group`` (None: no prices)."""
    return SharedCatalog(
        integration=integration,
        link=link,
        sharing=sharing,
        provider_account_id=provider_id,
        inventory_id=sharing.inventory_id,
        language=sharing.language,
        warehouse_id=sharing.source_warehouse_id,
        price_group_id=price_group.pk if price_group is not None else None,
        currency=price_group.currency if price_group is not None else "",
        stock_blocked=stock_blocked,
        descriptions=sharing.descriptions,
        parameters=sharing.parameters,
        images=sharing.images,
        extra_fields=extra_fields,
        share_range=share_ranges([(provider_id, sharing, link)])[0],
    )


def shared_catalog_for_directory(*, publication) -> SharedCatalog | None:
    """What a directory entry with *show products* lets any signed-in account browse before joining:
    the integration's sharing settings (categories, tags, language, source warehouse, descriptions,
    parameters, images), no contractor range (a visitor has none), no extra fields, and prices only
    when the provider chose to show them publicly (its sharing price group). None unless the entry is
    listed now, shows products and its integration shares products. ``integration`` and ``pk`` name the
    provider's integration here (there is no contractor integration yet) and ``link`` is None."""
    from connect.models import Publication

    found = (
        Publication.objects.listed()
        .filter(pk=publication.pk, show_products=True, integration__products_enabled=True)
        .select_related("integration__sharing_settings__price_group")
        .defer("logo", "listed_logo")
        .first()
    )
    sharing = getattr(found.integration, "sharing_settings", None) if found is not None else None
    if sharing is None:
        return None
    provider_id = found.account_id
    price_group = sharing.price_group if found.show_prices else None
    if price_group is not None and price_group.account_id != provider_id:
        price_group = None
    return _catalog(
        found.integration, None, sharing, provider_id, price_group, stock_blocked=False, extra_fields={}
    )


def shared_catalog_get(*, account: Account, pk: int) -> SharedCatalog:
    """The shared catalog of ``account``'s contractor integration ``pk``; Http404 when there is none or
    nothing crosses (a foreign integration and a blocked link look the same)."""
    integration = (
        ConnectIntegration.objects.alive()
        .filter(account=account, pk=pk, role=ConnectIntegration.Role.CONTRACTOR)
        .first()
    )
    catalog = shared_catalog_open(account=account, integration=integration) if integration else None
    if catalog is None:
        raise Http404
    return catalog


def shared_catalogs_for(*, account: Account) -> list[SharedCatalog]:
    """Every shared catalog open to ``account`` now, by display name."""
    integrations = ConnectIntegration.objects.alive().filter(
        account=account, role=ConnectIntegration.Role.CONTRACTOR, provider_link__state="active"
    )
    catalogs = [shared_catalog_open(account=account, integration=i) for i in integrations]
    return [c for c in catalogs if c is not None]


# ---------------------------------------------------------------------------------------- products


def shared_products(catalog: SharedCatalog) -> QuerySet[Product]:
    """Every shared product — main products and variants — as a queryset of the provider's rows: the
    shared catalog's products within the catalog's :class:`ShareRange`."""
    queryset = Product.objects.filter(
        account_id=catalog.provider_account_id, inventory_id=catalog.inventory_id
    )
    if catalog.share_range.narrowed:
        queryset = queryset.filter(InShareRange(catalog.share_range))
    return queryset


def shared_main_products(catalog: SharedCatalog) -> QuerySet[Product]:
    """The shared main products (not variants): :func:`shared_products` of main products."""
    queryset = Product.objects.filter(
        account_id=catalog.provider_account_id, inventory_id=catalog.inventory_id, parent__isnull=True
    )
    if catalog.share_range.narrowed:
        queryset = queryset.filter(InShareRange(catalog.share_range, main_category=F("category_id")))
    return queryset


def _name(catalog: SharedCatalog):
    return Subquery(
        ProductText.objects.filter(product_id=OuterRef("pk"), language=catalog.language).values("name")[:1]
    )


def _stock(catalog: SharedCatalog):
    if catalog.stock_blocked:
        return Value(0, output_field=IntegerField())
    return Coalesce(
        Subquery(
            Stock.objects.filter(product_id=OuterRef("pk"), warehouse_id=catalog.warehouse_id).values(
                "quantity"
            )[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _price(catalog: SharedCatalog):
    if catalog.price_group_id is None:
        return Value(None, output_field=_MONEY)
    return Subquery(
        Price.objects.filter(product_id=OuterRef("pk"), price_group_id=catalog.price_group_id).values(
            "amount"
        )[:1],
        output_field=_MONEY,
    )


def _first_image(catalog: SharedCatalog):
    if catalog.images == ProviderSharingSettings.Images.NONE:
        return Value("")
    return Coalesce(
        Subquery(
            ProductImage.objects.filter(product_id=OuterRef("pk"))
            .order_by("position", "id")
            .values("url")[:1]
        ),
        Value(""),
    )


def shared_product_list(
    catalog: SharedCatalog,
    *,
    search: str = "",
    category: int | None = None,
    variants: bool = False,
) -> QuerySet[Product]:
    """Shared products for a list: ``shared_name`` (shared language), ``shared_stock`` (source
    warehouse; 0 when blocked), ``shared_price`` (None when no prices are shared), ``shared_image``
    (first image unless none are shared) and ``variant_count``. Main products only unless ``variants``
    or a search (a variant's SKU) asks for them. Only these annotations and the product's own columns
    may be shown: texts in other languages are not read."""
    search = (search or "").strip()
    queryset = shared_products(catalog) if variants or search else shared_main_products(catalog)
    if search:
        named = ProductText.objects.filter(
            product_id=OuterRef("pk"), language=catalog.language, name__icontains=search
        )
        queryset = queryset.filter(Q(sku__icontains=search) | Q(ean__icontains=search) | Exists(named))
    if category:
        queryset = queryset.filter(category_id__in=_descendants(catalog.provider_account_id, [category]))
    # The variants of each listed product, through the same range (their main product is the row).
    shared_variants = Product.objects.filter(
        account_id=catalog.provider_account_id, inventory_id=catalog.inventory_id, parent_id=OuterRef("pk")
    )
    if catalog.share_range.narrowed:
        shared_variants = shared_variants.filter(
            InShareRange(catalog.share_range, main_category=OuterRef("category_id"))
        )
    shared_variants = shared_variants.order_by().values("parent_id")
    return queryset.annotate(
        shared_name=Coalesce(_name(catalog), Value("")),
        shared_stock=_stock(catalog),
        shared_price=_price(catalog),
        shared_image=_first_image(catalog),
        variant_count=Coalesce(
            Subquery(shared_variants.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
        ),
    ).select_related("manufacturer", "category")


def shared_categories(catalog: SharedCatalog) -> QuerySet[Category]:
    """Categories that hold shared products, and the categories above them (for filters and the
    import's "chosen categories")."""
    used = set(
        shared_main_products(catalog).exclude(category__isnull=True).values_list("category_id", flat=True)
    )
    parents = dict(
        Category.objects.filter(account_id=catalog.provider_account_id).values_list("pk", "parent_id")
    )
    wanted = set()
    for pk in used:
        hops = 0
        while pk is not None and pk not in wanted and hops < 100:
            wanted.add(pk)
            pk, hops = parents.get(pk), hops + 1
    return Category.objects.filter(account_id=catalog.provider_account_id, pk__in=wanted).order_by(
        "name", "pk"
    )


@dataclass
class SharedProduct:
    """One shared product as the contractor may see it."""

    product: Product
    name: str
    description: str
    features: list[tuple[str, str]]
    extra_fields: dict[int, str]  # the contractor's extra field id → value
    images: list[str]
    stock: int
    price: Decimal | None
    currency: str
    category: str
    manufacturer: str
    tags: list[str]
    variants: list[Product]
    components: list[tuple[Product, int]]
    parent: Product | None


def shared_product_get(catalog: SharedCatalog, *, pk: int) -> SharedProduct:
    """One shared product with what the settings let through; Http404 when it is not shared (missing,
    another catalog, outside the range and not shared at all look the same)."""
    found = shared_products_get(catalog, ids=[pk])
    if not found:
        raise Http404
    return found[0]


def shared_products_get(catalog: SharedCatalog, *, ids) -> list[SharedProduct]:
    """The shared products among ``ids`` (main products and variants alike), by id, each with what the
    settings let through; ids that are not shared are left out. A fixed number of queries however many
    ids (the BaseLinker API asks for up to 1,000 at once)."""
    products = list(shared_product_list(catalog, variants=True).filter(pk__in=list(ids)).order_by("pk"))
    if not products:
        return []
    texts = {
        text.product_id: text
        for text in ProductText.objects.filter(product__in=products, language=catalog.language)
    }
    images: dict[int, list[str]] = {}
    if catalog.images != ProviderSharingSettings.Images.NONE:
        rows = (
            ProductImage.objects.filter(product__in=products)
            .order_by("product_id", "position", "id")
            .values_list("product_id", "url")
        )
        for product_id, url in rows:
            urls = images.setdefault(product_id, [])
            if catalog.images == ProviderSharingSettings.Images.ALL or not urls:
                urls.append(url)
    tags: dict[int, list[str]] = {}
    for product_id, name in (
        Product.tags.through.objects.filter(product__in=products)
        .order_by("tag__name", "tag_id")
        .values_list("product_id", "tag__name")
    ):
        tags.setdefault(product_id, []).append(name)
    variants: dict[int, list[Product]] = {}
    mains = [product.pk for product in products if product.parent_id is None]
    if mains:
        for variant in shared_product_list(catalog, variants=True).filter(parent_id__in=mains).order_by("pk"):
            variants.setdefault(variant.parent_id, []).append(variant)
    parent_ids = {product.parent_id for product in products if product.parent_id}
    parents = (
        {p.pk: p for p in shared_product_list(catalog, variants=True).filter(pk__in=parent_ids)}
        if parent_ids
        else {}
    )
    components: dict[int, list[tuple[Product, int]]] = {}
    bundles = [product for product in products if product.is_bundle]
    if bundles:
        rows = list(
            BundleComponent.objects.filter(
                bundle__in=bundles, component__in=shared_products(catalog).values("pk")
            )
            .select_related("component")
            .order_by("pk")
        )
        names = dict(
            ProductText.objects.filter(
                product__account_id=catalog.provider_account_id,
                product_id__in=[row.component_id for row in rows],
                language=catalog.language,
            ).values_list("product_id", "name")
        )
        for row in rows:
            row.component.shared_name = names.get(row.component_id, "")
            components.setdefault(row.bundle_id, []).append((row.component, row.quantity))
    return [
        _shared_product(
            catalog,
            product,
            text=texts.get(product.pk),
            images=images.get(product.pk, []),
            tags=tags.get(product.pk, []),
            variants=variants.get(product.pk, []),
            parent=parents.get(product.parent_id) if product.parent_id else None,
            components=components.get(product.pk, []),
        )
        for product in products
    ]


def _shared_product(catalog: SharedCatalog, product: Product, *, text, **found) -> SharedProduct:
    extra = {}
    if text is not None:
        for key, value in text.extra_field_values().items():
            if key in catalog.extra_fields:
                extra[catalog.extra_fields[key]] = value
    return SharedProduct(
        product=product,
        name=(text.name if text else "") or product.sku,
        description=(text.description if text and catalog.descriptions else ""),
        features=(text.feature_pairs() if text and catalog.parameters else []),
        extra_fields=extra,
        stock=product.shared_stock,
        price=product.shared_price,
        currency=catalog.currency,
        category=product.category.name if product.category_id else "",
        manufacturer=product.manufacturer.name if product.manufacturer_id else "",
        **found,
    )


def shared_product_ids_sql(
    catalog: SharedCatalog, *, only: QuerySet[Product] | None = None
) -> tuple[str, tuple]:
    """SQL (and its parameters) selecting the ids of the shared products — of ``only`` among them when
    given — for the set-based import."""
    queryset = shared_products(catalog)
    if only is not None:
        queryset = queryset.filter(pk__in=only.values("pk"))
    sql, params = queryset.order_by().values("id").query.sql_with_params()
    return sql, params


# ------------------------------------------------------------------------------------------- links

# How a product link (``catalog.ProductLink``) names a shared catalog: storage "connect", storage_id the
# contractor integration's id.
LINK_STORAGE = "connect"


@dataclass(frozen=True)
class SharedLink:
    """What an own product is linked to, as the contractor may name it: its shared catalog (the contractor
    integration's id) and the shared product — a main product (``variant_id`` 0) or a variant of
    ``product_id``."""

    integration_id: int
    product_id: int
    variant_id: int


def shared_links(*, account: Account, product_ids: Iterable[int]) -> dict[int, SharedLink]:
    """The links of ``account``'s products among ``product_ids`` whose shared product the account may see
    now — its shared catalog open, the product still shared and within the account's range — keyed by
    the own product's id. Other links (a blocked link, a product no longer shared) are left out, as the
    shared catalog itself leaves them out. A fixed number of queries per shared catalog named, however
    many products."""
    links = list(
        ProductLink.objects.filter(
            account=account,
            storage=LINK_STORAGE,
            product_id__in=list(product_ids),
            unshared_at__isnull=True,
            external_product__isnull=False,
        ).values_list("product_id", "storage_id", "external_product_id")
    )
    by_catalog: dict[int, set[int]] = {}
    for _product, storage_id, external_id in links:
        by_catalog.setdefault(storage_id, set()).add(external_id)
    shared: dict[tuple[int, int], int | None] = {}  # (integration, shared product) → its main product
    for storage_id, external_ids in by_catalog.items():
        try:
            catalog = shared_catalog_get(account=account, pk=storage_id)
        except Http404:
            continue
        rows = shared_products(catalog).filter(pk__in=external_ids).values_list("pk", "parent_id")
        for pk, parent_id in rows:
            shared[storage_id, pk] = parent_id
    found = {}
    for product_id, storage_id, external_id in links:
        if (storage_id, external_id) in shared:
            parent_id = shared[storage_id, external_id]
            found[product_id] = SharedLink(
                integration_id=storage_id,
                product_id=parent_id or external_id,
                variant_id=external_id if parent_id else 0,
            )
    return found
