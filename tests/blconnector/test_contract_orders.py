"""Order methods (reference §4–§5): BaseLinker's documented example requests, answered with the
documented fields and types, and the effect a user sees."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

import pytest

from catalog.models import Stock
from catalog.services import product_write
from orders.models import JournalEntry, Order, OrderExtraField, OrderSource
from orders.services import order_create
from tests.actors import admin_of
from tests.blconnector.shapes import FLOAT, INT, ORDER, ORDER_LINE, STR, assert_shape
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db


def _stock(product) -> int:
    return Stock.objects.get(product=product).quantity


@pytest.fixture
def variant_a(account_a, inventory_a, shirt_a):
    return product_write(
        origin=TEST_ORIGIN,
        actor=admin_of(account_a),
        inventory=inventory_a,
        fields={"parent": shirt_a.pk, "sku": "LK54-5512", "ean": "5901234123457"},
        texts={inventory_a.default_language: {"name": "Harry Potter and the Chamber of Secrets"}},
        stock={inventory_a.default_warehouse_id: 5},
    )


def test_get_orders_documented_request(bl_a, order_a):
    body = bl_a.ok("getOrders", {"date_confirmed_from": 1407341754, "get_unconfirmed_orders": False})
    assert isinstance(body["orders"], list) and len(body["orders"]) == 1
    order = body["orders"][0]
    assert_shape(order, ORDER, exact=True)
    assert order["order_id"] == order_a.pk and order["confirmed"] is True
    assert order["date_confirmed"] == int(order_a.date_confirmed.timestamp())
    assert (order["payment_method_cod"], order["want_invoice"]) == ("1", "0")
    assert (order["delivery_price"], order["delivery_country"], order["order_source"]) == (
        12.5,
        "Poland",
        "personal",
    )
    assert "custom_extra_fields" not in order and "connect_data" not in order
    lines = order["products"]
    for line in lines:
        assert_shape(line, ORDER_LINE, exact=True)
    assert [(line["sku"], line["quantity"], line["price_brutto"]) for line in lines] == [
        ("SHIRT", 2, 49.9),
        ("", 1, 5.0),
    ]
    assert lines[0]["product_id"] == str(order_a.lines.first().product_id) and lines[1]["product_id"] == ""


def test_get_orders_pages_by_date_confirmed_without_losing_an_order(bl_a, account_a, order_a):
    status = order_a.status
    base = order_a.date_confirmed.replace(microsecond=0)
    # Three orders a second (with fractions), so a page of 100 would end inside a second.
    for offset in range(1, 251):
        order_create(
            account=account_a,
            lines=[{"name": "Line", "quantity": 1, "price_brutto": Decimal("1")}],
            confirmed=True,
            date_confirmed=base + datetime.timedelta(seconds=offset // 3, microseconds=offset * 1000),
            status=status,
            origin=TEST_ORIGIN,
        )
    order_create(
        account=account_a,
        lines=[{"name": "Draft", "quantity": 1, "price_brutto": Decimal("1")}],
        origin=TEST_ORIGIN,
    )
    seen, cursor, sizes = [], 0, []
    while True:
        page = bl_a.ok("getOrders", {"date_confirmed_from": cursor})["orders"]
        sizes.append(len(page))
        seen.extend(o["order_id"] for o in page)
        if len(page) < 100:
            break
        cursor = page[-1]["date_confirmed"] + 1  # BaseLinker's advice
    confirmed = list(Order.objects.filter(account=account_a, confirmed=True).order_by("date_confirmed", "id"))
    assert seen == [o.pk for o in confirmed]  # every confirmed order once, in confirmation order
    assert sizes[0] in (100, 101, 102) and sizes[-1] < 100
    with_drafts = bl_a.ok("getOrders", {"id_from": 1, "get_unconfirmed_orders": True})["orders"]
    assert len(with_drafts) == 100 and with_drafts[0]["order_id"] == order_a.pk


def test_get_orders_filters(bl_a, account_a, order_a):
    extra = OrderExtraField.objects.create(account=account_a, name="Price list")
    Order.objects.filter(pk=order_a.pk).update(
        custom_extra_fields={str(extra.pk): "B2B #1"}, external_order_id="X-1"
    )
    cases = {
        "order_id": order_a.pk,
        "status_id": order_a.status_id,
        "filter_email": "KUPUJACY@example.test",
        "filter_order_source": "personal",
        "filter_order_source_id": order_a.source_id,
        "filter_shop_order_id": 0,
        "filter_external_order_id": "X-1",
        "date_from": str(int(time.time()) - 60),
        "id_from": order_a.pk,
    }
    for name, value in cases.items():
        assert [o["order_id"] for o in bl_a.ok("getOrders", {name: value})["orders"]] == [order_a.pk], name
    assert bl_a.ok("getOrders", {"status_id": order_a.status_id + 1})["orders"] == []
    assert bl_a.ok("getOrders", {"filter_email": "other@example.test"})["orders"] == []
    order = bl_a.ok("getOrders", {"order_id": order_a.pk, "include_custom_extra_fields": "1"})["orders"][0]
    assert order["custom_extra_fields"] == {str(extra.pk): "B2B #1"}
    order = bl_a.ok("getOrders", {"order_id": order_a.pk, "include_connect_data": True})["orders"][0]
    assert "connect_data" not in order  # this order did not come through Connect


def test_get_orders_by_email_and_by_phone(bl_a, order_a):
    by_email = bl_a.ok("getOrdersByEmail", {"email": "kupujacy@example.test"})["orders"]
    assert [o["order_id"] for o in by_email] == [order_a.pk]
    assert_shape(
        by_email[0], {"order_id": INT, "order_status_id": INT, "date_in_status": INT, "date_add": INT}
    )
    by_phone = bl_a.ok("getOrdersByPhone", {"phone": "+48600100200"})["orders"]
    assert_shape(by_phone[0], {"order_id": INT, "delivery_fullname": STR, "delivery_company": STR})
    assert by_phone[0]["delivery_fullname"] == "Jan Kowalski"
    assert bl_a.ok("getOrdersByEmail", {"email": "nobody@example.test"})["orders"] == []


def test_add_order_documented_request(bl_a, account_a, shirt_a, variant_a):
    extra = OrderExtraField.objects.create(account=account_a, name="Price list")
    status = account_a.order_statuses.order_by("position")[1]
    source = OrderSource.objects.create(account=account_a, kind="personal", name="Phone orders")
    body = bl_a.ok(
        "addOrder",
        {
            "order_status_id": str(status.pk),
            "custom_source_id": str(source.pk),
            "date_add": "1407341754",
            "currency": "GBP",
            "payment_method": "PayPal",
            "payment_method_cod": "false",
            "paid": "1",
            "user_comments": "User comment",
            "admin_comments": "Seller test comments",
            "email": "test@test.com",
            "phone": "693123123",
            "user_login": "nick123",
            "delivery_method": "Expedited shipping",
            "delivery_price": "10",
            "delivery_fullname": "John Doe",
            "delivery_company": "Company",
            "delivery_address": "Long Str 12",
            "delivery_postcode": "E2 8HQ",
            "delivery_city": "London",
            "delivery_state": "",
            "delivery_country_code": "gb",
            "invoice_fullname": "John Doe",
            "invoice_nip": "GB8943245",
            "invoice_country_code": "GB",
            "want_invoice": "0",
            "extra_field_1": "",
            "custom_extra_fields": {str(extra.pk): "B2B price list #1"},
            "order_source_id": 1024,  # sent by baselinker-api; not an addOrder parameter
            "products": [
                {
                    "storage": "db",
                    "storage_id": 0,
                    "product_id": str(shirt_a.pk),
                    "variant_id": variant_a.pk,
                    "name": "Harry Potter and the Chamber of Secrets",
                    "sku": "LK54-5512",
                    "ean": "5901234123457",
                    "location": "A1-13-7",
                    "warehouse_id": 0,
                    "attributes": "Colour: green",
                    "price_brutto": 20.00,
                    "tax_rate": 23,
                    "quantity": 2,
                    "weight": 1,
                },
                {
                    "storage": "shop",
                    "storage_id": 2445,
                    "product_id": "8",
                    "name": "From the shop",
                    "quantity": "1",
                },
            ],
        },
    )
    assert set(body) == {"status", "order_id"} and isinstance(body["order_id"], int)
    order = Order.objects.get(pk=body["order_id"], account=account_a)
    assert (order.status, order.source, order.currency, order.delivery_country_code) == (
        status,
        source,
        "GBP",
        "GB",
    )
    assert order.confirmed and order.date_confirmed and int(order.date_add.timestamp()) == 1407341754
    assert order.custom_extra_fields == {str(extra.pk): "B2B price list #1"}
    assert order.payment_done == Decimal("50.00")  # paid: 2 × 20 + delivery 10
    assert _stock(variant_a) == 3
    assert list(order.journal.values_list("type", flat=True)) == [1, 2, 16, 3]
    line = bl_a.ok("getOrders", {"order_id": order.pk})["orders"][0]["products"][0]
    assert (line["product_id"], line["variant_id"]) == (str(shirt_a.pk), str(variant_a.pk))
    assert line["weight"] == 1  # as sent, not the catalog's 0.25


def test_add_order_refuses_what_it_cannot_do(bl_a, account_a, shirt_a):
    status = account_a.order_statuses.first()
    cases = [
        ({"products": [{"name": "x"}]}, "ERROR_INVALID_PARAMETERS", "order_status_id"),
        ({"order_status_id": status.pk}, "ERROR_INVALID_PARAMETERS", "products"),
        ({"order_status_id": 999999, "products": [{"name": "x"}]}, "ERROR_STATUS_NOT_FOUND", "999999"),
        (
            {"order_status_id": status.pk, "products": [{"quantity": 1}]},
            "ERROR_INVALID_PARAMETERS",
            "products[0].name",
        ),
        (
            {"order_status_id": status.pk, "products": [{"product_id": shirt_a.pk, "quantity": 99}]},
            "ERROR_NOT_ENOUGH_STOCK",
            "SHIRT",
        ),
        (
            {"order_status_id": status.pk, "currency": "XYZ", "products": [{"name": "x"}]},
            "ERROR_INVALID_PARAMETERS",
            "currency",
        ),
    ]
    for parameters, code, text in cases:
        body = bl_a.error("addOrder", parameters)
        assert (body["error_code"], text in body["error_message"]) == (code, True), body
    assert not Order.objects.filter(account=account_a).exists()


def test_set_order_fields_documented_request(bl_a, order_a):
    bl_a.ok(
        "setOrderFields",
        {
            "order_id": str(order_a.pk),
            "admin_comments": "Test comment",
            "delivery_fullname": "John Doe",
            "delivery_city": "London",
            "want_invoice": "1",
            "pick_state": 1,
            "star": "3",
            "phone": "",
        },
    )
    order_a.refresh_from_db()
    assert (order_a.admin_comments, order_a.delivery_fullname, order_a.want_invoice, order_a.star) == (
        "Test comment",
        "John Doe",
        True,
        3,
    )
    assert order_a.phone == ""  # "" clears a field
    types = set(order_a.journal.values_list("type", flat=True))
    assert {JournalEntry.Type.DELIVERY_EDITED, JournalEntry.Type.ORDER_EDITED} <= types


def test_set_order_status_and_statuses(bl_a, account_a, order_a, shirt_a):
    statuses = list(account_a.order_statuses.order_by("position"))
    bl_a.ok("setOrderStatus", {"order_id": str(order_a.pk), "status_id": str(statuses[2].pk)})
    entry = order_a.journal.get(type=JournalEntry.Type.STATUS_CHANGED)
    assert entry.object_id == statuses[2].pk
    cancelled = next(s for s in statuses if s.kind == "cancelled")
    bl_a.ok("setOrderStatuses", {"order_ids": [order_a.pk], "status_id": cancelled.pk})
    assert _stock(shirt_a) == 10  # cancelling gave the stock back
    body = bl_a.error("setOrderStatuses", {"order_ids": [order_a.pk, 999999], "status_id": statuses[0].pk})
    assert body["error_code"] == "ERROR_ORDER_NOT_FOUND"
    order_a.refresh_from_db()
    assert order_a.status == cancelled  # all or nothing


def test_order_product_methods_documented_requests(bl_a, order_a, shirt_a):
    body = bl_a.ok(
        "addOrderProduct",
        {
            "order_id": str(order_a.pk),
            "storage": "db",
            "storage_id": "0",
            "product_id": str(shirt_a.pk),
            "variant_id": "0",
            "auction_id": "0",
            "name": "Koszulka XL",
            "sku": "SHIRT",
            "location": "A1-13-7",
            "warehouse_id": 0,
            "attributes": "Size: XL",
            "price_brutto": 20.00,
            "tax_rate": 23,
            "quantity": 2,
            "weight": 1,
        },
    )
    assert set(body) == {"status", "order_product_id"} and isinstance(body["order_product_id"], int)
    line_id = body["order_product_id"]
    assert _stock(shirt_a) == 6
    bl_a.ok(
        "setOrderProductFields",
        {
            "order_id": order_a.pk,
            "order_product_id": str(line_id),
            "quantity": "3",
            "price_brutto": "24.99",
            "weight": "0.125",
        },
    )
    line = order_a.lines.get(pk=line_id)
    assert (line.quantity, line.price_brutto) == (3, Decimal("24.99")) and _stock(shirt_a) == 5
    assert line.weight == Decimal("0.125")
    bl_a.ok("deleteOrderProduct", {"order_id": order_a.pk, "order_product_id": line_id})
    assert not order_a.lines.filter(pk=line_id).exists() and _stock(shirt_a) == 8
    types = list(order_a.journal.values_list("type", "object_id"))
    assert (12, line_id) in types and (13, line_id) in types and (14, line_id) in types
    body = bl_a.error("deleteOrderProduct", {"order_id": order_a.pk, "order_product_id": line_id})
    assert body["error_code"] == "ERROR_ORDER_PRODUCT_NOT_FOUND"


def test_set_order_payment_and_the_payments_history(bl_a, order_a):
    bl_a.ok(
        "setOrderPayment",
        {
            "order_id": str(order_a.pk),
            "payment_done": "30.00",
            "payment_date": "1411400822",
            "payment_comment": "Bank transfer",
            "external_payment_id": "PP-123",
        },
    )
    bl_a.ok("setOrderPayment", {"order_id": order_a.pk, "payment_done": 117.30})
    order_a.refresh_from_db()
    assert order_a.payment_done == Decimal("117.30")
    assert order_a.journal.filter(type=JournalEntry.Type.ORDER_PAID).count() == 1
    payments = bl_a.ok("getOrderPaymentsHistory", {"order_id": order_a.pk, "show_full_history": False})[
        "payments"
    ]
    shape = {
        "paid_before": FLOAT,
        "paid_after": FLOAT,
        "total_price": FLOAT,
        "currency": STR,
        "external_payment_id": STR,
        "date": INT,
        "comment": STR,
    }
    for payment in payments:
        assert_shape(payment, shape, exact=True)
    assert [(p["paid_before"], p["paid_after"]) for p in payments] == [(0, 30), (30, 117.3)]
    assert (payments[0]["date"], payments[0]["comment"], payments[0]["external_payment_id"]) == (
        1411400822,
        "Bank transfer",
        "PP-123",
    )
    assert payments[1]["total_price"] == 117.3 and payments[1]["currency"] == "PLN"


def test_status_list_sources_and_extra_fields(bl_a, account_a, order_a):
    statuses = bl_a.ok("getOrderStatusList", "[]")["statuses"]
    for status in statuses:
        assert_shape(status, {"id": INT, "name": STR, "name_for_customer": STR, "color": STR}, exact=True)
    assert len(statuses) == 7
    sources = bl_a.ok("getOrderSources", "[]")["sources"]
    assert sources == {"personal": {str(order_a.source_id): "Personal"}}
    assert bl_a.ok("getOrderExtraFields", {"order_id": order_a.pk})["extra_fields"] == []
    OrderExtraField.objects.create(account=account_a, name="Channel", kind="select", options=["B2B", "B2C"])
    OrderExtraField.objects.create(account=account_a, name="Note")
    fields = bl_a.ok("getOrderExtraFields", "[]")["extra_fields"]
    assert [(f["name"], f["editor_type"], f.get("options")) for f in fields] == [
        ("Channel", "select", ["B2B", "B2C"]),
        ("Note", "text", None),
    ]
    assert_shape(fields[0], {"extra_field_id": INT, "name": STR, "editor_type": STR})


def test_get_journal_list_documented_request(bl_a, account_a, order_a):
    statuses = list(account_a.order_statuses.order_by("position"))
    bl_a.ok("setOrderStatus", {"order_id": order_a.pk, "status_id": statuses[1].pk})
    first = order_a.journal.order_by("id").first()
    logs = bl_a.ok(
        "getJournalList", {"last_log_id": first.pk, "logs_types": [1, 2, 18], "order_id": order_a.pk}
    )["logs"]
    for log in logs:
        assert_shape(
            log, {"log_id": INT, "log_type": INT, "order_id": INT, "object_id": INT, "date": INT}, exact=True
        )
    assert [(log["log_type"], log["object_id"]) for log in logs] == [(1, 0), (2, 0), (18, statuses[1].pk)]
    assert logs[0]["log_id"] == first.pk  # last_log_id is inclusive
    assert bl_a.ok("getJournalList", {"last_log_id": logs[-1]["log_id"] + 1})["logs"] == []
    # Only the last three days.
    JournalEntry.objects.filter(pk=first.pk).update(created_at=first.created_at - datetime.timedelta(days=4))
    assert first.pk not in [log["log_id"] for log in bl_a.ok("getJournalList", {"last_log_id": 0})["logs"]]


def test_an_order_typed_in_the_new_order_form_is_listed_by_get_orders(bl_a, client_a, account_a):
    """BaseLinker's orders entered by hand are confirmed: clients that read confirmed orders only (no
    ``get_unconfirmed_orders``) see them."""
    form = client_a.get("/orders/new/").context["form"]
    # What the browser sends when the user leaves the form's defaults (a ticked box is sent as "on").
    defaults = {"confirmed": "on"} if form["confirmed"].value() else {}
    response = client_a.post(
        "/orders/new/",
        {
            **defaults,
            "source": account_a.order_sources.get().pk,
            "currency": "PLN",
            "delivery_price": "0",
            "shop_order_id": "0",
            "star": "0",
            "line-0-name": "Grawer",
            "line-0-quantity": "1",
            "line-0-price_brutto": "11",
        },
    )
    assert response.status_code == 302
    order = Order.objects.get(account=account_a)

    listed = bl_a.ok("getOrders", {"id_from": 1})["orders"]
    assert [o["order_id"] for o in listed] == [order.pk]
    assert listed[0]["confirmed"] is True and listed[0]["date_confirmed"] == int(
        order.date_confirmed.timestamp()
    )


def test_an_object_for_an_extra_field_is_refused_not_stored_as_text(bl_a, account_a):
    """BaseLinker's file fields send {"title", "file"}; there are no file fields here, and the object
    must not come back as its Python text."""
    note = OrderExtraField.objects.create(account=account_a, name="Attachment")
    status = account_a.order_statuses.first()
    body = bl_a.error(
        "addOrder",
        {
            "order_status_id": status.pk,
            "products": [{"name": "x", "quantity": 1, "price_brutto": 1}],
            "custom_extra_fields": {str(note.pk): {"title": "a.pdf", "file": "data:YWJj"}},
        },
    )
    assert body["error_code"] == "ERROR_INVALID_PARAMETERS"
    assert "custom_extra_fields" in body["error_message"] and "Attachment" in body["error_message"]
    assert not Order.objects.filter(account=account_a).exists()


def test_get_orders_writes_amounts_rates_and_weights_as_floats(bl_a, order_a):
    """A PHP client's json_decode reads 23 as an integer and 23.00 as a float: the reference gives floats."""
    order = bl_a.ok("getOrders", {"order_id": order_a.pk})["orders"][0]
    for name in ("payment_done", "delivery_price"):
        assert isinstance(order[name], float), (name, order[name])
    for line in order["products"]:
        for name in ("price_brutto", "tax_rate", "weight"):
            assert isinstance(line[name], float), (name, line[name])
    assert order["products"][1]["tax_rate"] == 8.0
