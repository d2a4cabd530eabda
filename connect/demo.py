"""The demo's Connect link: the demo shop is a contractor of the demo wholesaler, with trade credit, and
imports part of the wholesaler's shared catalog (and keeps importing it), with stock and price sync on,
so a change of the wholesaler's stock or prices shows in the shop's linked products a moment later; the
wholesaler's integration is verified in the partner directory; the shop has forwarded one of its orders
to it (paid with the credit); a second order waits for its click.

Currencies: the shop sells in EUR, the wholesaler in PLN. The wholesaler gives the shop its price group
in the shop's currency (the demo catalog's "Retail EUR"), so the shop's prices are the wholesaler's EUR
prices × ``DEMO_PRICE_MULTIPLIER`` (its margin), never PLN amounts read as euros. Without such a price
group, price sync stays off and only stock follows."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_noop

from accounts.models import Account, Membership, Role
from accounts.tenancy import Tenant
from catalog.models import Inventory, PriceGroup, ProductText, Stock
from changes.origin import Origin
from connect import directory, forwarding, services
from connect.imports import connect_import_create, connect_import_job_run
from connect.models import ConnectImport, ContractorLink, StatusMapping
from connect.shared_catalog import shared_catalog_open, shared_categories
from orders.models import Order, OrderStatus
from orders.services import order_create

DEMO_INTEGRATION_NAME = "Hurtownia Demo B2B"
# The shop's prices: the wholesaler's prices in the shop's currency plus 30 %.
DEMO_PRICE_MULTIPLIER = "1.30"


def _owner(account: Account) -> Tenant:
    membership = Membership.objects.filter(account=account, role=Role.OWNER).select_related("user").first()
    return Tenant(account=account, role=Role.OWNER, user=membership.user if membership else None)


def _by_kind(account: Account) -> dict[str, OrderStatus]:
    statuses = OrderStatus.objects.filter(account=account).exclude(kind=OrderStatus.Kind.OTHER)
    return {s.kind: s for s in statuses.order_by("-position")}


def demo_connect_create(*, wholesaler: Account, shop: Account) -> ContractorLink:
    """The wholesaler provides (orders and products, its default catalog); the shop joins with the code,
    with stock sync on into its main warehouse and price sync on into its main price group (from the
    wholesaler's price group in the shop's currency, if it has one), and gets a trade credit of 2,000
    EUR (its orders are in EUR) with stock blocked below 100 EUR. Statuses go both ways for new, sent
    and cancelled orders. Idempotent."""
    existing = ContractorLink.objects.filter(provider_account=wholesaler, contractor_account=shop).first()
    if existing is not None:
        return existing
    provider, contractor = _owner(wholesaler), _owner(shop)
    integration, code = services.provider_create(
        actor=provider,
        display_name=DEMO_INTEGRATION_NAME,
        code_name=shop.name,
        orders_enabled=True,
        products_enabled=True,
        order_settings={
            "shipments": True,
            "additional_info": ["admin_comments", "user_comments"],
            "match_inventory": Inventory.objects.filter(account=wholesaler, is_default=True).first(),
        },
    )
    shop_inventory = Inventory.objects.get(account=shop, is_default=True)
    # The wholesaler's prices in the shop's currency: only those are followed (a PLN amount is no euro).
    same_currency = (
        PriceGroup.objects.filter(account=wholesaler, currency=shop.default_currency).order_by("pk").first()
    )
    joined = services.integration_join(
        actor=contractor,
        code=code,
        client_ip=None,
        display_name=wholesaler.name,
        settings={
            "stock_sync": True,
            "warehouse": shop_inventory.default_warehouse,
            "price_sync": same_currency is not None,
            "price_group": shop_inventory.default_price_group,
            "price_multiplier": DEMO_PRICE_MULTIPLIER,
        },
    )
    link = ContractorLink.objects.get(contractor_integration=joined)
    if same_currency is not None:
        link = services.contractor_link_update(actor=provider, link=link, price_group=same_currency)
    link = services.credit_settings_update(
        actor=provider,
        link=link,
        credit_limit=Decimal("2000.00"),
        credit_currency="EUR",
        block_stock_below=Decimal("100.00"),
        credit_notes="Pays monthly by bank transfer.",
        message="Demo: first trade credit",
    )
    for integration_side in (integration, joined):
        services.integration_statuses_update(
            actor=provider if integration_side is integration else contractor,
            integration=integration_side,
            send_statuses=True,
            receive_statuses=True,
        )
    theirs, mine = _by_kind(shop), _by_kind(wholesaler)
    kinds = [k for k in (OrderStatus.Kind.SENT, OrderStatus.Kind.CANCELLED) if k in theirs and k in mine]
    services.status_mappings_replace(
        actor=provider,
        link=link,
        direction=StatusMapping.Direction.SEND,
        pairs=[(mine[k], theirs[k]) for k in kinds],
    )
    services.status_mappings_replace(
        actor=contractor,
        link=link,
        direction=StatusMapping.Direction.RECEIVE,
        pairs=[(theirs[k], mine[k]) for k in kinds],
    )
    demo_import_create(shop=shop, integration=joined)
    demo_publication_create(wholesaler=wholesaler, integration=integration)
    demo_forward(shop=shop, wholesaler=wholesaler)
    return link


def demo_import_create(*, shop: Account, integration) -> ConnectImport | None:
    """The shop imports part of the wholesaler's shared catalog (the products of its first category)
    into its main catalog and keeps importing; the first run happens now, so the demo starts with it."""
    catalog = shared_catalog_open(account=shop, integration=integration)
    if catalog is None:
        return None
    top = shared_categories(catalog).filter(parent__isnull=True).order_by("name", "pk").first()
    saved = connect_import_create(
        actor=_owner(shop),
        integration=integration,
        inventory=Inventory.objects.get(account=shop, is_default=True),
        scope=ConnectImport.Scope.CATEGORIES if top else ConnectImport.Scope.ALL,
        category_ids=[top.pk] if top else [],
        keep_importing=True,
        valid_rows_only=True,
    )
    connect_import_job_run(job_id=saved.last_job_id)
    return saved


DEMO_DESCRIPTION = (
    "Wholesale of home, garden and office goods from our warehouse near Poznań. Over 1,000 products "
    "in stock, shipped the same day until 14:00. We dropship to your customers in your name, or "
    "deliver pallets to your warehouse. New partners are accepted within one working day."
)


def demo_publication_create(*, wholesaler: Account, integration) -> None:
    """The wholesaler's integration is public and verified in the directory: it serves Central
    Europe as a wholesaler and dropshipper, shows its products (without prices) and accepts each new
    contractor (so a new account sends a request). Idempotent."""
    if directory.publication_for_provider(integration=integration) is not None:
        return
    publication = directory.publication_save(
        actor=_owner(wholesaler),
        integration=integration,
        is_public=True,
        company_name=wholesaler.name,
        description=DEMO_DESCRIPTION,
        countries=["PL", "DE", "CZ", "SK", "AT", "LT"],
        industries=["home_garden", "office"],
        services=["wholesaler", "dropshipping"],
        contact_email=wholesaler.email or DEMO_CONTACT,
        website="",
        show_products=True,
        approval_required=True,
        show_prices=False,
    )
    directory.publication_listing_take(publication=publication)


DEMO_CONTACT = "wholesaler@demo.hurtlink.test"


# Buyers of the shop's demo orders: (name, street, postcode, city, e-mail).
DEMO_BUYERS = (
    ("Anna Nowak", "ul. Kwiatowa 12", "00-950", "Warszawa", "anna.nowak@example.test"),
    ("Piotr Wiśniewski", "ul. Morska 3/5", "81-301", "Gdynia", "p.wisniewski@example.test"),
)


def demo_forward(*, shop: Account, wholesaler: Account) -> list[Order]:
    """Two shop orders of the wholesaler's products (matched by SKU): the first forwarded already,
    paid with the trade credit; the second waits for the "Forward to …" button on its card."""
    inventory = Inventory.objects.filter(account=wholesaler, is_default=True).first()
    if inventory is None:
        return []
    # Stock where the forwarded lines take it from: the matching catalog's default warehouse.
    stocked = list(
        Stock.objects.filter(
            product__account=wholesaler,
            product__inventory=inventory,
            product__parent__isnull=True,
            product__is_bundle=False,
            warehouse_id=inventory.default_warehouse_id,
            quantity__gte=20,
        )
        .exclude(product__sku="")
        .select_related("product")
        .order_by("product_id")[:4]
    )
    if len(stocked) < 4:
        return []
    # The shop's lines carry the products' names, as a shop's order does (the SKU says which product).
    names = dict(
        ProductText.objects.filter(
            product__account=wholesaler,
            product_id__in=[row.product_id for row in stocked],
            language=inventory.default_language,
        ).values_list("product_id", "name")
    )
    origin = Origin.system(gettext_noop("Demo"))
    orders = []
    for n, (name, street, postcode, city, email) in enumerate(DEMO_BUYERS):
        pick = stocked[2 * n : 2 * n + 2]
        orders.append(
            order_create(
                account=shop,
                origin=origin,
                currency="EUR",
                lines=[
                    {
                        "name": names.get(row.product_id) or row.product.sku,
                        "sku": row.product.sku,
                        "ean": row.product.ean,
                        "price_brutto": Decimal("49.90") + 10 * i,
                        "quantity": 1 + i,
                    }
                    for i, row in enumerate(pick)
                ],
                email=email,
                delivery_method="Courier",
                delivery_price=Decimal("12.00"),
                delivery_fullname=name,
                delivery_address=street,
                delivery_postcode=postcode,
                delivery_city=city,
                delivery_country_code="PL",
                user_comments="Please call before delivery." if n == 0 else "",
            )
        )
    forwarding.forward(actor=_owner(shop), order_ids=[orders[0].pk], origin=origin)
    return orders
