"""In a real browser: a new order taken as on the phone — several lines picked from the suggestions, totals
as you type, the invoice the same as the delivery — and the form's messages for an empty line."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.models import Inventory, Price, Product, ProductText
from catalog.services import stock_adjust_many
from changes.origin import Origin
from orders.models import Order
from tests.browser.conftest import log_in
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
    expect(page.locator("#line-0-suggestions option")).to_have_count(1)
    first.fill("LAMP-1")
    expect(page.locator("[data-line=line-0] [data-line-hint]")).to_contain_text("Lampka nocna")
    page.locator("[name=line-0-quantity]").fill("2")
    expect(page.locator("[data-line=line-0] [data-line-value]")).to_contain_text("178")

    page.get_by_role("button", name="Add a line").click()
    second = page.locator("[name=line-1-product]")
    expect(second).to_be_focused()
    second.fill("Kub")
    expect(page.locator("#line-1-suggestions option")).to_have_count(1)
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
