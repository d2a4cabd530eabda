"""The whole chain: a contractor's order forwarded to the provider, exported to the provider's warehouse
(the local Ongoing WMS sandbox, over HTTP), sent by the warehouse — label and tracking on the provider's
order — and the tracking and status back on the contractor's order (real Celery worker)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import Order
from shipments.models import Package
from tests.waiting import wait_for
from tests.wmsbridge.test_sync_fixtures import (  # noqa: F401 - fixtures
    fast_client_fixture,
    make_connection,
    make_product,
    sandbox_fixture,
    sync,
)
from wmsbridge.models import OrderExport

from .forwarded_pairs import forwarded_pair, statuses_both_ways

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_warehouse_ships_and_the_contractor_sees_the_tracking(
    pair, account_a, account_b, client_b, sandbox, fast_client, celery_worker
):
    _integration, link = pair
    statuses_both_ways(link, {"Sent": "Sent"})
    product = make_product(account_a, "CHAIR-1", "Garden chair")
    connection = make_connection(account_a, sandbox)  # exports "New orders", labels by the Hurtlink courier
    forward = forwarded_pair(
        link, provider_lines=[{"product": product, "quantity": 2, "price_brutto": Decimal("39.90")}]
    )

    sync(connection, "articles", "orders")
    wms_id = OrderExport.objects.get(order_id=forward.provider_order_id).wms_order_id
    assert sandbox.state.order(wms_id)["orderInfo"]["orderNumber"] == str(forward.provider_order_id)

    sandbox.send_order(wms_id)  # the warehouse picks, packs and sends
    assert sync(connection, "shipments")["shipments"].created == 1

    label = Package.objects.get(order_id=forward.provider_order_id)
    assert label.label_pdf and label.courier_package_nr.startswith("HL")
    assert sandbox.state.order(wms_id)["tracking"][0]["waybill"] == label.courier_package_nr
    wait_for(
        lambda: Package.objects.filter(order_id=forward.contractor_order_id).exists(),
        what="the tracking on the contractor's order",
    )
    copy = Package.objects.get(order_id=forward.contractor_order_id)
    assert (copy.courier_code, copy.courier_package_nr, copy.tracking_url) == (
        label.courier_code,
        label.courier_package_nr,
        label.tracking_url,
    )
    wait_for(
        lambda: Order.objects.get(pk=forward.contractor_order_id).status.name == "Sent",
        what="the contractor's order sent",
    )
    page = client_b.get(reverse("orders:order-detail", args=[forward.contractor_order_id])).content.decode()
    assert label.courier_package_nr in page
    assert f"#{forward.provider_order_id}" in page and "Forwarded to" in page
