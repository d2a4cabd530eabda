"""Shipments: an order's packages (BaseLinker's getOrderPackages, reference §6.4) and tracking events."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TrackingStatus(models.IntegerChoices):
    """BaseLinker's tracking status codes (reference §6.6), shared by packages and their events."""

    UNKNOWN = 0, _("Unknown")
    LABEL_CREATED = 1, _("Courier label created")
    SHIPPED = 2, _("Shipped")
    NOT_DELIVERED = 3, _("Not delivered")
    OUT_FOR_DELIVERY = 4, _("Out for delivery")
    DELIVERED = 5, _("Delivered")
    RETURN = 6, _("Return")
    AVISO = 7, _("Aviso (awaiting pickup)")
    WAITING_AT_POINT = 8, _("Waiting at point")
    LOST = 9, _("Lost")
    CANCELED = 10, _("Canceled")
    ON_THE_WAY = 11, _("On the way")
    EXCEPTION = 12, _("Exception")
    TRANSFERRED_ABROAD = 13, _("Transferred abroad")


WEIGHT = {"max_digits": 10, "decimal_places": 3}
DIMENSION = {"max_digits": 8, "decimal_places": 2}


class PackageQuerySet(models.QuerySet):
    def without_label(self):
        """Leave the label bytes in the database; ``has_label`` still answers (from their length)."""
        return self.defer("label_pdf").annotate(label_size=Length("label_pdf"))


class Package(models.Model):
    """One shipment of an order: courier, tracking number and URL, label PDF, weight and dimensions."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="packages")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="packages")
    courier_code = models.CharField(_("courier"), max_length=20)
    courier_package_nr = models.CharField(_("tracking number"), max_length=40, blank=True)
    courier_inner_number = models.CharField(_("courier's inner number"), max_length=40, blank=True)
    tracking_url = models.URLField(_("tracking URL"), max_length=255, blank=True)
    weight = models.DecimalField(
        _("weight (kg)"), default=Decimal("0"), validators=[MinValueValidator(0)], **WEIGHT
    )
    length = models.DecimalField(
        _("length (cm)"), default=Decimal("0"), validators=[MinValueValidator(0)], **DIMENSION
    )
    width = models.DecimalField(
        _("width (cm)"), default=Decimal("0"), validators=[MinValueValidator(0)], **DIMENSION
    )
    height = models.DecimalField(
        _("height (cm)"), default=Decimal("0"), validators=[MinValueValidator(0)], **DIMENSION
    )
    label_pdf = models.BinaryField(_("label (PDF)"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    tracking_status = models.PositiveSmallIntegerField(
        _("tracking status"), choices=TrackingStatus.choices, default=TrackingStatus.UNKNOWN
    )
    tracking_status_date = models.DateTimeField(_("tracking status date"), null=True, blank=True)

    objects = PackageQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["account", "-id"]),
            models.Index(fields=["account", "courier_package_nr"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=0)
                & models.Q(length__gte=0)
                & models.Q(width__gte=0)
                & models.Q(height__gte=0),
                name="shipments_package_sizes_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(tracking_status__in=TrackingStatus.values),
                name="shipments_package_tracking_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.courier_code} {self.courier_package_nr or self.pk}"

    @property
    def courier_name(self) -> str:
        """The courier as people read it: a registered courier's name, else the carrier's code as given."""
        from shipments.couriers import COURIERS

        courier = COURIERS.get(self.courier_code)
        return str(courier.name) if courier is not None else self.courier_code

    @property
    def has_label(self) -> bool:
        if "label_size" in self.__dict__:
            return bool(self.label_size)
        return bool(self.label_pdf)


class TrackingEvent(models.Model):
    """A tracking update of a package (getCourierPackagesStatusHistory); the newest sets the package's."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="events")
    tracking_status = models.PositiveSmallIntegerField(_("tracking status"), choices=TrackingStatus.choices)
    courier_status_code = models.CharField(_("courier's status code"), max_length=100, blank=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tracking_status__in=TrackingStatus.values),
                name="shipments_event_tracking_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tracking_status_display()} ({self.occurred_at:%Y-%m-%d %H:%M})"
