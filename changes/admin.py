from django.contrib import admin

from changes.models import ChangeDelivery, ChangeEvent


class ChangeDeliveryInline(admin.TabularInline):
    model = ChangeDelivery
    extra = 0
    can_delete = False
    readonly_fields = ("consumer", "attempts", "not_before", "delivered_at", "last_error")


@admin.register(ChangeEvent)
class ChangeEventAdmin(admin.ModelAdmin):
    """Read-only: staff see what was recorded and how its delivery went."""

    list_display = ("id", "account", "topic", "subject_id", "origin_kind", "origin_label", "created_at")
    list_filter = ("topic", "origin_kind")
    search_fields = ("=id", "=subject_id")
    inlines = [ChangeDeliveryInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
