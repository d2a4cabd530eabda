from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from accounts.signals import account_created

        account_created.connect(_create_defaults, dispatch_uid="orders-defaults")

        # Automatic actions react to the orders' change events; other apps add action types
        # (``orders.actions``) from their own ready().
        from orders.automation import automation_register

        automation_register()


def _create_defaults(sender, account, **kwargs) -> None:
    from orders.services import orders_defaults_create

    orders_defaults_create(account=account)
