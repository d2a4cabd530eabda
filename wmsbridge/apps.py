from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WmsbridgeConfig(AppConfig):
    name = "wmsbridge"
    verbose_name = _("WMS bridge")
