"""REST API routes of the wmsbridge app (mounted under /api/v1/, namespace "api")."""

from rest_framework.routers import SimpleRouter

from wmsbridge import api

router = SimpleRouter()
router.register("wms-connections", api.ConnectionViewSet, basename="wmsconnection")
router.register("wms-sync-runs", api.SyncRunViewSet, basename="wmssyncrun")

urlpatterns = router.urls
