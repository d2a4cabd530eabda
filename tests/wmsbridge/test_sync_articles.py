"""Articles: the seed's mapping field by field, change detection, SKU-less products, WMS refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import Product, ProductText
from tests.wmsbridge.test_sync_fixtures import (  # noqa: F401 - fixtures
    GOODS_OWNER_A,
    fast_client_fixture,
    inventory_of,
    make_connection,
    make_product,
    sandbox_fixture,
    sync,
)
from wmsbridge.models import ArticleState, SyncRun

pytestmark = pytest.mark.django_db(transaction=True)


def article(sandbox, number):
    found = sandbox.state.article_by_number(GOODS_OWNER_A, number)
    assert found is not None, f"article {number} is not in the WMS"
    return found


def test_product_and_variant_map_field_by_field_as_the_seed_says(account_a, sandbox, fast_client):
    language = inventory_of(account_a).default_language  # "pl" for a Polish account
    shirt = make_product(
        account_a,
        "SHIRT-1",
        "Koszula",
        ean="5901234123457",
        weight=Decimal("0.350"),
        height=Decimal("3"),
        width=Decimal("30"),
        length=Decimal("40"),
        description="Bawełna 100%",
    )
    ProductText.objects.create(product=shirt, language="en", name="Shirt", description="Cotton")
    jacket = make_product(
        account_a,
        "JACKET",
        "Kurtka",
        weight=Decimal("1.200"),
        height=5,
        width=50,
        length=70,
        description="Zimowa",
    )
    variant = make_product(account_a, "JACKET-M", "M", parent=jacket, ean="5900000000017")
    assert language == "pl"

    runs = sync(make_connection(account_a, sandbox), "articles")

    assert runs["articles"].status == SyncRun.Status.OK
    assert runs["articles"].created == 2
    shirt_article = article(sandbox, "SHIRT-1")
    # Article name = product name (default language); number = SKU; product code = id; barcode = EAN.
    assert shirt_article["articleName"] == "Koszula"
    assert shirt_article["productCode"] == str(shirt.pk)
    assert shirt_article["barCodeInfo"]["barCode"] == "5901234123457"
    assert (shirt_article["weight"], shirt_article["height"]) == (0.35, 3.0)
    assert (shirt_article["width"], shirt_article["length"]) == (30.0, 40.0)
    assert shirt_article["description"] == "Bawełna 100%"
    assert shirt_article["isStockArticle"] is True
    # Variant: article name = product name + variant name, its own SKU, id and EAN; the parent's
    # weight, dimensions and description where the variant has none.
    variant_article = article(sandbox, "JACKET-M")
    assert variant_article["articleName"] == "Kurtka M"
    assert variant_article["productCode"] == str(variant.pk)
    assert variant_article["barCodeInfo"]["barCode"] == "5900000000017"
    assert variant_article["weight"] == 1.2
    assert (variant_article["height"], variant_article["width"], variant_article["length"]) == (5, 50, 70)
    assert variant_article["description"] == "Zimowa"
    # A product with variants is only their container: no article of its own.
    assert sandbox.state.article_by_number(GOODS_OWNER_A, "JACKET") is None
    state = ArticleState.objects.get(product=shirt)
    assert state.wms_article_id == shirt_article["articleSystemId"]
    assert state.article_number == "SHIRT-1"


def test_product_without_ean_sends_no_barcode(account_a, sandbox, fast_client):
    make_product(account_a, "NOEAN")
    sync(make_connection(account_a, sandbox), "articles")
    assert article(sandbox, "NOEAN")["barCodeInfo"] is None


def test_second_run_with_nothing_changed_sends_no_write(account_a, sandbox, fast_client):
    for i in range(5):
        make_product(account_a, f"SKU-{i}")
    connection = make_connection(account_a, sandbox)
    sync(connection, "articles")
    writes_before = sandbox.state.counters["writes"]

    run = sync(connection, "articles")["articles"]

    assert sandbox.state.counters["writes"] == writes_before
    assert (run.created, run.updated, run.unchanged, run.writes) == (0, 0, 5, 0)


def test_only_changed_products_are_written_again(account_a, sandbox, fast_client):
    products = [make_product(account_a, f"SKU-{i}") for i in range(4)]
    jacket = make_product(account_a, "JACKET", weight=Decimal("1"))
    make_product(account_a, "JACKET-L", "L", parent=jacket)
    connection = make_connection(account_a, sandbox)
    sync(connection, "articles")
    # A renamed product, a new EAN, and a parent's weight that its variant inherits.
    ProductText.objects.filter(product=products[0]).update(name="Renamed")
    Product.objects.filter(pk=products[1].pk).update(ean="4006381333931")
    Product.objects.filter(pk=jacket.pk).update(weight=Decimal("2.5"))
    writes_before = sandbox.state.counters["writes"]

    run = sync(connection, "articles")["articles"]

    assert run.updated == 3
    assert run.unchanged == 2
    assert sandbox.state.counters["writes"] - writes_before == 3
    assert article(sandbox, "SKU-0")["articleName"] == "Renamed"
    assert article(sandbox, "SKU-1")["barCodeInfo"]["barCode"] == "4006381333931"
    assert article(sandbox, "JACKET-L")["weight"] == 2.5


def test_products_without_sku_are_skipped_and_listed(account_a, sandbox, fast_client):
    make_product(account_a, "HAS-SKU")
    nameless = make_product(account_a, "", "Mystery mug")

    run = sync(make_connection(account_a, sandbox), "articles")["articles"]

    assert run.created == 1
    assert run.skipped == 1
    shown = run.messages_shown()[0]
    assert shown["item"] == f"#{nameless.pk} Mystery mug" and "SKU" in shown["message"]
    assert len(sandbox.state.articles(GOODS_OWNER_A)) == 1


def test_a_changed_sku_renames_the_article_instead_of_adding_one(account_a, sandbox, fast_client):
    product = make_product(account_a, "OLD-SKU")
    connection = make_connection(account_a, sandbox)
    sync(connection, "articles")
    article_id = article(sandbox, "OLD-SKU")["articleSystemId"]
    Product.objects.filter(pk=product.pk).update(sku="NEW-SKU")

    sync(connection, "articles")

    assert article(sandbox, "NEW-SKU")["articleSystemId"] == article_id
    assert len(sandbox.state.articles(GOODS_OWNER_A)) == 1


def test_a_refused_article_is_reported_with_the_wms_message_and_the_rest_continue(
    account_a, sandbox, fast_client
):
    first = make_product(account_a, "A")
    second = make_product(account_a, "B")
    third = make_product(account_a, "C")
    connection = make_connection(account_a, sandbox)
    sync(connection, "articles")
    # First takes the number B while the WMS article B (second's) still has it: the WMS refuses.
    Product.objects.filter(pk=second.pk).update(sku="B2")
    Product.objects.filter(pk=first.pk).update(sku="B")
    ProductText.objects.filter(product=third).update(name="Third, renamed")

    run = sync(connection, "articles")["articles"]

    assert run.status == SyncRun.Status.OK
    assert run.failed == 1
    assert run.updated == 2
    assert run.messages_shown()[0]["item"] == "B"
    assert "already used" in run.messages_shown()[0]["message"]
    assert ArticleState.objects.get(product=first).last_error
    assert article(sandbox, "C")["articleName"] == "Third, renamed"
    # Next run: B is free now, the refused one goes through.
    retry = sync(connection, "articles")["articles"]
    assert (retry.updated, retry.failed) == (1, 0)
    assert ArticleState.objects.get(product=first).last_error == ""
