"""Every write of the catalog: account defaults, catalogs and their dictionaries (warehouses, price
groups, categories, manufacturers), products with their texts, images, tags, bundle components, stock
and prices, and stock movements. Set-based writes live in ``catalog.bulk``.

Each write that someone asks for takes the ``actor`` (an ``accounts.tenancy.Tenant``: who acts, for
which account, with which role) and checks here what that role may do — the role matrix's PRODUCTS area
for products, stock and prices, CATALOG_SETTINGS for catalogs, categories, warehouses, price groups,
manufacturers, tags and extra fields — so the pages, the REST API, ``/connector.php``, imports and the
WMS sync obey the same rules. Jobs that act for an account without a person (the WMS sync, an import
running in the background, the demo) pass an actor with the role they need, as other apps do. The
account's defaults and the stock movements of orders are consequences of writes other services have
already allowed; they take the account.

Every write takes the ``origin`` of the change and records its change events (``catalog.events``) in
the same transaction. Stock rows are always locked in primary-key order, so two writers never deadlock.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts import roles
from accounts.tenancy import Tenant, require_role
from catalog.events import record_set
from catalog.models import (
    BundleComponent,
    Category,
    ExtraField,
    Inventory,
    Manufacturer,
    Price,
    PriceGroup,
    Product,
    ProductImage,
    ProductText,
    Stock,
    Tag,
    Warehouse,
)
from changes import topics
from changes.origin import Origin
from config.integrity import account_row_save, delete_unless_in_use


def _actor_may(actor: Tenant, area: roles.Area, act: roles.Act, *rows) -> None:
    """The actor's role allows ``act`` in ``area`` (the role matrix: PermissionDenied otherwise), and each
    row given belongs to the actor's account."""
    require_role(actor, area.role_for(act))
    for row in rows:
        if row is not None and row.account_id != actor.account.pk:
            raise ValueError(f"{type(row).__name__} {row.pk} belongs to another account.")


@transaction.atomic
def catalog_defaults_create(*, account) -> Inventory:
    """Give a new account its default warehouse, price group (in its currency) and catalog."""
    warehouse = Warehouse.objects.create(account=account, name=_("Main warehouse"), is_default=True)
    price_group = PriceGroup.objects.create(
        account=account, name=_("Retail"), currency=account.default_currency, is_default=True
    )
    language = "pl" if account.country == "PL" else "en"
    inventory = Inventory.objects.create(
        account=account,
        name=_("Main catalog"),
        languages=sorted({language, "en"}),
        default_language=language,
        default_warehouse=warehouse,
        default_price_group=price_group,
        is_default=True,
    )
    inventory.warehouses.add(warehouse)
    inventory.price_groups.add(price_group)
    return inventory


@dataclass(frozen=True)
class ShortLine:
    product_id: int
    warehouse_id: int
    sku: str
    requested: int
    available: int


class StockShortfall(Exception):
    """Some lines need more stock than there is. Carries every short line; nothing was changed."""

    def __init__(self, lines: list[ShortLine]):
        self.lines = lines
        details = "; ".join(
            _("%(sku)s: %(requested)s requested, %(available)s in stock")
            % {
                "sku": line.sku or f"#{line.product_id}",
                "requested": line.requested,
                "available": line.available,
            }
            for line in lines
        )
        super().__init__(_("Not enough stock — %(details)s") % {"details": details})


