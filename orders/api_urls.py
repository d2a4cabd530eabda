"""REST API routes of the orders app (mounted under /api/v1/, namespace "api")."""

from rest_framework.routers import SimpleRouter

from orders import api

router = SimpleRouter()
router.register("orders", api.OrderViewSet, basename="order")
router.register("order-statuses", api.OrderStatusViewSet, basename="orderstatus")
router.register("journal", api.JournalViewSet, basename="journal")
router.register("order-lines", api.OrderLineViewSet, basename="orderline")
router.register("order-sources", api.OrderSourceViewSet, basename="ordersource")
router.register("order-extra-fields", api.OrderExtraFieldViewSet, basename="orderextrafield")
router.register("order-buttons", api.CustomButtonViewSet, basename="orderbutton")
router.register("automation-rules", api.AutomationRuleViewSet, basename="automationrule")

urlpatterns = router.urls
