"""REST API routes of the connect app (mounted under /api/v1/, namespace "api")."""

from rest_framework.routers import SimpleRouter

from connect import api, api_forwarding

router = SimpleRouter()
router.register("connect/provider-integrations", api.ProviderIntegrationViewSet, basename="connect-provider")
router.register(
    "connect/contractor-integrations",
    api.ContractorIntegrationViewSet,
    basename="connect-contractor-integration",
)
router.register("connect/contractors", api.ContractorViewSet, basename="connect-contractor")
router.register("connect/status-mappings", api.StatusMappingViewSet, basename="connect-status-mapping")
router.register("connect/forwards", api_forwarding.ForwardViewSet, basename="connect-forward")

urlpatterns = router.urls
