"""Reads of the shipments app: the account's packages (without their label PDFs) with their orders,
an order's packages, a package's tracking history."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from shipments.couriers import COURIERS, Courier
from shipments.models import Package, TrackingEvent


def courier_list() -> list[Courier]:
    """The couriers of this server (getCouriersList, GET couriers/). Carrier names that manual packages
    were recorded with are not couriers here and are not listed."""
    return list(COURIERS.values())


def package_list(*, account) -> QuerySet[Package]:
    """The account's packages with their orders, newest first (label PDFs not loaded)."""
    return Package.objects.filter(account=account).without_label().select_related("order").order_by("-id")


def package_get(*, account, pk: int) -> Package:
    """One of the account's packages with its order (label PDF not loaded); Http404 for a missing or
    another account's package."""
    package = Package.objects.without_label().select_related("order").filter(account=account, pk=pk).first()
    if package is None:
        raise Http404
    return package


def order_package_list(*, order) -> QuerySet[Package]:
    """The packages of an order in hand (label PDFs not loaded)."""
    return Package.objects.filter(order=order).without_label()


def tracking_event_list(*, package: Package) -> QuerySet[TrackingEvent]:
    """A package's tracking history, latest first."""
    return TrackingEvent.objects.filter(package=package).order_by("-occurred_at", "-id")
