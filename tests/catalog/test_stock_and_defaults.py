import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from catalog.models import Inventory, PriceGroup, Product, Stock, Warehouse
from catalog.services import StockShortfall, stock_adjust_many
from changes.origin import Origin

pytestmark = pytest.mark.django_db


def _product(account, sku, **extra):
    inventory = Inventory.objects.get(account=account, is_default=True)
    return Product.objects.create(account=account, inventory=inventory, sku=sku, **extra)


def test_signup_gives_the_account_a_default_catalog_warehouse_and_price_group(client):
    client.post(
        reverse("signup"),
        {
            "email": "owner@firma.test",
            "password": "a-long-and-unusual-passphrase",
            "company_name": "Firma",
            "country": "PL",
            "default_currency": "PLN",
        },
    )
    inventory = Inventory.objects.get(account__name="Firma")
    assert inventory.is_default and inventory.default_language == "pl" and "en" in inventory.languages
    assert inventory.default_warehouse.is_default
    assert inventory.default_price_group.currency == "PLN"
    assert list(inventory.warehouses.all()) == [inventory.default_warehouse]


def test_stock_moves_in_and_out_together(account_a):
    warehouse = Warehouse.objects.get(account=account_a)
    shirt, cap = _product(account_a, "SHIRT"), _product(account_a, "CAP")
    stock_adjust_many(
        origin=Origin.system(),
        account=account_a,
        changes=[(shirt.pk, warehouse.pk, 10), (cap.pk, warehouse.pk, 3)],
    )
    stock_adjust_many(
        origin=Origin.system(),
        account=account_a,
        changes=[(shirt.pk, warehouse.pk, -4), (shirt.pk, warehouse.pk, -1)],
    )
    quantities = dict(Stock.objects.values_list("product__sku", "quantity"))
    assert quantities == {"SHIRT": 5, "CAP": 3}


def test_a_shortfall_lists_every_short_line_and_changes_nothing(account_a):
    warehouse = Warehouse.objects.get(account=account_a)
    shirt, cap, mug = _product(account_a, "SHIRT"), _product(account_a, "CAP"), _product(account_a, "MUG")
    stock_adjust_many(
        origin=Origin.system(),
        account=account_a,
        changes=[(shirt.pk, warehouse.pk, 2), (cap.pk, warehouse.pk, 1)],
    )
    with pytest.raises(StockShortfall) as failure:
        stock_adjust_many(
            origin=Origin.system(),
            account=account_a,
            changes=[(shirt.pk, warehouse.pk, -5), (cap.pk, warehouse.pk, -1), (mug.pk, warehouse.pk, -2)],
        )
    short = {(line.sku, line.requested, line.available) for line in failure.value.lines}
    assert short == {("SHIRT", 5, 2), ("MUG", 2, 0)}
    assert "SHIRT" in str(failure.value) and "MUG" in str(failure.value)
    assert dict(Stock.objects.filter(quantity__gt=0).values_list("product__sku", "quantity")) == {
        "SHIRT": 2,
        "CAP": 1,
    }


def test_stock_of_another_accounts_product_cannot_be_moved(account_a, account_b):
    warehouse_b = Warehouse.objects.get(account=account_b)
    product_a = _product(account_a, "A-ONLY")
    with pytest.raises(ValueError):
        stock_adjust_many(
            origin=Origin.system(), account=account_b, changes=[(product_a.pk, warehouse_b.pk, 1)]
        )
    assert not Stock.objects.exists()


def test_database_refuses_negative_stock_and_duplicate_skus(account_a):
    warehouse = Warehouse.objects.get(account=account_a)
    product = _product(account_a, "SKU-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.create(product=product, warehouse=warehouse, quantity=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        _product(account_a, "SKU-1")
    # Products without a SKU may be many.
    _product(account_a, "")
    _product(account_a, "")
    assert PriceGroup.objects.filter(account=account_a).count() == 1
