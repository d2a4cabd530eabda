"""Times on pages are in the reader's time zone (their profile's, else their company's country's);
the APIs keep UTC."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from accounts.models import User
from orders.models import Order
from orders.services import order_create
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db

WINTER = datetime.datetime(2026, 1, 15, 23, 30, tzinfo=datetime.UTC)  # Warsaw: 16.01, 00:30 (UTC+1)
SUMMER = datetime.datetime(2026, 7, 15, 8, 5, tzinfo=datetime.UTC)  # Warsaw: 15.07, 10:05 (UTC+2)


def _order(account, when: datetime.datetime) -> Order:
    order = order_create(
        account=account,
        lines=[{"name": "Lampka", "quantity": 1, "price_brutto": "10.00"}],
        origin=TEST_ORIGIN,
        currency="PLN",
    )
    Order.objects.filter(pk=order.pk).update(date_add=when, date_in_status=when)
    return order


def _set_zone(user, zone: str) -> None:
    User.objects.filter(pk=user.pk).update(time_zone=zone, language="pl")


def test_a_user_in_warsaw_sees_order_times_an_hour_or_two_later_than_utc(client_a, user_a, account_a):
    account_a.country = "DE"  # the company's country does not matter once the person chose a zone
    account_a.save()
    _set_zone(user_a, "Europe/Warsaw")
    winter, summer = _order(account_a, WINTER), _order(account_a, SUMMER)
    listing = client_a.get(reverse("orders:order-list")).content.decode()
    assert "16.01.2026, 00:30" in listing and "15.01.2026, 23:30" not in listing
    assert "15.07.2026, 10:05" in listing
    card = client_a.get(reverse("orders:order-detail", args=[summer.pk])).content.decode()
    assert "15.07.2026, 10:05" in card and "08:05" not in card
    card = client_a.get(reverse("orders:order-detail", args=[winter.pk])).content.decode()
    assert "16.01.2026, 00:30" in card


def test_the_day_filter_of_the_order_list_means_the_readers_day(client_a, user_a, account_a):
    _set_zone(user_a, "Europe/Warsaw")
    late = _order(account_a, WINTER)  # 15 January in UTC, 16 January in Warsaw
    page = client_a.get(reverse("orders:order-list"), {"date_from": "2026-01-16", "date_to": "2026-01-16"})
    assert f"#{late.pk}" in page.content.decode()
    page = client_a.get(reverse("orders:order-list"), {"date_from": "2026-01-15", "date_to": "2026-01-15"})
    assert f"#{late.pk}" not in page.content.decode()


@pytest.mark.parametrize(
    ("country", "shown"),
    [("PL", "16.01.2026, 00:30"), ("DE", "16.01.2026, 00:30"), ("US", "15.01.2026, 23:30")],
)
def test_without_a_choice_the_companys_country_decides(client_a, user_a, account_a, country, shown):
    User.objects.filter(pk=user_a.pk).update(language="pl")
    account_a.country = country
    account_a.save()
    order = _order(account_a, WINTER)
    page = client_a.get(reverse("orders:order-detail", args=[order.pk])).content.decode()
    assert shown in page, page[page.find("<h1") : page.find("<h1") + 600]


def test_choosing_a_time_zone_on_the_profile(client_a, user_a, account_a):
    page = client_a.get(reverse("profile")).content.decode()
    assert "Your company&#x27;s: Europe/Warsaw (UTC+" in page
    assert '<option value="America/New_York">' in page
    response = client_a.post(
        reverse("profile"), {"full_name": "Ola", "language": "", "time_zone": "America/New_York"}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user_a.pk).time_zone == "America/New_York"
    order = _order(account_a, SUMMER)
    card = client_a.get(reverse("orders:order-detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="pl").content
    assert "15.07.2026, 04:05" in card.decode()
    client_a.post(reverse("profile"), {"full_name": "Ola", "language": "", "time_zone": ""})
    assert User.objects.get(pk=user_a.pk).time_zone == ""


def test_an_unknown_time_zone_is_refused_next_to_the_field(client_a, user_a):
    response = client_a.post(
        reverse("profile"), {"full_name": "Ola", "language": "", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert 'id="id_time_zone_error"' in response.content.decode()
    assert User.objects.get(pk=user_a.pk).time_zone == ""


def test_the_api_keeps_utc_for_a_signed_in_person_in_warsaw(client_a, user_a, account_a):
    _set_zone(user_a, "Europe/Warsaw")
    order = _order(account_a, SUMMER)
    data = client_a.get(reverse("api:order-detail", args=[order.pk])).json()
    assert data["date_add"] == "2026-07-15T08:05:00Z"


def _offered(page) -> list[str]:
    return re.findall(
        r'<option value="([^"]*)"', page.split('name="time_zone"', 1)[1].split("</select>", 1)[0]
    )


def test_the_profile_offers_only_current_zone_names_grouped_and_sorted(client_a):
    page = client_a.get(reverse("profile")).content.decode()
    offered = _offered(page)
    for old in (
        "Africa/Asmera",
        "Africa/Timbuktu",
        "Europe/Kiev",
        "Asia/Calcutta",
        "US/Eastern",
        "Etc/GMT+3",
    ):
        assert old not in offered
    for current in ("Africa/Asmara", "Europe/Kyiv", "Asia/Kolkata", "Europe/Oslo", "Arctic/Longyearbyen"):
        assert current in offered
    zones = offered[2:]  # after "your company's" and UTC
    assert zones == sorted(zones) and len(zones) == len(set(zones))
    assert '<optgroup label="Europe">' in page


def test_a_stored_old_zone_name_is_kept_and_still_used(client_a, user_a, account_a):
    _set_zone(user_a, "Europe/Kiev")
    page = client_a.get(reverse("profile")).content.decode()
    assert '<option value="Europe/Kiev" selected>' in page and _offered(page).count("Europe/Kiev") == 1
    # Saving the profile as it is keeps the choice; the pages keep showing Kyiv's time.
    response = client_a.post(
        reverse("profile"), {"full_name": "Ola", "language": "pl", "time_zone": "Europe/Kiev"}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user_a.pk).time_zone == "Europe/Kiev"
    card = client_a.get(reverse("orders:order-detail", args=[_order(account_a, WINTER).pk])).content.decode()
    assert "16.01.2026, 01:30" in card
    # Another old name is not offered, so it is not taken either.
    refused = client_a.post(
        reverse("profile"), {"full_name": "Ola", "language": "pl", "time_zone": "Africa/Timbuktu"}
    )
    assert refused.status_code == 200 and User.objects.get(pk=user_a.pk).time_zone == "Europe/Kiev"
