"""Set-ups for the forwarding tests: the provider's (A's) products and the contractor's (B's) orders,
made through the real services."""

from __future__ import annotations

from decimal import Decimal

from catalog.models import Inventory, ProductLink
from catalog.services import product_write
from config import formats
from connect import services
from connect.models import ContractorLink
from orders.services import order_create
from tests.actors import admin_of
from tests.factories.connect import owner_tenant
from tests.origins import TEST_ORIGIN


def eur(amount: str, account=None, region: str = "") -> str:
    """An amount in EUR as messages show it, or as ``account``'s pages show it (its country's format),
    or as pages show it in ``region`` (a browser asking for en-GB: "GB")."""
    if account is not None and account.country:
        region = account.country.code
    with formats.region_override(region):
        return formats.format_money(Decimal(amount), "EUR")


def inventory_of(account) -> Inventory:
    return Inventory.objects.get(account=account, is_default=True)


def product(account, *, sku: str, name: str, price: str = "10.00", stock: int = 100, **fields):
    inventory = inventory_of(account)
    return product_write(
        origin=TEST_ORIGIN,
        actor=admin_of(account),
        inventory=inventory,
        fields={"sku": sku, "ean": fields.pop("ean", ""), **fields},
        texts={inventory.default_language: {"name": name}},
        prices={inventory.default_price_group_id: Decimal(price)},
        stock={inventory.default_warehouse_id: stock},
    )


def link_products(contractor_product, provider_product, link: ContractorLink) -> ProductLink:
    """The contractor's product imported from the provider's shared catalog (part 2 writes these)."""
    return ProductLink.objects.create(
        account=link.contractor_account,
        product=contractor_product,
        storage="connect",
        storage_id=link.contractor_integration_id,
        external_product=provider_product,
        external_id=provider_product.pk,
    )


def shop_order(account, lines: list[dict], **fields):
    """A contractor order (EUR unless said otherwise) with a buyer and a delivery address."""
    defaults = {
        "currency": "EUR",
        "email": "buyer@example.test",
        "phone": "+48600100200",
        "delivery_fullname": "Jan Kowalski",
        "delivery_address": "ul. Długa 1",
        "delivery_city": "Gdańsk",
        "delivery_postcode": "80-001",
        "delivery_country_code": "PL",
        "delivery_method": "Courier",
        "delivery_price": Decimal("10.00"),
        "invoice_fullname": "Jan Kowalski",
        "invoice_address": "ul. Długa 1",
        "invoice_city": "Gdańsk",
        "invoice_postcode": "80-001",
        "invoice_country_code": "PL",
        "admin_comments": "seller note",
        "user_comments": "please ring twice",
    }
    return order_create(account=account, lines=lines, origin=TEST_ORIGIN, **{**defaults, **fields})


def free_line(name: str, price: str, quantity: int = 1, **extra) -> dict:
    return {"name": name, "price_brutto": Decimal(price), "quantity": quantity, **extra}


def set_order_settings(provider_integration, **values) -> None:
    services.provider_update(
        actor=owner_tenant(provider_integration.account),
        integration=provider_integration,
        order_settings=values,
    )


def set_credit(link: ContractorLink, limit: str, currency: str = "EUR") -> None:
    services.credit_settings_update(
        actor=owner_tenant(link.provider_account),
        link=link,
        credit_limit=Decimal(limit),
        credit_currency=currency,
    )
