"""Web pages of the connect app."""

app_name = "connect"

urlpatterns: list = []
