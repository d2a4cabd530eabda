"""Web pages of the catalog's bulk paths, included by ``catalog/urls.py`` (namespace "catalog")."""

from django.urls import path

from catalog import views_import

urlpatterns = [
    path("imports/", views_import.ImportListView.as_view(), name="import-list"),
    path("imports/new/", views_import.ImportCreateView.as_view(), name="import-create"),
    path("imports/<int:pk>/", views_import.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/progress/", views_import.ImportProgressView.as_view(), name="import-progress"),
    path("export/", views_import.ProductExportView.as_view(), name="product-export"),
]
