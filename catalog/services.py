"""Every write of the catalog: account defaults, products with their texts, images, tags, bundle
components, stock and prices, and stock movements. Set-based writes live in ``catalog.bulk``.

Every write takes the ``origin`` of the change and records its change events (``catalog.events``) in
the same transaction. Stock rows are always locked in primary-key order, so two writers never deadlock.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.events import record_set
from catalog.models import (
    BundleComponent,
    Inventory,
    Price,
    PriceGroup,
    Product,
    ProductImage,
    ProductText,
    Stock,
    Warehouse,
)
from changes import topics
from changes.origin import Origin
from config.integrity import delete_unless_in_use


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
    for key, delta in totals.items():
        rows[key].quantity += delta
    Stock.objects.bulk_update([rows[key] for key in totals], ["quantity"])
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
    and ``position``), ``tags`` and ``components`` replace the list when given.
    """
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
def bundle_component_set(*, bundle: Product, component: Product, quantity: int, origin: Origin) -> None:
    """Put ``component`` into ``bundle`` ``quantity`` times (or change its quantity)."""
    BundleComponent.objects.update_or_create(
        bundle=bundle, component=component, defaults={"quantity": quantity}
    )
    record_set(
        account_id=bundle.account_id, topic=topics.PRODUCT_CHANGED, origin=origin, product_ids=[bundle.pk]
    )


@transaction.atomic
def bundle_component_remove(*, bundle: Product, component_row_id: int, origin: Origin) -> bool:
    """Take a component row out of ``bundle``. Returns False when there was no such row."""
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
def product_delete(*, product: Product, origin: Origin) -> None:
    """Delete a product with its variants, texts, images, stock and prices.

    Refused with a ValidationError naming the bundles while the product or one of its variants is a
    component of a bundle (the bundle would lose a part without anyone noticing).
    """
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
