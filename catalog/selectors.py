"""Reads of the catalog that span more than one model: the product list's totals, products' display
names and first images, the stock and price grids, product suggestions, catalogs with their counts and
the category tree. Every function takes the account (or rows of it already in hand)."""

from __future__ import annotations

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from catalog import external
from catalog.models import (
    Category,
    ExtraField,
    Inventory,
    Price,
    Product,
    ProductImage,
    ProductLink,
    ProductText,
    Stock,
)


def _stock_sum():
    return (
        Stock.objects.filter(product_id=OuterRef("pk"))
        .values("product_id")
        .annotate(s=Sum("quantity"))
        .values("s")
    )


def products_with_stock_total(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """Only the total stock (``stock_total``), for sorting the ids of a list by it."""
    return queryset.annotate(stock_total=Coalesce(Subquery(_stock_sum(), output_field=IntegerField()), 0))


def products_for_list(*, account, ids: list[int]) -> QuerySet[Product]:
    """The account's products ``ids`` with what the list shows: total stock, the catalog's default
    price, number of variants."""
    price = Price.objects.filter(
        product_id=OuterRef("pk"), price_group_id=OuterRef("inventory__default_price_group_id")
    ).values("amount")[:1]
    variants = (
        Product.objects.filter(parent_id=OuterRef("pk"))
        .values("parent_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Product.objects.filter(account=account, pk__in=ids)
        .annotate(
            stock_total=Coalesce(Subquery(_stock_sum(), output_field=IntegerField()), 0),
            default_price=Subquery(price, output_field=DecimalField()),
            variant_count=Coalesce(Subquery(variants, output_field=IntegerField()), 0),
        )
        .select_related("inventory", "inventory__default_price_group")
    )


def products_display_attach(products: list[Product]) -> None:
    """Set ``display_name`` (the catalog's default language first) and ``image_url`` (the first image)
    on a page of products (rows in hand), ``is_linked`` / ``is_unshared`` (a supplier link) and
    ``tag_names``: one query each."""
    names: dict[int, str] = {}
    for text in ProductText.objects.filter(product__in=products).select_related("product__inventory"):
        if text.product_id not in names or text.language == text.product.inventory.default_language:
            names[text.product_id] = text.name
    images: dict[int, str] = {}
    for image in ProductImage.objects.filter(product__in=products).order_by("product_id", "position", "id"):
        images.setdefault(image.product_id, image.url)
    links = dict(ProductLink.objects.filter(product__in=products).values_list("product_id", "unshared_at"))
    tags: dict[int, list[str]] = {}
    for product_id, name in (
        Product.tags.through.objects.filter(product__in=products)
        .order_by("tag__name", "tag_id")
        .values_list("product_id", "tag__name")
    ):
        tags.setdefault(product_id, []).append(name)
    for product in products:
        product.tag_names = tags.get(product.pk, [])
        product.display_name = names.get(product.pk, "")
        product.image_url = images.get(product.pk, "")
        # Linked to a supplier's product (Connect), and whether the supplier stopped sharing it.
        product.is_linked = product.pk in links
        product.is_unshared = links.get(product.pk) is not None


def product_suggestions(*, account, text: str, limit: int = 10) -> list[Product]:
    """Up to ``limit`` of the account's products whose SKU or EAN starts with ``text`` or whose name
    contains it, with their display names and images (nothing for less than 2 characters)."""
    text = text.strip()
    if len(text) < 2:
        return []
    products = list(
        Product.objects.filter(account=account)
        .filter(sku__istartswith=text)
        .union(Product.objects.filter(account=account, ean__startswith=text))
        .union(Product.objects.filter(account=account, texts__name__icontains=text))[:limit]
    )
    products_display_attach(products)
    return products


def product_by_code(*, account, code: str) -> Product | None:
    """The account's product with this SKU or EAN (a product without a SKU is never matched)."""
    code = code.strip()
    if not code:
        return None
    return Product.objects.filter(account=account).filter(Q(sku=code) | Q(ean=code)).exclude(sku="").first()


def product_grid(*, product: Product) -> dict:
    """The stock and price grids of a product page: rows are the product and its variants (with display
    names), columns the catalog's warehouses and price groups."""
    main = product.parent or product
    rows = [main, *main.variants.order_by("id")]
    products_display_attach(rows)
    inventory = main.inventory
    warehouses = list(inventory.warehouses.all())
    groups = list(inventory.price_groups.all())
    stock = {(s.product_id, s.warehouse_id): s.quantity for s in Stock.objects.filter(product__in=rows)}
    prices = {(p.product_id, p.price_group_id): p.amount for p in Price.objects.filter(product__in=rows)}
    # Cells an external storage's sync keeps (a Connect supplier): marked, since an edit there is
    # overwritten at the next sync.
    synced = external.synced_cells(account_id=main.account_id, product_ids=[row.pk for row in rows])
    return {
        "grid_rows": [
            {
                "product": row,
                # (column, value, synced by, refused?): after a refused save, what the user typed.
                "stock": [
                    (w, stock.get((row.pk, w.pk), 0), synced.get(("stock", row.pk, w.pk)), False)
                    for w in warehouses
                ],
                "prices": [
                    (g, prices.get((row.pk, g.pk)), synced.get(("prices", row.pk, g.pk)), False)
                    for g in groups
                ],
            }
            for row in rows
        ],
        "warehouses": warehouses,
        "price_groups": groups,
        "stock_synced_by": sorted({label for (kind, _p, _t), label in synced.items() if kind == "stock"}),
        "prices_synced_by": sorted({label for (kind, _p, _t), label in synced.items() if kind == "prices"}),
        "grid_product": main,
    }


def extra_field_names(*, account) -> dict[str, str]:
    """``{"<extra field id>": name}`` of the account's product extra fields."""
    return {str(f.pk): f.name for f in ExtraField.objects.filter(account=account)}


def inventory_list(*, account) -> QuerySet[Inventory]:
    """The account's catalogs with their product counts, warehouses and price groups."""
    return (
        Inventory.objects.filter(account=account)
        .annotate(product_count=Count("products", distinct=True))
        .prefetch_related(Prefetch("warehouses"), Prefetch("price_groups"))
    )


def category_tree(*, account, inventory: Inventory) -> list[tuple[int, Category]]:
    """The catalog's categories depth first, by name, each with its depth."""
    categories = list(Category.objects.filter(account=account, inventory=inventory).order_by("name"))
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    tree: list[tuple[int, Category]] = []

    def walk(parent_id, depth):
        for category in children.get(parent_id, []):
            tree.append((depth, category))
            walk(category.pk, depth + 1)

    walk(None, 0)
    return tree
