"""Forms of the WMS bridge pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Inventory, Warehouse
from orders.models import OrderStatus
from shipments.couriers import COURIER_CHOICES
from wmsbridge.models import SyncKind, WmsConnection


class ConnectionForm(forms.ModelForm):
    """Create/edit a connection. The password is never rendered back; left blank on edit it is kept."""

    password = forms.CharField(
        label=_("API password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    label_courier = forms.ChoiceField(
        label=_("Courier for labels"),
        choices=COURIER_CHOICES,
        initial="hurtlink",
        help_text=_(
            "Used when the warehouse sends an order without its own tracking number: the package gets this "
            "courier's label and tracking, uploaded to the WMS."
        ),
    )

    class Meta:
        model = WmsConnection
        fields = [
            "name",
            "base_url",
            "api_user",
            "password",
            "goods_owner_id",
            "inventory",
            "export_statuses",
            "export_orders_since",
            "status_after_export",
            "status_when_sent",
            "stock_push",
            "stock_warehouse",
            "label_courier",
            "label_print",
            "label_print_workstation_id",
            "label_print_report_id",
            "enabled",
        ]
        widgets = {
            "export_statuses": forms.CheckboxSelectMultiple,
            "export_orders_since": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def __init__(self, *args, account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["inventory"].queryset = Inventory.objects.filter(account=account)
        self.fields["stock_warehouse"].queryset = Warehouse.objects.filter(account=account)
        statuses = OrderStatus.objects.filter(account=account).order_by("position", "id")
        for name in ("export_statuses", "status_after_export", "status_when_sent"):
            self.fields[name].queryset = statuses
        self.fields["export_statuses"].required = False
        self.fields["base_url"].widget.attrs["placeholder"] = "https://api.ongoingsystems.se/yourwarehouse/"
        if self.instance.pk:
            self.fields["password"].help_text = _("Leave empty to keep the stored password.")
        else:
            self.fields["password"].required = True
            self.fields["status_when_sent"].initial = (
                statuses.filter(kind=OrderStatus.Kind.SENT).values_list("pk", flat=True).first()
            )
            self.fields["export_statuses"].initial = list(
                statuses.filter(kind=OrderStatus.Kind.NEW).values_list("pk", flat=True)
            )
            default_inventory = Inventory.objects.filter(account=account, is_default=True).first()
            if default_inventory:
                self.fields["inventory"].initial = default_inventory.pk

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data["export_statuses"] = list(data.get("export_statuses") or [])
        return data


class SyncNowForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What"),
        required=False,
        choices=[("", _("Everything"))] + list(SyncKind.choices),
    )
