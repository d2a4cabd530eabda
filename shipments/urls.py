"""Web pages of the shipments app."""

from django.urls import path

from shipments import views

app_name = "shipments"

urlpatterns = [
    path("", views.PackageListView.as_view(), name="package-list"),
    path("orders/<int:order_pk>/new/", views.PackageCreateView.as_view(), name="package-create"),
    path("packages/<int:pk>/", views.PackageDetailView.as_view(), name="package-detail"),
    path("packages/<int:pk>/label.pdf", views.PackageLabelView.as_view(), name="package-label"),
    path("packages/<int:pk>/events/", views.TrackingEventAddView.as_view(), name="package-event-add"),
    path("packages/<int:pk>/delete/", views.PackageDeleteView.as_view(), name="package-delete"),
    path("track/<str:number>/<str:key>/", views.tracking_page, name="tracking"),
]
