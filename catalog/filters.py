"""Filters of the catalog's lists, shared by the REST API and the web pages (product list, CSV export)."""

from __future__ import annotations

from django import forms
from django.db.models import IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from accounts.filters import AccountFilterSet
from catalog.models import Category, ImportJob, Inventory, Manufacturer, Product, Stock, Tag


class ProductFilter(AccountFilterSet):
    """The product list page names a refused filter by its label (in the page's language)."""

    inventory = filters.ModelChoiceFilter(queryset=Inventory.objects.all(), label=_("Catalog"))
    category = filters.ModelChoiceFilter(queryset=Category.objects.all(), label=_("Category"))
    manufacturer = filters.ModelChoiceFilter(queryset=Manufacturer.objects.all(), label=_("Manufacturer"))
    tags = filters.ModelMultipleChoiceFilter(queryset=Tag.objects.all(), label=_("Tags"))
    search = filters.CharFilter(method="filter_search", label=_("Name, SKU or EAN contains"))
    has_variants = filters.BooleanFilter(
        field_name="variants", lookup_expr="isnull", exclude=True, distinct=True
    )
    is_variant = filters.BooleanFilter(field_name="parent", lookup_expr="isnull", exclude=True)
    stock_min = filters.NumberFilter(method="filter_stock", label=_("Total stock at least"))
    stock_max = filters.NumberFilter(method="filter_stock", label=_("Total stock at most"))
    # An id box, not a list of every product of the account.
    parent = filters.ModelChoiceFilter(
        queryset=Product.objects.all(), widget=forms.NumberInput, label=_("Variants of the product (id)")
    )

    class Meta:
        model = Product
        fields = ["inventory", "category", "manufacturer", "tags", "sku", "ean", "parent"]

    def filter_stock(self, queryset, name, value):
        total = (
            Stock.objects.filter(product_id=OuterRef("pk"))
            .values("product_id")
            .annotate(s=Sum("quantity"))
            .values("s")
        )
        queryset = queryset.annotate(_stock=Coalesce(Subquery(total, output_field=IntegerField()), 0))
        return queryset.filter(**{"_stock__gte" if name == "stock_min" else "_stock__lte": value})

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(sku__icontains=value) | Q(ean__icontains=value) | Q(texts__name__icontains=value)
        ).distinct()


class CategoryFilter(AccountFilterSet):
    class Meta:
        model = Category
        fields = ["inventory", "parent"]


class ImportJobFilter(AccountFilterSet):
    class Meta:
        model = ImportJob
        fields = ["inventory", "status"]
