"""What a user found trying the orders pages: each fix as the user meets it (the page, and the APIs
where the same rule applies)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orders.models import AutomationRule

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
    error = refused.split('id="id_c_total_max-error"')[1].split("</small>")[0]
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
