from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectConfig(AppConfig):
    name = "connect"
    verbose_name = _("Connect")

    def ready(self) -> None:
        from accounts.demo import demo_accounts_created

        demo_accounts_created.connect(_demo_link, dispatch_uid="connect-demo")

        # Statuses and packages of forwarded orders travel to the other side (a change consumer).
        from connect.propagation import propagation_register

        propagation_register()

        # Stock and price sync: a consumer of the catalog's change events.
        from connect.sync import sync_register

        sync_register()
        from connect.import_follow import import_follow_register

        import_follow_register()

        from connect.catalog_source import catalog_source_register

        catalog_source_register()

        from connect.line_source import line_source_register

        line_source_register()
        # Forwarding plugs into the orders app: the action "Forward to a Connect supplier" and the
        # consumer of status changes that gives a cancelled order's charge back.
        from connect.forwarding import forwarding_register

        forwarding_register()


def _demo_link(sender, wholesaler, shop, **kwargs) -> None:
    """The demo shop buys from the demo wholesaler through Connect."""
    from connect.demo import demo_connect_create

    demo_connect_create(wholesaler=wholesaler, shop=shop)
