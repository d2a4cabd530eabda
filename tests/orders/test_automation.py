"""Automatic actions run after commit, as a consumer of the order change events (on a real Celery worker),
and are recorded on the order."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from changes import topics
from changes.models import ChangeDelivery, ChangeEvent
from changes.services import deliveries_sweep, event_deliver
from orders import actions, automation
from orders.models import AutomationRule, AutomationRun, CustomButton, Order, OrderStatus
from orders.services import order_create, order_payment_set, order_update
from tests.origins import TEST_ORIGIN
from tests.processes import run_script
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
    assert done.outcome == "done" and "In progress" in str(done.message)
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
    assert "5 times" in str(runs[-1].message)


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
            "actions": [
                {"type": "set_status", "status": foreign.pk},
                {"type": "explode"},
                {"type": ["set_status"]},
                {"type": "create_package", "courier": {"code": "manual"}},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any("paid" in m for m in errors["conditions"]) and any("colour" in m for m in errors["conditions"])
    assert len(errors["actions"]) == 4 and "Action 4: choose a courier." in errors["actions"]
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


def _comment_rule(account, text="Checked", event="order_created"):
    return AutomationRule.objects.create(
        account=account, name="Comment", event=event, actions=[{"type": "add_comment", "text": text}]
    )


def test_rules_run_as_a_consumer_of_the_order_change_and_once_only(account_a):
    rule = _comment_rule(account_a)
    order = _order(account_a)
    # The change is recorded for the automatic actions in the order's own transaction...
    event = ChangeEvent.objects.get(topic=topics.ORDER_CREATED, subject_id=order.pk)
    assert list(event.deliveries.values_list("consumer", flat=True)) == [automation.CONSUMER]
    assert not AutomationRun.objects.exists()
    # ...and its delivery runs the rule; delivering it again does nothing.
    assert event_deliver(event_id=event.pk) == 1
    assert event_deliver(event_id=event.pk) == 0
    order.refresh_from_db()
    assert order.admin_comments == "Checked"
    run = AutomationRun.objects.get(order=order)
    assert (run.rule_id, run.outcome, run.depth) == (rule.pk, "done", 0)
    # The rule's own change is recorded with the rule as its origin, one level deeper.
    edited = order.journal.get(type=16)
    assert (edited.origin_kind, edited.origin_id) == ("automation", rule.pk)


def test_a_worker_killed_while_running_a_rule_adds_the_comment_once_after_the_sweep(account_a):
    _comment_rule(account_a)
    order = _order(account_a)
    delivery = ChangeDelivery.objects.get(event__subject_id=order.pk, consumer=automation.CONSUMER)
    worker = run_script("tests/orders/killed_automation.py", str(delivery.pk))
    assert worker.returncode == -9, worker.stderr.decode()[-2000:]
    # The killed worker's comment and run went with it; the delivery waits.
    order.refresh_from_db()
    assert order.admin_comments == "" and not AutomationRun.objects.exists()
    delivery.refresh_from_db()
    assert delivery.delivered_at is None and delivery.attempts == 0
    # Once overdue, the sweep runs the rule again: the comment is there once, and so is its run.
    ChangeDelivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now() - timedelta(minutes=1))
    assert deliveries_sweep() == 1
    assert deliveries_sweep() == 0
    order.refresh_from_db()
    assert order.admin_comments == "Checked"
    assert AutomationRun.objects.filter(order=order, outcome="done").count() == 1


def _tag_fields(account):
    return {"tag": forms.CharField(label="tag to set", max_length=50, required=False)}


def _tag_clean(account, data):
    if not str(data.get("tag") or "").strip():
        raise ValidationError("name the tag.")
    return {"tag": str(data["tag"]).strip()}


def _tag_run(order, data, origin):
    order_update(order=order, extra_field_1=data["tag"], origin=origin)
    return f"tagged {data['tag']}"


@pytest.fixture
def tag_action():
    """An action type another app registers (as Connect registers "forward to a supplier")."""
    actions.register(
        actions.Action(
            key="tag_order", label="Tag the order", fields=_tag_fields, clean=_tag_clean, run=_tag_run
        )
    )
    yield
    actions.unregister("tag_order")


def test_an_action_registered_by_another_app_is_offered_by_the_form_and_runs(
    client_a, account_a, tag_action, celery_worker
):
    page = client_a.get(reverse("orders:rule-list")).content.decode()
    assert '<option value="tag_order">Tag the order</option>' in page
    assert 'data-action-fields="tag_order"' in page and 'name="a0_tag_order_tag"' in page
    refused = client_a.post(
        reverse("orders:rule-list"),
        {"name": "Tagger", "event": "order_created", "position": "0", "a0_type": "tag_order"},
    )
    assert "Action 1: name the tag." in refused.content.decode()
    saved = client_a.post(
        reverse("orders:rule-list"),
        {
            "name": "Tagger",
            "event": "order_created",
            "enabled": "on",
            "position": "0",
            "a0_type": "tag_order",
            "a0_tag_order_tag": "VIP",
            # Fields of the types not chosen are ignored.
            "a0_add_comment_text": "not this",
        },
    )
    assert saved.status_code == 302
    rule = AutomationRule.objects.get(account=account_a, name="Tagger")
    assert rule.actions == [{"type": "tag_order", "tag": "VIP"}]
    assert "tag the order" in client_a.get(reverse("orders:rule-list")).content.decode()

    order = _order(account_a)
    wait_for(lambda: AutomationRun.objects.filter(order=order).exists(), what="the rule to run")
    order.refresh_from_db()
    assert order.extra_field_1 == "VIP" and order.admin_comments == ""
    assert str(AutomationRun.objects.get(order=order).message) == "tagged VIP"
