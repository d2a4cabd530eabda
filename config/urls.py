from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from blconnector.views import connector
from catalog.demo_images import demo_image
from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("connector.php", connector, name="blconnector"),
    path("demo-images/<str:name>", demo_image, name="demo-image"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("config.api_urls")),
    path("catalog/", include("catalog.urls")),
    path("orders/", include("orders.urls")),
    path("shipments/", include("shipments.urls")),
    path("connect/", include("connect.urls")),
    path("wms/", include("wmsbridge.urls")),
    path("", include("accounts.urls")),
]
