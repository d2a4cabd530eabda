from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlconnectorConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "blconnector"
    verbose_name = _("BaseLinker-compatible API")

    def ready(self) -> None:
        # Importing the method modules fills the registry (blconnector.registry.METHODS).
        from blconnector import methods  # noqa: F401
