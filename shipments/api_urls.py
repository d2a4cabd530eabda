"""REST API routes of the shipments app (mounted under /api/v1/, namespace "api")."""

from rest_framework.routers import SimpleRouter

from shipments import api

router = SimpleRouter()
router.register("packages", api.PackageViewSet, basename="package")
router.register("couriers", api.CourierViewSet, basename="courier")

urlpatterns = router.urls
