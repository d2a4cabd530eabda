"""In a real browser: the stock grid refuses a bad value, keeps every other edit the user typed, marks the
wrong cell and names the product and the warehouse; after the fix the whole grid saves."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from catalog.models import Inventory, Product, ProductText, Stock, Warehouse
from tests.browser.conftest import log_in
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_value_keeps_the_other_edits_and_names_product_and_warehouse(page):
    owner = MembershipFactory(account__name="Alpha Wholesale", role="owner")
    account = owner.account
    inventory = Inventory.objects.get(account=account, is_default=True)
    second = Warehouse.objects.create(account=account, name="Hala B")
    inventory.warehouses.add(second)
    shirt = Product.objects.create(account=account, inventory=inventory, sku="SHIRT")
    ProductText.objects.create(product=shirt, language=inventory.default_language, name="Koszula")
    red = Product.objects.create(account=account, inventory=inventory, sku="SHIRT-RED", parent=shirt)
    ProductText.objects.create(product=red, language=inventory.default_language, name="Koszula czerwona")
    main = inventory.default_warehouse

    log_in(page, owner.user.email, TEST_PASSWORD)
    page.goto(f"/catalog/{shirt.pk}/")
    grid = page.locator("#stock-grid")
    grid.locator(f"[name=v-{shirt.pk}-{main.pk}]").fill("12")
    grid.locator(f"[name=v-{shirt.pk}-{second.pk}]").fill("3")
    grid.locator(f"[name=v-{red.pk}-{second.pk}]").fill("-4")
    grid.get_by_role("button", name="Save").click()

    alert = page.locator("#stock-grid [role=alert]")
    expect(alert).to_contain_text("Koszula czerwona")
    expect(alert).to_contain_text("Hala B")
    expect(alert).to_contain_text("-4")
    bad = page.locator(f"#stock-grid [name=v-{red.pk}-{second.pk}]")
    expect(bad).to_have_attribute("aria-invalid", "true")
    expect(bad).to_have_value("-4")
    expect(page.locator(f"#stock-grid [name=v-{shirt.pk}-{main.pk}]")).to_have_value("12")
    expect(page.locator(f"#stock-grid [name=v-{shirt.pk}-{second.pk}]")).to_have_value("3")
    assert not Stock.objects.filter(product__in=[shirt, red], quantity__gt=0).exists()

    bad.fill("4")
    page.locator("#stock-grid").get_by_role("button", name="Save").click()
    expect(page.locator("#stock-grid")).to_contain_text("Saved")
    assert set(
        Stock.objects.filter(quantity__gt=0).values_list("product__sku", "warehouse__name", "quantity")
    ) == {
        ("SHIRT", main.name, 12),
        ("SHIRT", "Hala B", 3),
        ("SHIRT-RED", "Hala B", 4),
    }


def test_a_new_product_takes_its_stock_and_price_on_the_form(page):
    from decimal import Decimal

    from catalog.models import Price

    owner = MembershipFactory(account__name="Alpha Wholesale", role="owner")
    inventory = Inventory.objects.get(account=owner.account, is_default=True)
    log_in(page, owner.user.email, TEST_PASSWORD)
    page.goto("/catalog/")
    page.get_by_role("button", name="Add product").click()
    section = page.locator("#section-main")
    section.get_by_label("Name (", exact=False).first.fill("Kubek")
    section.locator("[name=sku]").fill("MUG-1")
    section.get_by_label("Stock").fill("7")
    section.get_by_label("Gross price").fill("19.99")
    # The rarely used fields wait behind "More".
    expect(page.locator("#section-more [name=star]")).to_be_hidden()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/catalog/*/")
    product = Product.objects.get(account=owner.account, sku="MUG-1")
    assert Stock.objects.get(product=product, warehouse=inventory.default_warehouse).quantity == 7
    assert Price.objects.get(product=product, price_group=inventory.default_price_group).amount == Decimal(
        "19.99"
    )
    expect(page.locator(f"#stock-grid [name=v-{product.pk}-{inventory.default_warehouse_id}]")).to_have_value(
        "7"
    )
