"""Bad input on the orders' API and pages is a message on its field (or a 404), never a 500; rules stored
before their conditions were checked fail alone; merging takes the main order the user chose."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders import automation
from orders.models import AutomationRule, AutomationRun, CustomButton, Order, OrderExtraField, OrderStatus
from orders.services import order_create
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db


def _order(account, **fields) -> Order:
    return order_create(
        origin=TEST_ORIGIN,
        account=account,
        lines=[{"name": "Usługa", "quantity": 1, "price_brutto": Decimal("100")}],
        **fields,
    )


def _errors(response) -> dict:
    assert response.status_code == 400, response.content[:500]
    return response.json()["errors"]


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# --- automatic actions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("total", ["NaN", "Infinity", "-Infinity", "1e400", "٣", "x"])
def test_a_rule_with_a_total_that_is_not_an_amount_is_refused(api_a, total):
    response = api_a.post(
        reverse("api:automationrule-list"),
        {
            "name": "Big orders",
            "event": "order_created",
            "conditions": {"total_min": total},
            "actions": [{"type": "add_comment", "text": "Big"}],
        },
        format="json",
    )
    assert "total_min" in " ".join(_errors(response)["conditions"])
    assert not AutomationRule.objects.exists()


@pytest.mark.parametrize(
    ("conditions", "actions"),
    [
        ({}, [{"type": "add_comment", "text": "a\u0000b"}]),
        ({"statuses": ["\u0000"]}, [{"type": "add_comment", "text": "ok"}]),
        ({"statuses": [10**25]}, [{"type": "add_comment", "text": "ok"}]),
        ({}, [{"type": "set_status", "status": "²"}]),
        ({}, [{"type": "add_comment", "text": ["not", "text"]}]),
    ],
)
def test_rule_texts_ids_and_shapes_that_cannot_be_stored_are_field_errors(api_a, conditions, actions):
    response = api_a.post(
        reverse("api:automationrule-list"),
        {"name": "Rule", "event": "order_created", "conditions": conditions, "actions": actions},
        format="json",
    )
    assert {"conditions", "actions"} & set(_errors(response))


def test_the_rule_form_refuses_a_total_that_does_not_fit(client_a):
    page = client_a.post(
        reverse("orders:rule-list"),
        {
            "name": "Big",
            "event": "order_created",
            "position": "0",
            "c_total_min": "1e400",
            "a0_type": "add_comment",
            "a0_text": "Big",
        },
    )
    assert page.status_code == 200 and "c_total_min" in page.context["form"].errors
    assert not AutomationRule.objects.exists()


def test_a_rule_stored_with_bad_conditions_fails_alone_and_the_others_still_run(account_a):
    order = _order(account_a)
    broken = AutomationRule.objects.create(
        account=account_a,
        name="Broken",
        event="order_created",
        position=0,
        conditions={"total_min": "NaN"},
        actions=[{"type": "add_comment", "text": "never"}],
    )
    AutomationRule.objects.create(
        account=account_a,
        name="Works",
        event="order_created",
        position=1,
        actions=[{"type": "add_comment", "text": "Checked"}],
    )
    for _ in range(2):  # the broken rule does not stop later runs either
        runs = automation.rules_run(order_id=order.pk, event="order_created")
        assert [(run.rule_name, run.outcome) for run in runs] == [
            ("Broken", AutomationRun.Outcome.FAILED),
            ("Works", AutomationRun.Outcome.DONE),
        ]
    assert "edit and save the rule" in str(AutomationRun.objects.filter(rule=broken).first().message)
    order.refresh_from_db()
    assert "Checked" in order.admin_comments


def test_pages_show_rules_stored_in_a_wrong_shape(client_a, account_a):
    rule = AutomationRule.objects.create(
        account=account_a, name="Old", event="order_created", conditions=["x"], actions=["zzz", {"type": 1}]
    )
    assert client_a.get(reverse("orders:rule-list")).status_code == 200
    assert client_a.get(reverse("orders:rule-edit", args=[rule.pk])).status_code == 200


# --- the order card and the list ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "٣x", "1e20", "9" * 25, "NaN", "a\u0000b", ""])
def test_order_card_posts_with_ids_that_are_not_ids_say_so_and_change_nothing(client_a, account_a, value):
    order = _order(account_a)
    line = order.lines.get()
    for action, field in (
        ("status", "status"),
        ("button", "button"),
        ("line-change", "line"),
        ("line-remove", "line"),
    ):
        data = {field: value, "quantity": "2", "price_brutto": "1"}
        response = client_a.post(reverse("orders:order-action", args=[order.pk, action]), data, follow=True)
        assert response.status_code == 200 and _messages(response), action
    order.refresh_from_db()
    line.refresh_from_db()
    assert order.journal.count() == 1 and line.quantity == 1


def test_order_card_line_change_refuses_a_quantity_beyond_the_column(client_a, account_a):
    order = _order(account_a)
    line = order.lines.get()
    data = {"line": line.pk, "quantity": "9" * 12, "price_brutto": "1"}
    response = client_a.post(
        reverse("orders:order-action", args=[order.pk, "line-change"]), data, follow=True
    )
    assert "Quantity" in _messages(response)
    line.refresh_from_db()
    assert line.quantity == 1


@pytest.mark.parametrize("value", ["²", "x", "1e20", "9" * 25])
def test_bulk_actions_with_ids_that_are_not_ids_are_not_found(client_a, account_a, value):
    order = _order(account_a)
    ready = OrderStatus.objects.get(account=account_a, name="Ready to ship")
    response = client_a.post(
        reverse("orders:order-bulk"), {"orders": [order.pk, value], "action": f"status:{ready.pk}"}
    )
    assert response.status_code == 404
    response = client_a.post(
        reverse("orders:order-bulk"), {"orders": [order.pk], "action": f"status:{value}"}
    )
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status != ready


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("date_from", "2026-13-45"),
        ("date_to", "2026-02-30"),
        ("status", "²"),
        ("source", "٣"),
        ("search", "a\u0000b"),
    ],
)
def test_the_order_list_names_a_filter_it_cannot_read(client_a, account_a, name, value):
    _order(account_a)
    response = client_a.get(reverse("orders:order-list"), {name: value})
    assert response.status_code == 200 and name in response.context["filter"].errors


def test_the_order_list_still_filters_and_searches(client_a, account_a):
    order = _order(account_a, email="kupujacy@example.test")
    url = reverse("orders:order-list")
    assert [o.pk for o in client_a.get(url, {"search": f"#{order.pk}"}).context["orders"]] == [order.pk]
    assert client_a.get(url, {"search": "²"}).context["orders"] == []
    day = order.date_add.date().isoformat()
    assert [o.pk for o in client_a.get(url, {"date_from": day, "date_to": day}).context["orders"]] == [
        order.pk
    ]


@pytest.mark.parametrize("value", ["2026-13-45", "2026-02-30T10:00:00Z"])
def test_api_date_filters_refuse_impossible_dates(api_a, value):
    assert "date_from" in _errors(api_a.get(reverse("api:order-list"), {"date_from": value}))


@pytest.mark.parametrize("value", ["2026-01-01T00:00:00+18:47", "2026-01-01T00:00:00-16:00"])
def test_api_date_filters_read_offsets_postgresql_cannot_store_in_utc(api_a, account_a, value):
    _order(account_a)
    response = api_a.get(reverse("api:order-list"), {"date_to": value})
    assert response.status_code == 200 and response.json()["count"] == 0


def test_api_date_filters_take_offsets_up_to_15_59(api_a, account_a):
    _order(account_a)
    response = api_a.get(reverse("api:order-list"), {"date_from": "2000-01-01T00:00:00+15:59"})
    assert response.status_code == 200 and response.json()["count"] == 1


def test_api_search_and_journal_refuse_or_ignore_unicode_digits(api_a, account_a):
    _order(account_a)
    assert api_a.get(reverse("api:order-list"), {"search": "²"}).json()["count"] == 0
    assert "from_id" in _errors(api_a.get(reverse("api:journal-list"), {"from_id": "²"}))


def test_product_suggestions_for_text_with_nul_suggest_nothing(client_a):
    response = client_a.get(reverse("orders:product-suggest"), {"line-product": "ab\u0000c"})
    assert response.status_code == 200 and response.context["choices"] == []


# --- order API fields --------------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", [10**12, "9" * 25, "²", "٣"])
def test_line_quantities_beyond_the_column_are_field_errors(api_a, account_a, quantity):
    order = _order(account_a)
    response = api_a.post(
        reverse("api:orderline-list"),
        {"order": order.pk, "name": "Extra", "quantity": quantity, "price_brutto": "1"},
        format="json",
    )
    assert "quantity" in _errors(response)
    created = api_a.post(
        reverse("api:order-list"),
        {"lines": [{"name": "X", "quantity": quantity, "price_brutto": "1"}]},
        format="json",
    )
    assert "quantity" in _errors(created)["lines"]["0"]


@pytest.mark.parametrize("value", ["text", [1, 2], 5, {"1": "a\u0000b"}])
def test_custom_extra_fields_must_be_an_object_of_storable_values(api_a, account_a, value):
    OrderExtraField.objects.create(account=account_a, name="Note")
    order = _order(account_a)
    response = api_a.patch(
        reverse("api:order-detail", args=[order.pk]), {"custom_extra_fields": value}, format="json"
    )
    assert "custom_extra_fields" in _errors(response)


def test_a_number_extra_field_refuses_nan_and_unicode_digits(api_a, account_a):
    weight = OrderExtraField.objects.create(account=account_a, name="Weight", kind="number")
    order = _order(account_a)
    url = reverse("api:order-detail", args=[order.pk])
    for value in ("NaN", "٣", "1e400"):
        response = api_a.patch(url, {"custom_extra_fields": {str(weight.pk): value}}, format="json")
        assert "custom_extra_fields" in _errors(response)
    assert (
        api_a.patch(url, {"custom_extra_fields": {str(weight.pk): "2.5"}}, format="json").status_code == 200
    )


def test_a_status_change_body_that_is_not_a_status_id_is_a_field_error(api_a, account_a):
    order = _order(account_a)
    url = reverse("api:order-set-status", args=[order.pk])
    for body in ({"status": "²"}, {"status": "1e20"}, {"status": [1]}, {}):
        assert "status" in _errors(api_a.post(url, body, format="json"))
    assert api_a.post(url, "²", format="json").status_code == 400


# --- names unique in the account, statuses in use ----------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("api:orderstatus-list", {"name": "New orders"}),
        ("api:orderbutton-list", {"name": "Pack"}),
        ("api:orderextrafield-list", {"name": "Gift", "kind": "text"}),
    ],
)
def test_a_name_already_used_in_the_account_is_a_field_error(api_a, route, body):
    if route != "api:orderstatus-list":
        assert api_a.post(reverse(route), body, format="json").status_code == 201
    assert _errors(api_a.post(reverse(route), body, format="json"))["name"] == ["This name is already used."]


def test_a_name_already_used_is_a_form_error_on_the_settings_pages(client_a, account_a):
    for kind, data in (
        ("statuses", {"name": "New orders", "color": "#123456", "position": "0", "kind": "other"}),
        ("buttons", {"name": "Pack", "color": "#123456"}),
        ("extra-fields", {"name": "Gift", "kind": "text"}),
    ):
        client_a.post(reverse("orders:settings", args=[kind]), data)
        again = client_a.post(reverse("orders:settings", args=[kind]), data)
        assert again.status_code == 200 and again.context["form"].errors["name"] == [
            "This name is already used."
        ]
    assert CustomButton.objects.filter(account=account_a, name="Pack").count() == 1


def test_a_status_in_use_cannot_be_deleted(api_a, client_a, account_a):
    order = _order(account_a)
    response = api_a.delete(reverse("api:orderstatus-detail", args=[order.status_id]))
    assert "move them" in _errors(response)["non_field_errors"][0]
    page = client_a.post(reverse("orders:settings-delete", args=["statuses", order.status_id]), follow=True)
    assert "move them" in _messages(page)
    ready = OrderStatus.objects.get(account=account_a, name="Ready to ship")
    AutomationRule.objects.create(
        account=account_a,
        name="Ship it",
        event="order_created",
        actions=[{"type": "set_status", "status": ready.pk}],
    )
    assert (
        "Ship it"
        in _errors(api_a.delete(reverse("api:orderstatus-detail", args=[ready.pk])))["non_field_errors"][0]
    )
    assert OrderStatus.objects.filter(pk__in=[order.status_id, ready.pk]).count() == 2
    unused = OrderStatus.objects.get(account=account_a, name="Delivered")
    assert api_a.delete(reverse("api:orderstatus-detail", args=[unused.pk])).status_code == 204


# --- merge -------------------------------------------------------------------------------------------------


@pytest.fixture
def three_orders(account_a):
    return [
        _order(
            account_a,
            delivery_fullname=name,
            email=f"{name.lower()}@example.test",
            invoice_company=f"{name} Ltd",
        )
        for name in ("Anna", "Bartek", "Celina")
    ]


def test_api_merge_refuses_a_main_order_that_is_not_merged(api_a, three_orders):
    first, second, third = three_orders
    response = api_a.post(
        reverse("api:order-merge"), {"orders": [first.pk, second.pk], "main": third.pk}, format="json"
    )
    assert "main" in _errors(response)
    assert not Order.objects.filter(is_technical=True).exists()
    assert not third.journal.filter(type=5).exists()


def test_api_merge_takes_buyer_and_delivery_from_main_or_the_first_given(api_a, three_orders):
    first, second, third = three_orders
    chosen = api_a.post(
        reverse("api:order-merge"), {"orders": [first.pk, second.pk], "main": second.pk}, format="json"
    ).json()
    assert (chosen["delivery_fullname"], chosen["email"], chosen["invoice_company"]) == (
        "Bartek",
        "bartek@example.test",
        "Bartek Ltd",
    )
    default = api_a.post(reverse("api:order-merge"), {"orders": [third.pk, first.pk]}, format="json")
    assert default.status_code == 201 and default.json()["delivery_fullname"] == "Celina"


def test_web_merge_asks_for_the_main_order_offering_the_first_selected(client_a, three_orders):
    first, second, third = three_orders
    url = reverse("orders:order-bulk")
    selected = [third.pk, first.pk]  # as ticked in the list (newest first)
    asked = client_a.post(url, {"orders": selected, "action": "merge"})
    assert asked.status_code == 200 and not Order.objects.filter(is_technical=True).exists()
    page = asked.content.decode()
    assert f'value="{third.pk}" id="main-{third.pk}" checked' in page
    assert f'id="main-{first.pk}" checked' not in page and "Celina Ltd" in page and "Anna Ltd" in page
    merged = client_a.post(url, {"orders": selected, "action": "merge", "main": first.pk})
    technical = Order.objects.get(is_technical=True)
    assert merged["Location"] == reverse("orders:order-detail", args=[technical.pk])
    assert (technical.delivery_fullname, technical.invoice_company) == ("Anna", "Anna Ltd")
    assert set(technical.merged_from.values_list("pk", flat=True)) == set(selected)


@pytest.mark.parametrize("main", ["other", "²", ""])
def test_web_merge_refuses_a_main_order_that_is_not_selected(client_a, three_orders, main):
    first, second, third = three_orders
    value = third.pk if main == "other" else main
    response = client_a.post(
        reverse("orders:order-bulk"), {"orders": [first.pk, second.pk], "action": "merge", "main": value}
    )
    assert response.status_code == 400 and "main" in response.context["form"].errors
    assert not Order.objects.filter(is_technical=True).exists()