def stock_levels_lock(*, account, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The stock of ``(product_id, warehouse_id)`` pairs of ``account``, locked (FOR UPDATE, in
    primary-key order, like :func:`stock_adjust_many`) until the end of the caller's transaction, so a
    caller deciding many takes at once (which orders fit) sees the quantities that its
    ``stock_adjust_many`` will change. A pair without a stock row has 0. Call it inside a transaction."""
    if not pairs:
        return {}
    product_ids = {p for p, _w in pairs}
    warehouse_ids = {w for _p, w in pairs}
    rows = (
        Stock.objects.select_for_update()
        .filter(product__account=account, product_id__in=product_ids, warehouse_id__in=warehouse_ids)
        .order_by("pk")
        .values_list("product_id", "warehouse_id", "quantity")
    )
    found = {(p, w): quantity for p, w, quantity in rows}
    return {pair: found.get(pair, 0) for pair in pairs}


@transaction.atomic
def stock_adjust_many(*, account, changes: list[tuple[int, int, int]], origin: Origin) -> None:
    """Apply stock deltas ``(product_id, warehouse_id, delta)`` all together, or none of them.

    Locks the stock rows in primary-key order (so two concurrent callers never deadlock), sums deltas
    per (product, warehouse), treats a missing row as 0, and raises StockShortfall listing every line
    that would go below zero. Products or warehouses of another account raise ValueError.
    """
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for product_id, warehouse_id, delta in changes:
        totals[(product_id, warehouse_id)] += delta
    totals = {key: delta for key, delta in totals.items() if delta}
    if not totals:
        return
    product_ids = {p for p, _w in totals}
    warehouse_ids = {w for _p, w in totals}
    skus = dict(Product.objects.filter(account=account, pk__in=product_ids).values_list("pk", "sku"))
    known_warehouses = set(
        Warehouse.objects.filter(account=account, pk__in=warehouse_ids).values_list("pk", flat=True)
    )
    if len(skus) != len(product_ids) or len(known_warehouses) != len(warehouse_ids):
        raise ValueError("Stock change names a product or warehouse of another account.")
    # Create missing rows first (quantity 0) so every row can be locked.
    Stock.objects.bulk_create(
        [Stock(product_id=p, warehouse_id=w, quantity=0) for p, w in totals],
        ignore_conflicts=True,
    )
    rows = {
        (row.product_id, row.warehouse_id): row
        for row in Stock.objects.select_for_update()
        .filter(product_id__in=product_ids, warehouse_id__in=warehouse_ids)
        .order_by("pk")
    }
    short = [
        ShortLine(p, w, skus[p], -delta, rows[(p, w)].quantity)
        for (p, w), delta in sorted(totals.items())
        if rows[(p, w)].quantity + delta < 0
    ]
    if short:
        raise StockShortfall(short)
    # One UPDATE … FROM unnest for every row (Django's bulk_update builds a CASE per row: slow to
    # compile for the hundreds of rows an order batch touches).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalog_stock AS s SET quantity = s.quantity + d.delta"
            " FROM unnest(%s::bigint[], %s::integer[]) AS d(id, delta) WHERE s.id = d.id",
            [[rows[key].pk for key in totals], list(totals.values())],
        )
    for key, delta in totals.items():
        rows[key].quantity += delta
    record_set(
        account_id=account.pk,
        topic=topics.STOCK_CHANGED,
        origin=origin,
        product_ids=product_ids,
        targets={"warehouse_ids": warehouse_ids},
    )


@transaction.atomic
def product_save(
    *,
    actor: Tenant,
    product: Product,
    origin: Origin,
    texts: dict[str, dict] | None = None,
    images: list[str | dict] | None = None,
    tags=None,
    stock: list[tuple[int, int]] | None = None,
    prices: list[tuple[int, object]] | None = None,
    components: list[tuple[Product, int]] | None = None,
) -> Product:
    """Save a product (or variant) with its texts per language, ordered images, tags, stock per warehouse
    ``(warehouse_id, quantity)``, prices per price group ``(price_group_id, amount)`` and bundle
    components ``(component, quantity)``; the caller has checked that they belong to the account.

    Texts, stock and prices given are set; those not given stay. ``images`` (URLs, or dicts with ``url``
    and ``position``), ``tags`` and ``components`` replace the list when given. A new product without an
    account gets the actor's. Members and up (the role matrix's PRODUCTS write).
    """
    if product.account_id is None:
        product.account = actor.account
    _actor_may(actor, roles.PRODUCTS, roles.Act.WRITE, product)
    created = product.pk is None
    if product.parent_id:
        product.inventory_id = product.parent.inventory_id
    product.save()
    for language, values in (texts or {}).items():
        ProductText.objects.update_or_create(product=product, language=language, defaults=values)
    if images is not None:
        product.images.all().delete()
        ProductImage.objects.bulk_create(
            ProductImage(product=product, position=i, url=image)
            if isinstance(image, str)
            else ProductImage(product=product, position=image.get("position", i), url=image["url"])
            for i, image in enumerate(images)
        )
    if tags is not None:
        product.tags.set(tags)
    if components is not None:
        product.components.all().delete()
        BundleComponent.objects.bulk_create(
            BundleComponent(bundle=product, component=component, quantity=quantity)
            for component, quantity in components
        )
    account_id = product.account_id
    record_set(
        account_id=account_id,
        topic=topics.PRODUCT_CREATED if created else topics.PRODUCT_CHANGED,
        origin=origin,
        product_ids=[product.pk],
        extra={"inventory_id": product.inventory_id},
    )
    if stock:
        # Lock the product's stock rows in primary-key order, like every stock writer.
        list(Stock.objects.select_for_update().filter(product=product).order_by("pk").values_list("pk"))
        for warehouse_id, quantity in stock:
            Stock.objects.update_or_create(
                product=product, warehouse_id=warehouse_id, defaults={"quantity": quantity}
            )
        record_set(
            account_id=account_id,
            topic=topics.STOCK_CHANGED,
            origin=origin,
            product_ids=[product.pk],
            targets={"warehouse_ids": [w for w, _q in stock]},
        )
    if prices:
        for price_group_id, amount in prices:
            Price.objects.update_or_create(
                product=product, price_group_id=price_group_id, defaults={"amount": amount}
            )
        record_set(
            account_id=account_id,
            topic=topics.PRICE_CHANGED,
            origin=origin,
            product_ids=[product.pk],
            targets={"price_group_ids": [g for g, _a in prices]},
        )
    return product


@transaction.atomic
def bundle_component_set(
    *, actor: Tenant, bundle: Product, component: Product, quantity: int, origin: Origin
) -> None:
    """Put ``component`` into ``bundle`` ``quantity`` times (or change its quantity). Members and up."""
    _actor_may(actor, roles.PRODUCTS, roles.Act.WRITE, bundle, component)
    BundleComponent.objects.update_or_create(
        bundle=bundle, component=component, defaults={"quantity": quantity}
    )
    record_set(
        account_id=bundle.account_id, topic=topics.PRODUCT_CHANGED, origin=origin, product_ids=[bundle.pk]
    )


@transaction.atomic
def bundle_component_remove(*, actor: Tenant, bundle: Product, component_row_id: int, origin: Origin) -> bool:
    """Take a component row out of ``bundle``. Returns False when there was no such row. Members and up."""
    _actor_may(actor, roles.PRODUCTS, roles.Act.WRITE, bundle)
    deleted, _detail = BundleComponent.objects.filter(bundle=bundle, pk=component_row_id).delete()
    if deleted:
        record_set(
            account_id=bundle.account_id, topic=topics.PRODUCT_CHANGED, origin=origin, product_ids=[bundle.pk]
        )
    return bool(deleted)


def _bundle_message(bundles: list[Product]) -> str:
    if not bundles:
        return _("The product is a component of a bundle; remove it from the bundle first.")
    names = ", ".join(bundle.sku or f"#{bundle.pk}" for bundle in bundles[:10])
    return _("The product is a component of the bundle %(bundles)s; remove it from the bundle first.") % {
        "bundles": names
    }


@transaction.atomic
def product_delete(*, actor: Tenant, product: Product, origin: Origin) -> None:
    """Delete a product with its variants, texts, images, stock and prices. Admins only (the role
    matrix's PRODUCTS delete).

    Refused with a ValidationError naming the bundles while the product or one of its variants is a
    component of a bundle (the bundle would lose a part without anyone noticing).
    """
    _actor_may(actor, roles.PRODUCTS, roles.Act.DELETE, product)
    bundles = list(
        Product.objects.filter(components__component__in=[product, *product.variants.all()])
        .exclude(pk=product.pk)
        .distinct()
        .order_by("id")
    )
    if bundles:
        raise ValidationError(_bundle_message(bundles))
    ids = [product.pk, *product.variants.values_list("pk", flat=True)]
    account_id, inventory_id = product.account_id, product.inventory_id
    # A bundle that gains the product meanwhile still stops the delete (PROTECT), with the same words.
    delete_unless_in_use(product, message=_bundle_message([]))
    # Consumers cannot read a deleted row: the event carries the ids and the catalog they were in.
    record_set(
        account_id=account_id,
        topic=topics.PRODUCT_DELETED,
        origin=origin,
        product_ids=ids,
        subject_id=ids[0],
        extra={"inventory_id": inventory_id},
    )


@dataclass
class ProductsDeleted:
    """What a bulk delete did: the products deleted, and those it refused with the reason."""

    deleted: list[int]
    refused: dict[int, str]


def _products_of(actor, product_ids) -> list[Product]:
    """The actor's products ``product_ids``; a ValidationError when one is missing or another account's
    (the two look the same)."""
    ids = list(dict.fromkeys(product_ids))
    if not ids:
        raise ValidationError({"products": _("Select at least one product.")})
    products = list(Product.objects.filter(account=actor.account, pk__in=ids).order_by("pk"))
    if len(products) != len(ids):
        raise ValidationError({"products": _("Some of the selected products do not exist.")})
    return products


@transaction.atomic
def products_tag(*, actor, product_ids, tag: Tag, add: bool, origin: Origin) -> int:
    """Give the products ``tag`` (``add``) or take it away; returns how many products changed. Anyone
    who may change products may; the tag and every product must be the actor's account's. Set-based:
    one insert (or delete) of the tag rows, one change event for the changed products."""
    _actor_may(actor, roles.PRODUCTS, roles.Act.WRITE)
    if tag.account_id != actor.account.pk:
        raise ValidationError({"tag": _("Choose one of your tags.")})
    products = _products_of(actor, product_ids)
    through = Product.tags.through
    ids = [product.pk for product in products]
    having = set(through.objects.filter(tag=tag, product_id__in=ids).values_list("product_id", flat=True))
    if add:
        changed = [pk for pk in ids if pk not in having]
        through.objects.bulk_create(
            [through(product_id=pk, tag_id=tag.pk) for pk in changed], ignore_conflicts=True
        )
    else:
        changed = sorted(having)
        through.objects.filter(tag=tag, product_id__in=changed).delete()
    by_inventory: dict[int, list[int]] = defaultdict(list)
    changed_set = set(changed)
    for product in products:
        if product.pk in changed_set:
            by_inventory[product.inventory_id].append(product.pk)
    for inventory_id, changed_ids in by_inventory.items():
        record_set(
            account_id=actor.account.pk,
            topic=topics.PRODUCT_CHANGED,
            origin=origin,
            product_ids=changed_ids,
            extra={"inventory_id": inventory_id},
        )
    return len(changed)


@transaction.atomic
def products_delete(*, actor, product_ids, origin: Origin) -> ProductsDeleted:
    """Delete the selected products with their variants, texts, images, stock and prices — except those
    that are (or whose variants are) a component of a bundle not deleted with them, which are refused
    with the bundles named, like a single delete. Admins and owners only. The rest goes in one
    transaction, with one change event per catalog."""
    _actor_may(actor, roles.PRODUCTS, roles.Act.DELETE)
    products = _products_of(actor, product_ids)
    chosen = {product.pk for product in products}
    variants: dict[int, list[int]] = defaultdict(list)
    for variant_id, parent_id in Product.objects.filter(
        account=actor.account, parent_id__in=chosen
    ).values_list("pk", "parent_id"):
        variants[parent_id].append(variant_id)
    owner_of = {pk: pk for pk in chosen} | {v: p for p, vs in variants.items() for v in vs}
    going = set(owner_of)
    bundles_of: dict[int, list[Product]] = defaultdict(list)
    for row in (
        BundleComponent.objects.filter(component__account=actor.account, component_id__in=going)
        .exclude(bundle_id__in=going)
        .select_related("bundle")
        .order_by("bundle_id")
    ):
        if row.bundle not in bundles_of[owner_of[row.component_id]]:
            bundles_of[owner_of[row.component_id]].append(row.bundle)
    refused = {pk: _bundle_message(bundles) for pk, bundles in bundles_of.items()}
    doomed = [product for product in products if product.pk not in refused]
    if doomed:
        ids = {product.pk for product in doomed}
        # A bundle deleted with its components: its component rows go first (they protect the parts).
        BundleComponent.objects.filter(
            bundle__account=actor.account, bundle_id__in=ids | {v for pk in ids for v in variants.get(pk, [])}
        ).delete()
        delete_unless_in_use(
            Product.objects.filter(account=actor.account, pk__in=ids), message=_bundle_message([])
        )
        by_inventory: dict[int, list[int]] = defaultdict(list)
        for product in doomed:
            by_inventory[product.inventory_id] += [product.pk, *variants.get(product.pk, [])]
        for inventory_id, deleted_ids in by_inventory.items():
            record_set(
                account_id=actor.account.pk,
                topic=topics.PRODUCT_DELETED,
                origin=origin,
                product_ids=deleted_ids,
                extra={"inventory_id": inventory_id},
            )
    return ProductsDeleted(deleted=[product.pk for product in doomed], refused=refused)


# -- catalogs and the account-level dictionaries -----------------------------------------------------------


def _name_clean(value, *, max_length: int) -> str:
    name = str(value or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    if len(name) > max_length:
        raise ValidationError({"name": _("At most %(n)s characters.") % {"n": max_length}})
    return name


def _named_row_save(model, *, actor: Tenant, row, values: dict[str, Any], allowed: tuple[str, ...]):
    """Create (``row`` None) or change one of the account's named rows; names are unique per account.
    Admins only (the role matrix's CATALOG_SETTINGS write)."""
    _actor_may(actor, roles.CATALOG_SETTINGS, roles.Act.WRITE, row)
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"Not {model.__name__} fields: {sorted(unknown)}")
    if row is None:
        row = model(account=actor.account)
    if "name" in values or row.pk is None:
        values = {
            **values,
            "name": _name_clean(values.get("name"), max_length=model._meta.get_field("name").max_length),
        }
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean(exclude=["account"], validate_constraints=False)
    return account_row_save(row)


def _dictionary_row_delete(actor: Tenant, row) -> None:
    _actor_may(actor, roles.CATALOG_SETTINGS, roles.Act.DELETE, row)
    if getattr(row, "is_default", False):
        raise ValidationError(_("The default one cannot be deleted."))
    delete_unless_in_use(row)


@transaction.atomic
def warehouse_save(*, actor: Tenant, warehouse: Warehouse | None = None, **values) -> Warehouse:
    """Create (``warehouse`` None) or change a warehouse: ``name``, ``description``."""
    return _named_row_save(
        Warehouse, actor=actor, row=warehouse, values=values, allowed=("name", "description")
    )


@transaction.atomic
def warehouse_delete(*, actor: Tenant, warehouse: Warehouse) -> None:
    """Delete a warehouse with its stock rows; refuses the default one and one a catalog defaults to."""
    _dictionary_row_delete(actor, warehouse)


@transaction.atomic
def price_group_save(*, actor: Tenant, price_group: PriceGroup | None = None, **values) -> PriceGroup:
    """Create (``price_group`` None) or change a price group: ``name``, ``description``, ``currency``."""
    if price_group is None:
        values.setdefault("currency", actor.account.default_currency)
    return _named_row_save(
        PriceGroup,
        actor=actor,
        row=price_group,
        values=values,
        allowed=("name", "description", "currency"),
    )


@transaction.atomic
def price_group_delete(*, actor: Tenant, price_group: PriceGroup) -> None:
    """Delete a price group with its prices; refuses the default one and one a catalog defaults to."""
    _dictionary_row_delete(actor, price_group)


@transaction.atomic
def manufacturer_save(*, actor: Tenant, manufacturer: Manufacturer | None = None, **values) -> Manufacturer:
    """Create (``manufacturer`` None) or rename a manufacturer."""
    return _named_row_save(Manufacturer, actor=actor, row=manufacturer, values=values, allowed=("name",))


@transaction.atomic
def manufacturer_delete(*, actor: Tenant, manufacturer: Manufacturer) -> None:
    """Delete a manufacturer; its products keep existing without one."""
    _actor_may(actor, roles.CATALOG_SETTINGS, roles.Act.DELETE, manufacturer)
    manufacturer.delete()


@transaction.atomic
def tag_save(*, actor: Tenant, tag: Tag | None = None, **values) -> Tag:
    """Create (``tag`` None) or rename a product tag."""
    return _named_row_save(Tag, actor=actor, row=tag, values=values, allowed=("name",))


@transaction.atomic
def tag_delete(*, actor: Tenant, tag: Tag) -> None:
    """Delete a tag; its products keep existing without it."""
    _actor_may(actor, roles.CATALOG_SETTINGS, roles.Act.DELETE, tag)
    delete_unless_in_use(tag)


@transaction.atomic
def extra_field_save(*, actor: Tenant, extra_field: ExtraField | None = None, **values) -> ExtraField:
    """Create (``extra_field`` None) or change a product extra field: ``name``, ``kind``."""
    return _named_row_save(ExtraField, actor=actor, row=extra_field, values=values, allowed=("name", "kind"))


@transaction.atomic
def extra_field_delete(*, actor: Tenant, extra_field: ExtraField) -> None:
    """Delete a product extra field (products' values for it are no longer shown)."""
    _actor_may(actor, roles.CATALOG_SETTINGS, roles.Act.DELETE, extra_field)
    delete_unless_in_use(extra_field)


_LANGUAGE = re.compile(r"[a-z]{2}\Z")


def _account_ids(model, *, account, ids, field: str) -> list[int]:
    ids = list(dict.fromkeys(int(i) for i in ids))
    found = set(model.objects.filter(account=account, pk__in=ids).values_list("pk", flat=True))
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {field: _("No such id in this account: %(ids)s.") % {"ids": ", ".join(map(str, missing))}}
        )
    return ids


