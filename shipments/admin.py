from django.contrib import admin

from shipments.models import Package, TrackingEvent


class TrackingEventInline(admin.TabularInline):
    model = TrackingEvent
    extra = 0


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "courier_code",
        "courier_package_nr",
        "order",
        "account",
        "tracking_status",
        "created_at",
    ]
    list_filter = ["courier_code", "tracking_status"]
    search_fields = ["courier_package_nr", "courier_inner_number"]
    raw_id_fields = ["account", "order"]
    inlines = [TrackingEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).without_label().select_related("account", "order")


@admin.register(TrackingEvent)
class TrackingEventAdmin(admin.ModelAdmin):
    list_display = ["id", "package", "tracking_status", "courier_status_code", "occurred_at"]
    list_filter = ["tracking_status"]
    raw_id_fields = ["package"]
