"""Courier and package methods (reference §6): documented example requests, fields, types, effects."""

from __future__ import annotations

import base64

import pytest

from orders.models import JournalEntry
from shipments.models import Package
from shipments.services import tracking_event_add
from tests.blconnector.shapes import INT, PACKAGE, STR, assert_keyed, assert_shape
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db


def test_couriers_list(bl_a, order_a):
    couriers = bl_a.ok("getCouriersList", "[]")["couriers"]
    for courier in couriers:
        assert_shape(courier, {"code": STR, "name": STR}, exact=True)
    assert [c["code"] for c in couriers] == ["manual", "hurtlink"]


def test_create_package_manual_with_another_carriers_name_records_it_without_making_it_a_courier(
    bl_a, order_a
):
    """Reference §6.3: courier_code is "a code from getCouriersList or any custom courier name". The
    package keeps the name; getCouriersList still lists only this server's couriers (a typo such as
    "dhl" does not become one)."""
    body = bl_a.ok(
        "createPackageManual",
        {"order_id": order_a.pk, "courier_code": "dhl", "package_number": "DHL1", "pickup_date": 1},
    )
    packages = bl_a.ok("getOrderPackages", {"order_id": order_a.pk})["packages"]
    assert [(p["package_id"], p["courier_code"], p["courier_package_nr"]) for p in packages] == [
        (body["package_id"], "dhl", "DHL1")
    ]
    order = bl_a.ok("getOrders", {"order_id": order_a.pk})["orders"][0]
    assert (order["delivery_package_module"], order["delivery_package_nr"]) == ("dhl", "DHL1")
    assert [c["code"] for c in bl_a.ok("getCouriersList")["couriers"]] == ["manual", "hurtlink"]


def test_create_package_manual_names_courier_code_when_it_cannot_be_a_carrier(bl_a, order_a):
    for code in ("", "   "):
        body = bl_a.error(
            "createPackageManual", {"order_id": order_a.pk, "courier_code": code, "package_number": "X1"}
        )
        assert body["error_code"] == "ERROR_INVALID_PARAMETERS" and "courier_code" in body["error_message"]
    too_long = bl_a.error(
        "createPackageManual", {"order_id": order_a.pk, "courier_code": "c" * 21, "package_number": "X1"}
    )
    assert "courier_code" in too_long["error_message"]
    assert bl_a.ok("getOrderPackages", {"order_id": order_a.pk})["packages"] == []


def test_create_package_manual_documented_request(bl_a, order_a):
    body = bl_a.ok(
        "createPackageManual",
        {
            "order_id": str(order_a.pk),
            "courier_code": "dpd",
            "package_number": "622222044730624327700197",
            "pickup_date": "1487006161",
            "return_shipment": False,
        },
    )
    assert_shape(body, {"package_id": INT, "package_number": STR})
    assert body["package_number"] == "622222044730624327700197"
    order = bl_a.ok("getOrders", {"order_id": order_a.pk})["orders"][0]
    assert (order["delivery_package_module"], order["delivery_package_nr"]) == (
        "dpd",
        "622222044730624327700197",
    )
    entry = order_a.journal.get(type=JournalEntry.Type.PACKAGE_CREATED)
    assert entry.object_id == body["package_id"]
    labelled = bl_a.error(
        "createPackageManual", {"order_id": order_a.pk, "courier_code": "hurtlink", "package_number": "X"}
    )
    assert (
        labelled["error_code"] == "ERROR_INVALID_PARAMETERS" and "createPackage" in labelled["error_message"]
    )
    missing = bl_a.error("createPackageManual", {"order_id": order_a.pk, "courier_code": "dpd"})
    assert "package_number" in missing["error_message"]


def test_create_package_with_the_label_courier_and_get_its_label(bl_a, order_a):
    body = bl_a.ok(
        "createPackage",
        {
            "order_id": order_a.pk,
            "courier_code": "hurtlink",
            "fields": [{"id": "insurance", "value": True}, {"id": "cod", "value": 0}],
            "packages": [{"weight": "1.5", "length": 30, "width": 20, "height": 10}],
        },
    )
    assert_shape(body, {"package_id": INT, "package_number": STR, "courier_inner_number": STR})
    assert body["package_number"].startswith("HL")
    for request in (
        {"package_id": body["package_id"]},
        {"courier_code": "hurtlink", "package_number": body["package_number"]},
    ):
        label = bl_a.ok("getLabel", request)
        assert label["extension"] == "pdf"
        assert base64.b64decode(label["label"]).startswith(b"%PDF")
    packages = bl_a.ok("getOrderPackages", {"order_id": order_a.pk})["packages"]
    assert_shape(packages[0], PACKAGE, exact=True)
    assert (packages[0]["courier_code"], packages[0]["tracking_status"], packages[0]["is_return"]) == (
        "hurtlink",
        1,
        False,
    )
    assert packages[0]["tracking_url"].startswith("http")
    wrong = bl_a.error("getLabel", {"courier_code": "dpd", "package_id": body["package_id"]})
    assert wrong["error_code"] == "ERROR_PACKAGE_NOT_FOUND"
    unknown = bl_a.error("createPackage", {"order_id": order_a.pk, "courier_code": "dpd"})
    assert unknown["error_code"] == "ERROR_COURIER_NOT_FOUND"


def test_a_manual_package_has_no_label(bl_a, order_a):
    package = bl_a.ok(
        "createPackageManual", {"order_id": order_a.pk, "courier_code": "manual", "package_number": "N1"}
    )
    body = bl_a.error("getLabel", {"courier_code": "manual", "package_id": package["package_id"]})
    assert body["error_code"] == "ERROR_LABEL_NOT_FOUND"


def test_courier_packages_status_history_documented_request(bl_a, order_a):
    package_id = bl_a.ok("createPackage", {"order_id": order_a.pk, "courier_code": "hurtlink"})["package_id"]
    tracking_event_add(
        package=Package.objects.get(pk=package_id),
        tracking_status=5,
        courier_status_code="delivered",
        origin=TEST_ORIGIN,
    )
    body = bl_a.ok("getCourierPackagesStatusHistory", {"package_ids": [package_id, 999999]})
    history = body["packages_history"]
    assert_keyed(history)
    assert list(history) == [str(package_id)]
    for event in history[str(package_id)]:
        assert_shape(
            event,
            {"tracking_status_date": INT, "courier_status_code": STR, "tracking_status": INT},
            exact=True,
        )
    assert [e["tracking_status"] for e in history[str(package_id)]] == [1, 5]
    assert bl_a.ok("getCourierPackagesStatusHistory", {"package_ids": []})["packages_history"] == {}
    too_many = bl_a.error("getCourierPackagesStatusHistory", {"package_ids": list(range(1, 102))})
    assert too_many["error_code"] == "ERROR_INVALID_PARAMETERS"
