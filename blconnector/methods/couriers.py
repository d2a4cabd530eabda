"""Courier and package methods (reference §6): thin adapters over ``shipments.services``.

Couriers here are ``manual`` (a shipment made elsewhere) and ``hurtlink``, the built-in label courier:
createPackage with it numbers the package and renders its label, which getLabel returns.
createPackageManual also takes any other carrier name, as BaseLinker does ("a code from
getCouriersList or any custom courier name"): a manual package with that carrier, not a new courier.
"""

from __future__ import annotations

import base64

from django.utils.translation import gettext as _

from blconnector.errors import ApiError, Code, bad_parameter, not_found
from blconnector.lookups import order_of, package_of
from blconnector.params import Args, Bool, Int, IntList, Items, Number, Raw, Str, Timestamp
from blconnector.registry import PACKAGES, READ, WRITE, Call, method
from blconnector.render import timestamp
from shipments.couriers import COURIERS
from shipments.models import Package, TrackingEvent
from shipments.selectors import courier_list
from shipments.services import package_create

MAX_PACKAGES_PER_CALL = 100


@method("getCouriersList", area=PACKAGES, act=READ)
def get_couriers_list(call: Call, args: Args) -> dict:
    """The couriers this server has. Carrier names that createPackageManual recorded are not couriers
    here (a typo would otherwise become one), so they are not listed."""
    return {"couriers": [{"code": courier.code, "name": str(courier.name)} for courier in courier_list()]}


@method(
    "createPackageManual",
    area=PACKAGES,
    act=WRITE,
    params=(
        Int("order_id", required=True),
        Str("courier_code", required=True, max_length=20, strip=True),
        Str("package_number", required=True, max_length=40, strip=True),
        # The dispatch date and the return flag are not kept here (see the README).
        Timestamp("pickup_date"),
        Bool("return_shipment", default=False),
    ),
)
def create_package_manual(call: Call, args: Args) -> dict:
    """Record a shipment made elsewhere; it becomes the order's shipment (journal 9)."""
    order = order_of(call, args.order_id)
    courier = COURIERS.get(args.courier_code)
    if courier is not None and courier.makes_labels:
        raise bad_parameter(
            "courier_code",
            _("the “%(code)s” courier numbers its packages: use createPackage.") % {"code": courier.code},
        )
    package = package_create(
        order=order,
        courier_code=args.courier_code,
        tracking_number=args.package_number,
        origin=call.origin,
    )
    return {"package_id": package.pk, "package_number": package.courier_package_nr}


@method(
    "createPackage",
    area=PACKAGES,
    act=WRITE,
    params=(
        Int("order_id", required=True),
        Str("courier_code", required=True, max_length=20, strip=True),
        Int("account_id"),
        Raw("fields"),  # the label courier needs no courier form fields
        Items(
            "packages",
            (
                Number("weight", places=3, maximum=10**7 - 1),
                Number("length", maximum=10**6 - 1),
                Number("width", maximum=10**6 - 1),
                Number("height", maximum=10**6 - 1),
            ),
            max_items=1,
        ),
    ),
)
def create_package(call: Call, args: Args) -> dict:
    """A package through a courier that makes labels (``hurtlink``): numbered, with its label."""
    order = order_of(call, args.order_id)
    courier = COURIERS.get(args.courier_code)
    if courier is None or not courier.makes_labels:
        raise ApiError(
            Code.COURIER_NOT_FOUND,
            _("No courier “%(code)s” makes labels here; record other shipments with createPackageManual.")
            % {"code": args.courier_code},
        )
    parcel = (args.packages or [None])[0]
    sizes = parcel.pick(("weight", "length", "width", "height")) if parcel is not None else {}
    package = package_create(order=order, courier_code=courier.code, origin=call.origin, **sizes)
    return {
        "package_id": package.pk,
        "package_number": package.courier_package_nr,
        "courier_inner_number": package.courier_inner_number,
    }


@method("getOrderPackages", area=PACKAGES, act=READ, params=(Int("order_id", required=True),))
def get_order_packages(call: Call, args: Args) -> dict:
    order = order_of(call, args.order_id)
    return {
        "packages": [
            {
                "package_id": package.pk,
                "courier_package_nr": package.courier_package_nr,
                "courier_inner_number": package.courier_inner_number,
                "courier_code": package.courier_code,
                "courier_other_name": "",
                "account_id": 0,
                "tracking_status_date": timestamp(package.tracking_status_date),
                "tracking_delivery_days": 0,
                "tracking_status": package.tracking_status,
                "package_type": 0,
                "tracking_url": package.tracking_url,
                "is_return": False,
            }
            for package in Package.objects.without_label().filter(order=order).order_by("id")
        ]
    }


@method(
    "getLabel",
    area=PACKAGES,
    act=READ,
    params=(
        Str("courier_code", max_length=20, strip=True),
        Int("package_id"),
        Str("package_number", max_length=40, strip=True),
    ),
)
def get_label(call: Call, args: Args) -> dict:
    """The package's label PDF, base64; packages of couriers that make no labels have none."""
    if not args.package_id and not args.package_number:
        raise bad_parameter("package_id", _("give package_id or package_number."))
    package = package_of(
        call,
        package_id=args.package_id or None,
        package_number=None if args.package_id else args.package_number,
    )
    if args.courier_code and args.courier_code != package.courier_code:
        raise not_found(Code.PACKAGE_NOT_FOUND, _("Package"), args.package_id or args.package_number)
    if not package.label_pdf:
        raise ApiError(Code.LABEL_NOT_FOUND, _("Package %(id)s has no label.") % {"id": package.pk})
    return {"extension": "pdf", "label": base64.b64encode(bytes(package.label_pdf)).decode("ascii")}


@method(
    "getCourierPackagesStatusHistory",
    area=PACKAGES,
    act=READ,
    params=(IntList("package_ids", required=True, max_items=MAX_PACKAGES_PER_CALL),),
)
def get_courier_packages_status_history(call: Call, args: Args) -> dict:
    """Tracking events per package, oldest first; ids that are not the account's packages are left out."""
    ids = list(
        Package.objects.filter(account=call.account, pk__in=args.package_ids).values_list("pk", flat=True)
    )
    history: dict[str, list] = {str(pk): [] for pk in sorted(ids)}
    events = TrackingEvent.objects.filter(package__account=call.account, package_id__in=ids).order_by(
        "package_id", "occurred_at", "id"
    )
    for package_id, at, code, status in events.values_list(
        "package_id", "occurred_at", "courier_status_code", "tracking_status"
    ):
        history[str(package_id)].append(
            {"tracking_status_date": timestamp(at), "courier_status_code": code, "tracking_status": status}
        )
    return {"packages_history": history}
