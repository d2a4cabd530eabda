"""Web pages of the orders app."""

from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.OrderListView.as_view(), name="order-list"),
    path("new/", views.OrderCreateView.as_view(), name="order-create"),
    path("bulk/", views.OrderBulkView.as_view(), name="order-bulk"),
    path("product-suggestions/", views.ProductSuggestView.as_view(), name="product-suggest"),
    path("<int:pk>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("<int:pk>/edit/", views.OrderEditView.as_view(), name="order-edit"),
    path("<int:pk>/<slug:action>/", views.OrderActionView.as_view(), name="order-action"),
    path("settings/rules/", views.RuleListView.as_view(), name="rule-list"),
    path("settings/rules/<int:pk>/", views.RuleListView.as_view(), name="rule-edit"),
    path("settings/rules/<int:pk>/delete/", views.RuleDeleteView.as_view(), name="rule-delete"),
    path("settings/<slug:kind>/", views.OrderSettingsView.as_view(), name="settings"),
    path("settings/<slug:kind>/<int:pk>/", views.OrderSettingsView.as_view(), name="settings-edit"),
    path(
        "settings/<slug:kind>/<int:pk>/delete/",
        views.OrderSettingsDeleteView.as_view(),
        name="settings-delete",
    ),
]
