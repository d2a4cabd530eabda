"""/connector.php (BaseLinker's API): account B's token naming account A's ids, on every method; the
suite also checks that no table changed around B's calls."""

from decimal import Decimal

from blconnector.shared_catalogs import SHARED_INVENTORY_BASE
from catalog.models import Inventory
from catalog.services import (
    category_save,
    inventory_save,
    manufacturer_save,
    price_group_save,
    product_write,
    warehouse_save,
)
from connect import services as connect_services
from connect.models import ContractorLink, CreditEntry, ForwardedOrder
from orders.services import order_create
from shipments.services import package_create
from tests.actors import admin_of
from tests.factories.accounts import AccountFactory
from tests.factories.connect import connected_pair, contractor_join, owner_tenant, provider_create
from tests.isolation.framework import RouteCase, RpcCall, Setup
from tests.isolation.routes_connect import _partner_of
from tests.origins import TEST_ORIGIN

MARKER = "Alpha secret"


def _account_a_world(account_a) -> Setup:
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    extra_inventory = inventory_save(actor=admin_of(account_a), name=f"{MARKER} catalog")
    warehouse = warehouse_save(actor=admin_of(account_a), name=f"{MARKER} warehouse")
    group = price_group_save(actor=admin_of(account_a), name=f"{MARKER} prices")
    category = category_save(actor=admin_of(account_a), inventory=inventory.pk, name=f"{MARKER} category")
    manufacturer = manufacturer_save(actor=admin_of(account_a), name=f"{MARKER} maker")
    product = product_write(
        origin=TEST_ORIGIN,
        actor=admin_of(account_a),
        inventory=inventory,
        fields={"sku": "ALPHA-SECRET"},
        texts={inventory.default_language: {"name": f"{MARKER} product"}},
        stock={inventory.default_warehouse_id: 10},
        prices={inventory.default_price_group_id: Decimal("9.99")},
    )
    variant = product_write(
        origin=TEST_ORIGIN,
        actor=admin_of(account_a),
        inventory=inventory,
        fields={"parent": product.pk, "sku": "ALPHA-V"},
    )
    order = order_create(
        account=account_a,
        lines=[{"product": product, "quantity": 1, "price_brutto": Decimal("9.99")}],
        confirmed=True,
        delivery_fullname=f"{MARKER} recipient",
        email="alpha-secret@example.test",
        phone="+48111222333",
        origin=TEST_ORIGIN,
    )
    package = package_create(order=order, courier_code="hurtlink", origin=TEST_ORIGIN)
    connect_ids, unchanged = _connect_world(account_a, order)
    ids = {
        **connect_ids,
        "order": order.pk,
        "line": order.lines.get().pk,
        "status": account_a.order_statuses.order_by("position")[1].pk,
        "source": order.source_id,
        "inventory": inventory.pk,
        "extra_inventory": extra_inventory.pk,
        "warehouse": warehouse.pk,
        "price_group": group.pk,
        "category": category.pk,
        "manufacturer": manufacturer.pk,
        "product": product.pk,
        "variant": variant.pk,
        "package": package.pk,
        "package_number": package.courier_package_nr,
    }
    return Setup(kwargs=ids, marker=MARKER, unchanged=unchanged)


