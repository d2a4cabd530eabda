"""Web pages of the connect app (under /connect/)."""

from django.urls import path

from connect import views, views_catalog

app_name = "connect"

urlpatterns = [
    path("", views.IntegrationListView.as_view(), name="integration-list"),
    # Provider side: "I want to generate a connection code".
    path("provider/new/", views.ProviderCreateView.as_view(), name="provider-create"),
    path("provider/<int:pk>/", views.ProviderDetailView.as_view(), name="provider-detail"),
    path("provider/<int:pk>/regenerate/", views.ProviderRegenerateView.as_view(), name="provider-regenerate"),
    path("provider/<int:pk>/delete/", views.ProviderDeleteView.as_view(), name="provider-delete"),
    path("provider/<int:pk>/statuses/", views.ProviderStatusesView.as_view(), name="provider-statuses"),
    path("provider/<int:pk>/publish/", views.ProviderPublishView.as_view(), name="provider-publish"),
    path("provider/<int:pk>/contractors/", views.ContractorListView.as_view(), name="provider-contractors"),
    path(
        "provider/<int:pk>/requests/<int:request_pk>/answer/",
        views.RequestAnswerView.as_view(),
        name="request-answer",
    ),
    path(
        "provider/<int:pk>/contractors/<int:link_pk>/",
        views.ContractorEditView.as_view(),
        name="contractor-edit",
    ),
    path(
        "provider/<int:pk>/contractors/<int:link_pk>/state/",
        views.ContractorStateView.as_view(),
        name="contractor-state",
    ),
    path(
        "provider/<int:pk>/contractors/<int:link_pk>/credit/",
        views.ContractorCreditView.as_view(),
        name="contractor-credit",
    ),
    path(
        "provider/<int:pk>/contractors/<int:link_pk>/payment/",
        views.ContractorPaymentView.as_view(),
        name="contractor-payment",
    ),
    path(
        "provider/<int:pk>/contractors/<int:link_pk>/adjust/",
        views.ContractorAdjustView.as_view(),
        name="contractor-adjust",
    ),
    # The Connect state on an order's card (polled while a forwarding button's action runs).
    path("orders/<int:pk>/forward/", views.OrderForwardStateView.as_view(), name="order-forward-state"),
    # Contractor side: "I have a connection code".
    path("join/", views.JoinView.as_view(), name="join"),
    path("supplier/<int:pk>/", views.SupplierTabView.as_view(), name="supplier-detail"),
    path("supplier/<int:pk>/statuses/", views.SupplierStatusesView.as_view(), name="supplier-statuses"),
    path("supplier/<int:pk>/disconnect/", views.SupplierDisconnectView.as_view(), name="supplier-disconnect"),
    path("supplier/<int:pk>/resync/", views.SupplierResyncView.as_view(), name="supplier-resync"),
    path("supplier/<int:pk>/request/", views.SupplierRequestView.as_view(), name="supplier-request"),
    path(
        "supplier/<int:pk>/<slug:tab>/",
        views.SupplierTabView.as_view(),
        name="supplier-tab",
    ),
    # The shared catalog (read-only) and imports from it.
    path("catalog/<int:pk>/", views_catalog.SharedCatalogView.as_view(), name="shared-catalog"),
    path(
        "catalog/<int:pk>/<int:product_pk>/",
        views_catalog.SharedProductView.as_view(),
        name="shared-product",
    ),
    path("imports/", views_catalog.ConnectImportListView.as_view(), name="import-list"),
    path("imports/new/", views_catalog.ConnectImportCreateView.as_view(), name="import-create"),
    path("imports/<int:pk>/", views_catalog.ConnectImportDetailView.as_view(), name="import-detail"),
    # The public partner directory (Integrations → Publications).
    path("directory/", views.DirectoryListView.as_view(), name="directory-list"),
    path("directory/<int:pk>/", views.DirectoryDetailView.as_view(), name="directory-detail"),
    path("directory/<int:pk>/logo/", views.DirectoryLogoView.as_view(), name="directory-logo"),
    path("directory/<int:pk>/message/", views.DirectoryMessageView.as_view(), name="directory-message"),
    path("directory/<int:pk>/connect/", views.DirectoryConnectView.as_view(), name="directory-connect"),
    path("directory/<int:pk>/products/", views.DirectoryProductsView.as_view(), name="directory-products"),
    path(
        "directory/<int:pk>/products/<int:product_pk>/",
        views.DirectoryProductView.as_view(),
        name="directory-product",
    ),
]
