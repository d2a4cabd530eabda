"""A provider's catalog with a bit of everything, shared with a contractor: the fixture data of the
shared-catalog tests (through the real services)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from catalog.models import Category, ExtraField, Inventory, PriceGroup, Product, Tag, Warehouse
from catalog.services import product_save
from changes.origin import Origin
from connect import services
from connect.models import ContractorLink
from tests.actors import admin_of
from tests.factories.connect import connected_pair, owner_tenant

SYSTEM = Origin.system()


@dataclass
class Shared:
    """What the tests refer to: the provider's rows and the link."""

    provider: object
    link: ContractorLink
    inventory: Inventory
    warehouse: Warehouse
    retail: PriceGroup
    wholesale: PriceGroup
    tools: Category
    drills: Category
    garden: Category
    promo: Tag
    drill: Product
    drill_red: Product
    drill_blue: Product
    saw: Product
    kit: Product
    secret: Product

    @property
    def contractor_integration(self):
        return self.link.contractor_integration


def _product(
    account,
    inventory,
    sku,
    *,
    name_en,
    name_pl="",
    parent=None,
    category=None,
    tags=(),
    stock=0,
    prices=(),
    images=(),
    description="",
    features=(),
    extra=None,
    warehouse=None,
    **fields,
):
    texts = {
        "en": {
            "name": name_en,
            "description": description,
            "features": [list(f) for f in features],
            "extra_fields": extra or {},
        }
    }
    if name_pl:
        texts["pl"] = {"name": name_pl, "description": f"{description} (pl)"}
    product = Product(
        account=account, inventory=inventory, sku=sku, parent=parent, category=category, **fields
    )
    return product_save(
        actor=admin_of(product.account),
        product=product,
        origin=SYSTEM,
        texts=texts,
        images=list(images),
        tags=list(tags),
        stock=[(warehouse.pk, stock)] if warehouse else None,
        prices=list(prices),
    )


def shared_catalog_setup(provider_account, contractor_account) -> Shared:
    """Provider ``provider_account`` shares its main catalog (language en) with ``contractor_account``."""
    inventory = Inventory.objects.get(account=provider_account, is_default=True)
    inventory.languages = ["en", "pl"]
    inventory.save(update_fields=["languages"])
    warehouse = inventory.default_warehouse
    retail = inventory.default_price_group
    wholesale = PriceGroup.objects.create(
        account=provider_account, name="Wholesale", currency=retail.currency
    )
    inventory.price_groups.add(retail, wholesale)
    tools = Category.objects.create(account=provider_account, inventory=inventory, name="Tools")
    drills = Category.objects.create(
        account=provider_account, inventory=inventory, name="Drills", parent=tools
    )
    garden = Category.objects.create(account=provider_account, inventory=inventory, name="Garden")
    promo = Tag.objects.create(account=provider_account, name="promo")
    colour = ExtraField.objects.create(account=provider_account, name="Colour")
    secret_field = ExtraField.objects.create(account=provider_account, name="Margin note")
    common = {"warehouse": warehouse}
    drill = _product(
        provider_account,
        inventory,
        "DRILL-1",
        name_en="Cordless drill",
        name_pl="Wiertarka",
        category=drills,
        tags=[promo],
        stock=12,
        prices=[(retail.pk, "100.00"), (wholesale.pk, "80.00")],
        images=["https://img.example/drill-1.jpg", "https://img.example/drill-2.jpg"],
        description="Strong 18V drill",
        features=[("Voltage", "18V")],
        extra={str(colour.pk): "yellow", str(secret_field.pk): "buy cheap"},
        weight=Decimal("1.5"),
        **common,
    )
    drill_red = _product(
        provider_account,
        inventory,
        "DRILL-1-RED",
        name_en="Cordless drill red",
        parent=drill,
        stock=5,
        prices=[(retail.pk, "105.00")],
        **common,
    )
    drill_blue = _product(
        provider_account,
        inventory,
        "DRILL-1-BLUE",
        name_en="Cordless drill blue",
        parent=drill,
        stock=0,
        prices=[(retail.pk, "105.00")],
        **common,
    )
    saw = _product(
        provider_account,
        inventory,
        "SAW-1",
        name_en="Garden saw",
        category=garden,
        stock=30,
        prices=[(retail.pk, "20.00")],
        images=["https://img.example/saw.jpg"],
        **common,
    )
    kit = _product(
        provider_account,
        inventory,
        "KIT-1",
        name_en="Garden kit",
        category=garden,
        stock=3,
        prices=[(retail.pk, "130.00")],
        is_bundle=True,
        **common,
    )
    product_save(actor=admin_of(kit.account), product=kit, origin=SYSTEM, components=[(drill, 1), (saw, 2)])
    other = Inventory.objects.create(
        account=provider_account,
        name="Private",
        languages=["en"],
        default_language="en",
        default_warehouse=warehouse,
        default_price_group=retail,
    )
    secret = _product(provider_account, other, "SECRET-1", name_en="Unshared prototype", stock=9, **common)
    integration, link = connected_pair(provider_account, contractor_account)
    services.provider_update(
        actor=owner_tenant(provider_account),
        integration=integration,
        sharing_settings={
            "inventory": inventory,
            "language": "en",
            "source_warehouse": warehouse,
            "price_group": retail,
            "extra_fields": [colour],
            "images": "all",
            "descriptions": True,
            "parameters": True,
        },
    )
    ExtraField.objects.get_or_create(account=contractor_account, name="Colour")
    ExtraField.objects.get_or_create(account=contractor_account, name="Margin note")
    link.refresh_from_db()
    return Shared(
        provider=integration,
        link=link,
        inventory=inventory,
        warehouse=warehouse,
        retail=retail,
        wholesale=wholesale,
        tools=tools,
        drills=drills,
        garden=garden,
        promo=promo,
        drill=drill,
        drill_red=drill_red,
        drill_blue=drill_blue,
        saw=saw,
        kit=kit,
        secret=secret,
    )


def sharing_update(shared: Shared, **values) -> None:
    services.provider_update(
        actor=owner_tenant(shared.provider.account), integration=shared.provider, sharing_settings=values
    )


def link_update(shared: Shared, **values) -> None:
    services.contractor_link_update(actor=owner_tenant(shared.provider.account), link=shared.link, **values)
