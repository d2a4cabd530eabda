"""Web pages of the shipments app: packages of an order, their labels and tracking, the tracking page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from accounts import roles
from accounts.tenancy import AccountViewMixin
from changes.origin import Origin
from config.web import form_errors_from, safe_next
from orders.models import Order
from shipments import selectors, services
from shipments.couriers import tracking_key_is_valid
from shipments.forms import PackageCreateForm, TrackingEventForm
from shipments.models import Package


def order_url(order_id: int) -> str | None:
    """The order card's URL, when the orders pages provide one."""
    try:
        return reverse("orders:order-detail", args=[order_id])
    except NoReverseMatch:
        return None


def _back_to_order(request, order_id: int) -> str:
    return order_url(order_id) or safe_next(request) or reverse("shipments:package-list")


class PackageListView(AccountViewMixin, ListView):
    """Every package of the account, newest first."""

    area = roles.PACKAGES
    template_name = "shipments/package_list.html"
    context_object_name = "packages"
    paginate_by = 50

    def get_queryset(self):
        return selectors.package_list(account=self.account)


class PackageCreateView(AccountViewMixin, View):
    """The package form of one order (manual tracking number, or a Hurtlink label)."""

    area = roles.PACKAGES

    def get(self, request, order_pk: int):
        order = get_object_or_404(Order, pk=order_pk, account=self.account)
        return self._render(order, PackageCreateForm())

    def post(self, request, order_pk: int):
        order = get_object_or_404(Order, pk=order_pk, account=self.account)
        form = PackageCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                package = services.package_create(
                    order=order,
                    courier_code=data["courier_code"],
                    tracking_number=data["courier_package_nr"],
                    tracking_url=data["tracking_url"],
                    weight=data["weight"],
                    length=data["length"] or 0,
                    width=data["width"] or 0,
                    height=data["height"] or 0,
                    origin=Origin.of_tenant(self.tenant),
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(
                    request,
                    _("Package %(number)s created for order #%(order)s.")
                    % {"number": package.courier_package_nr, "order": order.pk},
                )
                return redirect(_back_to_order(request, order.pk))
        return self._render(order, form)

    def _render(self, order, form):
        context = {
            "order": order,
            "form": form,
            "order_url": order_url(order.pk),
            "lines_weight": services.order_lines_weight(order=order),
            "next": safe_next(self.request) or "",
            "packages": selectors.order_package_list(order=order),
        }
        return render(self.request, "shipments/package_create.html", context)


class PackageDetailView(AccountViewMixin, View):
    """One package: its tracking history and the form that adds a tracking event."""

    area = roles.PACKAGES

    def get(self, request, pk: int):
        package = selectors.package_get(account=self.account, pk=pk)
        return render_package_detail(request, package, TrackingEventForm())


def render_package_detail(request, package, form, status: int = 200):
    context = {
        "package": package,
        "order_url": order_url(package.order_id),
        "events": selectors.tracking_event_list(package=package),
        "form": form,
    }
    return render(request, "shipments/package_detail.html", context, status=status)


class PackageLabelView(AccountViewMixin, View):
    """The label PDF (404 when the package has none, e.g. a manual shipment)."""

    area = roles.PACKAGES

    def get(self, request, pk: int):
        package = get_object_or_404(
            Package.objects.only("pk", "courier_package_nr", "label_pdf"), pk=pk, account=self.account
        )
        if not package.label_pdf:
            raise Http404(_("This package has no label."))
        response = HttpResponse(bytes(package.label_pdf), content_type="application/pdf")
        name = package.courier_package_nr or f"package-{package.pk}"
        response["Content-Disposition"] = f'inline; filename="label-{name}.pdf"'
        return response


class TrackingEventAddView(AccountViewMixin, View):
    area = roles.PACKAGES

    def post(self, request, pk: int):
        package = selectors.package_get(account=self.account, pk=pk)
        form = TrackingEventForm(request.POST)
        if form.is_valid():
            try:
                services.tracking_event_add(
                    package=package, origin=Origin.of_tenant(self.tenant), **form.cleaned_data
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Tracking event added."))
                return redirect(safe_next(request) or reverse("shipments:package-detail", args=[package.pk]))
        return render_package_detail(request, package, form, status=400)


class PackageDeleteView(AccountViewMixin, View):
    area = roles.PACKAGES
    act = roles.Act.DELETE

    def post(self, request, pk: int):
        package = get_object_or_404(Package.objects.without_label(), pk=pk, account=self.account)
        order_id = package.order_id
        number = package.courier_package_nr
        services.package_delete(package=package, origin=Origin.of_tenant(self.tenant))
        messages.success(request, _("Package %(number)s deleted.") % {"number": number or order_id})
        return redirect(_back_to_order(request, order_id))


def tracking_page(request, number: str, key: str):
    """Public tracking page of a Hurtlink-numbered package: statuses and dates only, no addresses.

    Guarded by the key in the link (an HMAC of the number), so numbers cannot be enumerated.
    """
    if not tracking_key_is_valid(number, key):
        raise Http404
    package = (
        Package.objects.without_label()
        .filter(courier_code="hurtlink", courier_package_nr=number)
        .only("pk", "courier_package_nr", "tracking_status", "tracking_status_date", "created_at")
        .first()
    )
    if package is None:
        raise Http404
    events = selectors.tracking_event_list(package=package)
    return render(request, "shipments/tracking.html", {"package": package, "events": events})