def _connect_world(account_a, order):
    """A provides to a contractor with trade credit (whose order was forwarded to A's ``order``) and to
    B; A is itself the contractor of a third account's integration, which shares a product with A (A's
    shared catalog: an inventory and an external storage of A's through the API, never B's)."""
    owner = owner_tenant(account_a)
    integration, code = provider_create(account_a, name=f"{MARKER} integration")
    gamma = AccountFactory(name="Gamma Retail")
    link = contractor_join(gamma, code, name="Gamma's supplier")
    link = connect_services.contractor_link_update(actor=owner, link=link, name=f"{MARKER} contractor")
    connect_services.credit_settings_update(
        actor=owner, link=link, credit_limit=Decimal("100"), credit_currency="PLN"
    )
    connect_services.credit_charge(
        link=link, amount=Decimal("40"), currency="PLN", description=f"{MARKER} charge"
    )
    b_link = contractor_join(_partner_of(account_a), code, name="Beta's supplier")
    gamma_order = order_create(
        account=gamma,
        lines=[{"name": "Mug", "quantity": 1, "price_brutto": Decimal("1")}],
        origin=TEST_ORIGIN,
    )
    ForwardedOrder.objects.create(
        link=link,
        contractor_account=gamma,
        provider_account=account_a,
        contractor_order=gamma_order,
        provider_order=order,
    )
    delta = AccountFactory(name="Delta Distribution")
    delta_inventory = Inventory.objects.get(account=delta, is_default=True)
    supplied = product_write(
        origin=TEST_ORIGIN,
        actor=admin_of(delta),
        inventory=delta_inventory,
        fields={"sku": "DELTA-1"},
        texts={delta_inventory.default_language: {"name": f"{MARKER} supplied product"}},
        stock={delta_inventory.default_warehouse_id: 4},
        prices={delta_inventory.default_price_group_id: Decimal("3.50")},
    )
    _delta, supplier_link = connected_pair(delta, account_a)

    def unchanged():
        row = ContractorLink.objects.get(pk=link.pk)
        assert row.credit_limit == Decimal("100.00") and row.state == "active"
        assert CreditEntry.objects.filter(link=row).count() == 1

    ids = {
        "connect_integration": integration.pk,
        "connect_joined_integration": supplier_link.contractor_integration_id,
        "connect_contractor": link.pk,
        "connect_b_link": b_link.pk,
        # A's shared catalog of Delta's: its inventory id, and the product it shows A.
        "connect_shared_inventory": SHARED_INVENTORY_BASE + supplier_link.contractor_integration_id,
        "connect_supplied_product": supplied.pk,
    }
    return ids, unchanged


def _own_ids(account_b) -> dict:
    inventory = Inventory.objects.get(account=account_b, is_default=True)
    return {
        "own_inventory": inventory.pk,
        "own_warehouse": inventory.default_warehouse_id,
        "own_status": account_b.order_statuses.order_by("position").first().pk,
    }


def _line(ids) -> dict:
    return {"product_id": ids["product"], "quantity": 1}


def _storage(ids) -> str:
    """A's Connect shared catalog as an external storage."""
    return f"warehouse_{ids['connect_joined_integration']}"


def _shared(ids) -> dict:
    """A's Connect shared catalog as an inventory."""
    return {"inventory_id": ids["connect_shared_inventory"]}


