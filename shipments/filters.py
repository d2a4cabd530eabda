"""Filters of the shipments app's lists (REST API)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from accounts.filters import AccountFilterSet
from shipments.models import Package


class PackageFilter(AccountFilterSet):
    # A plain number, not a choice of orders: another account's order id filters to nothing, like a
    # missing one, instead of answering "not a valid choice" only for ids that exist.
    order = filters.NumberFilter(field_name="order_id", help_text=_("Only the packages of this order."))

    class Meta:
        model = Package
        fields = ["order", "courier_code", "courier_package_nr", "tracking_status"]
