from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data: a realistic catalog and orders for an account (``manage.py demo_data``), and the demo
    wholesaler's when the run command first creates the demo accounts."""

    name = "demo"
    verbose_name = _("Demo data")

    def ready(self) -> None:
        from accounts.demo import demo_accounts_created

        demo_accounts_created.connect(_demo_data, dispatch_uid="demo-data")


def _demo_data(sender, wholesaler, **kwargs) -> None:
    """The demo wholesaler starts with a small, realistic catalog and orders in every status."""
    from demo.data import demo_data_create

    demo_data_create(wholesaler, products=300, orders=150)
