"""Packages through the services: numbering, labels, order fields, journal, tracking events."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.models import Inventory, Product
from catalog.services import stock_adjust_many
from changes.origin import Origin, OriginKind
from orders.models import JournalEntry, Order
from orders.services import order_create
from shipments import labels
from shipments.couriers import COURIERS, courier_get, hurtlink_number, hurtlink_number_is_valid
from shipments.labels import label_render
from shipments.models import Package, TrackingEvent, TrackingStatus
from shipments.services import package_create, package_delete, tracking_event_add
from tests.origins import TEST_ORIGIN
from tests.shipments.helpers import A6_POINTS, make_order, pdf_media_box, pdf_page_contents

pytestmark = pytest.mark.django_db


def _journal(order) -> list[tuple[int, int]]:
    return list(JournalEntry.objects.filter(order=order).values_list("type", "object_id"))


def test_a_manual_package_sets_the_order_shipment_and_is_journaled(account_a):
    order = make_order(account_a)
    package = package_create(
        order=order,
        courier_code="manual",
        tracking_number=" 00340434161234567890 ",
        tracking_url="https://tracking.example.test/00340434161234567890",
        weight="2.5",
        origin=Origin(OriginKind.USER, 7, "Ola"),
    )
    assert package.courier_package_nr == "00340434161234567890"
    assert package.tracking_url == "https://tracking.example.test/00340434161234567890"
    assert package.weight == Decimal("2.5") and not package.has_label
    assert package.account == account_a and package.tracking_status == TrackingStatus.UNKNOWN
    order.refresh_from_db()
    assert (order.delivery_package_module, order.delivery_package_nr) == ("manual", "00340434161234567890")
    assert _journal(order) == [
        (JournalEntry.Type.ORDER_CREATED, 0),
        (JournalEntry.Type.PACKAGE_CREATED, package.pk),
    ]
    entry = JournalEntry.objects.get(order=order, type=9)
    assert (entry.origin_kind, entry.origin_id, entry.origin_label) == ("user", 7, "Ola")


def test_the_hurtlink_courier_numbers_the_package_and_renders_its_label(account_a, client):
    order = make_order(account_a)
    package = package_create(order=order, courier_code="hurtlink", weight=Decimal("1.25"), origin=TEST_ORIGIN)
    assert package.courier_package_nr == hurtlink_number(package.pk)
    assert hurtlink_number_is_valid(package.courier_package_nr)
    assert package.courier_package_nr.startswith("HL") and len(package.courier_package_nr) == 14
    pdf = bytes(Package.objects.get(pk=package.pk).label_pdf)
    assert pdf.startswith(b"%PDF")
    assert package.tracking_status == TrackingStatus.LABEL_CREATED
    assert list(package.events.values_list("tracking_status", flat=True)) == [TrackingStatus.LABEL_CREATED]
    order.refresh_from_db()
    assert (order.delivery_package_module, order.delivery_package_nr) == (
        "hurtlink",
        package.courier_package_nr,
    )

    # The tracking link opens the public tracking page, without signing in.
    path = package.tracking_url.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200
    body = page.content.decode()
    assert package.courier_package_nr in body and "Courier label created" in body
    assert "Zażółć" not in body  # no address on the public page
    assert client.get(f"/shipments/track/{package.courier_package_nr}/0000000000/").status_code == 404


def test_hurtlink_numbers_carry_a_check_digit():
    number = hurtlink_number(1234)
    assert number == "HL" + "00000001234" + number[-1]
    assert hurtlink_number_is_valid(number)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not hurtlink_number_is_valid(wrong)
    assert len({hurtlink_number(i) for i in range(1, 2000)}) == 1999


def test_the_package_weight_defaults_to_the_order_lines(account_a):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    mug = Product.objects.create(account=account_a, inventory=inventory, sku="MUG", weight=Decimal("0.350"))
    stock_adjust_many(
        origin=Origin.system(), account=account_a, changes=[(mug.pk, inventory.default_warehouse_id, 10)]
    )
    order = order_create(
        account=account_a,
        lines=[
            {"product": mug, "quantity": 3, "price_brutto": Decimal("20")},
            {"name": "Gift wrap", "quantity": 1, "price_brutto": Decimal("5")},
        ],
        origin=TEST_ORIGIN,
    )
    package = package_create(order=order, courier_code="manual", tracking_number="X1", origin=TEST_ORIGIN)
    assert package.weight == Decimal("1.050")


def test_a_manual_package_needs_a_tracking_number_and_nothing_is_written(account_a):
    order = make_order(account_a)
    with pytest.raises(ValidationError) as caught:
        package_create(order=order, courier_code="manual", tracking_number="  ", origin=TEST_ORIGIN)
    assert "courier_package_nr" in caught.value.message_dict
    assert not Package.objects.exists()
    assert _journal(order) == [(JournalEntry.Type.ORDER_CREATED, 0)]
    assert Order.objects.get(pk=order.pk).delivery_package_nr == ""


def test_negative_sizes_and_missing_or_too_long_couriers_are_refused_with_field_messages(account_a):
    order = make_order(account_a)
    with pytest.raises(ValidationError) as caught:
        package_create(
            order=order,
            courier_code="manual",
            tracking_number="X",
            weight=-1,
            height="-2",
            origin=TEST_ORIGIN,
        )
    assert set(caught.value.message_dict) == {"weight", "height"}
    with pytest.raises(ValidationError) as caught:
        package_create(order=order, courier_code="  ", tracking_number="X", origin=TEST_ORIGIN)
    assert "courier_code" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        package_create(order=order, courier_code="p" * 21, tracking_number="X", origin=TEST_ORIGIN)
    assert "courier_code" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        package_create(
            order=order, courier_code="manual", tracking_number="X" * 41, weight="heavy", origin=TEST_ORIGIN
        )
    assert set(caught.value.message_dict) == {"courier_package_nr", "weight"}
    assert not Package.objects.exists()
    with pytest.raises(ValidationError):
        courier_get("dhl")
    assert courier_get("hurtlink") is COURIERS["hurtlink"]


def test_deleting_a_package_journals_and_points_the_order_at_the_remaining_one(account_a):
    order = make_order(account_a)
    first = package_create(order=order, courier_code="manual", tracking_number="FIRST", origin=TEST_ORIGIN)
    second = package_create(order=order, courier_code="hurtlink", origin=TEST_ORIGIN)
    order.refresh_from_db()
    assert order.delivery_package_nr == second.courier_package_nr

    package_delete(package=second, origin=Origin(OriginKind.USER, 7, "Ola"))
    order.refresh_from_db()
    assert (order.delivery_package_module, order.delivery_package_nr) == ("manual", "FIRST")
    package_delete(package=first, origin=TEST_ORIGIN)
    order.refresh_from_db()
    assert (order.delivery_package_module, order.delivery_package_nr) == ("", "")
    assert not Package.objects.exists() and not TrackingEvent.objects.exists()
    assert _journal(order)[-2:] == [
        (JournalEntry.Type.PACKAGE_DELETED, second.pk),
        (JournalEntry.Type.PACKAGE_DELETED, first.pk),
    ]


def test_the_newest_tracking_event_sets_the_package_status(account_a):
    package = package_create(
        order=make_order(account_a), courier_code="manual", tracking_number="T1", origin=TEST_ORIGIN
    )
    now = timezone.now()
    tracking_event_add(
        package=package, tracking_status=2, courier_status_code="PICKED", occurred_at=now, origin=TEST_ORIGIN
    )
    tracking_event_add(
        package=package,
        tracking_status=TrackingStatus.DELIVERED,
        occurred_at=now + datetime.timedelta(hours=5),
        origin=TEST_ORIGIN,
    )
    # A late-arriving older event joins the history but does not move the status back.
    tracking_event_add(
        package=package, tracking_status=11, occurred_at=now + datetime.timedelta(hours=1), origin=TEST_ORIGIN
    )
    fresh = Package.objects.get(pk=package.pk)
    assert fresh.tracking_status == TrackingStatus.DELIVERED
    assert fresh.tracking_status_date == now + datetime.timedelta(hours=5)
    assert list(fresh.events.values_list("tracking_status", flat=True)) == [2, 11, 5]
    with pytest.raises(ValidationError) as caught:
        tracking_event_add(package=package, tracking_status=14, origin=TEST_ORIGIN)
    assert "tracking_status" in caught.value.message_dict
    assert fresh.events.count() == 3


def test_the_label_is_an_a6_pdf_with_the_tracking_number_beneath_the_barcode(account_a):
    account_a.street, account_a.postcode, account_a.city = "ul. Źródlana 1", "90-001", "Łódź"
    account_a.save()
    package = package_create(
        order=make_order(account_a), courier_code="hurtlink", weight=3, origin=TEST_ORIGIN
    )
    pdf = bytes(Package.objects.get(pk=package.pk).label_pdf)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf_media_box(pdf) == A6_POINTS
    contents = pdf_page_contents(pdf)
    assert f"({package.courier_package_nr}) Tj".encode() in contents
    assert contents.count(b" re") > 20  # the Code 128 bars


def test_labels_for_a_pickup_point_render_without_the_dejavu_font(account_a, monkeypatch):
    """Where DejaVu is missing, reportlab's Vera is used; letters it lacks (ą, ż) lose their marks."""
    monkeypatch.setattr(labels, "_FONT_CANDIDATES", labels._FONT_CANDIDATES[-1:])
    labels._font.cache_clear()
    try:
        order = make_order(
            account_a,
            delivery_point_id="WAW01M",
            delivery_point_name="Paczkomat Świętokrzyska",
            delivery_point_address="ul. Świętokrzyska 31/33",
            delivery_point_postcode="00-049",
            delivery_point_city="Warszawa",
        )
        package = Package(order=order, courier_package_nr="ŁÓDŹ-1", weight=Decimal("0.5"))
        pdf = label_render(package)
        assert pdf.startswith(b"%PDF") and b"Vera" in pdf and b"DejaVu" not in pdf
        font, glyphs = labels._font()
        assert labels._printable("Zażółć", glyphs) == "Zazółć"  # Vera has ó, ł, ć but not ż, ą
    finally:
        labels._font.cache_clear()


