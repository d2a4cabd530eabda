"""The order list: its number of queries does not grow with the page size, and each order in it reads
exactly as the order serializer renders it."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.renderers import JSONRenderer

from demo.data import demo_data_create
from orders.api import OrderSerializer
from orders.models import Order, OrderStatus
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db


def test_order_list_queries_are_the_same_for_10_and_100_orders_a_page(api_a, account_a):
    demo_data_create(account_a, products=40, orders=120, lines=(2, 4), seed=3)
    url = reverse("api:order-list")
    api_a.get(url)  # the token's first use is recorded once; not part of the list's cost

    def queries(size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api_a.get(f"{url}?page_size={size}")
        assert response.status_code == 200
        results = response.json()["results"]
        assert len(results) == size and all(2 <= len(order["lines"]) <= 4 for order in results)
        return len(captured)

    assert queries(10) == queries(100)


def test_the_list_shows_each_order_as_the_order_serializer_renders_it(api_a, account_a):
    demo_data_create(account_a, products=20, orders=30, seed=5)
    sent = OrderStatus.objects.get(account=account_a, kind=OrderStatus.Kind.SENT)
    for query, orders in (
        ("page_size=30", Order.objects.filter(account=account_a).order_by("-id")),
        (
            f"status={sent.pk}&ordering=date_add",
            Order.objects.filter(status=sent).order_by("date_add", "-id"),
        ),
    ):
        response = api_a.get(f"{reverse('api:order-list')}?{query}")
        expected = OrderSerializer(orders.prefetch_related("lines"), many=True).data
        assert response.json()["results"] == json.loads(JSONRenderer().render(expected))
        assert response.json()["count"] == orders.count() > 0


def test_the_list_renders_whole_second_times_null_times_and_free_lines_like_the_serializer(api_a, account_a):
    import datetime
    from decimal import Decimal

    from orders.services import order_create

    whole = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.UTC)
    order_create(
        account=account_a,
        lines=[{"name": "Wolna linia „ąę”", "quantity": 3, "price_brutto": Decimal("0.10")}],
        date_add=whole,
        confirmed=True,
        date_confirmed=whole + datetime.timedelta(microseconds=5),
        custom_extra_fields={},
        delivery_price=Decimal("7"),
        origin=TEST_ORIGIN,
    )
    order_create(
        account=account_a,
        lines=[{"name": "x", "quantity": 1, "price_brutto": Decimal("1")}],
        origin=TEST_ORIGIN,
    )
    response = api_a.get(reverse("api:order-list"))
    expected = OrderSerializer(Order.objects.filter(account=account_a).order_by("-id"), many=True).data
    assert response.json()["results"] == json.loads(JSONRenderer().render(expected))
    first = response.json()["results"][1]
    assert first["date_add"] == "2026-03-01T12:00:00Z"
    assert first["date_confirmed"] == "2026-03-01T12:00:00.000005Z"
    assert first["delivery_price"] == "7.00" and first["lines"][0]["price_brutto"] == "0.10"


def test_list_filters_by_currency_and_refuses_unknown_codes(api_a, account_a):
    from decimal import Decimal

    from orders.services import order_create

    eur = order_create(
        account=account_a,
        lines=[{"name": "x", "quantity": 1, "price_brutto": Decimal("1")}],
        currency="EUR",
        origin=TEST_ORIGIN,
    )
    order_create(
        account=account_a,
        lines=[{"name": "x", "quantity": 1, "price_brutto": Decimal("1")}],
        origin=TEST_ORIGIN,
    )
    url = reverse("api:order-list")
    assert [o["id"] for o in api_a.get(url, {"currency": "EUR"}).json()["results"]] == [eur.pk]
    bad = api_a.get(url, {"currency": "EURO"})
    assert bad.status_code == 400 and "currency" in bad.json()["errors"]
    assert api_a.get(url, {"page": 99}).status_code == 404
