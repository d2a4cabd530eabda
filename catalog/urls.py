"""Web pages of the catalog app."""

from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.ProductListView.as_view(), name="product-list"),
    path("new/", views.ProductFormView.as_view(), name="product-create"),
    path("bulk/", views.ProductBulkView.as_view(), name="product-bulk"),
    path("bulk/delete/", views.ProductBulkDeleteView.as_view(), name="product-bulk-delete"),
    path("<int:pk>/", views.ProductDetailView.as_view(), name="product-detail"),
    path("<int:pk>/edit/", views.ProductFormView.as_view(), name="product-edit"),
    path("<int:parent>/variants/new/", views.ProductFormView.as_view(), name="variant-create"),
    path("<int:pk>/delete/", views.ProductDeleteView.as_view(), name="product-delete"),
    path("<int:pk>/grid/<str:kind>/", views.ProductGridView.as_view(), name="product-grid"),
    path("<int:pk>/components/", views.ProductComponentView.as_view(), name="product-components"),
    path("<int:pk>/link/remove/", views.ProductLinkRemoveView.as_view(), name="product-link-remove"),
    path("catalogs/", views.InventoryListView.as_view(), name="inventory-list"),
    path("catalogs/<int:pk>/edit/", views.InventoryListView.as_view(), name="inventory-edit"),
    path("catalogs/<int:pk>/categories/", views.CategoryTreeView.as_view(), name="category-tree"),
    path("categories/<int:pk>/delete/", views.CategoryDeleteView.as_view(), name="category-delete"),
    path("settings/<slug:kind>/", views.DictionaryView.as_view(), name="dictionary"),
    path("settings/<slug:kind>/<int:pk>/", views.DictionaryView.as_view(), name="dictionary-edit"),
    path(
        "settings/<slug:kind>/<int:pk>/delete/",
        views.DictionaryDeleteView.as_view(),
        name="dictionary-delete",
    ),
]

# CSV import jobs and export (catalog/views_import.py).
from catalog.urls_import import urlpatterns as import_urlpatterns  # noqa: E402

urlpatterns += import_urlpatterns
