"""The order list's number of queries does not grow with the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.demo_data import demo_data_create

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
