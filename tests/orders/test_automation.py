"""Automatic actions run after commit on a real Celery worker and are recorded on the order."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import AutomationRule, AutomationRun, CustomButton, Order, OrderStatus
from orders.services import order_create, order_payment_set
from tests.origins import TEST_ORIGIN
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _status(account, name):
    return OrderStatus.objects.get(account=account, name=name)


def _order(account, **fields):
    return order_create(
        account=account,
        lines=[{"name": "Zestaw", "quantity": 1, "price_brutto": Decimal("200.00")}],
        **fields,
        origin=TEST_ORIGIN,
    )


def test_rule_on_created_order_sets_status_and_comments(api_a, account_a, celery_worker):
    in_progress = _status(account_a, "In progress")
    rule = api_a.post(
        reverse("api:automationrule-list"),
        {
            "name": "Big orders first",
            "event": "order_created",
            "conditions": {"total_min": "150"},
            "actions": [
                {"type": "set_status", "status": in_progress.pk},
                {"type": "add_comment", "text": "Priority"},
            ],
        },
        format="json",
    )
    assert rule.status_code == 201, rule.json()
    big, small = (
        _order(account_a),
        order_create(
            account=account_a,
            lines=[{"name": "Drobiazg", "quantity": 1, "price_brutto": Decimal("5")}],
            origin=TEST_ORIGIN,
        ),
    )
    wait_for(lambda: AutomationRun.objects.filter(order__in=[big, small]).count() == 2, what="both runs")
    big.refresh_from_db()
    small.refresh_from_db()
    assert big.status_id == in_progress.pk and big.admin_comments == "Priority"
    assert small.status.kind == "new" and small.admin_comments == ""
    assert AutomationRun.objects.get(order=small).outcome == "skipped"
    done = AutomationRun.objects.get(order=big)
    assert done.outcome == "done" and "In progress" in done.message
    # The status change by the rule is journaled with the rule as its origin.
    assert big.journal.filter(
        type=18,
        origin_kind="automation",
        origin_id=rule.json()["id"],
        origin_label__contains="Big orders first",
    ).exists()


def test_rules_that_trigger_each_other_stop_at_the_depth_limit(account_a, celery_worker):
    a, b = _status(account_a, "In progress"), _status(account_a, "Ready to ship")
    AutomationRule.objects.create(
        account=account_a,
        name="Ping",
        event="status_changed",
        event_status=a,
        actions=[{"type": "set_status", "status": b.pk}],
    )
    AutomationRule.objects.create(
        account=account_a,
        name="Pong",
        event="status_changed",
        event_status=b,
        actions=[{"type": "set_status", "status": a.pk}],
    )
    order = _order(account_a)
    from orders.services import order_set_status

    order_set_status(order=order, status=a, origin=TEST_ORIGIN)
    wait_for(lambda: AutomationRun.objects.filter(order=order, outcome="loop").exists(), what="the loop stop")
    runs = list(AutomationRun.objects.filter(order=order).order_by("id"))
    assert [r.outcome for r in runs][-1] == "loop"
    assert len(runs) == 6 and all(r.outcome == "done" for r in runs[:-1])
    assert "5 times" in runs[-1].message


def test_payment_rule_and_custom_button(api_a, account_a, celery_worker):
    ready = _status(account_a, "Ready to ship")
    AutomationRule.objects.create(
        account=account_a,
        name="Paid → ready",
        event="payment_received",
        actions=[{"type": "set_status", "status": ready.pk}],
    )
    order = _order(account_a)
    order_payment_set(order=order, payment_done=Decimal("200.00"), origin=TEST_ORIGIN)
    wait_for(lambda: Order.objects.get(pk=order.pk).status_id == ready.pk, what="paid order moved")

    button = CustomButton.objects.create(account=account_a, name="Ship with label")
    api_a.post(
        reverse("api:automationrule-list"),
        {
            "name": "Label",
            "event": "button",
            "event_button": button.pk,
            "actions": [{"type": "create_package", "courier": "hurtlink"}],
        },
        format="json",
    )
    response = api_a.post(
        reverse("api:order-button"), {"orders": [order.pk], "button": button.pk}, format="json"
    )
    assert response.status_code == 202
    wait_for(lambda: order.packages.exists(), what="package from the button")
    package = order.packages.get()
    assert package.courier_package_nr and bytes(package.label_pdf).startswith(b"%PDF")


def test_bad_rules_get_field_messages(api_a, account_a, account_b):
    foreign = OrderStatus.objects.filter(account=account_b).first()
    response = api_a.post(
        reverse("api:automationrule-list"),
        {
            "name": "Broken",
            "event": "button",
            "conditions": {"paid": "maybe", "colour": "red"},
            "actions": [{"type": "set_status", "status": foreign.pk}, {"type": "explode"}],
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any("paid" in m for m in errors["conditions"]) and any("colour" in m for m in errors["conditions"])
    assert len(errors["actions"]) == 2
    assert not AutomationRule.objects.exists()


def test_package_created_event_runs_its_rules(account_a, celery_worker):
    from shipments.services import package_create

    AutomationRule.objects.create(
        account=account_a,
        name="Shipped note",
        event="package_created",
        actions=[{"type": "add_comment", "text": "Package on its way"}],
    )
    order = _order(account_a)
    package_create(order=order, courier_code="manual", tracking_number="TRK-42", origin=TEST_ORIGIN)
    wait_for(lambda: AutomationRun.objects.filter(order=order).exists(), what="package rule")
    order.refresh_from_db()
    assert order.admin_comments == "Package on its way"
