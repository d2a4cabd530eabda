"""Web pages of the shared catalog: browsing a supplier's catalog (read-only) and importing from it.

Every supplier product on these pages is read through ``connect.shared_catalog``: a blocked or
disconnected link, another account's integration and a product outside the range all answer 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts import roles
from accounts.tenancy import AccountViewMixin
from catalog.models import ExtraField, Inventory
from config import fields
from config.paging import in_id_order, page_of_ids
from connect.imports import (
    connect_import_create,
    connect_import_delete,
    connect_import_start,
    connect_import_update,
    product_ids_parse,
)
from connect.models import ConnectImport, ConnectIntegration
from connect.shared_catalog import (
    shared_catalog_get,
    shared_catalog_open,
    shared_catalogs_for,
    shared_categories,
    shared_product_get,
    shared_product_list,
)
from connect.views import errors_to_forms


def _optional_id(value) -> int | None:
    """An id from a query parameter; anything else (empty, text, too large) means "not given"."""
    try:
        return fields.id_number(value) if value else None
    except ValidationError:
        return None


class _SharedMixin(AccountViewMixin):
    area = roles.PRODUCTS


class SharedCatalogView(_SharedMixin, View):
    """A supplier's shared catalog as a read-only product list: search, category, pages."""

    def get(self, request, pk: int):
        catalog = shared_catalog_get(account=self.account, pk=pk)
        search = (request.GET.get("search") or "").replace("\x00", "")[:200]
        category = _optional_id(request.GET.get("category"))
        queryset = shared_product_list(catalog, search=search, category=category)
        page, ids = page_of_ids(queryset.order_by("pk"), request.GET.get("page"))
        products = in_id_order(shared_product_list(catalog, variants=True).filter(pk__in=ids), ids)
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "catalog": catalog,
            "page": page,
            "products": products,
            "categories": shared_categories(catalog),
            "search": search,
            "category": category,
            "query": query.urlencode(),
            "inventories": Inventory.objects.filter(account=self.account),
            "shared_catalogs": shared_catalogs_for(account=self.account),
        }
        return render(request, "connect/shared_catalog.html", context)


class SharedProductView(_SharedMixin, View):
    """One shared product, read-only: what the sharing settings let through."""

    def get(self, request, pk: int, product_pk: int):
        catalog = shared_catalog_get(account=self.account, pk=pk)
        product = shared_product_get(catalog, pk=product_pk)
        names = dict(ExtraField.objects.filter(account=self.account).values_list("pk", "name"))
        extra = [(names.get(key, key), value) for key, value in product.extra_fields.items()]
        return render(
            request,
            "connect/shared_product.html",
            {"catalog": catalog, "item": product, "extra": extra, "image_count": len(product.images)},
        )


# ----------------------------------------------------------------------------------------- import