@transaction.atomic
def inventory_save(
    *,
    actor: Tenant,
    inventory: Inventory | None = None,
    name: str | None = None,
    description: str | None = None,
    languages: list[str] | None = None,
    default_language: str | None = None,
    warehouses: list[int] | None = None,
    default_warehouse: int | None = None,
    price_groups: list[int] | None = None,
    default_price_group: int | None = None,
) -> Inventory:
    """Create (``inventory`` None) or change a catalog; what is not given stays (or, on create, takes the
    account's defaults: its default warehouse and price group, the default catalog's language).

    Warehouses and price groups are ids of the account's rows; the defaults must be among them (when not
    given, the current default stays if it is still listed, else the first listed one is taken). Admins
    only (the role matrix's CATALOG_SETTINGS write).
    """
    _actor_may(actor, roles.CATALOG_SETTINGS, roles.Act.WRITE, inventory)
    account = actor.account
    creating = inventory is None
    if creating:
        fallback = Inventory.objects.filter(account=account, is_default=True).first()
        inventory = Inventory(account=account)
        languages = languages or [default_language or (fallback.default_language if fallback else "en")]
        if warehouses is None:
            warehouses = list(
                Warehouse.objects.filter(account=account, is_default=True).values_list("pk", flat=True)
            )
        if price_groups is None:
            price_groups = list(
                PriceGroup.objects.filter(account=account, is_default=True).values_list("pk", flat=True)
            )
    if name is not None or creating:
        inventory.name = _name_clean(name, max_length=100)
    if description is not None:
        inventory.description = description
    if languages is not None:
        codes = list(dict.fromkeys(str(code).strip().lower() for code in languages))
        if not codes or not all(_LANGUAGE.match(code) for code in codes):
            raise ValidationError({"languages": _("Give two-letter language codes, e.g. “pl, en”.")})
        inventory.languages = codes
    if default_language is not None:
        inventory.default_language = str(default_language).strip().lower()
    elif inventory.default_language not in inventory.languages:
        inventory.default_language = inventory.languages[0]
    if inventory.default_language not in inventory.languages:
        raise ValidationError({"default_language": _("The default language must be one of the languages.")})

    chosen = {}
    for field, model, ids, default in (
        ("warehouses", Warehouse, warehouses, default_warehouse),
        ("price_groups", PriceGroup, price_groups, default_price_group),
    ):
        default_field = f"default_{field[:-1]}"
        current = getattr(inventory, f"{default_field}_id", None)
        if ids is None:
            ids = list(getattr(inventory, field).values_list("pk", flat=True))
        else:
            ids = _account_ids(model, account=account, ids=ids, field=field)
        if not ids:
            raise ValidationError({field: _("Choose at least one.")})
        if default is None:
            default = current if current in ids else ids[0]
        if default not in ids:
            raise ValidationError(
                {default_field: _("Must be one of the catalog's %(list)s.") % {"list": field}}
            )
        chosen[field] = ids
        setattr(inventory, f"{default_field}_id", default)
    inventory.full_clean(exclude=["account", "warehouses", "price_groups"], validate_constraints=False)
    account_row_save(inventory)
    inventory.warehouses.set(chosen["warehouses"])
    inventory.price_groups.set(chosen["price_groups"])
    return inventory


