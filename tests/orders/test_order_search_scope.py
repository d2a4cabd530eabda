"""Searching the order list by tracking number looks only at the searching account's packages."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shipments.services import package_create
from tests.origins import TEST_ORIGIN
from tests.shipments.helpers import make_order


def _shipped(account, *numbers):
    order = make_order(account)
    for number in numbers:
        package_create(
            order=order, courier_code="manual", tracking_number=number, weight=1, origin=TEST_ORIGIN
        )
    return order


def _found_by_api(api, text) -> list[int]:
    return [row["id"] for row in api.get(reverse("api:order-list"), {"search": text}).json()["results"]]


def _found_on_page(client, text) -> list[int]:
    return [
        order.pk for order in client.get(reverse("orders:order-list"), {"search": text}).context["orders"]
    ]


def test_account_b_cannot_find_account_a_order_by_its_tracking_number(account_a, account_b, api_b, client_b):
    # The first package's number is no longer the order's own delivery number: only the packages know it.
    _shipped(account_a, "ALPHA-FIRST-NR", "ALPHA-LAST-NR")

    assert _found_by_api(api_b, "alpha-first-nr") == []
    assert _found_on_page(client_b, "ALPHA-FIRST-NR") == []


def test_a_tracking_number_both_accounts_use_finds_each_account_its_own_order(
    account_a, account_b, api_a, api_b
):
    order_a = _shipped(account_a, "SHARED-NR", "ALPHA-LATER-NR")
    order_b = _shipped(account_b, "SHARED-NR", "BETA-LATER-NR")

    assert _found_by_api(api_a, "shared-nr") == [order_a.pk]
    assert _found_by_api(api_b, "shared-nr") == [order_b.pk]


def test_the_tracking_number_lookup_reads_only_the_accounts_packages(account_a, account_b, api_b):
    _shipped(account_a, "ALPHA-FIRST-NR", "ALPHA-LAST-NR")
    with CaptureQueriesContext(connection) as queries:
        api_b.get(reverse("api:order-list"), {"search": "ALPHA-FIRST-NR"})
    lookups = [q["sql"] for q in queries.captured_queries if '"shipments_package"' in q["sql"]]
    assert lookups, "the search looks up tracking numbers in packages"
    # The subquery aliases the table: 'FROM "shipments_package" U0 WHERE (U0."account_id" = <B> AND ...'
    assert all(
        re.search(rf'"shipments_package" (\w+) WHERE \(\1\."account_id" = {account_b.pk} ', sql)
        for sql in lookups
    )