class ConnectImportForm(forms.Form):
    integration = fields.FormModelChoiceField(
        label=gettext_lazy("Supplier"), queryset=ConnectIntegration.objects.none()
    )
    inventory = fields.FormModelChoiceField(
        label=gettext_lazy("Into catalog"), queryset=Inventory.objects.none()
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Import"),
        choices=ConnectImport.Scope.choices,
        widget=forms.RadioSelect,
        initial="all",
    )
    categories = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Categories"),
        coerce=int,
        required=False,
        help_text=gettext_lazy("With “the products of chosen categories”: their subcategories come too."),
    )
    product_ids = forms.CharField(
        label=gettext_lazy("Product ids"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The supplier's product ids, separated by commas, spaces or new lines."),
    )
    product_ids_file = forms.FileField(
        label=gettext_lazy("…or a file of product ids"),
        required=False,
        help_text=gettext_lazy("A text or CSV file with one id per line."),
    )
    keep_importing = forms.BooleanField(
        label=gettext_lazy("Keep importing"),
        required=False,
        help_text=gettext_lazy(
            "Products the supplier shares later appear without a click, changes of names, texts and images "
            "follow, and products no longer shared are marked (stock 0), never deleted."
        ),
    )
    valid_rows_only = forms.BooleanField(
        label=gettext_lazy("Import the valid rows"),
        required=False,
        help_text=gettext_lazy(
            "Without this, an import with any problem imports nothing. With it, products with problems are "
            "left out and reported."
        ),
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.catalogs = {c.pk: c for c in shared_catalogs_for(account=account)}
        self.fields["integration"].queryset = ConnectIntegration.objects.filter(
            account=account, pk__in=list(self.catalogs)
        )
        self.fields["integration"].label_from_instance = lambda i: self.catalogs[i.pk].label
        self.fields["inventory"].queryset = Inventory.objects.filter(account=account)
        default = self.fields["inventory"].queryset.filter(is_default=True).first()
        if default is not None:
            self.fields["inventory"].initial = default.pk
        if len(self.catalogs) == 1:
            self.fields["integration"].initial = next(iter(self.catalogs))
        choices = []
        for catalog in self.catalogs.values():
            choices += [(c.pk, f"{c.name} — {catalog.label}") for c in shared_categories(catalog)]
        self.fields["categories"].choices = choices

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("product_ids") or ""
        upload = cleaned.get("product_ids_file")
        if upload is not None:
            try:
                text += "\n" + upload.read(5 * 2**20).decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("product_ids_file", _("The file is not UTF-8 text."))
        try:
            cleaned["ids"] = product_ids_parse(text)
        except ValidationError as exc:
            self.add_error("product_ids", exc)
        return cleaned


class ConnectImportCreateView(_SharedMixin, View):
    """Products → Import → from a Connect supplier."""

    def get(self, request):
        form = ConnectImportForm(
            account=self.account, initial={"integration": request.GET.get("integration")}
        )
        return self._render(form)

    def post(self, request):
        form = ConnectImportForm(request.POST, request.FILES, account=self.account)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = connect_import_create(
                    actor=self.tenant,
                    integration=data["integration"],
                    inventory=data["inventory"],
                    scope=data["scope"],
                    category_ids=data["categories"],
                    product_ids=data["ids"],
                    keep_importing=data["keep_importing"],
                    valid_rows_only=data["valid_rows_only"],
                )
            except ValidationError as exc:
                errors_to_forms(exc, form)
            else:
                return redirect("catalog:import-detail", pk=saved.last_job_id)
        return self._render(form)

    def _render(self, form):
        return render(self.request, "connect/import_form.html", {"form": form})


class ConnectImportListView(_SharedMixin, View):
    """The account's saved Connect imports: when each last ran and what it did."""

    def get(self, request):
        imports = ConnectImport.objects.filter(account=self.account).select_related(
            "integration", "inventory", "last_job"
        )
        return render(request, "connect/import_list.html", {"imports": imports})


class ConnectImportDetailView(_SharedMixin, View):
    """One saved import: run it again, keep importing on or off, forget it."""

    def _saved(self, pk: int) -> ConnectImport:
        return get_object_or_404(
            ConnectImport.objects.select_related("integration", "inventory", "last_job"),
            pk=pk,
            account=self.account,
        )

    def get(self, request, pk: int):
        saved = self._saved(pk)
        catalog = shared_catalog_open(account=self.account, integration=saved.integration)
        return render(request, "connect/import_detail.html", {"saved": saved, "open": catalog is not None})

    def post(self, request, pk: int):
        saved = self._saved(pk)
        action = request.POST.get("action")
        if action == "run":
            if shared_catalog_open(account=self.account, integration=saved.integration) is None:
                messages.error(request, _("This supplier shares no products with you now."))
                return redirect("connect:import-detail", pk=saved.pk)
            job = connect_import_start(actor=self.tenant, saved=saved)
            return redirect("catalog:import-detail", pk=job.pk)
        if action == "keep":
            connect_import_update(
                actor=self.tenant, saved=saved, keep_importing=bool(request.POST.get("keep"))
            )
            messages.success(request, _("Saved."))
            return redirect("connect:import-detail", pk=saved.pk)
        if action == "delete":
            connect_import_delete(actor=self.tenant, saved=saved)
            messages.success(request, _("The import is forgotten; the products it imported stay."))
            return redirect("connect:import-list")
        messages.error(request, _("Choose an action."))
        return redirect("connect:import-detail", pk=saved.pk)
