from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WmsbridgeConfig(AppConfig):
    name = "wmsbridge"
    verbose_name = _("WMS bridge")

    def ready(self) -> None:
        from accounts.demo import demo_accounts_created

        demo_accounts_created.connect(_demo_connection, dispatch_uid="wmsbridge-demo")


def _demo_connection(sender, wholesaler, **kwargs) -> None:
    """The demo wholesaler runs its stock in the sandbox WMS the run command starts."""
    from wmsbridge.demo import demo_connection_create

    demo_connection_create(wholesaler)
