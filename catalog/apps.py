from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from accounts.signals import account_created

        account_created.connect(_create_defaults, dispatch_uid="catalog-defaults")


def _create_defaults(sender, account, **kwargs) -> None:
    from catalog.services import catalog_defaults_create

    catalog_defaults_create(account=account)
