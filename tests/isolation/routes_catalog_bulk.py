"""Isolation cases of the catalog's bulk paths: stock/price batches, CSV batches, import jobs, export."""

from decimal import Decimal

from catalog.models import ImportJob, Inventory, Price, Product, Stock
from tests.isolation.framework import RouteCase, Setup


def _stocked_product_of_a(account_a) -> Setup:
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    product = Product.objects.create(account=account_a, inventory=inventory, sku="ALPHA-BULK-SKU")
    Stock.objects.create(product=product, warehouse=inventory.default_warehouse, quantity=7)
    Price.objects.create(product=product, price_group=inventory.default_price_group, amount=Decimal("3.50"))

    def unchanged():
        assert Stock.objects.get(product=product).quantity == 7
        assert Price.objects.get(product=product).amount == Decimal("3.50")

    return Setup(
        kwargs={
            "product": product.pk,
            "inventory": inventory.pk,
            "warehouse": inventory.default_warehouse_id,
            "price_group": inventory.default_price_group_id,
        },
        marker="ALPHA-BULK-SKU",
        unchanged=unchanged,
    )


def _stock_items(setup: Setup) -> dict:
    k = setup.kwargs
    return {
        "items": [
            {"product_id": k["product"], "warehouse_id": k["warehouse"], "quantity": 1},
            {
                "sku": "ALPHA-BULK-SKU",
                "inventory_id": k["inventory"],
                "warehouse_id": k["warehouse"],
                "quantity": 1,
            },
        ]
    }


def _price_items(setup: Setup) -> dict:
    k = setup.kwargs
    return {
        "items": [
            {"product_id": k["product"], "price_group_id": k["price_group"], "amount": "0.01"},
            {
                "sku": "ALPHA-BULK-SKU",
                "inventory_id": k["inventory"],
                "price_group_id": k["price_group"],
                "amount": "1",
            },
        ]
    }


def _import_job_of_a(account_a) -> Setup:
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    job = ImportJob(
        account=account_a,
        inventory=inventory,
        file_name="alpha-secret-import.csv",
        status=ImportJob.Status.DONE,
        errors=[[2, "sku", "ALPHA-ROW-PROBLEM"]],
        error_count=1,
    )
    job.file.name = "imports/alpha.csv"  # never read by these requests; no file is written
    job.save()

    def unchanged():
        assert ImportJob.objects.filter(pk=job.pk, file_name="alpha-secret-import.csv").exists()

    return Setup(kwargs={"pk": job.pk}, marker="alpha-secret-import.csv", unchanged=unchanged)


def _export_of_a(account_a) -> Setup:
    setup = _stocked_product_of_a(account_a)
    return Setup(marker="ALPHA-BULK-SKU", unchanged=setup.unchanged)


def _inventory_of_a(account_a) -> Setup:
    Inventory.objects.filter(account=account_a, is_default=True).update(name="Alpha import target")
    return Setup(marker="Alpha import target")


CASES = [
    RouteCase(
        "api:stock-bulk",
        "refs",
        setup=_stocked_product_of_a,
        payload=_stock_items,
    ),
    RouteCase(
        "api:stock-bulk-file",
        "refs",
        setup=_stocked_product_of_a,
        payload=_stock_items,
    ),
    RouteCase(
        "api:price-bulk",
        "refs",
        setup=_stocked_product_of_a,
        payload=_price_items,
    ),
    RouteCase(
        "api:price-bulk-file",
        "refs",
        setup=_stocked_product_of_a,
        payload=_price_items,
    ),
    RouteCase("api:importjob-list", "list", setup=_import_job_of_a),
    RouteCase("api:importjob-detail", "detail", setup=_import_job_of_a),
    RouteCase("catalog:import-list", "list", setup=_import_job_of_a),
    RouteCase("catalog:import-create", "list", setup=_inventory_of_a),
    RouteCase("catalog:import-detail", "detail", setup=_import_job_of_a),
    RouteCase("catalog:import-progress", "detail", setup=_import_job_of_a),
    # The streamed CSV is read whole for the marker check.
    RouteCase("catalog:product-export", "list", setup=_export_of_a),
]
