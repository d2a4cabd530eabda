"""Filters of Connect's lists (REST API)."""

from __future__ import annotations

from django.db.models import Q
from django_filters import rest_framework as filters

from accounts.filters import AccountFilterSet
from connect.models import ContractorLink, StatusMapping


class ContractorFilter(AccountFilterSet):
    integration = filters.NumberFilter(field_name="provider_integration_id")
    state = filters.ChoiceFilter(choices=ContractorLink.State.choices)
    connected = filters.BooleanFilter(field_name="disconnected_at", lookup_expr="isnull")
    search = filters.CharFilter(method="filter_search")

    class Meta:
        model = ContractorLink
        fields = ["integration", "state", "connected", "search"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(contractor_account__name__icontains=value)
            | Q(contractor_account__vat_number__icontains=value)
        )


class StatusMappingFilter(AccountFilterSet):
    # By id: the rows listed are already the account's own, so an id of another link finds nothing.
    link = filters.NumberFilter(field_name="link_id")
    direction = filters.ChoiceFilter(choices=StatusMapping.Direction.choices)

    class Meta:
        model = StatusMapping
        fields = ["link", "direction"]
