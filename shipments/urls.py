"""Web pages of the shipments app."""

app_name = "shipments"

urlpatterns: list = []
