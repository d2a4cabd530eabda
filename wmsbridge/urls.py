"""Web pages of the wmsbridge app."""

app_name = "wmsbridge"

urlpatterns: list = []
