"""In a real browser: a new order taken as on the phone — several lines picked from the suggestions (own
products and a supplier's shared ones), totals as you type, the invoice the same as the delivery — and
the form's messages for an empty line."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.models import Inventory, Price, Product, ProductText
from catalog.services import stock_adjust_many
from changes.origin import Origin
from orders.models import Order, OrderLine
from tests.browser.conftest import log_in
from tests.connect.shared_setup import shared_catalog_setup
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _product(account, sku: str, name: str, price: str, stock: int) -> Product:
    inventory = Inventory.objects.get(account=account, is_default=True)
    product = Product.objects.create(account=account, inventory=inventory, sku=sku)
    ProductText.objects.create(product=product, language=inventory.default_language, name=name)
    Price.objects.create(product=product, price_group=inventory.default_price_group, amount=Decimal(price))
    stock_adjust_many(
        origin=Origin.system(), account=account, changes=[(product.pk, inventory.default_warehouse_id, stock)]
    )
    return product


@pytest.fixture
def seller(transactional_db):
    owner = MembershipFactory(account__name="Alpha Wholesale", account__default_currency="PLN", role="owner")
    _product(owner.account, "LAMP-1", "Lampka nocna", "89.00", 5)
    _product(owner.account, "MUG-1", "Kubek", "12.50", 40)
    return owner


@pytest.fixture
def seller_page(page, seller):
    log_in(page, seller.user.email, TEST_PASSWORD)
    return page


def test_an_order_with_three_lines_from_suggestions_and_totals_as_you_type(seller_page, seller):
    page = seller_page
    page.goto("/orders/new/")
    body = page.locator("main").inner_text()
    for raw in ("Payment method cod", "Invoice nip", "Star", "Shop order id"):
        assert raw not in body

    first = page.locator("[name=line-0-product]")
    first.fill("LAMP")
    expect(page.locator("[data-line=line-0] [role=option]")).to_have_count(1)
    first.fill("LAMP-1")
    expect(page.locator("[data-line=line-0] [data-line-hint]")).to_contain_text("Lampka nocna")
    page.locator("[name=line-0-quantity]").fill("2")
    expect(page.locator("[data-line=line-0] [data-line-value]")).to_contain_text("178")

    page.get_by_role("button", name="Add a line").click()
    second = page.locator("[name=line-1-product]")
    expect(second).to_be_focused()
    second.fill("Kub")
    expect(page.locator("[data-line=line-1] [role=option]")).to_have_count(1)
    second.fill("MUG-1")
    page.locator("[name=line-1-quantity]").fill("2")
    expect(page.locator("[data-line=line-1] [data-line-value]")).to_contain_text("25")

    page.get_by_role("button", name="Add a line").click()
    page.locator("[name=line-2-name]").fill("Grawer")
    page.locator("[name=line-2-price_brutto]").fill("11")
    page.get_by_label("Delivery price (gross)").fill("12")
    expect(page.locator("[data-total-grand]")).to_contain_text("226")

    page.get_by_label("E-mail").fill("ewa@example.test")
    page.locator("#section-delivery").get_by_label("Full name", exact=True).fill("Ewa Zielińska")
    page.locator("#section-delivery").get_by_label("City", exact=True).fill("Toruń")
    # The invoice takes the delivery address: its fields are not asked for.
    expect(page.get_by_label("Invoice address same as delivery")).to_be_checked()
    expect(page.locator("#section-invoice").get_by_label("City", exact=True)).to_be_hidden()

    page.get_by_role("button", name="Create order").click()
    page.wait_for_url("**/orders/*/")
    order = Order.objects.get(account=seller.account)
    assert sorted(order.lines.values_list("name", "quantity", "price_brutto")) == [
        ("Grawer", 1, Decimal("11.00")),
        ("Kubek", 2, Decimal("12.50")),
        ("Lampka nocna", 2, Decimal("89.00")),
    ]
    assert (order.invoice_fullname, order.invoice_city) == ("Ewa Zielińska", "Toruń")
    expect(page.locator(".messages")).to_contain_text(f"Order #{order.pk} created")


def test_an_empty_line_asks_for_a_product_or_a_name_and_keeps_what_was_typed(seller_page, seller):
    page = seller_page
    page.goto("/orders/new/")
    page.get_by_label("E-mail").fill("ewa@example.test")
    page.get_by_role("button", name="Create order").click()
    page.wait_for_load_state()
    line = page.locator("[data-line=line-0]")
    expect(line).to_contain_text("Choose a product or enter a name")
    assert "Give the price" not in line.inner_text()
    expect(page.get_by_label("E-mail")).to_have_value("ewa@example.test")
    assert not Order.objects.exists()


def test_a_wrong_email_and_country_are_refused_on_the_form(seller_page, seller):
    page = seller_page
    page.goto("/orders/new/")
    page.locator("[name=line-0-name]").fill("Usługa")
    page.locator("[name=line-0-price_brutto]").fill("10")
    page.get_by_label("E-mail").fill("bad@@")
    page.get_by_role("button", name="Create order").click()
    page.wait_for_load_state()
    expect(page.locator("#section-customer")).to_contain_text("Enter a valid email address")
    assert not Order.objects.exists()


def test_the_new_order_form_fits_a_phone(phone_page, seller):
    log_in(phone_page, seller.user.email, TEST_PASSWORD)
    phone_page.goto("/orders/new/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    box = phone_page.get_by_role("button", name="Create order").bounding_box()
    assert box["height"] >= 40


def test_an_own_product_picked_from_the_suggestions_shows_its_name_price_and_stock(seller_page, seller):
    page = seller_page
    page.goto("/orders/new/")
    field = page.get_by_role("combobox", name="Product")
    field.fill("Lamp")
    option = page.get_by_role("option", name="Lampka nocna")
    # The suggestion itself says what it costs and how many are on hand.
    expect(option).to_contain_text("LAMP-1")
    expect(option).to_contain_text("89.00")
    expect(option).to_contain_text("5 in stock")
    option.click()

    line = page.locator("[data-line=line-0]")
    expect(field).to_have_value("Lampka nocna (LAMP-1)")
    expect(line.locator("[data-line-hint]")).to_contain_text("5 in stock")
    expect(page.locator("[name=line-0-price_brutto]")).to_have_value("89.00")
    page.locator("[name=line-0-quantity]").fill("2")
    expect(line.locator("[data-line-value]")).to_contain_text("178.00")
    expect(page.locator("[data-total-grand]")).to_contain_text("178.00")
    assert "undefined" not in page.locator("main").inner_text()

    page.get_by_label("E-mail").fill("ewa@example.test")
    page.get_by_role("button", name="Create order").click()
    page.wait_for_url("**/orders/*/")
    line = OrderLine.objects.get(order__account=seller.account)
    assert (line.name, line.sku, line.quantity, line.price_brutto) == (
        "Lampka nocna",
        "LAMP-1",
        2,
        Decimal("89.00"),
    )


@pytest.fixture
def shop(transactional_db):
    wholesaler = MembershipFactory(
        account__name="Alpha Wholesale", account__default_currency="EUR", role="owner"
    )
    shop = MembershipFactory(account__name="Beta Shop", account__default_currency="EUR", role="owner")
    shared = shared_catalog_setup(wholesaler.account, shop.account)
    return shop, shared


def test_a_suppliers_shared_product_picked_from_the_suggestions_fills_name_price_and_totals(page, shop):
    member, shared = shop
    log_in(page, member.user.email, TEST_PASSWORD)
    page.goto("/orders/new/")
    field = page.get_by_role("combobox", name="Product")
    field.fill("saw")
    option = page.get_by_role("option", name="Garden saw")
    expect(option).to_contain_text("SAW-1")
    expect(option).to_contain_text("€20.00")
    expect(option).to_contain_text("30 in stock")
    expect(option).to_contain_text("My supplier (Connect)")
    # Picked with the keyboard: down to the suggestion, Enter.
    field.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    field.press("Enter")

    line = page.locator("[data-line=line-0]")
    expect(field).to_have_value("Garden saw (SAW-1)")
    expect(page.get_by_role("listbox")).to_be_hidden()
    hint = line.locator("[data-line-hint]")
    expect(hint).to_contain_text("€20.00")
    expect(hint).to_contain_text("30 in stock")
    expect(page.locator("[name=line-0-price_brutto]")).to_have_value("20.00")
    page.locator("[name=line-0-quantity]").fill("3")
    expect(line.locator("[data-line-value]")).to_contain_text("€60.00")
    expect(page.locator("[data-total-lines]")).to_contain_text("€60.00")
    expect(page.locator("[data-total-grand]")).to_contain_text("€60.00")
    body = page.locator("main").inner_text()
    assert "undefined" not in body and f"connect:{shared.contractor_integration.pk}" not in body

    page.get_by_label("E-mail").fill("ewa@example.test")
    page.get_by_role("button", name="Create order").click()
    page.wait_for_url("**/orders/*/")
    line = OrderLine.objects.get(order__account=member.account)
    assert (line.storage, line.storage_id, line.external_product_id) == (
        "connect",
        shared.contractor_integration.pk,
        shared.saw.pk,
    )
    assert (line.name, line.quantity, line.price_brutto) == ("Garden saw", 3, Decimal("20.00"))


def test_a_price_in_another_currency_than_the_orders_is_shown_but_not_taken(page, shop):
    member, shared = shop
    log_in(page, member.user.email, TEST_PASSWORD)
    page.goto("/orders/new/")
    field = page.get_by_role("combobox", name="Product")
    field.fill("saw")
    page.get_by_role("option", name="Garden saw").click()
    price = page.locator("[name=line-0-price_brutto]")
    expect(price).to_have_value("20.00")

    # The order becomes a złoty order: the euro price filled in is taken out again, not converted.
    page.locator("[name=currency]").select_option("PLN")
    expect(price).to_have_value("")
    line = page.locator("[data-line=line-0]")
    expect(line.locator("[data-line-value]")).to_have_text("—")

    # Picked again in złoty, the euro price is shown under the field with a note, and not filled in.
    field.fill("saw")
    page.get_by_role("option", name="Garden saw").click()
    expect(line.locator("[data-line-hint]")).to_contain_text("€20.00")
    expect(line.locator("[data-line-hint]")).to_contain_text("another currency")
    expect(price).to_have_value("")

    page.get_by_label("E-mail").fill("ewa@example.test")
    page.get_by_role("button", name="Create order").click()
    page.wait_for_load_state()
    expect(line).to_contain_text("Give the price in PLN: the catalog price is €20.00")
    assert not OrderLine.objects.filter(order__account=member.account).exists()

    page.locator("[name=line-0-price_brutto]").fill("86")
    page.get_by_role("button", name="Create order").click()
    page.wait_for_url("**/orders/*/")
    line = OrderLine.objects.get(order__account=member.account)
    assert (line.order.currency, line.price_brutto, line.external_product_id) == (
        "PLN",
        Decimal("86.00"),
        shared.saw.pk,
    )