CALLS = (
    # orders
    RpcCall("getOrders", lambda ids: {"order_id": ids["order"]}),
    RpcCall("getOrders", lambda ids: {"status_id": ids["status"], "get_unconfirmed_orders": True}),
    RpcCall(
        "getOrders", lambda ids: {"filter_order_source": "personal", "filter_order_source_id": ids["source"]}
    ),
    RpcCall("getOrdersByEmail", lambda ids: {"email": "alpha-secret@example.test"}),
    RpcCall("getOrdersByPhone", lambda ids: {"phone": "+48111222333"}),
    RpcCall("addOrder", lambda ids: {"order_status_id": ids["status"], "products": [_line(ids)]}),
    RpcCall("addOrder", lambda ids: {"order_status_id": ids["own_status"], "products": [_line(ids)]}),
    RpcCall(
        "addOrder",
        lambda ids: {
            "order_status_id": ids["own_status"],
            "custom_source_id": ids["source"],
            "products": [{"name": "x"}],
        },
    ),
    RpcCall(
        "addOrder",
        lambda ids: {
            "order_status_id": ids["own_status"],
            "products": [{"product_id": ids["product"], "variant_id": ids["variant"]}],
        },
    ),
    RpcCall("setOrderFields", lambda ids: {"order_id": ids["order"], "admin_comments": "B was here"}),
    RpcCall("setOrderStatus", lambda ids: {"order_id": ids["order"], "status_id": ids["status"]}),
    RpcCall("setOrderStatus", lambda ids: {"order_id": ids["order"], "status_id": ids["own_status"]}),
    RpcCall("setOrderStatuses", lambda ids: {"order_ids": [ids["order"]], "status_id": ids["own_status"]}),
    RpcCall("setOrderStatuses", lambda ids: {"order_ids": [ids["order"]], "status_id": ids["status"]}),
    RpcCall("addOrderProduct", lambda ids: {"order_id": ids["order"], "name": "x"}),
    RpcCall(
        "setOrderProductFields",
        lambda ids: {"order_id": ids["order"], "order_product_id": ids["line"], "quantity": 5},
    ),
    RpcCall("deleteOrderProduct", lambda ids: {"order_id": ids["order"], "order_product_id": ids["line"]}),
    RpcCall("setOrderPayment", lambda ids: {"order_id": ids["order"], "payment_done": 1}),
    RpcCall("getOrderStatusList"),
    RpcCall("getOrderSources"),
    RpcCall("getOrderExtraFields", lambda ids: {"order_id": ids["order"]}),
    RpcCall("getJournalList", lambda ids: {"order_id": ids["order"]}),
    RpcCall("getJournalList", lambda ids: {"last_log_id": 0}),
    RpcCall("getOrderPaymentsHistory", lambda ids: {"order_id": ids["order"]}),
    # catalog
    RpcCall("getInventories"),
    RpcCall("addInventory", lambda ids: {"inventory_id": ids["extra_inventory"], "name": "B"}),
    RpcCall("addInventory", lambda ids: {"name": "B catalog", "warehouses": [f"bl_{ids['warehouse']}"]}),
    RpcCall("addInventory", lambda ids: {"name": "B catalog", "price_groups": [ids["price_group"]]}),
    RpcCall("deleteInventory", lambda ids: {"inventory_id": ids["extra_inventory"]}),
    RpcCall("getInventoryWarehouses", lambda ids: {"inventory_id": ids["inventory"]}),
    RpcCall("addInventoryWarehouse", lambda ids: {"warehouse_id": f"bl_{ids['warehouse']}", "name": "B"}),
    RpcCall("deleteInventoryWarehouse", lambda ids: {"warehouse_id": ids["warehouse"]}),
    RpcCall("getInventoryPriceGroups"),
    RpcCall("addInventoryPriceGroup", lambda ids: {"price_group_id": ids["price_group"], "name": "B"}),
    RpcCall("deleteInventoryPriceGroup", lambda ids: {"price_group_id": ids["price_group"]}),
    RpcCall("getInventoryCategories", lambda ids: {"inventory_id": ids["inventory"]}),
    RpcCall("getInventoryCategories"),
    RpcCall("addInventoryCategory", lambda ids: {"category_id": ids["category"], "name": "B"}),
    RpcCall("addInventoryCategory", lambda ids: {"inventory_id": ids["inventory"], "name": "B"}),
    RpcCall("addInventoryCategory", lambda ids: {"parent_id": ids["category"], "name": "B"}),
    RpcCall("deleteInventoryCategory", lambda ids: {"category_id": ids["category"]}),
    RpcCall("getInventoryTags"),
    RpcCall("getInventoryManufacturers"),
    RpcCall("addInventoryManufacturer", lambda ids: {"manufacturer_id": ids["manufacturer"], "name": "B"}),
    RpcCall("deleteInventoryManufacturer", lambda ids: {"manufacturer_id": ids["manufacturer"]}),
    RpcCall("getInventoryExtraFields"),
    RpcCall("getInventoryProductsList", lambda ids: {"inventory_id": ids["inventory"]}),
    RpcCall(
        "getInventoryProductsList",
        lambda ids: {"inventory_id": ids["own_inventory"], "filter_id": ids["product"]},
    ),
    RpcCall(
        "getInventoryProductsData",
        lambda ids: {"inventory_id": ids["inventory"], "products": [ids["product"]]},
    ),
    RpcCall(
        "getInventoryProductsData",
        lambda ids: {"inventory_id": ids["own_inventory"], "products": [ids["product"], ids["variant"]]},
    ),
    RpcCall("addInventoryProduct", lambda ids: {"inventory_id": ids["inventory"], "sku": "B"}),
    RpcCall(
        "addInventoryProduct",
        lambda ids: {"inventory_id": ids["own_inventory"], "product_id": ids["product"]},
    ),
    RpcCall(
        "addInventoryProduct", lambda ids: {"inventory_id": ids["own_inventory"], "parent_id": ids["product"]}
    ),
    RpcCall(
        "addInventoryProduct",
        lambda ids: {"inventory_id": ids["own_inventory"], "category_id": ids["category"]},
    ),
    RpcCall(
        "addInventoryProduct",
        lambda ids: {"inventory_id": ids["own_inventory"], "manufacturer_id": ids["manufacturer"]},
    ),
    RpcCall(
        "addInventoryProduct",
        lambda ids: {"inventory_id": ids["own_inventory"], "prices": {str(ids["price_group"]): 1}},
    ),
    RpcCall(
        "addInventoryProduct",
        lambda ids: {"inventory_id": ids["own_inventory"], "stock": {f"bl_{ids['warehouse']}": 1}},
    ),
    RpcCall(
        "addInventoryProduct",
        lambda ids: {
            "inventory_id": ids["own_inventory"],
            "is_bundle": True,
            "bundle_products": {str(ids["product"]): 1},
        },
    ),
    RpcCall("deleteInventoryProduct", lambda ids: {"product_id": ids["product"]}),
    RpcCall("getInventoryProductsStock", lambda ids: {"inventory_id": ids["inventory"]}),
    RpcCall("updateInventoryProductsStock", lambda ids: {"inventory_id": ids["inventory"], "products": {}}),
    RpcCall(
        "updateInventoryProductsStock",
        lambda ids: {
            "inventory_id": ids["own_inventory"],
            "products": {str(ids["product"]): {f"bl_{ids['own_warehouse']}": 1}},
        },
    ),
    RpcCall(
        "updateInventoryProductsStock",
        lambda ids: {
            "inventory_id": ids["own_inventory"],
            "products": {str(ids["variant"]): {f"bl_{ids['warehouse']}": 1}},
        },
    ),
    RpcCall("getInventoryProductsPrices", lambda ids: {"inventory_id": ids["inventory"]}),
    RpcCall("updateInventoryProductsPrices", lambda ids: {"inventory_id": ids["inventory"], "products": {}}),
    RpcCall(
        "updateInventoryProductsPrices",
        lambda ids: {"inventory_id": ids["own_inventory"], "products": {str(ids["product"]): {"1": 1}}},
    ),
    # couriers and packages
    RpcCall("getCouriersList"),
    RpcCall(
        "createPackageManual",
        lambda ids: {"order_id": ids["order"], "courier_code": "dpd", "package_number": "B1"},
    ),
    RpcCall("createPackage", lambda ids: {"order_id": ids["order"], "courier_code": "hurtlink"}),
    RpcCall("getOrderPackages", lambda ids: {"order_id": ids["order"]}),
    RpcCall("getLabel", lambda ids: {"courier_code": "hurtlink", "package_id": ids["package"]}),
    RpcCall("getLabel", lambda ids: {"package_number": ids["package_number"]}),
    RpcCall("getCourierPackagesStatusHistory", lambda ids: {"package_ids": [ids["package"]]}),
    # Connect: B is a contractor of A's integration, which makes none of A's rows B's.
    RpcCall("getOrders", lambda ids: {"order_id": ids["order"], "include_connect_data": True}),
    RpcCall("getConnectIntegrations"),
    RpcCall(
        "getConnectIntegrationContractors", lambda ids: {"connect_integration_id": ids["connect_integration"]}
    ),
    RpcCall(
        "getConnectIntegrationContractors",
        lambda ids: {"connect_integration_id": ids["connect_joined_integration"]},
    ),
    RpcCall(
        "getConnectContractorCreditHistory", lambda ids: {"connect_contractor_id": ids["connect_contractor"]}
    ),
    RpcCall(
        "getConnectContractorCreditHistory", lambda ids: {"connect_contractor_id": ids["connect_b_link"]}
    ),
    RpcCall(
        "setConnectContractorCreditLimit",
        lambda ids: {"connect_contractor_id": ids["connect_contractor"], "new_limit": 5, "message": "B"},
    ),
    RpcCall(
        "setConnectContractorCreditLimit",
        lambda ids: {"contractor_id": ids["connect_b_link"], "new_limit": 5},
    ),
    RpcCall(
        "addConnectContractorCreditSettlement",
        lambda ids: {"connect_contractor_id": ids["connect_contractor"], "amount": 1, "message": "B"},
    ),
    RpcCall(
        "addConnectContractorCreditSettlement",
        lambda ids: {"connect_contractor_id": ids["connect_b_link"], "amount": 1, "order_id": ids["order"]},
    ),
    # A's Connect shared catalog (Delta's products): read-only for A, unknown to B (B's own shared
    # catalog of A's is another id, not named here).
    RpcCall("getInventories"),
    RpcCall("getInventoryWarehouses"),
    RpcCall("getInventoryPriceGroups"),
    RpcCall("getInventoryProductsList", _shared),
    RpcCall(
        "getInventoryProductsList", lambda ids: {**_shared(ids), "filter_id": ids["connect_supplied_product"]}
    ),
    RpcCall(
        "getInventoryProductsData",
        lambda ids: {**_shared(ids), "products": [ids["connect_supplied_product"]]},
    ),
    RpcCall("getInventoryProductsStock", _shared),
    RpcCall("getInventoryProductsPrices", _shared),
    RpcCall("getInventoryCategories", _shared),
    RpcCall("addInventory", lambda ids: {**_shared(ids), "name": "B"}),
    RpcCall("deleteInventory", _shared),
    RpcCall("addInventoryCategory", lambda ids: {**_shared(ids), "name": "B"}),
    RpcCall(
        "addInventoryProduct", lambda ids: {**_shared(ids), "product_id": ids["connect_supplied_product"]}
    ),
    RpcCall(
        "deleteInventoryProduct", lambda ids: {**_shared(ids), "product_id": ids["connect_supplied_product"]}
    ),
    RpcCall(
        "updateInventoryProductsStock",
        lambda ids: {**_shared(ids), "products": {str(ids["connect_supplied_product"]): {_storage(ids): 1}}},
    ),
    RpcCall("updateInventoryProductsPrices", lambda ids: {**_shared(ids), "products": {}}),
    RpcCall(
        "addInventoryPriceGroup", lambda ids: {"price_group_id": ids["connect_shared_inventory"], "name": "B"}
    ),
    RpcCall("deleteInventoryPriceGroup", lambda ids: {"price_group_id": ids["connect_shared_inventory"]}),
    RpcCall("addInventoryWarehouse", lambda ids: {"warehouse_id": _storage(ids), "name": "B"}),
    RpcCall("deleteInventoryWarehouse", lambda ids: {"warehouse_id": _storage(ids)}),
    RpcCall("getExternalStoragesList"),
    RpcCall("getExternalStorageCategories", lambda ids: {"storage_id": _storage(ids)}),
    RpcCall("getExternalStorageProductsList", lambda ids: {"storage_id": _storage(ids)}),
    RpcCall(
        "getExternalStorageProductsList",
        lambda ids: {"storage_id": _storage(ids), "filter_id": ids["connect_supplied_product"]},
    ),
    RpcCall(
        "getExternalStorageProductsData",
        lambda ids: {"storage_id": _storage(ids), "products": [ids["connect_supplied_product"]]},
    ),
    RpcCall("getExternalStorageProductsQuantity", lambda ids: {"storage_id": _storage(ids)}),
    RpcCall("getExternalStorageProductsPrices", lambda ids: {"storage_id": _storage(ids)}),
    RpcCall(
        "updateExternalStorageProductsQuantity",
        lambda ids: {"storage_id": _storage(ids), "products": [[ids["connect_supplied_product"], 0, 1]]},
    ),
    # Using A's shared catalog: an order line from it, a link of one's own product to its product.
    RpcCall(
        "addOrder",
        lambda ids: {
            "order_status_id": ids["own_status"],
            "products": [
                {
                    "storage": "warehouse",
                    "storage_id": _storage(ids),
                    "product_id": ids["connect_supplied_product"],
                    "quantity": 1,
                }
            ],
        },
    ),
    RpcCall(
        "addInventoryProduct",
        lambda ids: {
            "inventory_id": ids["own_inventory"],
            "sku": "B-LINKED",
            "links": {_storage(ids): {"product_id": ids["connect_supplied_product"], "variant_id": 0}},
        },
    ),
)

CASES = [RouteCase("blconnector", "rpc", setup=_account_a_world, payload=_own_ids, calls=CALLS)]
