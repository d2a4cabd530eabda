"""Django admin for staff support: every integration, contractor link and ledger, read-only; and the
partner directory, where staff verify or reject entries (with a reason the provider sees) and
unpublish them.

Money moves only through ``connect.services`` (row locks, validation, history), so nothing here can
add, change or delete ledger entries; integrations and links are shown, not edited. Codes are never
shown: only when they were made and revoked. Directory entries change only through the actions below,
which call ``connect.directory``.
"""

from __future__ import annotations

import base64

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from connect import directory
from connect.models import (
    ConnectIntegration,
    ConnectionCode,
    ConnectionRequest,
    ContractorLink,
    ContractorSettings,
    CreditEntry,
    LinkEvent,
    ProviderOrderSettings,
    ProviderSharingSettings,
    Publication,
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


# ------------------------------------------------------------------------------ the directory


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the provider sees it)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class ListedFilter(admin.SimpleListFilter):
    title = _("in the directory")
    parameter_name = "listed"

    def lookups(self, request, model_admin):
        return [("yes", _("Listed")), ("no", _("Not listed"))]

    def queryset(self, request, queryset):
        listed = Publication.objects.listed().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=listed)
        if self.value() == "no":
            return queryset.exclude(pk__in=listed)
        return queryset


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Verification queue and directory: filter by state, read the working copy against the listed
    one, then verify, reject (with a reason) or unpublish (with a reason)."""

    list_display = [
        "company_name",
        "account",
        "state",
        "is_public",
        "listed",
        "listed_name",
        "contact_email",
        "state_changed_at",
    ]
    list_filter = ["state", "is_public", ListedFilter, "approval_required", "show_products"]
    search_fields = ["company_name", "listed_name", "account__name", "contact_email", "description"]
    list_select_related = ["account"]
    ordering = ["-state_changed_at", "-id"]
    actions = ["verify", "reject", "unpublish"]
    fields = [
        "account",
        "integration",
        "state",
        "rejection_reason",
        "is_public",
        "company_name",
        "description",
        "logo_preview",
        "listed_name",
        "listed_description",
        "listed_logo_preview",
        "listed_at",
        "countries",
        "industries",
        "services",
        "contact_email",
        "website",
        "show_products",
        "approval_required",
        "show_prices",
        "verified_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.display(boolean=True, description=_("listed"))
    def listed(self, obj: Publication) -> bool:
        return obj.is_listed

    def _logo(self, data, content_type):
        if not data:
            return "—"
        return format_html(
            '<img src="data:{};base64,{}" style="max-height:4rem" alt="">',
            content_type,
            base64.b64encode(bytes(data)).decode(),
        )

    @admin.display(description=_("logo"))
    def logo_preview(self, obj: Publication):
        return self._logo(obj.logo, obj.logo_type)

    @admin.display(description=_("listed logo"))
    def listed_logo_preview(self, obj: Publication):
        return self._logo(obj.listed_logo, obj.listed_logo_type)

    def _report(self, request, done: int, failed: list[str]) -> None:
        if done:
            self.message_user(
                request, ngettext("%(n)d entry done.", "%(n)d entries done.", done) % {"n": done}
            )
        for message in failed:
            self.message_user(request, message, level=messages.WARNING)

    @admin.action(description=_("Verify the selected entries (list them)"))
    def verify(self, request, queryset):
        done, failed = 0, []
        for publication in queryset:
            try:
                directory.publication_verify(staff_user=request.user, publication=publication)
                done += 1
            except ValidationError as exc:
                failed.append(f"{publication}: {' '.join(exc.messages)}")
        self._report(request, done, failed)

    def _with_reason(self, request, queryset, action: str, title, run):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done, failed = 0, []
            for publication in queryset:
                try:
                    run(staff_user=request.user, publication=publication, reason=form.cleaned_data["reason"])
                    done += 1
                except ValidationError as exc:
                    failed.append(f"{publication}: {' '.join(exc.messages)}")
            self._report(request, done, failed)
            return None
        return TemplateResponse(
            request,
            "admin/connect/publication_reason.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "form": form,
                "action": action,
                "entries": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Reject the selected entries (with a reason)"))
    def reject(self, request, queryset):
        return self._with_reason(
            request, queryset, "reject", _("Reject directory entries"), directory.publication_reject
        )

    @admin.action(description=_("Unpublish the selected entries (with a reason)"))
    def unpublish(self, request, queryset):
        return self._with_reason(
            request, queryset, "unpublish", _("Unpublish directory entries"), directory.publication_unpublish
        )


@admin.register(ConnectionRequest)
class ConnectionRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "contractor_account", "provider_account", "state", "answered_at"]
    list_filter = ["state"]
    search_fields = ["contractor_account__name", "provider_account__name"]
    list_select_related = ["contractor_account", "provider_account"]