@transaction.atomic
def inventory_delete(*, actor: Tenant, inventory: Inventory) -> None:
    """Delete a catalog with its products and categories; refuses the default catalog."""
    _dictionary_row_delete(actor, inventory)


@transaction.atomic
def category_save(
    *,
    actor: Tenant,
    category: Category | None = None,
    name: str | None = None,
    inventory: int | None = None,
    parent: int | None = None,
) -> Category:
    """Create (``category`` None) or change a category of a catalog (``inventory`` id), or of the whole
    account (``inventory`` None). ``parent`` (an id, None = top level) must be in the same catalog and
    not inside the category itself. A category stays in the catalog it was created in. Admins only (the
    role matrix's CATALOG_SETTINGS write)."""
    _actor_may(actor, roles.CATALOG_SETTINGS, roles.Act.WRITE, category)
    account = actor.account
    if category is None:
        category = Category(account=account)
        if inventory is not None:
            category.inventory_id = _account_ids(
                Inventory, account=account, ids=[inventory], field="inventory"
            )[0]
    elif inventory is not None and inventory != category.inventory_id:
        raise ValidationError({"inventory": _("A category cannot move to another catalog.")})
    if name is not None or category.pk is None:
        category.name = _name_clean(name, max_length=200)
    if parent is not None or category.pk is None:
        node = Category.objects.filter(account=account, pk=parent).first() if parent else None
        if parent and node is None:
            raise ValidationError({"parent": _("No such category in this account.")})
        if node is not None and node.inventory_id != category.inventory_id:
            raise ValidationError({"parent": _("The parent must be in the same catalog.")})
        category.parent = node
        while node is not None:
            if category.pk is not None and node.pk == category.pk:
                raise ValidationError({"parent": _("A category cannot be inside itself.")})
            node = node.parent
    category.save()
    return category


