"""The shipments pages: package form of an order, label download, tracking events, delete, order partial."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from orders.models import JournalEntry, Order
from shipments.models import Package, TrackingStatus
from shipments.services import package_create, tracking_event_add
from shipments.views import order_url
from tests.origins import TEST_ORIGIN
from tests.shipments.helpers import make_order

pytestmark = pytest.mark.django_db


def _back_to(order) -> str:
    return order_url(order.pk) or reverse("shipments:package-list")


def test_the_form_creates_a_manual_package_and_returns_to_the_order(client_a, account_a):
    order = make_order(account_a)
    url = reverse("shipments:package-create", args=[order.pk])
    page = client_a.get(url)
    assert page.status_code == 200
    assert (
        "Zażółć Gęślą Jaźń" in page.content.decode() and 'name="courier_package_nr"' in page.content.decode()
    )

    response = client_a.post(
        url,
        {"courier_code": "manual", "courier_package_nr": "PL123", "weight": "0.8", "length": "", "width": ""},
    )
    assert response.status_code == 302 and response["Location"] == _back_to(order)
    package = Package.objects.get(order=order)
    assert (package.courier_package_nr, str(package.weight)) == ("PL123", "0.800")
    assert JournalEntry.objects.filter(order=order, type=JournalEntry.Type.PACKAGE_CREATED).exists()
    assert "PL123" in client_a.get(response["Location"]).content.decode()


def test_the_form_shows_what_is_missing(client_a, account_a):
    order = make_order(account_a)
    url = reverse("shipments:package-create", args=[order.pk])
    response = client_a.post(url, {"courier_code": "manual", "courier_package_nr": ""})
    assert response.status_code == 200
    assert "Enter the tracking number" in response.content.decode()
    negative = client_a.post(url, {"courier_code": "manual", "courier_package_nr": "X", "weight": "-2"})
    assert negative.status_code == 200 and "field-error" in negative.content.decode()
    assert not Package.objects.exists()


def test_a_hurtlink_label_is_made_from_the_form_and_downloaded(client_a, account_a):
    order = make_order(account_a)
    client_a.post(reverse("shipments:package-create", args=[order.pk]), {"courier_code": "hurtlink"})
    package = Package.objects.get(order=order)
    label = client_a.get(reverse("shipments:package-label", args=[package.pk]))
    assert label.status_code == 200 and label["Content-Type"] == "application/pdf"
    assert label.content.startswith(b"%PDF")

    manual = package_create(
        order=order, courier_code="manual", tracking_number="NO-LABEL", origin=TEST_ORIGIN
    )
    assert client_a.get(reverse("shipments:package-label", args=[manual.pk])).status_code == 404


def test_a_tracking_event_is_added_on_the_package_page(client_a, account_a):
    package = package_create(
        order=make_order(account_a), courier_code="manual", tracking_number="EV1", origin=TEST_ORIGIN
    )
    response = client_a.post(
        reverse("shipments:package-event-add", args=[package.pk]),
        {"tracking_status": "5", "courier_status_code": "DOR", "occurred_at": "2030-03-04T12:30"},
    )
    assert response.status_code == 302
    page = client_a.get(response["Location"]).content.decode()
    assert "Delivered" in page and "DOR" in page
    assert Package.objects.get(pk=package.pk).tracking_status == 5
    refused = client_a.post(
        reverse("shipments:package-event-add", args=[package.pk]), {"tracking_status": "42"}
    )
    assert refused.status_code == 400 and package.events.count() == 1
    # The order's timeline shows the update and who added it.
    card = client_a.get(reverse("orders:order-detail", args=[package.order_id])).content.decode()
    timeline = card.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    assert "Tracking update" in timeline and "Package EV1: Delivered" in timeline
    assert "DOR" not in timeline  # the courier's own code stays on the package page
    entry = package.order.journal.get(type=JournalEntry.Type.TRACKING_UPDATED)
    assert (entry.object_id, entry.origin_kind) == (package.pk, "user")
    assert entry.origin_label in card


def test_deleting_from_the_order_card_goes_back_there(client_a, account_a):
    order = make_order(account_a)
    package = package_create(order=order, courier_code="manual", tracking_number="DEL1", origin=TEST_ORIGIN)
    response = client_a.post(
        reverse("shipments:package-delete", args=[package.pk]), {"next": "/orders/somewhere/?tab=packages"}
    )
    assert response.status_code == 302
    assert response["Location"] == (order_url(order.pk) or "/orders/somewhere/?tab=packages")
    assert not Package.objects.exists()
    assert Order.objects.get(pk=order.pk).delivery_package_nr == ""
    # A "next" pointing elsewhere is not followed.
    package = package_create(order=order, courier_code="manual", tracking_number="DEL2", origin=TEST_ORIGIN)
    response = client_a.post(
        reverse("shipments:package-delete", args=[package.pk]), {"next": "https://evil.test/"}
    )
    assert response["Location"] == _back_to(order)


def test_another_accounts_order_and_packages_are_not_found(client_b, account_a):
    order = make_order(account_a)
    package = package_create(order=order, courier_code="hurtlink", origin=TEST_ORIGIN)
    assert client_b.get(reverse("shipments:package-create", args=[order.pk])).status_code == 404
    assert (
        client_b.post(
            reverse("shipments:package-create", args=[order.pk]), {"courier_code": "hurtlink"}
        ).status_code
        == 404
    )
    assert client_b.get(reverse("shipments:package-label", args=[package.pk])).status_code == 404
    assert client_b.post(reverse("shipments:package-delete", args=[package.pk])).status_code == 404
    assert Package.objects.filter(order=order).count() == 1


def test_the_order_card_partial_lists_packages_with_links(account_a, user_a):
    order = make_order(account_a)
    label_package = package_create(order=order, courier_code="hurtlink", weight="1.25", origin=TEST_ORIGIN)
    package_create(order=order, courier_code="manual", tracking_number="MAN-77", origin=TEST_ORIGIN)
    request = RequestFactory().get(f"/orders/{order.pk}/")
    request.user = user_a
    html = render_to_string(
        "shipments/_order_packages.html", {"order": order, "packages": order.packages.all()}, request=request
    )
    assert f'href="{label_package.tracking_url}"' in html and label_package.courier_package_nr in html
    assert "MAN-77" in html and "1.25" in html and "Courier label created" in html
    assert reverse("shipments:package-label", args=[label_package.pk]) in html
    assert reverse("shipments:package-create", args=[order.pk]) in html
    assert html.count('name="next"') == 2  # one delete button per package


def test_the_package_list_shows_the_accounts_packages_in_constant_queries(client_a, account_a):
    order = make_order(account_a)
    package_create(order=order, courier_code="hurtlink", origin=TEST_ORIGIN)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client_a.get(reverse("shipments:package-list")).status_code == 200
        return len(queries)

    one = count()
    for i in range(5):
        package_create(
            order=make_order(account_a),
            courier_code="manual",
            tracking_number=f"LIST-{i}",
            origin=TEST_ORIGIN,
        )
    assert count() == one
    assert "LIST-4" in client_a.get(reverse("shipments:package-list")).content.decode()


def test_the_timeline_names_a_tracking_status_in_the_readers_language_never_its_code(client_a, account_a):
    package = package_create(
        order=make_order(account_a),
        courier_code="manual",
        tracking_number="HL000000000372",
        origin=TEST_ORIGIN,
    )
    tracking_event_add(
        package=package,
        tracking_status=TrackingStatus.LABEL_CREATED,
        courier_status_code="label_created",
        occurred_at=timezone.now(),
        origin=TEST_ORIGIN,
    )
    url = reverse("orders:order-detail", args=[package.order_id])

    def timeline(language):
        card = client_a.get(url, headers={"accept-language": language}).content.decode()
        return card.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]

    english = timeline("en")
    assert "Package HL000000000372: Courier label created" in english
    assert "label_created" not in english
    polish = timeline("pl")
    assert "HL000000000372" in polish and "label_created" not in polish
    with translation.override("pl"):
        assert str(TrackingStatus.LABEL_CREATED.label) in polish
    assert "Courier label created" not in polish


def test_a_number_typed_for_the_label_courier_is_refused_and_kept_on_the_form(client_a, account_a):
    order = make_order(account_a)
    url = reverse("shipments:package-create", args=[order.pk])
    page = client_a.get(url).content.decode()
    assert 'data-label-couriers="hurtlink"' in page and "generates the number" in page

    # Without scripts the fields stay on the page: a number typed with the label courier is refused.
    response = client_a.post(
        url,
        {"courier_code": "hurtlink", "courier_package_nr": "MY-OWN-1", "tracking_url": "https://t.example/1"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "generates the tracking number itself" in form.errors["courier_package_nr"][0]
    assert "tracking_url" in form.errors
    assert 'value="MY-OWN-1"' in response.content.decode()  # the input is kept
    assert not Package.objects.filter(order=order).exists()
