"""Forms of the shipments pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from config import fields
from shipments.couriers import COURIER_CHOICES, COURIERS
from shipments.models import DIMENSION, WEIGHT, TrackingStatus


class PackageCreateForm(forms.Form):
    """A package of an order. With a courier that makes labels the page hides the tracking number and
    URL (the courier generates them); without scripts a number typed there is refused, not dropped."""

    courier_code = forms.ChoiceField(
        label=_("Courier"),
        choices=COURIER_CHOICES,
        initial="manual",
        widget=forms.Select(
            attrs={"data-label-couriers": " ".join(c.code for c in COURIERS.values() if c.makes_labels)}
        ),
    )
    courier_package_nr = forms.CharField(
        label=_("Tracking number"),
        max_length=40,
        required=False,
        help_text=_(
            "The carrier's number of a shipment made elsewhere. Leave it empty with the Hurtlink label "
            "courier: it generates the number."
        ),
    )
    tracking_url = forms.URLField(
        label=_("Tracking URL"), max_length=255, required=False, assume_scheme="https"
    )
    weight = fields.FormDecimalField(
        label=_("Weight (kg)"),
        required=False,
        min_value=0,
        **WEIGHT,
        help_text=_("Left empty: the order lines' weight."),
    )
    length = fields.FormDecimalField(
        label=_("Length (cm)"), required=False, min_value=0, initial=0, **DIMENSION
    )
    width = fields.FormDecimalField(
        label=_("Width (cm)"), required=False, min_value=0, initial=0, **DIMENSION
    )
    height = fields.FormDecimalField(
        label=_("Height (cm)"), required=False, min_value=0, initial=0, **DIMENSION
    )


class TrackingEventForm(forms.Form):
    tracking_status = forms.TypedChoiceField(
        label=_("Tracking status"), choices=TrackingStatus.choices, coerce=int
    )
    courier_status_code = forms.CharField(label=_("Courier's status code"), max_length=100, required=False)
    occurred_at = fields.FormDateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Left empty: now."),
    )
