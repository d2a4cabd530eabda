"""What a user found trying the orders pages: each fix as the user meets it (the page, and the APIs
where the same rule applies)."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from orders.models import AutomationRule, Order, OrderSource
from orders.services import order_create
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# ------------------------------------------- 3. a rule's total range must be one an order can fall in


def _rule_form(**changes) -> dict:
    return {
        "name": "Big orders",
        "event": "order_created",
        "enabled": "on",
        "position": "0",
        "a0_type": "add_comment",
        "a0_add_comment_text": "Big",
        **changes,
    }


def test_a_rule_whose_minimum_total_is_above_its_maximum_is_refused_beside_the_field(client_a, account_a):
    url = reverse("orders:rule-list")
    refused = page(client_a.post(url, _rule_form(c_total_min="500", c_total_max="10")))
    error = refused.split('id="id_c_total_max_error"')[1].split("</small>")[0]
    assert "The minimum total is above the maximum total: the rule could never run." in error
    assert not AutomationRule.objects.filter(account=account_a).exists()

    assert client_a.post(url, _rule_form(c_total_min="10", c_total_max="10")).status_code == 302
    assert AutomationRule.objects.get(account=account_a).conditions == {"total_min": "10", "total_max": "10"}


def test_the_rest_api_refuses_a_minimum_total_above_the_maximum(api_a, account_a):
    response = api_a.post(
        reverse("api:automationrule-list"),
        {
            "name": "Big orders",
            "event": "order_created",
            "conditions": {"total_min": "500", "total_max": "10"},
            "actions": [{"type": "add_comment", "text": "Big"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["conditions"] == [
        "The minimum total is above the maximum total: the rule could never run."
    ]
    assert not AutomationRule.objects.filter(account=account_a).exists()


# ------------------------------------------------------------------ 4. the order marker is 0 to 5


def _order(account, **fields) -> Order:
    return order_create(
        account=account,
        lines=[{"name": "Mug", "quantity": 1, "price_brutto": Decimal("10")}],
        origin=TEST_ORIGIN,
        **fields,
    )


def _edit_form(account, **changes) -> dict:
    source = OrderSource.objects.filter(account=account).first()
    return {
        "source": source.pk,
        "currency": "PLN",
        "delivery_price": "0",
        "shop_order_id": "0",
        "star": "0",
        **changes,
    }


def test_the_order_form_refuses_a_marker_above_5_beside_the_field(client_a, account_a):
    new = page(client_a.get(reverse("orders:order-create")))
    star = new.split('name="star"')[1].split(">")[0]
    assert 'value="0"' in star and 'max="5"' in star  # a new order starts without a marker
    order = _order(account_a)
    url = reverse("orders:order-edit", args=[order.pk])
    form = page(client_a.get(url))
    assert 'name="star"' in form and 'max="5"' in form.split('name="star"')[1].split(">")[0]
    refused = page(client_a.post(url, _edit_form(account_a, star="9")))
    error = refused.split('id="id_star_error"')[1].split("</small>")[0]
    assert "less than or equal to 5" in error
    order.refresh_from_db()
    assert order.star == 0
    assert client_a.post(url, _edit_form(account_a, star="5")).status_code == 302
    order.refresh_from_db()
    assert order.star == 5


def test_the_rest_api_and_the_services_refuse_a_marker_above_5(api_a, account_a):
    order = _order(account_a)
    patched = api_a.patch(reverse("api:order-detail", args=[order.pk]), {"star": 9}, format="json")
    assert patched.status_code == 400 and "star" in patched.json()["errors"]
    created = api_a.post(
        reverse("api:order-list"),
        {"star": 6, "lines": [{"name": "Mug", "quantity": 1, "price_brutto": "10"}]},
        format="json",
    )
    assert created.status_code == 400 and "star" in created.json()["errors"]
    with pytest.raises(ValidationError) as refused:
        _order(account_a, star=9)
    assert "star" in refused.value.message_dict
    from orders.services import order_update

    with pytest.raises(ValidationError) as refused:
        order_update(order=order, origin=TEST_ORIGIN, star=9)
    assert "star" in refused.value.message_dict
    order.refresh_from_db()
    assert order.star == 0 and Order.objects.filter(account=account_a).count() == 1


def test_baselinker_set_order_fields_refuses_a_star_above_5(account_a):
    from tests.blconnector.conftest import connector_for

    order = _order(account_a)
    bl = connector_for(account_a, role="admin", name="star script")
    error = bl.error("setOrderFields", {"order_id": order.pk, "star": 9})
    assert error["error_code"] == "ERROR_INVALID_PARAMETERS" and "star" in error["error_message"]
    bl.ok("setOrderFields", {"order_id": order.pk, "star": 5})
    order.refresh_from_db()
    assert order.star == 5


# --------------------------------- 6. an invalid field points screen readers at its error message


class _Described(HTMLParser):
    """The ids of the page's elements, and what each invalid input says describes it."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.invalid: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if attrs.get("aria-invalid") == "true":
            self.invalid[attrs.get("name") or attrs.get("id")] = (attrs.get("aria-describedby") or "").split()


