"""The demo: the shop is a contractor of the wholesaler, with a credit limit."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.demo import DEMO_USERS
from catalog.models import Product
from connect import selectors
from connect.models import ContractorLink, ForwardedOrder
from orders.models import Order

pytestmark = pytest.mark.django_db


def test_the_demo_shop_is_a_contractor_of_the_demo_wholesaler_with_credit():
    call_command("demo_setup")
    link = ContractorLink.objects.select_related("provider_account", "contractor_account").get()
    assert link.provider_account.name == DEMO_USERS[0].company
    assert link.contractor_account.name == DEMO_USERS[1].company
    assert link.is_open and link.credit_limit == Decimal("2000.00") and link.credit_currency == "EUR"
    assert link.status_mappings.count() == 4
    # One shop order is forwarded already, paid with the credit; the other waits for its button.
    forwarded = ForwardedOrder.objects.select_related("provider_order", "charge").get(link=link)
    assert forwarded.state == "forwarded", forwarded.reason
    assert forwarded.provider_order.account == link.provider_account
    assert forwarded.charge.amount == Decimal("181.70")
    assert forwarded.provider_order.lines.filter(product__isnull=False).count() == 2
    # Both sides' lines carry the products' names (the shop's order names them, as a shop does).
    for line in [*forwarded.provider_order.lines.all(), *forwarded.contractor_order.lines.all()]:
        product = Product.objects.get(account=link.provider_account, sku=line.sku)
        assert line.name == product.texts.get(language=product.inventory.default_language).name != line.sku
    assert selectors.credit_summary(link=link).available == Decimal("1818.30")
    waiting = Order.objects.filter(account=link.contractor_account).exclude(pk=forwarded.contractor_order_id)
    assert waiting.count() == 1

    shop = Client()
    assert shop.login(email=DEMO_USERS[1].email, password=DEMO_USERS[1].password)
    page = shop.get(
        reverse("connect:supplier-detail", args=[link.contractor_integration_id])
    ).content.decode()
    assert DEMO_USERS[0].company in page and "1.818,30\xa0€ available" in page  # the shop is German
    card = shop.get(reverse("orders:order-detail", args=[waiting.get().pk])).content.decode()
    assert f"Forward to {DEMO_USERS[0].company}" in card


def test_the_demo_wholesaler_is_in_the_directory_and_a_new_account_finds_it():
    from connect import directory
    from tests.factories.accounts import MembershipFactory

    call_command("demo_setup")
    entry = directory.directory_list(countries=["DE"], services=["wholesaler"]).get()
    assert entry.listed_name == DEMO_USERS[0].company and entry.state == "verified"
    assert entry.approval_required and entry.show_products and not entry.show_prices
    newcomer = Client()
    newcomer.force_login(MembershipFactory(account__name="Newcomer Shop", role="owner").user)
    page = newcomer.get(reverse("connect:directory-list"), {"countries": ["DE"], "services": ["wholesaler"]})
    assert DEMO_USERS[0].company in page.content.decode()


def test_the_demo_shop_follows_the_wholesalers_stock_and_prices_from_the_start():
    from catalog.models import Price, ProductLink, Stock
    from changes.models import ChangeDelivery
    from changes.services import delivery_run
    from connect import sync
    from connect.demo import DEMO_PRICE_MULTIPLIER

    call_command("demo_setup")
    link = ContractorLink.objects.select_related("price_group").get()
    settings = link.contractor_integration.contractor_settings
    assert settings.stock_sync and settings.price_sync
    # The shop sells in EUR: it follows the wholesaler's EUR prices (plus its margin), not PLN amounts.
    assert link.price_group.currency == "EUR" == settings.price_group.currency
    linked = (
        ProductLink.objects.filter(
            account=link.contractor_account,
            storage="connect",
            external_product__is_bundle=False,
            external_product__parent__isnull=True,
            external_product__variants__isnull=True,
        )
        .select_related("product", "external_product")
        .order_by("pk")
        .first()
    )
    original, copy = linked.external_product, linked.product
    source = link.provider_integration.sharing_settings.source_warehouse_id
    wholesale_eur = Price.objects.get(product=original, price_group=link.price_group).amount
    shop_price = Price.objects.get(product=copy, price_group=settings.price_group).amount
    assert shop_price == (wholesale_eur * Decimal(DEMO_PRICE_MULTIPLIER)).quantize(Decimal("0.01"))

    # The wholesaler changes the product's stock on its product page ...
    wholesaler = Client()
    assert wholesaler.login(email=DEMO_USERS[0].email, password=DEMO_USERS[0].password)
    response = wholesaler.post(
        reverse("catalog:product-grid", args=[original.pk, "stock"]), {f"v-{original.pk}-{source}": "123"}
    )
    assert response.status_code == 302
    # ... the worker carries the change (run here as its task would) ...
    for pk in ChangeDelivery.objects.filter(consumer=sync.CONSUMER, delivered_at__isnull=True).values_list(
        "pk", flat=True
    ):
        delivery_run(delivery_id=pk)
    # ... and the shop's linked product shows it, marked as kept by the sync.
    assert Stock.objects.get(product=copy, warehouse=settings.warehouse).quantity == 123
    shop = Client()
    assert shop.login(email=DEMO_USERS[1].email, password=DEMO_USERS[1].password)
    page = shop.get(reverse("catalog:product-detail", args=[copy.pk])).content.decode()
    assert f'name="v-{copy.pk}-{settings.warehouse_id}" value="123"' in page
    assert 'class="badge synced"' in page
