"""Filters of the orders app's lists, shared by the REST API and the order list page."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from accounts.filters import AccountFilterSet
from accounts.models import CURRENCY_CHOICES
from catalog.models import Product
from config.filters import DayOrMomentFilter
from orders.models import JournalEntry, Order, OrderLine, OrderSource, OrderStatus
from orders.selectors import orders_paid, orders_search

CURRENCY_CODES = frozenset(code for code, _name in CURRENCY_CHOICES)


def validate_currency_code(value: str) -> None:
    if value not in CURRENCY_CODES:
        raise ValidationError(
            _("“%(value)s” is not a currency code."), params={"value": value}, code="invalid"
        )


_DAY_OR_MOMENT = _("An ISO 8601 date-time, or a date (YYYY-MM-DD) for the whole day.")


class OrderFilter(AccountFilterSet):
    """Every filter has a label: the order list page names a refused filter by it (in the page's
    language), never by its query parameter."""

    date_from = DayOrMomentFilter(
        field_name="date_add", lookup_expr="gte", label=_("Date added from"), help_text=_DAY_OR_MOMENT
    )
    date_to = DayOrMomentFilter(
        field_name="date_add", lookup_expr="lte", label=_("Date added to"), help_text=_DAY_OR_MOMENT
    )
    status_date_from = DayOrMomentFilter(
        field_name="date_in_status", lookup_expr="gte", label=_("In status since"), help_text=_DAY_OR_MOMENT
    )
    status_date_to = DayOrMomentFilter(
        field_name="date_in_status", lookup_expr="lte", label=_("In status until"), help_text=_DAY_OR_MOMENT
    )
    status = filters.ModelChoiceFilter(queryset=OrderStatus.objects.all(), label=_("Status"))
    source = filters.ModelChoiceFilter(queryset=OrderSource.objects.all(), label=_("Source"))
    email = filters.CharFilter(label=_("E-mail"))
    external_order_id = filters.CharFilter(label=_("External order number"))
    is_technical = filters.BooleanFilter(label=_("Technical order"))
    search = filters.CharFilter(
        method="filter_search", label=_("Order id, e-mail, name, phone or tracking number")
    )
    paid = filters.BooleanFilter(method="filter_paid", label=_("Paid in full (true) or not (false)"))
    # A plain code filter: a choice filter would copy the ~170 currency choices on every request.
    currency = filters.CharFilter(validators=[validate_currency_code], label=_("Currency code (ISO 4217)"))

    class Meta:
        model = Order
        fields = ["status", "source", "email", "external_order_id", "currency", "is_technical"]

    def filter_search(self, queryset, name, value):
        if self.account is None:
            return queryset.none()
        return orders_search(queryset, value, account=self.account)

    def filter_paid(self, queryset, name, value):
        return orders_paid(queryset, value)


class OrderLineFilter(AccountFilterSet):
    # Id boxes, not lists of every order and product of the account.
    order = filters.ModelChoiceFilter(queryset=Order.objects.all(), widget=forms.NumberInput)
    product = filters.ModelChoiceFilter(queryset=Product.objects.all(), widget=forms.NumberInput)

    class Meta:
        model = OrderLine
        fields = ["order", "product"]


class JournalFilter(AccountFilterSet):
    order = filters.ModelChoiceFilter(queryset=Order.objects.all(), widget=forms.NumberInput)

    class Meta:
        model = JournalEntry
        fields = ["order", "type"]
