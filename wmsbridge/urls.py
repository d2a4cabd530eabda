"""Web pages of the wmsbridge app (under /wms/)."""

from django.urls import path

from wmsbridge import views

app_name = "wmsbridge"

urlpatterns = [
    path("", views.ConnectionListView.as_view(), name="connection-list"),
    path("connections/new/", views.ConnectionCreateView.as_view(), name="connection-create"),
    path("connections/<int:pk>/", views.ConnectionDetailView.as_view(), name="connection-detail"),
    path("connections/<int:pk>/edit/", views.ConnectionEditView.as_view(), name="connection-edit"),
    path("connections/<int:pk>/runs/", views.ConnectionRunsView.as_view(), name="connection-runs"),
    path("connections/<int:pk>/test/", views.ConnectionTestView.as_view(), name="connection-test"),
    path("connections/<int:pk>/sync/", views.ConnectionSyncView.as_view(), name="connection-sync"),
    path("connections/<int:pk>/resume/", views.ConnectionResumeView.as_view(), name="connection-resume"),
    path("connections/<int:pk>/delete/", views.ConnectionDeleteView.as_view(), name="connection-delete"),
    path("webhooks/<str:secret>/", views.webhook, name="webhook"),
]
