from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from accounts.signals import account_created

        account_created.connect(_create_defaults, dispatch_uid="orders-defaults")

        from accounts.demo import demo_accounts_created

        demo_accounts_created.connect(_demo_data, dispatch_uid="orders-demo-data")

        # Automatic actions react to the orders' change events; other apps add action types
        # (``orders.actions``) from their own ready().
        from orders.automation import automation_register

        automation_register()


def _create_defaults(sender, account, **kwargs) -> None:
    from orders.services import orders_defaults_create

    orders_defaults_create(account=account)


def _demo_data(sender, wholesaler, **kwargs) -> None:
    """The demo wholesaler starts with a small, realistic catalog and orders in every status."""
    from orders.demo_data import demo_data_create

    demo_data_create(wholesaler, products=300, orders=150)
