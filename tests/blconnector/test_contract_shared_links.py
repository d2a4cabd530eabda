"""The contractor's own products and orders meeting a Connect shared catalog through BaseLinker's API
(reference §3.9 ``links``, §4.2 order lines, §8.1): own products linked to a supplier's product show
the link, ``addInventoryProduct`` sets it, order lines name a shared product by its external storage
``warehouse_<id>``, and ``getOrders`` names it back the same way. What the contractor may not see in
that shared catalog answers exactly as what does not exist.

Account A provides (its main catalog shared in English, retail prices); account B is its contractor,
knowing A's integration as "My supplier"."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Inventory, Product, ProductLink, Stock, Warehouse
from connect import services
from connect.imports import connect_import_create, connect_import_job_run
from orders.line_sources import external_get
from orders.models import Order, OrderLine
from orders.services import order_create
from tests.blconnector.conftest import connector_for, make_product
from tests.blconnector.shapes import ORDER_LINE, assert_shape
from tests.connect.shared_setup import link_update, shared_catalog_setup
from tests.factories.accounts import AccountFactory
from tests.factories.connect import connected_pair, owner_tenant
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db

MISSING = 10**15


@pytest.fixture
def shared(account_a, account_b):
    return shared_catalog_setup(account_a, account_b)


@pytest.fixture
def storage(shared) -> str:
    """How B's token names the shared catalog as an external storage."""
    return f"warehouse_{shared.contractor_integration.pk}"


@pytest.fixture
def inventory_b(account_b) -> Inventory:
    return Inventory.objects.get(account=account_b, is_default=True)


def _import(shared, account_b, inventory_b) -> None:
    """The shared catalog imported into B's main catalog, as the import page does it."""
    saved = connect_import_create(
        actor=owner_tenant(account_b), integration=shared.contractor_integration, inventory=inventory_b
    )
    connect_import_job_run(job_id=saved.last_job_id)


def _mine(account_b, sku: str) -> Product:
    return Product.objects.get(account=account_b, sku=sku)


def _links(bl_b, inventory_b, *products) -> dict[int, dict]:
    body = bl_b.ok(
        "getInventoryProductsData", {"inventory_id": inventory_b.pk, "products": [p.pk for p in products]}
    )
    return {int(pk): product["links"] for pk, product in body["products"].items()}


def _masked(message: str, *ids) -> str:
    for value in ids:
        message = re.sub(rf"(?<!\d){value}(?!\d)", "<id>", message)
    return message


# -- links in getInventoryProductsData ------------------------------------------------------------------


def test_imported_products_show_their_link_to_the_shared_catalog(
    bl_b, account_b, inventory_b, shared, storage
):
    _import(shared, account_b, inventory_b)
    drill, red, saw = (_mine(account_b, sku) for sku in ("DRILL-1", "DRILL-1-RED", "SAW-1"))
    unlinked = make_product(account_b, inventory_b, sku="OWN-1", name="Own")

    links = _links(bl_b, inventory_b, drill, red, saw, unlinked)

    # The reference's shape: keyed by the storage, ids as text, variant "0" for a main product.
    assert links[drill.pk] == {storage: {"product_id": str(shared.drill.pk), "variant_id": "0"}}
    assert links[red.pk] == {
        storage: {"product_id": str(shared.drill.pk), "variant_id": str(shared.drill_red.pk)}
    }
    assert links[saw.pk] == {storage: {"product_id": str(shared.saw.pk), "variant_id": "0"}}
    assert links[unlinked.pk] == {}
    # Nested variants keep the reference's variant shape; their links are read by their own id.
    data = bl_b.ok("getInventoryProductsData", {"inventory_id": inventory_b.pk, "products": [drill.pk]})
    assert "links" not in data["products"][str(drill.pk)]["variants"][str(red.pk)]


