"""The catalog pages as a user clicks through them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Category, Inventory, Price, Product, ProductText, Stock, Tag, Warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def inventory(account_a):
    return Inventory.objects.get(account=account_a, is_default=True)


def test_create_product_with_texts_images_then_a_variant(client_a, account_a, inventory):
    lang = inventory.default_language
    other = next(code for code in inventory.languages if code != lang)
    tag = Tag.objects.create(account=account_a, name="nowość")
    response = client_a.post(
        reverse("catalog:product-create"),
        {
            "inventory": inventory.pk,
            "sku": "MUG-1",
            "ean": "5901234123457",
            "tax_rate": "23",
            "weight": "0.35",
            "height": "10",
            "width": "8",
            "length": "8",
            "star": "0",
            "average_cost": "0",
            "tags": [tag.pk],
            f"name_{lang}": "Kubek ceramiczny",
            f"name_{other}": "Ceramic mug",
            f"features_{lang}": "Pojemność: 300 ml\nKolor: biały",
            "images": "https://img.example.test/mug.jpg\nhttps://img.example.test/mug-2.jpg",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    product = Product.objects.get(account=account_a, sku="MUG-1")
    assert ProductText.objects.get(product=product, language=lang).features == [
        ["Pojemność", "300 ml"],
        ["Kolor", "biały"],
    ]
    assert list(product.images.values_list("url", flat=True))[0].endswith("mug.jpg")
    page = client_a.get(response["Location"]).content.decode()
    assert "Kubek ceramiczny" in page and "Pojemność" in page and "mug-2.jpg" in page

    variant = client_a.post(
        reverse("catalog:variant-create", args=[product.pk]),
        {
            "sku": "MUG-1-RED",
            "tax_rate": "23",
            "weight": "0.35",
            "height": "0",
            "width": "0",
            "length": "0",
            "star": "0",
            "average_cost": "0",
            f"name_{lang}": "Kubek czerwony",
        },
    )
    assert variant.status_code == 302
    red = Product.objects.get(sku="MUG-1-RED")
    assert red.parent_id == product.pk and red.inventory_id == inventory.pk
    listing = client_a.get(reverse("catalog:product-list")).content.decode()
    assert "Kubek ceramiczny" in listing and "MUG-1-RED" not in listing  # variants sit under their product
    found = client_a.get(reverse("catalog:product-list"), {"search": "MUG-1-RED"}).content.decode()
    assert "Kubek czerwony" in found  # but a search finds a variant by its SKU


def test_form_errors_for_duplicate_sku_bad_feature_line_and_missing_name(client_a, account_a, inventory):
    Product.objects.create(account=account_a, inventory=inventory, sku="TAKEN")
    lang = inventory.default_language
    response = client_a.post(
        reverse("catalog:product-create"),
        {
            "inventory": inventory.pk,
            "sku": "TAKEN",
            "tax_rate": "23",
            "weight": "-1",
            "height": "0",
            "width": "0",
            "length": "0",
            "star": "0",
            "average_cost": "0",
            f"features_{lang}": "no colon here",
            "images": "not a url",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"sku", "weight", f"features_{lang}", f"name_{lang}", "images"} <= set(form.errors)
    assert Product.objects.filter(account=account_a).count() == 1


def test_list_filters_by_search_stock_and_category(client_a, account_a, inventory):
    kitchen = Category.objects.create(account=account_a, inventory=inventory, name="Kuchnia")
    full = Product.objects.create(account=account_a, inventory=inventory, sku="FULL", category=kitchen)
    empty = Product.objects.create(account=account_a, inventory=inventory, sku="EMPTY")
    Stock.objects.create(product=full, warehouse=inventory.default_warehouse, quantity=40)
    url = reverse("catalog:product-list")

    def skus(**params):
        return [p.sku for p in client_a.get(url, params).context["products"]]

    assert set(skus()) == {"FULL", "EMPTY"}
    assert skus(stock_min=10) == ["FULL"]
    assert skus(stock_max=0) == ["EMPTY"]
    assert skus(category=kitchen.pk) == ["FULL"]
    assert skus(search="emp") == ["EMPTY"]
    assert skus(sort="-stock_total")[0] == "FULL"
    assert empty.pk


def test_inline_stock_grid_saves_all_or_nothing(client_a, account_a, inventory):
    product = Product.objects.create(account=account_a, inventory=inventory, sku="GRID")
    second = Warehouse.objects.create(account=account_a, name="Magazyn 2")
    inventory.warehouses.add(second)
    url = reverse("catalog:product-grid", args=[product.pk, "stock"])
    ok = client_a.post(
        url,
        {f"v-{product.pk}-{inventory.default_warehouse_id}": "12", f"v-{product.pk}-{second.pk}": "3"},
        HTTP_HX_REQUEST="true",
    )
    assert ok.status_code == 200 and "Saved" in ok.content.decode()
    assert dict(Stock.objects.filter(product=product).values_list("warehouse_id", "quantity")) == {
        inventory.default_warehouse_id: 12,
        second.pk: 3,
    }
    bad = client_a.post(
        url,
        {f"v-{product.pk}-{inventory.default_warehouse_id}": "20", f"v-{product.pk}-{second.pk}": "-4"},
        HTTP_HX_REQUEST="true",
    )
    assert "-4" in bad.content.decode()
    assert Stock.objects.get(product=product, warehouse=inventory.default_warehouse).quantity == 12
    prices = client_a.post(
        reverse("catalog:product-grid", args=[product.pk, "prices"]),
        {f"v-{product.pk}-{inventory.default_price_group_id}": "19,99"},
        HTTP_HX_REQUEST="true",
    )
    assert prices.status_code == 200
    assert Price.objects.get(product=product).amount == Decimal("19.99")


def test_a_saved_grid_says_how_many_values_changed(client_a, account_a, user_a, inventory):
    product = Product.objects.create(account=account_a, inventory=inventory, sku="GRID")
    variant = Product.objects.create(account=account_a, inventory=inventory, sku="GRID-S", parent=product)
    Stock.objects.create(product=product, warehouse=inventory.default_warehouse, quantity=5)
    url = reverse("catalog:product-grid", args=[product.pk, "stock"])
    main, small = (
        f"v-{product.pk}-{inventory.default_warehouse_id}",
        f"v-{variant.pk}-{inventory.default_warehouse_id}",
    )

    changed = client_a.post(url, {main: "7", small: "2"}, HTTP_HX_REQUEST="true").content.decode()
    assert '<p class="message success" role="status">' in changed and "Saved: 2 values changed." in changed
    # The same values again: saved, and nothing changed.
    same = client_a.post(url, {main: "7", small: "2"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Saved: no value changed." in same
    one = client_a.post(url, {main: "7", small: "3"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Saved: 1 value changed." in one
    # A refused value: no "Saved", the cell marked and the typed values kept, as before.
    refused = client_a.post(url, {main: "9", small: "-1"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Saved" not in refused and 'aria-invalid="true"' in refused and 'value="9"' in refused
    # Without scripts: the same words on the product page.
    page = client_a.post(url, {main: "8", small: "3"}, follow=True).content.decode()
    assert "Saved: 1 value changed." in page

    prices = reverse("catalog:product-grid", args=[product.pk, "prices"])
    cell = f"v-{product.pk}-{inventory.default_price_group_id}"
    User = type(user_a)
    User.objects.filter(pk=user_a.pk).update(language="pl")
    polish = client_a.post(prices, {cell: "19,99"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Zapisano: zmieniono 1 wartość." in polish
    polish = client_a.post(prices, {cell: "19.99"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Zapisano: żadna wartość się nie zmieniła." in polish


def test_dictionaries_catalogs_and_categories(client_a, account_a, inventory):
    assert (
        client_a.post(reverse("catalog:dictionary", args=["warehouses"]), {"name": "Hala B"}).status_code
        == 302
    )
    duplicate = client_a.post(reverse("catalog:dictionary", args=["warehouses"]), {"name": "Hala B"})
    assert "already used" in duplicate.content.decode()
    default = inventory.default_warehouse
    client_a.post(reverse("catalog:dictionary-delete", args=["warehouses", default.pk]))
    assert Warehouse.objects.filter(pk=default.pk).exists()
    hala = Warehouse.objects.get(account=account_a, name="Hala B")
    response = client_a.post(
        reverse("catalog:inventory-list"),
        {
            "name": "Hurt",
            "languages": "pl, de",
            "default_language": "en",
            "warehouses": [hala.pk],
            "default_warehouse": default.pk,
            "price_groups": [inventory.default_price_group_id],
            "default_price_group": inventory.default_price_group_id,
        },
    )
    errors = response.context["form"].errors
    assert {"default_language", "default_warehouse"} <= set(errors)
    client_a.post(
        reverse("catalog:inventory-list"),
        {
            "name": "Hurt",
            "languages": "pl, de",
            "default_language": "pl",
            "warehouses": [hala.pk],
            "default_warehouse": hala.pk,
            "price_groups": [inventory.default_price_group_id],
            "default_price_group": inventory.default_price_group_id,
        },
    )
    hurt = Inventory.objects.get(account=account_a, name="Hurt")
    assert hurt.languages == ["pl", "de"]
    client_a.post(reverse("catalog:category-tree", args=[hurt.pk]), {"name": "Dom"})
    home = Category.objects.get(inventory=hurt, name="Dom")
    client_a.post(reverse("catalog:category-tree", args=[hurt.pk]), {"name": "Kuchnia", "parent": home.pk})
    page = client_a.get(reverse("catalog:category-tree", args=[hurt.pk])).content.decode()
    assert "Dom" in page and "└ " in page


def test_a_member_cannot_manage_dictionaries(client, member_user):
    client.force_login(member_user)
    assert client.post(reverse("catalog:dictionary", args=["tags"]), {"name": "x"}).status_code == 403


def test_bundle_components_are_added_and_removed_on_the_product_page(client_a, account_a, inventory):
    bundle = Product.objects.create(account=account_a, inventory=inventory, sku="SET", is_bundle=True)
    Product.objects.create(account=account_a, inventory=inventory, sku="CUP")
    url = reverse("catalog:product-components", args=[bundle.pk])
    client_a.post(url, {"component": "CUP", "quantity": "6"})
    assert list(bundle.components.values_list("component__sku", "quantity")) == [("CUP", 6)]
    refused = client_a.post(url, {"component": "SET", "quantity": "1"}, follow=True).content.decode()
    assert "cannot contain itself" in refused
    assert (
        "No product with this SKU" in client_a.post(url, {"component": "NOPE"}, follow=True).content.decode()
    )
    client_a.post(url, {"remove": bundle.components.get().pk})
    assert not bundle.components.exists()


def test_pages_of_the_list_follow_the_sort_order(client_a, account_a, inventory):
    Product.objects.bulk_create(
        Product(account=account_a, inventory=inventory, sku=f"P-{i:03}") for i in range(60)
    )
    url = reverse("catalog:product-list")
    first = [p.sku for p in client_a.get(url).context["products"]]
    second = [p.sku for p in client_a.get(url, {"page": 2}).context["products"]]
    assert first[:2] == ["P-059", "P-058"] and len(first) == 50
    assert second == [f"P-{i:03}" for i in range(9, -1, -1)]
    by_sku = [p.sku for p in client_a.get(url, {"sort": "sku", "page": 2}).context["products"]]
    assert by_sku == [f"P-{i:03}" for i in range(50, 60)]


def test_tags_extra_fields_and_deletes_go_through_the_catalog_rules(client_a, account_a, inventory):
    for kind, data in (("tags", {"name": "outlet"}), ("extra-fields", {"name": "Material", "kind": "long"})):
        assert client_a.post(reverse("catalog:dictionary", args=[kind]), data).status_code == 302
    assert (
        "already used"
        in client_a.post(reverse("catalog:dictionary", args=["tags"]), {"name": "outlet"}).content.decode()
    )
    assert account_a.product_extra_fields.get(name="Material").kind == "long"
    # A warehouse a catalog uses stays, and the page says what uses it.
    hala = Warehouse.objects.create(account=account_a, name="Hala C")
    inventory.warehouses.add(hala)
    inventory.default_warehouse = hala
    inventory.save(update_fields=["default_warehouse"])
    response = client_a.post(reverse("catalog:dictionary-delete", args=["warehouses", hala.pk]), follow=True)
    assert Warehouse.objects.filter(pk=hala.pk).exists()
    assert "still used" in response.content.decode()
    tag = Tag.objects.get(account=account_a, name="outlet")
    client_a.post(reverse("catalog:dictionary-delete", args=["tags", tag.pk]))
    assert not Tag.objects.filter(pk=tag.pk).exists()


def test_a_category_is_added_under_a_parent_and_deleted_with_its_subcategories(
    client_a, account_a, inventory
):
    client_a.post(reverse("catalog:category-tree", args=[inventory.pk]), {"name": "Ogród"})
    garden = Category.objects.get(account=account_a, name="Ogród")
    client_a.post(
        reverse("catalog:category-tree", args=[inventory.pk]), {"name": "Meble", "parent": garden.pk}
    )
    assert Category.objects.get(account=account_a, name="Meble").parent == garden
    client_a.post(reverse("catalog:category-delete", args=[garden.pk]))
    assert not Category.objects.filter(account=account_a, name__in=["Ogród", "Meble"]).exists()


def test_the_list_shows_the_day_a_product_was_added_in_the_readers_format(client_a, account_a, inventory):
    import datetime

    product = Product.objects.create(account=account_a, inventory=inventory, sku="ADDED-1")
    added = datetime.datetime(2026, 3, 7, 10, 0, tzinfo=datetime.UTC)
    Product.objects.filter(pk=product.pk).update(created_at=added)
    english = client_a.get(reverse("catalog:product-list")).content.decode()
    assert "07/03/2026" in english  # the site's English is day first, as in the rest of Europe
    assert f">#{product.pk}<" not in english
    polish = client_a.get(reverse("catalog:product-list"), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "7.03.2026" in polish


def test_the_product_page_names_the_star_marker_and_leaves_it_out_when_unset(client_a, account_a, inventory):
    plain = Product.objects.create(account=account_a, inventory=inventory, sku="PLAIN")
    starred = Product.objects.create(account=account_a, inventory=inventory, sku="STARRED", star=3)

    page = client_a.get(reverse("catalog:product-detail", args=[plain.pk])).content.decode()
    assert "<dt>Star</dt>" not in page and "Star marker" not in page

    page = client_a.get(reverse("catalog:product-detail", args=[starred.pk])).content.decode()
    assert "<dt>Star marker</dt>" in page and 'aria-label="3 stars of 5"' in page
    assert page.count('class="icon on"') == 3 and "BaseLinker" in page
    polish = client_a.get(
        reverse("catalog:product-detail", args=[starred.pk]), headers={"accept-language": "pl"}
    ).content.decode()
    assert "Star marker" not in polish and "3 stars of 5" not in polish
    form = client_a.get(reverse("catalog:product-edit", args=[starred.pk])).content.decode()
    assert "Star marker" in form and "0 is none" in form
