"""Web pages of the catalog's bulk paths: CSV import jobs (upload, live progress, report) and CSV export."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts import roles
from accounts.tenancy import AccountViewMixin
from catalog.exports import export_csv
from catalog.filters import ProductFilter
from catalog.imports import import_job_create
from catalog.models import ImportJob, Inventory, Product
from changes.origin import Origin

RECENT_JOBS = 50


class ImportForm(forms.Form):
    inventory = forms.ModelChoiceField(label=gettext_lazy("Catalog"), queryset=Inventory.objects.none())
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "UTF-8, one row per product or variant, a header row with sku and the columns to set "
            "(see the column list below)."
        ),
    )
    valid_rows_only = forms.BooleanField(
        label=gettext_lazy("Import the valid rows"),
        required=False,
        help_text=gettext_lazy(
            "Without this, a file with any problem imports nothing. With it, rows with problems are left "
            "out and reported."
        ),
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["inventory"]
        field.queryset = Inventory.objects.filter(account=account)
        default = field.queryset.filter(is_default=True).first()
        if default is not None:
            field.initial = default.pk


class ImportListView(AccountViewMixin, View):
    """The account's recent import jobs."""

    area = roles.PRODUCTS

    def get(self, request):
        jobs = ImportJob.objects.filter(account=self.account).select_related("inventory", "user")[
            :RECENT_JOBS
        ]
        return render(request, "catalog/import_list.html", {"jobs": jobs})


class ImportCreateView(AccountViewMixin, View):
    """Upload a CSV file into a catalog: creates the job, starts it, shows its page."""

    area = roles.PRODUCTS

    def get(self, request):
        return self._render(ImportForm(account=self.account))

    def post(self, request):
        form = ImportForm(request.POST, request.FILES, account=self.account)
        if not form.is_valid():
            return self._render(form)
        job = import_job_create(
            actor=self.tenant,
            inventory=form.cleaned_data["inventory"],
            file=form.cleaned_data["file"],
            origin=Origin.of_tenant(self.tenant),
            valid_rows_only=form.cleaned_data["valid_rows_only"],
        )
        return redirect("catalog:import-detail", pk=job.pk)

    def _render(self, form):
        return render(self.request, "catalog/import_form.html", {"form": form})


class ImportDetailView(AccountViewMixin, View):
    """A job's page: the progress bar (refreshed by HTMX until the job ends), then its report."""

    area = roles.PRODUCTS
    template_name = "catalog/import_detail.html"

    def get(self, request, pk: int):
        job = get_object_or_404(
            ImportJob.objects.select_related("inventory", "user"), pk=pk, account=self.account
        )
        return render(request, self.template_name, {"job": job})


class ImportProgressView(ImportDetailView):
    """The part of the job page that HTMX polls every second."""

    template_name = "catalog/import_progress.html"


class ProductExportView(AccountViewMixin, View):
    """The products chosen by the product list's filters (same GET parameters as the API), as CSV."""

    area = roles.PRODUCTS

    def get(self, request):
        filterset = ProductFilter(
            request.GET, queryset=Product.objects.filter(account=self.account), request=request
        )
        if not filterset.is_valid():
            errors = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in filterset.errors.items()
            )
            return HttpResponse(
                _("The filters are not valid: %(errors)s") % {"errors": errors},
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        response = StreamingHttpResponse(
            export_csv(account=self.account, queryset=filterset.qs), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="products-{stamp}.csv"'
        return response
