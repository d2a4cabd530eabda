"""Demo data: a realistic catalog and orders for one account, written set-based."""

from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command

from catalog.models import Inventory, Price, PriceGroup, Product, ProductImage, ProductText, Stock, Warehouse
from demo.data import demo_data_create
from orders.models import JournalEntry, Order, OrderLine, OrderStatus
from shipments.models import Package

pytestmark = pytest.mark.django_db
T = JournalEntry.Type


def _ean_ok(ean: str) -> bool:
    if len(ean) != 13 or not ean.isdigit():
        return False
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(ean[:12]))
    return (10 - total % 10) % 10 == int(ean[12])


def _footprint(account) -> dict[str, int]:
    return {
        "products": Product.objects.filter(account=account).count(),
        "orders": Order.objects.filter(account=account).count(),
        "journal": JournalEntry.objects.filter(account=account).count(),
        "packages": Package.objects.filter(account=account).count(),
        "warehouses": Warehouse.objects.filter(account=account).count(),
        "price groups": PriceGroup.objects.filter(account=account).count(),
    }


@pytest.fixture
def demo(account_a, account_b):
    before_b = _footprint(account_b)
    result = demo_data_create(account_a, products=50, orders=40, seed=7)
    assert _footprint(account_b) == before_b
    return result


def test_products_have_valid_eans_texts_in_two_languages_images_stock_and_prices(demo, account_a):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    products = list(Product.objects.filter(account=account_a))
    assert len(products) == 50 + demo.variants
    assert all(p.inventory_id == inventory.pk and p.sku.startswith("DM1-") for p in products)
    assert all(_ean_ok(p.ean) for p in products), [p.ean for p in products if not _ean_ok(p.ean)]
    assert len({p.ean for p in products}) == len(products)
    assert {"pl", "en"} <= set(Inventory.objects.get(pk=inventory.pk).languages)

    texts = {(t.product_id, t.language): t for t in ProductText.objects.filter(product__account=account_a)}
    assert len(texts) == 2 * len(products)
    for product in products:
        pl, en = texts[(product.pk, "pl")], texts[(product.pk, "en")]
        assert pl.name and en.name and pl.name != en.name
        assert pl.description and en.description and pl.features and en.features

    images = ProductImage.objects.filter(product__account=account_a).select_related("product")
    assert {i.product_id for i in images} == {p.pk for p in products}
    # Drawn here and served by the app (no remote host): the page can load every one.
    assert all(i.url.startswith(f"/demo-images/{i.product.sku}") for i in images)
    from catalog import demo_images

    assert all((demo_images.folder() / i.url.rsplit("/", 1)[1]).is_file() for i in images)

    stock = Stock.objects.filter(product__account=account_a)
    assert {s.product_id for s in stock.filter(warehouse=inventory.default_warehouse)} == {
        p.pk for p in products
    }
    assert not stock.filter(quantity__lt=0).exists()
    assert set(stock.values_list("warehouse__account", flat=True)) == {account_a.pk}
    groups = set(inventory.price_groups.values_list("id", flat=True))
    assert {c for _n, c in inventory.price_groups.values_list("name", "currency")} >= {"PLN", "EUR"}
    assert len(groups) == 3 and Warehouse.objects.filter(account=account_a).count() == 4
    prices = Counter(Price.objects.filter(product__account=account_a).values_list("product_id", flat=True))
    assert prices == {p.pk: 3 for p in products}
    assert not Price.objects.filter(product__account=account_a, amount__lte=0).exists()


def test_about_a_tenth_of_the_products_have_variants_that_point_at_their_parent(demo, account_a):
    variants = Product.objects.filter(account=account_a, parent__isnull=False).select_related("parent")
    assert variants and demo.variants == variants.count()
    parents = Counter(v.parent_id for v in variants)
    assert all(2 <= n <= 4 for n in parents.values())
    for variant in variants:
        assert variant.parent.parent_id is None and variant.parent.account_id == account_a.pk
        assert variant.sku.startswith(variant.parent.sku + "-")
        parent_name = ProductText.objects.get(product=variant.parent, language="pl").name
        assert ProductText.objects.get(product=variant, language="pl").name.startswith(parent_name + ", ")


def test_orders_span_the_statuses_with_lines_payments_journal_and_packages_when_sent(demo, account_a):
    orders = list(Order.objects.filter(account=account_a).select_related("status"))
    assert len(orders) == demo.orders == 40
    assert len({o.status_id for o in orders}) >= 4
    assert all(o.status.account_id == account_a.pk for o in orders)
    lines = list(OrderLine.objects.filter(order__account=account_a).select_related("product"))
    per_order = Counter(line.order_id for line in lines)
    assert set(per_order) == {o.pk for o in orders} and all(1 <= n <= 4 for n in per_order.values())
    for line in lines:
        assert line.product.account_id == account_a.pk and not line.product.variants.exists()
        assert (line.sku, line.ean) == (line.product.sku, line.product.ean) and line.name
        assert line.price_brutto > 0 and line.reserved == 0
    created = Counter(JournalEntry.objects.filter(type=T.ORDER_CREATED).values_list("order_id", flat=True))
    assert created == {o.pk: 1 for o in orders}

    for order in orders:
        assert order.delivery_fullname and order.delivery_address and order.email.count("@") == 1
        total = sum(line.price_brutto * line.quantity for line in lines if line.order_id == order.pk)
        assert order.payment_done in (Decimal("0"), total + order.delivery_price)

    sent = {o.pk: o for o in orders if o.status.kind == OrderStatus.Kind.SENT}
    assert sent, "some orders should be in the sent status"
    packages = list(Package.objects.filter(account=account_a))
    assert {p.order_id for p in packages} == set(sent) and len(packages) == len(sent)
    for package in packages:
        order = sent[package.order_id]
        assert package.courier_code == "manual" and package.courier_package_nr
        assert (order.delivery_package_module, order.delivery_package_nr) == (
            "manual",
            package.courier_package_nr,
        )
    journaled = set(JournalEntry.objects.filter(type=T.PACKAGE_CREATED).values_list("object_id", flat=True))
    assert journaled == {p.pk for p in packages}


def test_a_second_run_adds_more_without_clashes(demo, account_a):
    second = demo_data_create(account_a, products=20, orders=10)
    assert second.prefix == "DM2"
    products = Product.objects.filter(account=account_a)
    assert products.count() == 70 + demo.variants + second.variants
    assert products.filter(sku__startswith="DM2-", parent__isnull=True).count() == 20
    assert Order.objects.filter(account=account_a).count() == 50
    assert Warehouse.objects.filter(account=account_a).count() == 4
    assert PriceGroup.objects.filter(account=account_a).count() == 3


def test_orders_alone_take_the_catalogs_products(demo, account_a):
    result = demo_data_create(account_a, products=0, orders=15)
    assert result.products == 0 and result.orders == 15
    assert Product.objects.filter(account=account_a).count() == 50 + demo.variants
    assert OrderLine.objects.filter(order__account=account_a, product__isnull=True).count() == 0


def test_the_command_fills_the_owners_account(account_a, user_a, account_b, capsys):
    before_b = _footprint(account_b)
    call_command("demo_data", "--products", "12", "--orders", "6", "--email", user_a.email)
    assert Product.objects.filter(account=account_a, parent__isnull=True).count() == 12
    assert Order.objects.filter(account=account_a).count() == 6
    assert _footprint(account_b) == before_b
    assert "12 products" in capsys.readouterr().out