@transaction.atomic
def category_delete(*, actor: Tenant, category: Category, with_subcategories: bool = False) -> None:
    """Delete a category; its products stay in the catalog, without a category. Its subcategories move
    to the top level (BaseLinker's API), or go with it (``with_subcategories``: the catalog pages).
    Admins only (the role matrix's CATALOG_SETTINGS delete)."""
    _actor_may(actor, roles.CATALOG_SETTINGS, roles.Act.DELETE, category)
    if not with_subcategories:
        Category.objects.filter(parent=category).update(parent=None)
    category.delete()


# -- products and variants, checked (the BaseLinker API's addInventoryProduct) ------------------------------

PRODUCT_FIELDS = (
    "parent",
    "is_bundle",
    "sku",
    "ean",
    "tax_rate",
    "weight",
    "height",
    "width",
    "length",
    "star",
    "average_cost",
    "category",
    "manufacturer",
)
IMAGE_POSITIONS = range(16)
STOCK_MAX = 2**31 - 1


@transaction.atomic
def product_write(
    *,
    actor: Tenant,
    inventory: Inventory,
    origin: Origin,
    product: Product | None = None,
    fields: dict[str, Any] | None = None,
    texts: dict[str, dict[str, Any]] | None = None,
    images: dict[int, str | None] | None = None,
    tags: list[str] | None = None,
    prices: dict[int, Decimal] | None = None,
    stock: dict[int, int] | None = None,
    components: dict[int, int] | None = None,
) -> Product:
    """Check and save a new (``product`` None) or changed product or variant of ``inventory``, from ids
    and values as a client sends them; what is not given stays. The write is :func:`product_save`'s.

    ``fields``: values of PRODUCT_FIELDS, with ``parent``, ``category`` and ``manufacturer`` as ids
    (None for none). ``texts``: language → ``name``/``description``/``features`` (name–value pairs)/
    ``extra_fields`` (field id → value, merged into the stored ones; "" removes one). ``images``:
    position (0–15) → URL, None removes that position, the others stay. ``tags``: names, the product
    gets exactly these (new names are added to the account). ``prices`` (price group id → gross
    amount) and ``stock`` (warehouse id → quantity) name the account's price groups and warehouses.
    ``components`` (product id → quantity) replaces a bundle's contents. All or nothing: a
    ValidationError keyed by field, nothing written. Members and up (the role matrix's PRODUCTS write).
    """
    _actor_may(actor, roles.PRODUCTS, roles.Act.WRITE, inventory, product)
    account = actor.account
    fields = dict(fields or {})
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValueError(f"Not product fields: {sorted(unknown)}")
    creating = product is None
    if creating:
        product = Product(account=account, inventory=inventory)
    elif product.inventory_id != inventory.pk:
        raise ValueError(f"Product {product.pk} is not in catalog {inventory.pk}.")
    was_bundle = product.is_bundle

    if "parent" in fields:
        parent_id = fields.pop("parent") or None
        if parent_id is not None:
            parent = Product.objects.filter(account=account, inventory=inventory, pk=parent_id).first()
            if parent is None or parent.parent_id is not None or parent_id == product.pk:
                raise ValidationError(
                    {"parent": _("A variant's parent must be a main product of the same catalog.")}
                )
            if not creating and product.variants.exists():
                raise ValidationError({"parent": _("A product with variants cannot become a variant.")})
        product.parent_id = parent_id
    if "category" in fields:
        category_id = fields.pop("category") or None
        if (
            category_id is not None
            and not Category.objects.filter(
                Q(inventory=inventory) | Q(inventory__isnull=True), account=account, pk=category_id
            ).exists()
        ):
            raise ValidationError({"category": _("No such category in this catalog.")})
        product.category_id = category_id
    if "manufacturer" in fields:
        manufacturer_id = fields.pop("manufacturer") or None
        if (
            manufacturer_id is not None
            and not Manufacturer.objects.filter(account=account, pk=manufacturer_id).exists()
        ):
            raise ValidationError({"manufacturer": _("No such manufacturer in this account.")})
        product.manufacturer_id = manufacturer_id
    for name, value in fields.items():
        setattr(product, name, value)
    product.sku = (product.sku or "").strip()
    product.full_clean(
        exclude=["account", "inventory", "parent", "category", "manufacturer", "tags"],
        validate_constraints=False,
    )
    if (
        product.sku
        and Product.objects.filter(inventory=inventory, sku=product.sku).exclude(pk=product.pk).exists()
    ):
        raise ValidationError({"sku": _("A product with this SKU already exists in the catalog.")})

    stored = {} if creating else {t.language: t for t in product.texts.all()}
    text_values = {}
    for language, values in (texts or {}).items():
        if language not in inventory.languages:
            raise ValidationError(
                {"texts": _("“%(language)s” is not one of the catalog's languages.") % {"language": language}}
            )
        values = _text_clean(account, values)
        if "extra_fields" in values:
            merged = {
                **(stored[language].extra_fields if language in stored else {}),
                **values["extra_fields"],
            }
            values["extra_fields"] = {key: value for key, value in merged.items() if value not in ("", None)}
        if language not in stored:
            values.setdefault("name", "")
        text_values[language] = values

    image_list = None
    if images:
        kept = {} if creating else dict(product.images.values_list("position", "url"))
        for position, url in images.items():
            if position not in IMAGE_POSITIONS:
                raise ValidationError({"images": _("Image positions are 0 to 15.")})
            if url is None:
                kept.pop(position, None)
                continue
            if len(url) > 1000:
                raise ValidationError({"images": _("An image address has at most 1000 characters.")})
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                raise ValidationError({"images": _("“%(url)s” is not a web address.") % {"url": url[:100]}})
            kept[position] = url
        image_list = [{"position": position, "url": url} for position, url in sorted(kept.items())]

    tag_rows = None
    if tags is not None:
        names = list(dict.fromkeys(str(tag).strip() for tag in tags if str(tag).strip()))
        if any(len(name) > 100 for name in names):
            raise ValidationError({"tags": _("A tag has at most 100 characters.")})
        existing = {tag.name: tag for tag in Tag.objects.filter(account=account, name__in=names)}
        tag_rows = [existing.get(name) or Tag.objects.create(account=account, name=name) for name in names]

    _targets_check(account, Warehouse, stock or {}, "stock")
    _targets_check(account, PriceGroup, prices or {}, "prices")
    if any(not 0 <= quantity <= STOCK_MAX for quantity in (stock or {}).values()):
        raise ValidationError({"stock": _("Stock is a whole number from 0 up.")})
    if any(amount < 0 for amount in (prices or {}).values()):
        raise ValidationError({"prices": _("A price cannot be negative.")})

    component_rows = None
    if components is not None:
        component_rows = _components_check(account, product, components)
    elif was_bundle and not product.is_bundle:
        component_rows = []  # a product that stops being a bundle loses its contents
    return product_save(
        actor=actor,
        product=product,
        origin=origin,
        texts=text_values or None,
        images=image_list,
        tags=tag_rows,
        stock=list((stock or {}).items()) or None,
        prices=list((prices or {}).items()) or None,
        components=component_rows,
    )


