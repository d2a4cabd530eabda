"""The packages REST API: create, list by order, label download, tracking events, couriers."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import JournalEntry, Order
from shipments.models import Package
from shipments.services import package_create
from tests.origins import TEST_ORIGIN
from tests.shipments.helpers import A6_POINTS, make_order, pdf_media_box

pytestmark = pytest.mark.django_db


def _create(api, **body):
    return api.post(reverse("api:package-list"), body, format="json")


def test_a_manual_package_is_created_and_listed_under_its_order(api_a, account_a):
    order = make_order(account_a)
    other = make_order(account_a)
    package_create(order=other, courier_code="manual", tracking_number="OTHER-ORDER", origin=TEST_ORIGIN)
    response = _create(
        api_a,
        order=order.pk,
        courier_code="manual",
        courier_package_nr="6000000000001",
        tracking_url="https://tracking.example.test/6000000000001",
        weight="1.5",
        length="30",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["courier_package_nr"] == "6000000000001" and body["order"] == order.pk
    assert body["tracking_status"] == 0 and body["tracking_status_name"] == "Unknown"
    assert body["weight"] == "1.500" and body["length"] == "30.00" and body["has_label"] is False
    assert Order.objects.get(pk=order.pk).delivery_package_nr == "6000000000001"
    entry = JournalEntry.objects.get(order=order, type=JournalEntry.Type.PACKAGE_CREATED)
    assert entry.object_id == body["id"] and "test token" in str(entry.origin_label)
    assert entry.origin_kind == "token"

    listed = api_a.get(reverse("api:package-list"), {"order": order.pk}).json()
    assert [p["courier_package_nr"] for p in listed["results"]] == ["6000000000001"]
    assert api_a.get(reverse("api:package-detail", args=[body["id"]])).json()["tracking_url"].endswith("001")


def test_a_hurtlink_package_comes_with_a_downloadable_label(api_a, account_a):
    order = make_order(account_a)
    body = _create(api_a, order=order.pk, courier_code="hurtlink").json()
    assert body["courier_package_nr"].startswith("HL") and body["has_label"] is True
    assert body["tracking_url"] and body["tracking_status"] == 1

    label = api_a.get(reverse("api:package-label", args=[body["id"]]))
    assert label.status_code == 200 and label["Content-Type"] == "application/pdf"
    assert label.content.startswith(b"%PDF") and pdf_media_box(label.content) == A6_POINTS
    assert body["courier_package_nr"] in label["Content-Disposition"]
    # Clients that ask for a PDF get it too.
    assert (
        api_a.get(reverse("api:package-label", args=[body["id"]]), HTTP_ACCEPT="application/pdf").status_code
        == 200
    )


def test_a_package_without_a_label_answers_404_for_its_label(api_a, account_a):
    package = package_create(
        order=make_order(account_a), courier_code="manual", tracking_number="M1", origin=TEST_ORIGIN
    )
    response = api_a.get(reverse("api:package-label", args=[package.pk]))
    assert response.status_code == 404 and "detail" in response.json()


def test_bad_input_is_answered_with_field_messages(api_a, account_a):
    order = make_order(account_a)
    missing = _create(api_a, order=order.pk, courier_code="manual")
    assert missing.status_code == 400 and "courier_package_nr" in missing.json()["errors"]
    negative = _create(api_a, order=order.pk, courier_code="manual", courier_package_nr="X", weight="-1")
    assert negative.status_code == 400 and "weight" in negative.json()["errors"]
    unnamed = _create(api_a, order=order.pk, courier_code="pigeon")
    assert unnamed.status_code == 400 and "pigeon" in unnamed.json()["errors"]["courier_package_nr"][0]
    labelled = _create(api_a, order=order.pk, courier_code="hurtlink", courier_package_nr="MINE-1")
    assert labelled.status_code == 400 and "courier_package_nr" in labelled.json()["errors"]
    assert not Package.objects.exists()


def test_another_carriers_name_is_a_manual_package_not_a_new_courier(api_a, account_a):
    order = make_order(account_a)
    response = _create(api_a, order=order.pk, courier_code="pigeon", courier_package_nr="P-1")
    assert response.status_code == 201, response.json()
    assert (response.json()["courier_code"], response.json()["has_label"]) == ("pigeon", False)
    couriers = api_a.get(reverse("api:courier-list")).json()
    assert [c["code"] for c in couriers] == ["manual", "hurtlink"]


def test_another_accounts_order_cannot_get_a_package_and_its_packages_are_404(
    api_a, api_b, account_a, account_b
):
    order_b = make_order(account_b)
    refused = _create(api_a, order=order_b.pk, courier_code="manual", courier_package_nr="X")
    assert refused.status_code == 400 and "order" in refused.json()["errors"]
    assert not Package.objects.exists()

    package_b = package_create(order=order_b, courier_code="hurtlink", origin=TEST_ORIGIN)
    for name in ("api:package-detail", "api:package-label", "api:package-events"):
        assert api_a.get(reverse(name, args=[package_b.pk])).status_code == 404
    assert api_a.delete(reverse("api:package-detail", args=[package_b.pk])).status_code == 404
    assert api_a.get(reverse("api:package-list"), {"order": order_b.pk}).json()["results"] == []
    assert Package.objects.filter(pk=package_b.pk).exists()


def test_tracking_events_are_added_and_listed(api_a, account_a):
    package = package_create(order=make_order(account_a), courier_code="hurtlink", origin=TEST_ORIGIN)
    url = reverse("api:package-events", args=[package.pk])
    shipped = api_a.post(
        url,
        {"tracking_status": 2, "courier_status_code": "ODB", "occurred_at": "2030-01-02T10:00:00Z"},
        format="json",
    )
    assert shipped.status_code == 201, shipped.json()
    assert shipped.json()["tracking_status_name"] == "Shipped"
    assert api_a.post(url, {"tracking_status": 99}, format="json").status_code == 400

    events = api_a.get(url).json()
    assert [(e["tracking_status"], e["courier_status_code"]) for e in events] == [
        (1, "label_created"),
        (2, "ODB"),
    ]
    detail = api_a.get(reverse("api:package-detail", args=[package.pk])).json()
    assert detail["tracking_status"] == 2 and detail["tracking_status_date"].startswith("2030-01-02T10:00:00")


def test_deleting_a_package_journals_it_and_clears_the_order(api_a, account_a):
    order = make_order(account_a)
    package = package_create(order=order, courier_code="manual", tracking_number="GONE", origin=TEST_ORIGIN)
    assert api_a.delete(reverse("api:package-detail", args=[package.pk])).status_code == 204
    assert not Package.objects.exists()
    assert Order.objects.get(pk=order.pk).delivery_package_nr == ""
    assert JournalEntry.objects.filter(
        order=order, type=JournalEntry.Type.PACKAGE_DELETED, object_id=package.pk
    ).exists()


def test_the_courier_list_names_every_courier(api_a):
    couriers = api_a.get(reverse("api:courier-list")).json()
    assert {c["code"]: c["makes_labels"] for c in couriers} == {"manual": False, "hurtlink": True}


def test_the_package_list_query_count_does_not_grow_with_the_page(api_a, account_a):
    order = make_order(account_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api_a.get(reverse("api:package-list")).status_code == 200
        return len(queries)

    package_create(order=order, courier_code="hurtlink", origin=TEST_ORIGIN)
    count()  # the first request also records the token's use
    one = count()
    for i in range(5):
        package_create(order=order, courier_code="manual", tracking_number=f"N{i}", origin=TEST_ORIGIN)
    assert count() == one
