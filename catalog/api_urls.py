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
