"""A provider sharing products with a contractor whose products are linked to them, for the sync tests.

The links are written directly (the import that normally makes them is tested on its own); everything
else goes through the services a user's click would call.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Account
from catalog.models import Inventory, Price, PriceGroup, Product, ProductLink, ProductText, Stock, Warehouse
from changes.models import ChangeDelivery
from changes.services import delivery_run
from connect import services, sync
from connect.models import ConnectIntegration, ContractorLink
from tests.factories.connect import connected_pair, owner_tenant


@dataclass
class Shared:
    provider: Account
    contractor: Account
    link: ContractorLink
    supplier: ConnectIntegration  # the contractor's integration
    source_warehouse: Warehouse
    source_group: PriceGroup
    target_warehouse: Warehouse
    target_group: PriceGroup
    originals: list[Product]
    copies: list[Product]

    def stock(self, copy: Product) -> int | None:
        row = Stock.objects.filter(product=copy, warehouse=self.target_warehouse).first()
        return None if row is None else row.quantity

    def price(self, copy: Product) -> Decimal | None:
        row = Price.objects.filter(product=copy, price_group=self.target_group).first()
        return None if row is None else row.amount

    def settings(self, **values) -> None:
        """The contractor saves its Products / Prices / Stock settings."""
        services.contractor_update(actor=owner_tenant(self.contractor), integration=self.supplier, **values)

    def refresh(self) -> None:
        self.link.refresh_from_db()


def provider_products(account: Account, count: int, *, stock: int = 10, price: str = "10.00", prefix="P"):
    """``count`` products of the account's default catalog with stock and a price in its defaults."""
    inventory = Inventory.objects.get(account=account, is_default=True)
    products = Product.objects.bulk_create(
        Product(account=account, inventory=inventory, sku=f"{prefix}-{i}") for i in range(count)
    )
    ProductText.objects.bulk_create(
        ProductText(product=p, language=inventory.default_language, name=f"Product {p.sku}") for p in products
    )
    Stock.objects.bulk_create(
        Stock(product=p, warehouse=inventory.default_warehouse, quantity=stock) for p in products
    )
    Price.objects.bulk_create(
        Price(product=p, price_group=inventory.default_price_group, amount=Decimal(price)) for p in products
    )
    return products


def link_copies(shared_originals: list[Product], *, contractor: Account, supplier: ConnectIntegration):
    """The contractor's own products linked to the provider's (as an import leaves them)."""
    inventory = Inventory.objects.get(account=contractor, is_default=True)
    copies = Product.objects.bulk_create(
        Product(account=contractor, inventory=inventory, sku=f"C-{p.sku}") for p in shared_originals
    )
    ProductLink.objects.bulk_create(
        ProductLink(
            account=contractor,
            product=copy,
            storage="connect",
            storage_id=supplier.pk,
            external_product=original,
            external_id=original.pk,
        )
        for copy, original in zip(copies, shared_originals, strict=True)
    )
    return copies


def shared_catalog(
    provider: Account,
    contractor: Account,
    *,
    count: int = 2,
    stock: int = 10,
    price: str = "10.00",
    sync_on: bool = True,
    prefix: str = "P",
    **settings,
) -> Shared:
    """``provider`` shares its catalog, ``contractor`` joined and has ``count`` linked products; with
    ``sync_on`` its stock and price sync are on, into its default warehouse and price group."""
    _integration, link = connected_pair(provider, contractor)
    supplier = link.contractor_integration
    inventory_a = Inventory.objects.get(account=provider, is_default=True)
    inventory_b = Inventory.objects.get(account=contractor, is_default=True)
    originals = provider_products(provider, count, stock=stock, price=price, prefix=prefix)
    copies = link_copies(originals, contractor=contractor, supplier=supplier)
    shared = Shared(
        provider=provider,
        contractor=contractor,
        link=link,
        supplier=supplier,
        source_warehouse=inventory_a.default_warehouse,
        source_group=inventory_a.default_price_group,
        target_warehouse=inventory_b.default_warehouse,
        target_group=inventory_b.default_price_group,
        originals=originals,
        copies=copies,
    )
    if sync_on or settings:
        values = {"stock_sync": sync_on, "price_sync": sync_on, **settings}
        if sync_on:
            values.setdefault("warehouse", shared.target_warehouse)
            values.setdefault("price_group", shared.target_group)
        shared.settings(**values)
        # What saving the settings starts after commit (run here, whether or not a worker runs).
        sync.link_resync_full(link_id=link.pk)
    return shared


def deliver_pending() -> int:
    """Run every pending change delivery as the worker's task would (chains included)."""
    delivered = 0
    while True:
        pending = list(
            ChangeDelivery.objects.filter(delivered_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not pending:
            return delivered
        done = sum(delivery_run(delivery_id=pk) for pk in pending)
        delivered += done
        if not done:
            return delivered
