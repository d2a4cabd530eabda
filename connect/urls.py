"""Web pages of the connect app (under /connect/)."""

from django.urls import URLPattern, path
from django.views import View

from connect import views, views_catalog

app_name = "connect"


def _under(prefix: str, *routes: tuple[str, type[View], str]) -> list[URLPattern]:
    """One page per ``(path after prefix, view, name)``, each a plain pattern ``prefix + path``."""
    return [path(prefix + rest, view.as_view(), name=name) for rest, view, name in routes]


urlpatterns = [
    path("", views.IntegrationListView.as_view(), name="integration-list"),
    # Provider side: "I want to generate a connection code".
    path("provider/new/", views.ProviderCreateView.as_view(), name="provider-create"),
    *_under(
        "provider/<int:pk>/",
        ("", views.ProviderDetailView, "provider-detail"),
        ("regenerate/", views.ProviderRegenerateView, "provider-regenerate"),
        ("delete/", views.ProviderDeleteView, "provider-delete"),
        ("statuses/", views.ProviderStatusesView, "provider-statuses"),
        ("publish/", views.ProviderPublishView, "provider-publish"),
        ("contractors/", views.ContractorListView, "provider-contractors"),
        ("requests/<int:request_pk>/answer/", views.RequestAnswerView, "request-answer"),
    ),
    *_under(
        "provider/<int:pk>/contractors/<int:link_pk>/",
        ("", views.ContractorEditView, "contractor-edit"),
        ("state/", views.ContractorStateView, "contractor-state"),
        ("credit/", views.ContractorCreditView, "contractor-credit"),
        ("payment/", views.ContractorPaymentView, "contractor-payment"),
        ("adjust/", views.ContractorAdjustView, "contractor-adjust"),
    ),
    # The Connect state on an order's card (polled while a forwarding button's action runs).
    path("orders/<int:pk>/forward/", views.OrderForwardStateView.as_view(), name="order-forward-state"),
    # Contractor side: "I have a connection code".
    path("join/", views.JoinView.as_view(), name="join"),
    *_under(
        "supplier/<int:pk>/",
        ("", views.SupplierTabView, "supplier-detail"),
        ("statuses/", views.SupplierStatusesView, "supplier-statuses"),
        ("disconnect/", views.SupplierDisconnectView, "supplier-disconnect"),
        ("resync/", views.SupplierResyncView, "supplier-resync"),
        ("request/", views.SupplierRequestView, "supplier-request"),
        # After the fixed ones: a tab's slug would match them too.
        ("<slug:tab>/", views.SupplierTabView, "supplier-tab"),
    ),
    # The shared catalog (read-only) and imports from it.
    *_under(
        "catalog/<int:pk>/",
        ("", views_catalog.SharedCatalogView, "shared-catalog"),
        ("<int:product_pk>/", views_catalog.SharedProductView, "shared-product"),
    ),
    *_under(
        "imports/",
        ("", views_catalog.ConnectImportListView, "import-list"),
        ("new/", views_catalog.ConnectImportCreateView, "import-create"),
        ("<int:pk>/", views_catalog.ConnectImportDetailView, "import-detail"),
    ),
    # The public partner directory (Integrations → Publications).
    *_under(
        "directory/",
        ("", views.DirectoryListView, "directory-list"),
        ("<int:pk>/", views.DirectoryDetailView, "directory-detail"),
        ("<int:pk>/logo/", views.DirectoryLogoView, "directory-logo"),
        ("<int:pk>/message/", views.DirectoryMessageView, "directory-message"),
        ("<int:pk>/connect/", views.DirectoryConnectView, "directory-connect"),
        ("<int:pk>/products/", views.DirectoryProductsView, "directory-products"),
        ("<int:pk>/products/<int:product_pk>/", views.DirectoryProductView, "directory-product"),
    ),
]
