"""What the order line's product picker offers: the account's own products and the products of its
suppliers' shared catalogs (``orders.line_sources``), each with the key the line form takes back, the
name and SKU the field shows once picked, and the price and stock the suggestion shows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import ngettext

from catalog import selectors as catalog_selectors
from catalog.models import Product
from catalog.selectors import product_suggestions
from config.formats import format_money
from config.paging import in_id_order
from orders.line_sources import ExternalLine, external_search

OWN_KEY_PREFIX = "product:"


@dataclass(frozen=True)
class ProductChoice:
    """One suggestion. ``key`` is what the line form's hidden ``product_key`` carries back:
    ``product:<id>`` for the account's own product, the source's key (``connect:<catalog>:<product>``)
    for a supplier's."""

    key: str
    name: str
    sku: str
    ean: str
    price: Decimal | None
    currency: str
    stock: int | None
    source: str = ""  # the supplier's catalog; empty for the account's own products

    @property
    def label(self) -> str:
        """What the product field shows once the product is picked: its name and SKU."""
        code = self.sku or self.ean
        if self.name and code:
            return f"{self.name} ({code})"
        return self.name or code

    @property
    def facts(self) -> list[str]:
        """What a suggestion shows under the name: SKU, price, stock, supplier."""
        return ([self.sku or self.ean] if self.sku or self.ean else []) + self.details

    @property
    def details(self) -> list[str]:
        """What the line shows under a picked product: price, stock, supplier."""
        facts = []
        if self.price is not None:
            facts.append(format_money(self.price, self.currency or None))
        if self.stock is not None:
            facts.append(ngettext("%(n)s in stock", "%(n)s in stock", self.stock) % {"n": self.stock})
        if self.source:
            facts.append(self.source)
        return facts


def _own(product: Product) -> ProductChoice:
    group = product.inventory.default_price_group
    return ProductChoice(
        key=f"{OWN_KEY_PREFIX}{product.pk}",
        name=getattr(product, "display_name", "") or product.sku or f"#{product.pk}",
        sku=product.sku,
        ean=product.ean,
        price=product.default_price,
        currency=group.currency if group is not None else "",
        stock=product.stock_total,
    )


def external_choice(line: ExternalLine) -> ProductChoice:
    return ProductChoice(
        key=line.key,
        name=line.name,
        sku=line.sku,
        ean=line.ean,
        price=line.price,
        currency=line.currency,
        stock=line.stock,
        source=line.source,
    )


def own_choices(*, account, ids: list[int]) -> list[ProductChoice]:
    """The account's products ``ids`` (in that order) with their catalog price and total stock."""
    products = in_id_order(catalog_selectors.products_for_list(account=account, ids=ids), ids)
    catalog_selectors.products_display_attach(products)
    return [_own(product) for product in products]


def product_choices(*, account, text: str, limit: int = 10) -> list[ProductChoice]:
    """Suggestions for ``text`` (nothing under 2 characters): own products first, then suppliers'."""
    text = text.strip()
    if len(text) < 2:
        return []
    ids = [product.pk for product in product_suggestions(account=account, text=text, limit=limit)]
    external = external_search(account=account, text=text, limit=limit)
    return own_choices(account=account, ids=ids) + [external_choice(line) for line in external]
