"""``/api/v1/``: every app's API routes under one namespace, ``api``."""

from django.urls import include, path

from accounts import api_urls as accounts_api
from catalog import api_urls as catalog_api
from config.api_root import api_root
from connect import api_urls as connect_api
from orders import api_urls as orders_api
from shipments import api_urls as shipments_api
from wmsbridge import api_urls as wmsbridge_api

app_name = "api"

urlpatterns = [
    path("", api_root, name="root"),
    path("", include(accounts_api.urlpatterns)),
    path("", include(catalog_api.urlpatterns)),
    path("", include(orders_api.urlpatterns)),
    path("", include(shipments_api.urlpatterns)),
    path("", include(connect_api.urlpatterns)),
    path("", include(wmsbridge_api.urlpatterns)),
]
