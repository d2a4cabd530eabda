"""The order list: its number of queries does not grow with the page size, and each order in it reads
exactly as the order serializer renders it."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.renderers import JSONRenderer

from orders.api import OrderSerializer
from orders.demo_data import demo_data_create
from orders.models import Order, OrderStatus

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
