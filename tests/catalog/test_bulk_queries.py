"""Products built by a query (the demo's path): created, texts and features set, images replaced and a
throw-away account's catalog purged — set-based, checked against the actor's account, all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import Role
from accounts.tenancy import Tenant
from catalog import bulk
from catalog.models import (
    Category,
    Inventory,
    Manufacturer,
    Price,
    PriceGroup,
    Product,
    ProductImage,
    ProductText,
    Stock,
    Tag,
    Warehouse,
)
from changes import registry, topics
from changes.models import ChangeEvent
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db

# Two main products and one variant of the first, with ids from the products' sequence.
NEW_PRODUCTS = f"""
    WITH ids AS (SELECT {bulk.PRODUCT_ID_NEXT} AS id, g FROM generate_series(1, 3) g)
    SELECT i.id, CASE WHEN i.g = 3 THEN (SELECT id FROM ids WHERE g = 1) END AS parent_id,
           'Q-' || i.g AS sku, '590000000000' || i.g AS ean, 23 AS tax_rate, 1.5 AS weight, 10 AS height,
           8 AS width, 12 AS length, %(category)s::bigint AS category_id,
           %(manufacturer)s::bigint AS manufacturer_id, 0 AS star, 4.20 AS average_cost
      FROM ids i
"""
OF_THE_NEW = "SELECT id, sku FROM catalog_product WHERE sku LIKE 'Q-%%' AND account_id = %(account)s"
STOCK_OF = (
    "SELECT p.id AS product_id, %(warehouse)s::bigint AS warehouse_id, {value} AS quantity FROM ({of}) p"
)
PRICES_OF = "SELECT p.id AS product_id, %(group)s::bigint AS price_group_id, {value} AS amount FROM ({of}) p"
FEATURES_OF = "SELECT p.id AS product_id, 'en' AS language, %(f)s::jsonb AS features FROM ({of}) p"


def _admin(account) -> Tenant:
    return Tenant(account=account, role=Role.ADMIN)


@pytest.fixture
def catalog_consumer():
    registry.register(
        "test-bulk-queries",
        topics=[topics.PRODUCT_CREATED, topics.PRODUCT_CHANGED, topics.PRODUCT_DELETED, topics.STOCK_CHANGED],
        handler=lambda event: None,
    )
    yield
    registry.unregister("test-bulk-queries")


@pytest.fixture
def setup_a(account_a):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    inventory.languages = ["en", "pl"]
    inventory.save()
    return {
        "inventory": inventory,
        "category": Category.objects.create(account=account_a, inventory=inventory, name="Mugs"),
        "manufacturer": Manufacturer.objects.create(account=account_a, name="Polmet"),
        "tag": Tag.objects.create(account=account_a, name="new"),
    }


def _create(account, setup, **overrides):
    inventory = setup["inventory"]
    params = {
        "account": account.pk,
        "category": setup["category"].pk,
        "manufacturer": setup["manufacturer"].pk,
        "tag": setup["tag"].pk,
        "warehouse": inventory.default_warehouse_id,
        "group": inventory.default_price_group_id,
        **overrides.pop("params", {}),
    }
    selects = {
        "texts": f"""SELECT p.id AS product_id, l.language, 'Mug ' || p.sku AS name, 'A mug.' AS description,
                           '[["Colour", "red"]]'::jsonb AS features, '{{}}'::jsonb AS extra_fields
                      FROM ({OF_THE_NEW}) p CROSS JOIN (VALUES ('en'), ('pl')) l(language)""",
        "images": f"""SELECT p.id AS product_id, k AS position, '/img/' || p.id || '-' || k || '.png' AS url
                       FROM ({OF_THE_NEW}) p CROSS JOIN generate_series(0, 1) k""",
        "tags": f"SELECT p.id AS product_id, %(tag)s::bigint AS tag_id FROM ({OF_THE_NEW}) p",
        "stock": f"""SELECT p.id AS product_id, %(warehouse)s::bigint AS warehouse_id, 7 AS quantity
                      FROM ({OF_THE_NEW}) p""",
        "prices": f"""SELECT p.id AS product_id, %(group)s::bigint AS price_group_id, 19.99 AS amount
                       FROM ({OF_THE_NEW}) p""",
    }
    selects.update(overrides)
    return bulk.products_create_from_query(
        actor=_admin(account),
        inventory=inventory,
        origin=TEST_ORIGIN,
        products=NEW_PRODUCTS,
        params=params,
        **selects,
    )


def test_products_are_created_with_variants_texts_images_tags_stock_and_prices(
    account_a, setup_a, catalog_consumer
):
    written = _create(account_a, setup_a)

    assert (written.products, written.texts, written.images, written.tags, written.stock, written.prices) == (
        3,
        6,
        6,
        3,
        3,
        3,
    )
    products = {p.sku: p for p in Product.objects.filter(account=account_a)}
    assert set(products) == {"Q-1", "Q-2", "Q-3"}
    assert products["Q-3"].parent_id == products["Q-1"].pk and products["Q-1"].parent_id is None
    assert products["Q-2"].category == setup_a["category"]
    assert products["Q-2"].manufacturer == setup_a["manufacturer"]
    assert products["Q-2"].average_cost == Decimal("4.20")
    text = ProductText.objects.get(product=products["Q-2"], language="pl")
    assert (text.name, text.features) == ("Mug Q-2", [["Colour", "red"]])
    assert list(products["Q-2"].images.values_list("position", flat=True)) == [0, 1]
    assert list(products["Q-2"].tags.all()) == [setup_a["tag"]]
    assert Stock.objects.get(product=products["Q-2"]).quantity == 7
    assert Price.objects.get(product=products["Q-2"]).amount == Decimal("19.99")
    created = ChangeEvent.objects.get(account_id=account_a.pk, topic=topics.PRODUCT_CREATED)
    assert created.payload["product_ids"] == sorted(p.pk for p in products.values())
    stock = ChangeEvent.objects.get(account_id=account_a.pk, topic=topics.STOCK_CHANGED)
    assert stock.payload["warehouse_ids"] == [setup_a["inventory"].default_warehouse_id]


@pytest.mark.parametrize(
    "what",
    ["category", "manufacturer", "tag", "warehouse", "group"],
)
def test_a_row_naming_another_accounts_rows_writes_nothing(account_a, account_b, setup_a, what):
    inventory_b = Inventory.objects.get(account=account_b, is_default=True)
    theirs = {
        "category": lambda: Category.objects.create(account=account_b, name="Theirs").pk,
        "manufacturer": lambda: Manufacturer.objects.create(account=account_b, name="Theirs").pk,
        "tag": lambda: Tag.objects.create(account=account_b, name="theirs").pk,
        "warehouse": lambda: inventory_b.default_warehouse_id,
        "group": lambda: inventory_b.default_price_group_id,
    }[what]()

    with pytest.raises(ValueError, match="another account"):
        _create(account_a, setup_a, params={what: theirs})

    assert not Product.objects.filter(account=account_a).exists()
    assert not ProductText.objects.filter(product__account=account_a).exists()


def test_values_out_of_range_and_languages_the_catalog_lacks_write_nothing(account_a, setup_a):
    for override in (
        {"stock": STOCK_OF.format(value=-1, of=OF_THE_NEW)},
        {"prices": PRICES_OF.format(value=-0.01, of=OF_THE_NEW)},
        {"images": f"SELECT p.id AS product_id, 16 AS position, '/a.png' AS url FROM ({OF_THE_NEW}) p"},
        {
            "texts": f"""SELECT p.id AS product_id, 'de' AS language, 'x' AS name, '' AS description,
                                '[]'::jsonb AS features, '{{}}'::jsonb AS extra_fields
                           FROM ({OF_THE_NEW}) p"""
        },
        {
            "texts": f"""SELECT p.id AS product_id, 'en' AS language, 'x' AS name, '' AS description,
                                '[["Colour"]]'::jsonb AS features, '{{}}'::jsonb AS extra_fields
                           FROM ({OF_THE_NEW}) p"""
        },
    ):
        with pytest.raises(ValueError):
            _create(account_a, setup_a, **override)
        assert not Product.objects.filter(account=account_a).exists()


def test_texts_of_another_accounts_products_are_refused(account_a, account_b, setup_a):
    _create(account_a, setup_a)
    with pytest.raises(ValueError):
        bulk.product_texts_set_from_query(
            actor=_admin(account_b),
            origin=TEST_ORIGIN,
            select=f"""SELECT p.id AS product_id, 'en' AS language, 'Hacked' AS name FROM ({OF_THE_NEW}) p""",
            params={"account": account_a.pk},
            fields=("name",),
        )
    assert not ProductText.objects.filter(product__account=account_a, name="Hacked").exists()


def test_features_alone_are_set_and_names_stay(account_a, setup_a, catalog_consumer):
    _create(account_a, setup_a)
    ChangeEvent.objects.all().delete()

    written = bulk.product_texts_set_from_query(
        actor=_admin(account_a),
        origin=TEST_ORIGIN,
        select=f"""SELECT p.id AS product_id, 'en' AS language,
                          '[["Colour", "blue"], ["Size", "L"]]'::jsonb AS features
                     FROM ({OF_THE_NEW}) p WHERE p.id = (SELECT min(id) FROM ({OF_THE_NEW}) q)""",
        params={"account": account_a.pk},
        fields=("features",),
    )

    first = Product.objects.filter(account=account_a).order_by("id").first()
    text = ProductText.objects.get(product=first, language="en")
    assert written == 1
    assert text.features == [["Colour", "blue"], ["Size", "L"]] and text.name == f"Mug {first.sku}"
    assert ProductText.objects.get(product=first, language="pl").features == [["Colour", "red"]]
    [event] = ChangeEvent.objects.filter(topic=topics.PRODUCT_CHANGED)
    assert event.payload["product_ids"] == [first.pk]


def test_features_that_are_not_name_value_pairs_are_refused(account_a, setup_a):
    _create(account_a, setup_a)
    for features in ('[["Colour"]]', '{"Colour": "red"}', '[["Colour", 1]]', '["Colour", "red"]'):
        with pytest.raises(ValueError):
            bulk.product_texts_set_from_query(
                actor=_admin(account_a),
                origin=TEST_ORIGIN,
                select=FEATURES_OF.format(of=OF_THE_NEW),
                params={"account": account_a.pk, "f": features},
                fields=("features",),
            )
    stored = ProductText.objects.filter(product__account=account_a).values_list("features", flat=True)
    assert all(features == [["Colour", "red"]] for features in stored)


def test_images_are_replaced_for_the_products_named_only(account_a, setup_a):
    _create(account_a, setup_a)
    first, second, _variant = Product.objects.filter(account=account_a).order_by("id")

    written = bulk.product_images_set_from_query(
        actor=_admin(account_a),
        origin=TEST_ORIGIN,
        select="SELECT %(id)s::bigint AS product_id, 0 AS position, '/new.png' AS url",
        params={"id": first.pk},
    )

    assert written == 1
    assert list(first.images.values_list("url", flat=True)) == ["/new.png"]
    assert second.images.count() == 2
    with pytest.raises(ValueError):
        bulk.product_images_set_from_query(
            actor=_admin(account_a),
            origin=TEST_ORIGIN,
            select="SELECT %(id)s::bigint AS product_id, 0 AS position, '' AS url",
            params={"id": first.pk},
        )
    assert list(first.images.values_list("url", flat=True)) == ["/new.png"]


def test_a_member_may_create_but_not_purge(account_a, setup_a):
    member = Tenant(account=account_a, role=Role.MEMBER)
    written = bulk.products_create_from_query(
        actor=member,
        inventory=setup_a["inventory"],
        origin=TEST_ORIGIN,
        products=NEW_PRODUCTS,
        params={"category": None, "manufacturer": None},
    )
    assert written.products == 3
    with pytest.raises(PermissionDenied):
        bulk.products_purge(actor=member, origin=TEST_ORIGIN)
    assert Product.objects.filter(account=account_a).count() == 3


def test_purge_takes_every_product_of_the_account_and_nothing_of_another(account_a, account_b, setup_a):
    _create(account_a, setup_a)
    inventory_b = Inventory.objects.get(account=account_b, is_default=True)
    kept = Product.objects.create(account=account_b, inventory=inventory_b, sku="B-1")
    Stock.objects.create(product=kept, warehouse=inventory_b.default_warehouse, quantity=3)

    assert bulk.products_purge(actor=_admin(account_a), origin=TEST_ORIGIN) == 3

    assert not Product.objects.filter(account=account_a).exists()
    for model in (ProductText, ProductImage, Stock, Price):
        assert not model.objects.filter(product__account=account_a).exists()
    assert Stock.objects.get(product=kept).quantity == 3
    assert Warehouse.objects.filter(account=account_a).exists()
    assert PriceGroup.objects.filter(account=account_a).exists()
