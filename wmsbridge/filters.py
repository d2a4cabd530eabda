"""Filters of the WMS bridge's lists (REST API)."""

from __future__ import annotations

from accounts.filters import AccountFilterSet
from config.filters import DayOrMomentFilter
from wmsbridge.models import SyncRun, WmsConnection


class ConnectionFilter(AccountFilterSet):
    class Meta:
        model = WmsConnection
        fields = ["enabled", "inventory"]


class SyncRunFilter(AccountFilterSet):
    # Read in UTC like the order filters: PostgreSQL refuses offsets beyond ±15:59, ISO 8601 allows them.
    started_from = DayOrMomentFilter(field_name="started_at", lookup_expr="gte")

    class Meta:
        model = SyncRun
        fields = ["connection", "kind", "status"]
