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
page of 50 products and an import of 100,000 alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
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
    ProductText,
    Stock,
)
from connect.models import ConnectIntegration, ContractorLink, ProviderSharingSettings

_MONEY = DecimalField(max_digits=14, decimal_places=2)


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
    category_ids: frozenset[int] | None = None  # None: every category (and none)
    excluded_category_ids: frozenset[int] = frozenset()
    tag_ids: frozenset[int] = frozenset()
    range_mode: str = ContractorLink.Range.ALL
    range_ids: frozenset[int] = frozenset()

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


def _descendants(account_id: int, roots) -> frozenset[int]:
    """``roots`` and every category under them (one query for the provider's tree)."""
    roots = set(roots)
    if not roots:
        return frozenset()
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.filter(account_id=account_id).values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = set(), list(roots)
    while todo:
        node = todo.pop()
        if node in found:
            continue
        found.add(node)
        todo.extend(children.get(node, []))
    return frozenset(found)


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
    category_ids = None
    excluded: frozenset[int] = frozenset()
    chosen = list(sharing.categories.values_list("pk", flat=True))
    if sharing.category_mode == ProviderSharingSettings.Categories.ONLY:
        category_ids = _descendants(provider_id, chosen)
    elif sharing.category_mode == ProviderSharingSettings.Categories.EXCEPT:
        excluded = _descendants(provider_id, chosen)
    range_ids: frozenset[int] = frozenset()
    if link.range_mode == ContractorLink.Range.CATEGORIES:
        range_ids = _descendants(provider_id, link.range_categories.values_list("pk", flat=True))
    elif link.range_mode == ContractorLink.Range.TAGS:
        range_ids = frozenset(link.range_tags.values_list("pk", flat=True))
    elif link.range_mode == ContractorLink.Range.PRODUCTS:
        range_ids = frozenset(link.range_products.values_list("pk", flat=True))
    passed = dict(sharing.extra_fields.values_list("name", "pk"))
    mine = dict(ExtraField.objects.filter(account=account, name__in=list(passed)).values_list("name", "pk"))
    blocked = False
    if link.block_stock_below is not None and link.credit_limit is not None:
        blocked = link.credit_available is not None and link.credit_available < link.block_stock_below
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
        stock_blocked=blocked,
        descriptions=sharing.descriptions,
        parameters=sharing.parameters,
        images=sharing.images,
        extra_fields={str(pk): mine[name] for name, pk in passed.items() if name in mine},
        category_ids=category_ids,
        excluded_category_ids=excluded,
        tag_ids=frozenset(sharing.tags.values_list("pk", flat=True)),
        range_mode=link.range_mode,
        range_ids=range_ids,
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
    chosen = list(sharing.categories.values_list("pk", flat=True))
    category_ids = None
    excluded: frozenset[int] = frozenset()
    if sharing.category_mode == ProviderSharingSettings.Categories.ONLY:
        category_ids = _descendants(provider_id, chosen)
    elif sharing.category_mode == ProviderSharingSettings.Categories.EXCEPT:
        excluded = _descendants(provider_id, chosen)
    return SharedCatalog(
        integration=found.integration,
        link=None,
        sharing=sharing,
        provider_account_id=provider_id,
        inventory_id=sharing.inventory_id,
        language=sharing.language,
        warehouse_id=sharing.source_warehouse_id,
        price_group_id=price_group.pk if price_group is not None else None,
        currency=price_group.currency if price_group is not None else "",
        stock_blocked=False,
        descriptions=sharing.descriptions,
        parameters=sharing.parameters,
        images=sharing.images,
        extra_fields={},
        category_ids=category_ids,
        excluded_category_ids=excluded,
        tag_ids=frozenset(sharing.tags.values_list("pk", flat=True)),
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


def _main_filter(catalog: SharedCatalog) -> Q:
    """What a main product (or a product without variants) must satisfy to be shared."""
    condition = Q()
    if catalog.category_ids is not None:
        condition &= Q(category_id__in=catalog.category_ids)
    if catalog.excluded_category_ids:
        condition &= ~Q(category_id__in=catalog.excluded_category_ids) | Q(category_id__isnull=True)
    if catalog.tag_ids:
        condition &= Exists(
            Product.tags.through.objects.filter(product_id=OuterRef("pk"), tag_id__in=catalog.tag_ids)
        )
    if catalog.range_mode == ContractorLink.Range.CATEGORIES:
        condition &= Q(category_id__in=catalog.range_ids)
    elif catalog.range_mode == ContractorLink.Range.TAGS:
        condition &= Exists(
            Product.tags.through.objects.filter(product_id=OuterRef("pk"), tag_id__in=catalog.range_ids)
        )
    elif catalog.range_mode == ContractorLink.Range.PRODUCTS:
        condition &= Q(pk__in=catalog.range_ids)
    return condition


def shared_main_products(catalog: SharedCatalog) -> QuerySet[Product]:
    """The shared main products (not variants), as a queryset of the provider's rows."""
    return Product.objects.filter(
        account_id=catalog.provider_account_id, inventory_id=catalog.inventory_id, parent__isnull=True
    ).filter(_main_filter(catalog))


def shared_products(catalog: SharedCatalog) -> QuerySet[Product]:
    """Every shared product: the shared main products and their variants. A variant chosen on its own
    in a "chosen products" range is shared too (with its parent, so it has somewhere to hang)."""
    mains = shared_main_products(catalog)
    # A product is shared when its main product (itself, or its parent for a variant) is: one
    # ``COALESCE(parent_id, id) IN (…)``, which PostgreSQL runs as a hash join. The two-sided
    # ``id IN (…) OR parent_id IN (…)`` fell back to a nested scan per row once the main products
    # outgrew work_mem — minutes instead of a second on a 100k catalog.
    base = Product.objects.filter(
        account_id=catalog.provider_account_id, inventory_id=catalog.inventory_id
    ).alias(main_id=Coalesce("parent_id", "id"))
    condition = Q(main_id__in=mains.values("pk"))
    if catalog.range_mode == ContractorLink.Range.PRODUCTS:
        chosen_variants = base.filter(pk__in=catalog.range_ids, parent__isnull=False)
        condition |= Q(pk__in=chosen_variants.values("pk")) | Q(pk__in=chosen_variants.values("parent_id"))
        # A chosen variant's parent must itself pass the integration's own filters.
        range_free = replace(catalog, range_mode=ContractorLink.Range.ALL)
        condition &= Q(main_id__in=shared_main_products(range_free).values("pk"))
    return base.filter(condition)


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
    queryset = shared_products(catalog)
    if not variants and not search:
        queryset = queryset.filter(parent__isnull=True)
    search = (search or "").strip()
    if search:
        named = ProductText.objects.filter(
            product_id=OuterRef("pk"), language=catalog.language, name__icontains=search
        )
        queryset = queryset.filter(Q(sku__icontains=search) | Q(ean__icontains=search) | Exists(named))
    if category:
        queryset = queryset.filter(category_id__in=_descendants(catalog.provider_account_id, [category]))
    shared_variants = shared_products(catalog).filter(parent_id=OuterRef("pk")).order_by().values("parent_id")
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
