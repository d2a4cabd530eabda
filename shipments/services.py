"""Every write of the shipments app. Package and tracking changes journal on their order and record
their change events (with the change's origin) in the same transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DecimalField, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from changes import topics
from changes.origin import Origin
from orders.models import JournalEntry, Order
from orders.services import journal_add, tracking_number_record
from shipments.couriers import COURIERS, courier_custom, courier_get, hurtlink_number
from shipments.labels import label_render
from shipments.models import WEIGHT, Package, TrackingEvent, TrackingStatus


def _decimal(value, field: str, errors: dict[str, list[str]]) -> Decimal:
    try:
        number = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("Enter a number."))
        return Decimal("0")
    if not number.is_finite():
        errors.setdefault(field, []).append(_("Enter a number."))
        return Decimal("0")
    if number < 0:
        errors.setdefault(field, []).append(_("This cannot be negative."))
    return number


def order_lines_weight(*, order: Order) -> Decimal:
    """The order's weight: each line's weight × quantity, summed (kg)."""
    total = order.lines.aggregate(
        total=Sum(F("weight") * F("quantity"), output_field=DecimalField(**WEIGHT))
    )["total"]
    return total or Decimal("0")


@transaction.atomic
def package_create(
    *,
    order: Order,
    courier_code: str,
    tracking_number: str = "",
    tracking_url: str = "",
    weight=None,
    length=0,
    width=0,
    height=0,
    origin: Origin,
    made_elsewhere: bool = False,
) -> Package:
    """Create a package of ``order`` and make it the order's shipment; journal PACKAGE_CREATED and record
    "package created" (and "tracking number changed" when the order's number changed).

    ``manual`` needs ``tracking_number`` (``tracking_url`` optional). A courier that makes labels
    (``hurtlink``) numbers the package itself, sets the tracking URL and stores the rendered label PDF,
    with a first "label created" tracking event; a number or URL given with it is refused (field
    errors), never silently replaced. ``weight`` defaults to the order lines' weight × quantity. Sets
    the order's ``delivery_package_module``/``delivery_package_nr`` (order row locked). Bad input
    raises ValidationError with messages keyed by Package field names; nothing is written.

    A ``courier_code`` that is not a registered courier is the name of the carrier of a shipment made
    elsewhere (BaseLinker's createPackageManual takes "a code from getCouriersList or any custom
    courier name"): a manual package, which needs its tracking number. Such names are not couriers of
    this server: the couriers list does not show them. The same rule holds for the pages, REST and
    /connector.php.
    With ``made_elsewhere``, the package is a shipment another account made (a Connect partner's,
    carried to this order): it keeps its courier, whatever it is, with the number and URL given, and
    no label is made here.
    """
    errors: dict[str, list[str]] = {}
    name = courier_code.strip() if isinstance(courier_code, str) else ""
    if not name:
        courier = None
        errors["courier_code"] = [_("Choose a courier.")]
    elif name in COURIERS:
        courier = courier_custom(name) if made_elsewhere else courier_get(name)
    else:
        courier = courier_custom(name)
    tracking_number = (tracking_number or "").strip()
    tracking_url = (tracking_url or "").strip()
    if courier is not None and not courier.makes_labels and not tracking_number and not made_elsewhere:
        errors.setdefault("courier_package_nr", []).append(
            _("Enter the tracking number of the shipment (courier “%(courier)s”).")
            % {"courier": courier.name}
        )
    if courier is not None and courier.makes_labels:
        # The courier numbers the package and links its tracking page: what was typed would be lost.
        if tracking_number:
            errors.setdefault("courier_package_nr", []).append(
                _(
                    "The courier “%(courier)s” generates the tracking number itself: leave this empty, or "
                    "choose “%(manual)s” to record a number from elsewhere."
                )
                % {"courier": courier.name, "manual": COURIERS["manual"].name}
            )
        if tracking_url:
            errors.setdefault("tracking_url", []).append(
                _("The courier “%(courier)s” makes the tracking link itself: leave this empty.")
                % {"courier": courier.name}
            )
    sizes = {name: _decimal(value, name, errors) for name, value in (("length", length), ("width", width))}
    sizes["height"] = _decimal(height, "height", errors)
    if weight is None or weight == "":
        package_weight = order_lines_weight(order=order)
    else:
        package_weight = _decimal(weight, "weight", errors)

    locked = Order.objects.select_for_update().get(pk=order.pk)
    package = Package(
        account_id=locked.account_id,
        order=locked,
        courier_code=courier.code if courier else "",
        courier_package_nr="" if courier and courier.makes_labels else tracking_number,
        tracking_url="" if courier and courier.makes_labels else tracking_url,
        weight=package_weight,
        **sizes,
    )
    try:
        package.full_clean(exclude=["order", "account", *errors])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)

    package.save()
    if courier.makes_labels:
        package.courier_package_nr = hurtlink_number(package.pk)
        package.tracking_url = courier.tracking_url(package.courier_package_nr)
        package.label_pdf = label_render(package)
        now = timezone.now()
        package.tracking_status = TrackingStatus.LABEL_CREATED
        package.tracking_status_date = now
        package.save(
            update_fields=[
                "courier_package_nr",
                "tracking_url",
                "label_pdf",
                "tracking_status",
                "tracking_status_date",
            ]
        )
        TrackingEvent.objects.create(
            package=package,
            tracking_status=TrackingStatus.LABEL_CREATED,
            courier_status_code="label_created",
            occurred_at=now,
        )
    elif not package.tracking_url:
        package.tracking_url = courier.tracking_url(package.courier_package_nr)
        if package.tracking_url:
            package.save(update_fields=["tracking_url"])

    tracking_before = (locked.delivery_package_module, locked.delivery_package_nr)
    locked.delivery_package_module = package.courier_code
    locked.delivery_package_nr = package.courier_package_nr
    locked.save(update_fields=["delivery_package_module", "delivery_package_nr"])
    order.delivery_package_module = locked.delivery_package_module
    order.delivery_package_nr = locked.delivery_package_nr
    details = {"courier_code": package.courier_code, "package_number": package.courier_package_nr}
    journal_add(
        order=locked,
        type=JournalEntry.Type.PACKAGE_CREATED,
        object_id=package.pk,
        origin=origin,
        data=details,
        topic=topics.PACKAGE_CREATED,
        subject_id=package.pk,
        payload={"package_id": package.pk, **details},
    )
    if (locked.delivery_package_module, locked.delivery_package_nr) != tracking_before:
        tracking_number_record(
            order=locked, origin=origin, previous=tracking_before[1], package_id=package.pk
        )
    return package


@transaction.atomic
def package_delete(*, package: Package, origin: Origin) -> None:
    """Delete ``package``, journal PACKAGE_DELETED on its order and record "package deleted" (and
    "tracking number changed" when the order's number changed).

    If the order pointed at this package's number, it now points at its newest remaining package, or
    at none (order row locked).
    """
    order = Order.objects.select_for_update().get(pk=package.order_id)
    package_id = package.pk
    number = package.courier_package_nr
    tracking_before = (order.delivery_package_module, order.delivery_package_nr)
    Package.objects.filter(pk=package_id).delete()
    if order.delivery_package_nr == number and order.delivery_package_module == package.courier_code:
        newest = (
            Package.objects.filter(order=order)
            .order_by("-id")
            .values("courier_code", "courier_package_nr")
            .first()
        )
        order.delivery_package_module = newest["courier_code"] if newest else ""
        order.delivery_package_nr = newest["courier_package_nr"] if newest else ""
        order.save(update_fields=["delivery_package_module", "delivery_package_nr"])
    details = {"courier_code": package.courier_code, "package_number": number}
    journal_add(
        order=order,
        type=JournalEntry.Type.PACKAGE_DELETED,
        object_id=package_id,
        origin=origin,
        data=details,
        topic=topics.PACKAGE_DELETED,
        subject_id=package_id,
        payload={"package_id": package_id, **details},
    )
    if (order.delivery_package_module, order.delivery_package_nr) != tracking_before:
        tracking_number_record(order=order, origin=origin, previous=number)


@transaction.atomic
def tracking_event_add(
    *,
    package: Package,
    tracking_status: int,
    courier_status_code: str = "",
    occurred_at: datetime.datetime | None = None,
    origin: Origin,
) -> TrackingEvent:
    """Record a tracking update of ``package``. When it is the newest one (by ``occurred_at``; a tie
    goes to the later call), it becomes the package's ``tracking_status``/``tracking_status_date``.
    An older event only joins the history. Package row locked, so concurrent updates keep the newest.
    Journaled on the order ("tracking update") and recorded as "tracking event added" (``newest`` says
    whether it became the package's status).
    """
    errors: dict[str, list[str]] = {}
    try:
        status = TrackingStatus(int(tracking_status))
    except (TypeError, ValueError):
        errors["tracking_status"] = [_("Unknown tracking status %(value)s.") % {"value": tracking_status}]
    courier_status_code = (courier_status_code or "").strip()
    if len(courier_status_code) > 100:
        errors["courier_status_code"] = [_("At most 100 characters.")]
    if occurred_at is not None and timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if errors:
        raise ValidationError(errors)
    occurred_at = occurred_at or timezone.now()
    locked = (
        Package.objects.select_for_update(of=("self",))
        .select_related("order")
        .defer("label_pdf")
        .get(pk=package.pk)
    )
    event = TrackingEvent.objects.create(
        package=locked,
        tracking_status=status,
        courier_status_code=courier_status_code,
        occurred_at=occurred_at,
    )
    newest = locked.tracking_status_date is None or occurred_at >= locked.tracking_status_date
    if newest:
        Package.objects.filter(pk=locked.pk).update(tracking_status=status, tracking_status_date=occurred_at)
        package.tracking_status = status
        package.tracking_status_date = occurred_at
    details = {
        "package_number": locked.courier_package_nr,
        "tracking_status": int(status),
        "courier_status_code": courier_status_code,
        "occurred_at": occurred_at.isoformat(),
    }
    journal_add(
        order=locked.order,
        type=JournalEntry.Type.TRACKING_UPDATED,
        object_id=locked.pk,
        origin=origin,
        data=details,
        topic=topics.TRACKING_EVENT_ADDED,
        subject_id=locked.pk,
        payload={
            "package_id": locked.pk,
            "tracking_event_id": event.pk,
            "courier_code": locked.courier_code,
            "newest": newest,
            **details,
        },
    )
    return event