def test_a_link_shows_only_while_the_contractor_may_see_its_product(
    bl_b, account_a, account_b, inventory_b, shared, storage
):
    _import(shared, account_b, inventory_b)
    drill, saw = _mine(account_b, "DRILL-1"), _mine(account_b, "SAW-1")

    link_update(shared, range_mode="categories", range_categories=[shared.garden])
    assert _links(bl_b, inventory_b, drill, saw) == {
        drill.pk: {},  # outside B's range now
        saw.pk: {storage: {"product_id": str(shared.saw.pk), "variant_id": "0"}},
    }

    services.contractor_set_state(actor=owner_tenant(account_a), link=shared.link, state="blocked")
    assert _links(bl_b, inventory_b, drill, saw) == {drill.pk: {}, saw.pk: {}}


def test_products_data_reads_links_in_a_fixed_number_of_queries(bl_b, account_b, inventory_b, shared):
    _import(shared, account_b, inventory_b)
    for n in range(20):
        make_product(account_b, inventory_b, sku=f"OWN-{n}", name=f"Own {n}")
    every = list(Product.objects.filter(account=account_b).order_by("pk").values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as one:
        bl_b.ok("getInventoryProductsData", {"inventory_id": inventory_b.pk, "products": every[:1]})
    with CaptureQueriesContext(connection) as many:
        body = bl_b.ok("getInventoryProductsData", {"inventory_id": inventory_b.pk, "products": every})

    assert len(body["products"]) == len(every)
    assert sum(1 for product in body["products"].values() if product["links"]) == 5
    assert len(many.captured_queries) <= len(one.captured_queries) + 3


# -- links in addInventoryProduct -----------------------------------------------------------------------


def test_add_inventory_product_links_replaces_and_removes_the_link(
    bl_b, account_b, inventory_b, shared, storage
):
    target = Warehouse.objects.create(account=account_b, name="Supplier stock")
    services.contractor_update(
        actor=owner_tenant(account_b),
        integration=shared.contractor_integration,
        stock_sync=True,
        warehouse=target,
    )

    created = bl_b.ok(
        "addInventoryProduct",
        {
            "inventory_id": inventory_b.pk,
            "sku": "MY-DRILL",
            "text_fields": {"name": "My drill"},
            "links": {storage: {"product_id": shared.drill.pk, "variant_id": 0}},
        },
    )
    mine = Product.objects.get(account=account_b, pk=created["product_id"])
    assert created["warnings"] == {}
    link = ProductLink.objects.get(product=mine)
    assert (link.storage_id, link.external_product_id) == (shared.contractor_integration.pk, shared.drill.pk)
    # It follows the supplier's stock at once, as an imported product does (the contractor's settings).
    assert Stock.objects.get(product=mine, warehouse=target).quantity == 12
    assert _links(bl_b, inventory_b, mine)[mine.pk] == {
        storage: {"product_id": str(shared.drill.pk), "variant_id": "0"}
    }

    # A variant, named as BaseLinker names it: its main product and itself (ids as text too).
    bl_b.ok(
        "addInventoryProduct",
        {
            "inventory_id": str(inventory_b.pk),
            "product_id": mine.pk,
            "links": {storage: {"product_id": str(shared.drill.pk), "variant_id": str(shared.drill_red.pk)}},
        },
    )
    assert ProductLink.objects.get(product=mine).external_product_id == shared.drill_red.pk
    assert Stock.objects.get(product=mine, warehouse=target).quantity == 5
    assert _links(bl_b, inventory_b, mine)[mine.pk] == {
        storage: {"product_id": str(shared.drill.pk), "variant_id": str(shared.drill_red.pk)}
    }

    # Links to other storages are not kept here; ids 0 remove the link (the product stays).
    body = bl_b.ok(
        "addInventoryProduct",
        {
            "inventory_id": inventory_b.pk,
            "product_id": mine.pk,
            "links": {"shop_2445": {"product_id": 8, "variant_id": 0}, storage: {"product_id": 0}},
        },
    )
    assert list(body["warnings"]) == ["links.shop_2445"]
    assert not ProductLink.objects.filter(product=mine).exists()
    assert _links(bl_b, inventory_b, mine)[mine.pk] == {}


def test_a_members_token_links_products(account_b, inventory_b, shared, storage):
    member = connector_for(account_b, role="member", name="member")
    mine = make_product(account_b, inventory_b, sku="MY-SAW", name="My saw")

    member.ok(
        "addInventoryProduct",
        {
            "inventory_id": inventory_b.pk,
            "product_id": mine.pk,
            "links": {storage: {"product_id": shared.saw.pk}},
        },
    )

    assert ProductLink.objects.get(product=mine).external_product_id == shared.saw.pk


def test_add_inventory_product_refuses_a_link_the_contractor_may_not_make_alike(
    bl_b, account_b, inventory_b, shared, storage
):
    link_update(shared, range_mode="categories", range_categories=[shared.garden])
    before = Product.objects.filter(account=account_b).count()

    def refused(link: dict, key: str = storage) -> dict:
        body = bl_b.error(
            "addInventoryProduct", {"inventory_id": inventory_b.pk, "sku": "NEW", "links": {key: link}}
        )
        assert body["error_code"] == "ERROR_INVALID_PARAMETERS", body
        return body

    missing = refused({"product_id": MISSING})
    assert f"links.{storage}.product_id" in missing["error_message"]
    for product in (shared.drill, shared.secret):  # outside B's range; in a catalog A does not share
        body = refused({"product_id": product.pk})
        assert _masked(body["error_message"], product.pk) == _masked(missing["error_message"], MISSING)
    # A variant named with a main product it does not belong to.
    wrong_parent = refused({"product_id": shared.saw.pk, "variant_id": shared.drill_red.pk})
    assert f"links.{storage}.variant_id" in wrong_parent["error_message"]

    # Storages B has none of: a missing id, another account's shared catalog.
    gamma, delta = AccountFactory(name="Gamma"), AccountFactory(name="Delta")
    _provider, theirs = connected_pair(delta, gamma)
    theirs_key = f"warehouse_{theirs.contractor_integration_id}"
    nowhere = refused({"product_id": shared.saw.pk}, key=f"warehouse_{MISSING}")
    foreign = refused({"product_id": shared.saw.pk}, key=theirs_key)
    assert f"links.warehouse_{MISSING}" in nowhere["error_message"]
    assert _masked(foreign["error_message"], theirs.contractor_integration_id) == _masked(
        nowhere["error_message"], MISSING
    )
    # Two shared catalogs for one product: a product has one link.
    body = bl_b.error(
        "addInventoryProduct",
        {
            "inventory_id": inventory_b.pk,
            "sku": "NEW",
            "links": {storage: {"product_id": shared.saw.pk}, theirs_key: {"product_id": 1}},
        },
    )
    assert body["error_code"] == "ERROR_INVALID_PARAMETERS" and "“links”" in body["error_message"]
    # Nothing was written: the product the calls would have made is not there.
    assert Product.objects.filter(account=account_b).count() == before
    assert not ProductLink.objects.filter(account=account_b).exists()


def test_one_supplier_product_links_to_one_own_product(bl_b, account_b, inventory_b, shared, storage):
    first = make_product(account_b, inventory_b, sku="SAW-A", name="Saw A")
    second = make_product(account_b, inventory_b, sku="SAW-B", name="Saw B")
    link = {storage: {"product_id": shared.saw.pk}}
    bl_b.ok("addInventoryProduct", {"inventory_id": inventory_b.pk, "product_id": first.pk, "links": link})

    body = bl_b.error(
        "addInventoryProduct", {"inventory_id": inventory_b.pk, "product_id": second.pk, "links": link}
    )

    assert body["error_code"] == "ERROR_INVALID_PARAMETERS" and "SAW-A" in body["error_message"]
    assert list(ProductLink.objects.filter(account=account_b).values_list("product_id", flat=True)) == [
        first.pk
    ]


# -- order lines from the shared catalog ----------------------------------------------------------------


def _order(bl_b, account_b, *lines) -> Order:
    status = account_b.order_statuses.first()
    body = bl_b.ok("addOrder", {"order_status_id": status.pk, "products": list(lines)})
    return Order.objects.get(account=account_b, pk=body["order_id"])


def test_add_order_takes_lines_from_the_shared_catalog(bl_b, account_b, inventory_b, shared, storage):
    _import(shared, account_b, inventory_b)
    my_saw = _mine(account_b, "SAW-1")
    Stock.objects.filter(product=my_saw).update(quantity=7)
    ProductLink.objects.filter(product=_mine(account_b, "DRILL-1-RED")).delete()  # no own copy of it

    order = _order(
        bl_b,
        account_b,
        {
            "storage": "warehouse",
            "storage_id": storage,
            "product_id": shared.saw.pk,
            "price_brutto": 25,
            "quantity": 2,
        },
        {
            "storage": "warehouse",
            "storage_id": shared.contractor_integration.pk,  # the bare id works too
            "product_id": str(shared.drill.pk),
            "variant_id": str(shared.drill_red.pk),
            "quantity": 1,
        },
    )

    saw_line, red_line = order.lines.order_by("pk")
    # As the order form keeps them: the supplier's product as the line's reference, the own linked
    # product (if any) taking the stock, names and codes from the supplier's product.
    assert (saw_line.storage, saw_line.storage_id, saw_line.external_product_id) == (
        "connect",
        shared.contractor_integration.pk,
        shared.saw.pk,
    )
    assert (saw_line.product, saw_line.name, saw_line.sku, saw_line.price_brutto) == (
        my_saw,
        "Garden saw",
        "SAW-1",
        Decimal("25.00"),
    )
    assert Stock.objects.filter(product=my_saw).values_list("quantity", flat=True).get() == 5
    assert (red_line.product, red_line.external_product_id, red_line.name, red_line.sku) == (
        None,
        shared.drill_red.pk,
        "Cordless drill red",
        "DRILL-1-RED",
    )


def test_add_order_product_takes_a_line_from_the_shared_catalog(bl_b, account_b, shared, storage):
    order = _order(bl_b, account_b, {"name": "Gift wrap", "quantity": 1})

    body = bl_b.ok(
        "addOrderProduct",
        {"order_id": order.pk, "storage": "warehouse", "storage_id": storage, "product_id": shared.kit.pk},
    )

    line = OrderLine.objects.get(order=order, pk=body["order_product_id"])
    assert (line.storage, line.external_product_id, line.name) == ("connect", shared.kit.pk, "Garden kit")


def test_get_orders_names_shared_lines_as_they_were_given(bl_b, account_b, shared, storage):
    given = [
        {"storage": "warehouse", "storage_id": storage, "product_id": str(shared.saw.pk), "quantity": 1},
        {
            "storage": "warehouse",
            "storage_id": storage,
            "product_id": str(shared.drill.pk),
            "variant_id": str(shared.drill_red.pk),
            "quantity": 1,
        },
        {"name": "Free line", "quantity": 1},
    ]
    order = _order(bl_b, account_b, *given)
    # A line picked on the order page (the same picker the web form uses) reads the same.
    picked = external_get(
        account=account_b,
        storage="connect",
        storage_id=shared.contractor_integration.pk,
        external_product_id=shared.drill_blue.pk,
    )
    web = order_create(
        account=account_b,
        lines=[{"external": picked, "quantity": 1, "price_brutto": Decimal("100")}],
        confirmed=True,
        origin=TEST_ORIGIN,
    )

    orders = {o["order_id"]: o for o in bl_b.ok("getOrders", {"id_from": order.pk})["orders"]}

    lines = orders[order.pk]["products"]
    for line in lines:
        assert_shape(line, ORDER_LINE, exact=True)
    named = [(line["storage"], line["storage_id"], line["product_id"], line["variant_id"]) for line in lines]
    integration = shared.contractor_integration.pk
    assert named == [
        ("warehouse", integration, str(shared.saw.pk), "0"),
        ("warehouse", integration, str(shared.drill.pk), str(shared.drill_red.pk)),
        ("db", 0, "", "0"),
    ]
    (web_line,) = orders[web.pk]["products"]
    assert (web_line["storage"], web_line["product_id"], web_line["variant_id"]) == (
        "warehouse",
        str(shared.drill.pk),
        str(shared.drill_blue.pk),
    )
    # What getOrders says can be sent back as it is: the same line again.
    echoed = {k: lines[1][k] for k in ("storage", "storage_id", "product_id", "variant_id")}
    again = _order(bl_b, account_b, echoed)
    assert again.lines.get().external_product_id == shared.drill_red.pk


def test_shared_lines_the_contractor_may_not_order_answer_as_missing(bl_b, account_b, shared, storage):
    link_update(shared, range_mode="categories", range_categories=[shared.garden])
    status = account_b.order_statuses.first()

    def refused(line: dict) -> dict:
        return bl_b.error("addOrder", {"order_status_id": status.pk, "products": [line]})

    base = {"storage": "warehouse", "storage_id": storage, "quantity": 1}
    missing = refused({**base, "product_id": MISSING})
    assert missing["error_code"] == "ERROR_PRODUCT_NOT_FOUND"
    for product in (shared.drill, shared.secret):  # outside B's range; in a catalog A does not share
        body = refused({**base, "product_id": product.pk})
        assert (body["error_code"], _masked(body["error_message"], product.pk)) == (
            "ERROR_PRODUCT_NOT_FOUND",
            _masked(missing["error_message"], MISSING),
        )
    wrong_parent = refused({**base, "product_id": shared.kit.pk, "variant_id": shared.drill_red.pk})
    assert wrong_parent["error_code"] == "ERROR_PRODUCT_NOT_FOUND"

    gamma, delta = AccountFactory(name="Gamma"), AccountFactory(name="Delta")
    _provider, theirs = connected_pair(delta, gamma)
    nowhere = refused({**base, "storage_id": f"warehouse_{MISSING}", "product_id": shared.saw.pk})
    foreign = refused(
        {**base, "storage_id": f"warehouse_{theirs.contractor_integration_id}", "product_id": 1}
    )
    assert nowhere["error_code"] == foreign["error_code"] == "ERROR_STORAGE_NOT_FOUND"
    assert _masked(foreign["error_message"], theirs.contractor_integration_id) == _masked(
        nowhere["error_message"], MISSING
    )
    unnamed = refused({**base, "storage_id": "", "product_id": shared.saw.pk})
    assert (
        unnamed["error_code"] == "ERROR_INVALID_PARAMETERS"
        and "products[0].storage_id" in unnamed["error_message"]
    )
    assert not Order.objects.filter(account=account_b).exists()


@pytest.mark.parametrize("close", ["block", "disconnect"])
def test_a_closed_link_closes_the_storage_for_orders_and_links(
    bl_b, account_a, account_b, inventory_b, shared, storage, close
):
    if close == "block":
        services.contractor_set_state(actor=owner_tenant(account_a), link=shared.link, state="blocked")
    else:
        services.integration_disconnect(
            actor=owner_tenant(account_b), integration=shared.contractor_integration
        )
    status = account_b.order_statuses.first()

    body = bl_b.error(
        "addOrder",
        {
            "order_status_id": status.pk,
            "products": [{"storage": "warehouse", "storage_id": storage, "product_id": shared.saw.pk}],
        },
    )
    assert body["error_code"] == "ERROR_STORAGE_NOT_FOUND"
    body = bl_b.error(
        "addInventoryProduct",
        {"inventory_id": inventory_b.pk, "sku": "X", "links": {storage: {"product_id": shared.saw.pk}}},
    )
    assert body["error_code"] == "ERROR_INVALID_PARAMETERS" and f"links.{storage}" in body["error_message"]