def _targets_check(account, model, values: dict[int, Any], field: str) -> None:
    ids = set(values)
    found = set(model.objects.filter(account=account, pk__in=ids).values_list("pk", flat=True))
    missing = sorted(ids - found)
    if missing:
        raise ValidationError(
            {field: _("No such id in this account: %(ids)s.") % {"ids": ", ".join(map(str, missing))}}
        )


def _text_clean(account, values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name == "name":
            cleaned["name"] = str(value)
            if len(cleaned["name"]) > ProductText._meta.get_field("name").max_length:
                raise ValidationError({"name": _("At most %(n)s characters.") % {"n": 300}})
        elif name == "description":
            cleaned["description"] = str(value)
        elif name == "features":
            try:
                cleaned["features"] = [[str(key), str(val)] for key, val in value]
            except (TypeError, ValueError):
                raise ValidationError({"features": _("Features are name–value pairs.")})
        elif name == "extra_fields":
            known = {
                str(pk)
                for pk in ExtraField.objects.filter(
                    account=account, pk__in=[k for k in value if str(k).isdigit()]
                ).values_list("pk", flat=True)
            }
            wrong = sorted(str(key) for key in value if str(key) not in known)
            if wrong:
                raise ValidationError(
                    {
                        "extra_fields": _("No such extra field in this account: %(ids)s.")
                        % {"ids": ", ".join(wrong)}
                    }
                )
            cleaned["extra_fields"] = {
                str(key): "" if val is None else str(val) for key, val in value.items()
            }
        else:
            raise ValueError(f"Not a text field: {name}")
    return cleaned


def _components_check(account, bundle: Product, components: dict[int, int]) -> list[tuple[Product, int]]:
    if components and not bundle.is_bundle:
        raise ValidationError({"components": _("Only a bundle (is_bundle) has components.")})
    if bundle.pk is not None and bundle.pk in components:
        raise ValidationError({"components": _("A bundle cannot contain itself.")})
    found = {p.pk: p for p in Product.objects.filter(account=account, pk__in=list(components))}
    missing = [str(pk) for pk in components if pk not in found]
    if missing:
        raise ValidationError(
            {"components": _("No such product in this account: %(ids)s.") % {"ids": ", ".join(missing)}}
        )
    if any(quantity < 1 for quantity in components.values()):
        raise ValidationError({"components": _("A component's quantity is at least 1.")})
    return [(found[pk], quantity) for pk, quantity in components.items()]