def _invalid_fields(html: str) -> dict[str, list[str]]:
    """Invalid field name → the error elements it names; each must be on the page."""
    parser = _Described()
    parser.feed(html)
    for name, described in parser.invalid.items():
        errors = [i for i in described if i.endswith("_error")]
        assert errors, f"{name} names no error message"
        missing = [i for i in errors if i not in parser.ids]
        assert not missing, f"{name} names {missing}, which the page does not have"
    return parser.invalid


def test_invalid_order_fields_name_their_error_messages(client_a, account_a):
    order = _order(account_a)
    refused = page(
        client_a.post(reverse("orders:order-edit", args=[order.pk]), _edit_form(account_a, email="bad@@"))
    )
    invalid = _invalid_fields(refused)
    assert "id_email_error" in invalid["email"]
    assert "Enter a valid email address." in refused.split('id="id_email_error"')[1].split("</small>")[0]


def test_invalid_fields_of_a_new_order_and_a_rule_name_their_error_messages(client_a, account_a):
    new_order = page(
        client_a.post(reverse("orders:order-create"), {"email": "bad@@", "line-0-quantity": "x"})
    )
    assert "email" in _invalid_fields(new_order)
    rule = page(client_a.post(reverse("orders:rule-list"), _rule_form(c_total_min="500", c_total_max="10")))
    assert _invalid_fields(rule)["c_total_max"] == ["id_c_total_max_error"]


# ------------------------------------ 5. a refused list filter is named by its label, in the page language


def _filter_errors(html: str) -> str:
    return html.split('<p class="field-error" role="alert">')[1].split("</p>")[0]


def test_refused_date_filters_are_named_by_their_labels(client_a):
    listed = page(client_a.get(reverse("orders:order-list"), {"date_from": "abc", "date_to": "2026-13-45"}))
    errors = _filter_errors(listed)
    assert "Date added from: Enter a valid date/time." in errors
    assert "Date added to: Enter a valid date/time." in errors
    assert "date_from" not in errors and "date_to" not in errors
    # The date inputs are named as the message names them.
    assert 'aria-label="Date added from" aria-invalid="true"' in listed


def test_refused_filters_are_named_in_the_readers_language(client, account_a):
    from tests.factories.accounts import MembershipFactory

    client.force_login(MembershipFactory(account=account_a, role="owner", user__language="pl").user)
    listed = page(client.get(reverse("orders:order-list"), {"source": "abc", "date_from": "abc"}))
    errors = _filter_errors(listed)
    assert "Źródło: " in errors and "Wpisz poprawną datę/godzinę." in errors
    assert "source:" not in errors and "date_from" not in errors


def test_the_product_list_names_refused_filters_by_their_labels_too(client_a):
    listed = page(client_a.get(reverse("catalog:product-list"), {"category": "abc", "stock_min": "x"}))
    errors = _filter_errors(listed)
    assert "Category: " in errors and "Total stock at least: " in errors
    assert "category:" not in errors and "stock_min" not in errors
