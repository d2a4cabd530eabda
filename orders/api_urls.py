"""REST API routes of the orders app (mounted under /api/v1/, namespace "api")."""

from rest_framework.routers import SimpleRouter

from orders import api

router = SimpleRouter()
router.register("orders", api.OrderViewSet, basename="order")
router.register("order-statuses", api.OrderStatusViewSet, basename="orderstatus")
router.register("journal", api.JournalViewSet, basename="journal")

urlpatterns = router.urls
