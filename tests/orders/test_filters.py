"""The order list page and ``/api/v1/orders/`` filter through one FilterSet: same parameters, same orders,
same messages."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import User
from orders.filters import OrderFilter
from orders.models import Order, OrderSource, OrderStatus
from orders.services import order_create
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def _order(account, *, day: datetime.datetime, paid: bool = False, **fields) -> Order:
    order = order_create(
        account=account,
        lines=[{"name": "Lamp", "quantity": 1, "price_brutto": Decimal("100")}],
        payment_done=Decimal("100") if paid else Decimal("0"),
        **fields,
        origin=TEST_ORIGIN,
    )
    Order.objects.filter(pk=order.pk).update(date_add=day)
    return order


@pytest.fixture
def orders_a(account_a, user_a):
    # The API's days are UTC days; the page's are its reader's (see tests/accounts/test_time_zone.py):
    # for the two to choose the same orders, this reader reads UTC.
    User.objects.filter(pk=user_a.pk).update(time_zone="UTC")
    shop = OrderSource.objects.create(account=account_a, name="Shop", kind="shop")
    ready = OrderStatus.objects.create(account=account_a, name="Packed for the courier")
    return {
        "early": _order(
            account_a, day=datetime.datetime(2026, 1, 10, 0, 0, tzinfo=UTC), email="a@example.test"
        ),
        "late_on_31st": _order(
            account_a, day=datetime.datetime(2026, 1, 31, 23, 30, tzinfo=UTC), paid=True, source=shop
        ),
        "february": _order(
            account_a,
            day=datetime.datetime(2026, 2, 1, 0, 0, tzinfo=UTC),
            status=ready,
            email="ewa@example.test",
        ),
        "shop": shop,
        "ready": ready,
    }


def _page_ids(client, query: dict) -> set[int]:
    page = client.get(reverse("orders:order-list"), query)
    assert page.status_code == 200
    return {int(pk) for pk in re.findall(r'name="orders" value="(\d+)"', page.content.decode())}


def _api_ids(api, query: dict) -> set[int]:
    response = api.get(reverse("api:order-list"), query)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


QUERIES = [
    ({"date_from": "2026-01-31"}, {"late_on_31st", "february"}),
    ({"date_to": "2026-01-31"}, {"early", "late_on_31st"}),  # a day: the whole day
    ({"date_from": "2026-01-11", "date_to": "2026-01-31"}, {"late_on_31st"}),
    ({"date_to": "2026-01-31T23:00:00Z"}, {"early"}),
    ({"date_from": "2026-02-01T08:00:00+18:47"}, {"late_on_31st", "february"}),  # 2026-01-31 13:13 UTC
    ({"paid": "true"}, {"late_on_31st"}),
    ({"paid": "false"}, {"early", "february"}),
    ({"search": "ewa@example.test"}, {"february"}),
    ({"status": "ready"}, {"february"}),
    ({"source": "shop"}, {"late_on_31st"}),
    ({"currency": "PLN"}, {"early", "late_on_31st", "february"}),
]


@pytest.mark.parametrize(("query", "expected"), QUERIES, ids=[str(q) for q, _e in QUERIES])
def test_the_list_page_and_the_api_choose_the_same_orders(query, expected, orders_a, client_a, api_a):
    query = {
        key: orders_a[value].pk if key in ("status", "source") else value for key, value in query.items()
    }
    wanted = {orders_a[name].pk for name in expected}

    assert _api_ids(api_a, query) == wanted
    assert _page_ids(client_a, query) == wanted


BAD = [
    ("date_from", "2026-13-45"),
    ("date_to", "2026-02-30"),
    ("date_from", "0001-01-01T00:00:00+05:00"),
    ("date_to", "yesterday"),
    ("currency", "XYZ"),
    ("paid", "maybe"),
]


@pytest.mark.parametrize(("parameter", "value"), BAD)
def test_a_bad_filter_value_gets_a_field_message_on_the_api_and_the_page(
    parameter, value, orders_a, client_a, api_a
):
    response = api_a.get(reverse("api:order-list"), {parameter: value})
    page = client_a.get(reverse("orders:order-list"), {parameter: value})

    if parameter == "paid":  # not true or false: not a filter, as on every boolean filter of the API
        assert response.status_code == 200 and page.status_code == 200
        return
    assert response.status_code == 400 and parameter in response.json()["errors"]
    # The page names the filter as its form labels it, not by the query parameter.
    label = OrderFilter.base_filters[parameter].label
    assert page.status_code == 200 and f"{label}: " in page.content.decode()
    assert f"{parameter}: " not in page.content.decode()
