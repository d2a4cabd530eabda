"""REST API routes of the catalog app (mounted under /api/v1/, namespace "api")."""

from rest_framework.routers import SimpleRouter

from catalog import api

router = SimpleRouter()
router.register("warehouses", api.WarehouseViewSet, basename="warehouse")
router.register("price-groups", api.PriceGroupViewSet, basename="pricegroup")
router.register("inventories", api.InventoryViewSet, basename="inventory")
router.register("products", api.ProductViewSet, basename="product")
router.register("manufacturers", api.ManufacturerViewSet, basename="manufacturer")
router.register("tags", api.TagViewSet, basename="tag")
router.register("extra-fields", api.ExtraFieldViewSet, basename="extrafield")
router.register("categories", api.CategoryViewSet, basename="category")

urlpatterns = router.urls

# Bulk paths: stock and price batches, CSV batches, CSV import jobs.
from catalog import api_bulk  # noqa: E402

bulk_router = SimpleRouter()
bulk_router.register("stock", api_bulk.StockBulkViewSet, basename="stock")
bulk_router.register("prices", api_bulk.PriceBulkViewSet, basename="price")
bulk_router.register("imports", api_bulk.ImportJobViewSet, basename="importjob")
urlpatterns += bulk_router.urls
