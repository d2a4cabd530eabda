"""Django admin for staff support: every integration, contractor link and ledger, read-only.

Money moves only through ``connect.services`` (row locks, validation, history), so nothing here can
add, change or delete ledger entries; integrations and links are shown, not edited. Codes are never
shown: only when they were made and revoked.
"""

from __future__ import annotations

from django.contrib import admin

from connect.models import (
    ConnectIntegration,
    ConnectionCode,
    ContractorLink,
    ContractorSettings,
    CreditEntry,
    LinkEvent,
    ProviderOrderSettings,
    ProviderSharingSettings,
    StatusMapping,
)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


class CodeInline(ReadOnlyInline):
    model = ConnectionCode
    fields = ["created_at", "created_by", "revoked_at"]
    readonly_fields = fields


class OrderSettingsInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = ProviderOrderSettings
    can_delete = False


class SharingSettingsInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = ProviderSharingSettings
    can_delete = False


class ContractorSettingsInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = ContractorSettings
    can_delete = False


@admin.register(ConnectIntegration)
class ConnectIntegrationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "display_name",
        "account",
        "role",
        "orders_enabled",
        "products_enabled",
        "created_at",
        "deleted_at",
    ]
    list_filter = ["role", "orders_enabled", "products_enabled"]
    search_fields = ["display_name", "code_name", "account__name"]
    list_select_related = ["account"]

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        if obj.is_provider:
            return [CodeInline, OrderSettingsInline, SharingSettingsInline]
        return [ContractorSettingsInline]


class CreditEntryInline(ReadOnlyInline):
    model = CreditEntry
    fields = ["created_at", "kind", "amount", "currency", "order", "description", "actor"]
    readonly_fields = fields


class LinkEventInline(ReadOnlyInline):
    model = LinkEvent
    fields = ["created_at", "kind", "actor", "data"]
    readonly_fields = fields
    show_change_link = False


@admin.register(ContractorLink)
class ContractorLinkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "provider_account",
        "contractor_account",
        "state",
        "credit_limit",
        "credit_currency",
        "joined_at",
        "disconnected_at",
    ]
    list_filter = ["state"]
    search_fields = ["name", "provider_account__name", "contractor_account__name"]
    list_select_related = ["provider_account", "contractor_account"]
    inlines = [CreditEntryInline, LinkEventInline]


@admin.register(CreditEntry)
class CreditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "link", "kind", "amount", "currency", "order", "description", "actor"]
    list_filter = ["kind", "currency"]
    search_fields = ["description", "link__name", "link__provider_account__name"]
    list_select_related = ["link"]
    date_hierarchy = "created_at"


@admin.register(StatusMapping)
class StatusMappingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["link", "account", "direction", "local_status", "remote_status"]
    list_filter = ["direction"]
    list_select_related = ["link", "account", "local_status", "remote_status"]
