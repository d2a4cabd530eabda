"""The shipments' automatic action type: "create a package" (registered from ``ShipmentsConfig.ready()``)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from changes.origin import Origin
from config.stored_messages import Message
from orders.actions import Action
from orders.models import Order
from shipments.couriers import COURIER_CHOICES, COURIERS


def _fields(account) -> dict[str, forms.Field]:
    return {
        "courier": forms.ChoiceField(
            label=gettext_lazy("courier"), choices=[("", "—"), *COURIER_CHOICES], required=False
        )
    }


def _clean(account, data: dict) -> dict:
    courier = data.get("courier")
    if not isinstance(courier, str) or courier not in COURIERS:
        raise ValidationError(_("choose a courier."))
    return {"courier": data["courier"]}


def _run(order: Order, data: dict, origin: Origin) -> Message:
    from shipments.services import package_create

    package = package_create(order=order, courier_code=data["courier"], origin=origin)
    return Message(gettext_noop("package %(nr)s created"), nr=package.courier_package_nr)


CREATE_PACKAGE = Action(
    key="create_package", label=gettext_lazy("Create a package"), fields=_fields, clean=_clean, run=_run
)
