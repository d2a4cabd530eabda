"""REST API routes of the connect app (mounted under /api/v1/, namespace "api")."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from connect import api, api_catalog, api_forwarding

router = SimpleRouter()
router.register("connect/provider-integrations", api.ProviderIntegrationViewSet, basename="connect-provider")
router.register(
    "connect/contractor-integrations",
    api.ContractorIntegrationViewSet,
    basename="connect-contractor-integration",
)
router.register("connect/contractors", api.ContractorViewSet, basename="connect-contractor")
router.register("connect/status-mappings", api.StatusMappingViewSet, basename="connect-status-mapping")
router.register("connect/imports", api_catalog.ConnectImportViewSet, basename="connect-import")
router.register("connect/directory", api.DirectoryViewSet, basename="connect-directory")
router.register(
    "connect/connection-requests", api.ConnectionRequestViewSet, basename="connect-connection-request"
)
router.register("connect/forwards", api_forwarding.ForwardViewSet, basename="connect-forward")

urlpatterns = router.urls + [
    path(
        "connect/shared-catalogs/<int:integration_pk>/products/",
        api_catalog.SharedProductViewSet.as_view({"get": "list"}),
        name="connect-shared-product-list",
    ),
    path(
        "connect/shared-catalogs/<int:integration_pk>/products/<int:pk>/",
        api_catalog.SharedProductViewSet.as_view({"get": "retrieve"}),
        name="connect-shared-product-detail",
    ),
]
