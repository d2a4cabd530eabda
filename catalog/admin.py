from django.contrib import admin

from catalog.models import ImportJob, Inventory, PriceGroup, Product, ProductText, Stock, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "is_default"]


@admin.register(PriceGroup)
class PriceGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "currency", "is_default"]


@admin.register(Inventory)
class InventoryAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "default_language", "is_default"]


class TextInline(admin.TabularInline):
    model = ProductText
    extra = 0


class StockInline(admin.TabularInline):
    model = Stock
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["id", "sku", "ean", "account", "inventory", "parent"]
    search_fields = ["sku", "ean", "texts__name"]
    raw_id_fields = ["parent", "category", "manufacturer"]
    inlines = [TextInline, StockInline]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["pk", "account", "inventory", "status", "processed_rows", "total_rows", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["errors"]