def test_another_carriers_name_records_a_manual_shipment_made_elsewhere(account_a):
    """BaseLinker's createPackageManual takes "a code from getCouriersList or any custom courier name";
    the service keeps that rule for every way in: a manual package with that carrier, no label."""
    order = make_order(account_a)
    with pytest.raises(ValidationError) as caught:
        package_create(order=order, courier_code="pigeon", origin=TEST_ORIGIN)
    assert "pigeon" in caught.value.message_dict["courier_package_nr"][0]

    package = package_create(order=order, courier_code="pigeon", tracking_number="P-1", origin=TEST_ORIGIN)
    assert (package.courier_code, package.courier_package_nr, package.courier_name) == (
        "pigeon",
        "P-1",
        "pigeon",
    )
    assert not package.has_label and package.tracking_status == 0


def test_the_label_courier_refuses_a_typed_tracking_number_and_url_instead_of_dropping_them(account_a):
    order = make_order(account_a)
    with pytest.raises(ValidationError) as caught:
        package_create(
            order=order,
            courier_code="hurtlink",
            tracking_number="MY-OWN-1",
            tracking_url="https://tracking.example.test/MY-OWN-1",
            origin=TEST_ORIGIN,
        )
    assert set(caught.value.message_dict) == {"courier_package_nr", "tracking_url"}
    assert "generates the tracking number" in caught.value.message_dict["courier_package_nr"][0]
    assert not Package.objects.exists()
    assert package_create(
        order=order, courier_code="hurtlink", origin=TEST_ORIGIN
    ).courier_package_nr.startswith("HL")
