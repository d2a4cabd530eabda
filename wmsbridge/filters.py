"""Filters of the WMS bridge's lists (REST API)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from accounts.filters import AccountFilterSet
from wmsbridge.models import SyncRun, WmsConnection


class ConnectionFilter(AccountFilterSet):
    class Meta:
        model = WmsConnection
        fields = ["enabled", "inventory"]


class SyncRunFilter(AccountFilterSet):
    started_from = filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")

    class Meta:
        model = SyncRun
        fields = ["connection", "kind", "status"]
