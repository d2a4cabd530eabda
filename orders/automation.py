"""Automatic actions: a consumer of the orders' change events that runs the account's rules.

A change (order created, status changed, payment received, package created, custom button pressed) is
recorded with its origin in the transaction that made it (``orders.services``, ``changes``); after
commit the outbox delivers it here (:func:`change_handle`). The rules' runs and their actions' writes are
one transaction with the delivery being marked done, so a worker killed half-way leaves nothing behind
and the delivery runs again, once. An action's changes carry the rule as their origin, one level deeper
than the change it reacts to; past ``MAX_DEPTH`` the chain stops and the stop is recorded, so two rules
that set each other's status cannot loop forever.

The action types are a registry (``orders.actions``); "set status" and "add a seller comment" are
registered here, other apps register theirs from their ``AppConfig.ready()``.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from changes import topics
from changes.models import ChangeEvent
from changes.origin import Origin
from config.fields import decimal_number, id_number
from config.stored_messages import Joined, Message, Stored, message_from_error
from orders import actions as actions_registry
from orders import services
from orders.models import AutomationRule, AutomationRun, Order, OrderStatus

MAX_DEPTH = 5
CONSUMER = "orders.automation"

# The change topics that fire rules, and the rule event each one fires.
TOPIC_EVENTS = {
    topics.ORDER_CREATED: AutomationRule.Event.ORDER_CREATED,
    topics.ORDER_STATUS_CHANGED: AutomationRule.Event.STATUS_CHANGED,
    topics.ORDER_PAYMENT_CHANGED: AutomationRule.Event.PAYMENT_RECEIVED,
    topics.PACKAGE_CREATED: AutomationRule.Event.PACKAGE_CREATED,
    topics.ORDER_BUTTON_PRESSED: AutomationRule.Event.BUTTON,
}

MONEY = {"max_digits": 14, "decimal_places": 2}  # the total limits compare with order totals


def conditions_clean(*, account, conditions: dict) -> dict:
    """Validate a rule's conditions; ids must be this account's, and a total range must be one an order
    can fall in (the minimum not above the maximum). Errors are listed under ``conditions``; one about
    a single condition has that condition's key as its code."""
    if not isinstance(conditions, dict):
        raise ValidationError({"conditions": _("An object.")})
    from catalog.models import Inventory
    from orders.models import OrderSource

    errors: list[str | ValidationError] = []
    cleaned: dict = {}
    for key, model in (("statuses", OrderStatus), ("sources", OrderSource), ("inventories", Inventory)):
        ids = conditions.get(key) or []
        if not isinstance(ids, list) or not all(_is_id(i) for i in ids):
            errors.append(_("%(key)s: a list of ids.") % {"key": key})
            continue
        if model.objects.filter(account=account, pk__in=ids).count() != len(set(ids)):
            errors.append(_("%(key)s: choose this account's values.") % {"key": key})
            continue
        if ids:
            cleaned[key] = sorted(set(ids))
    paid = conditions.get("paid") or ""
    if paid not in ("", "paid", "unpaid"):
        errors.append(_("paid: “paid”, “unpaid” or empty."))
    elif paid:
        cleaned["paid"] = paid
    for key in ("total_min", "total_max"):
        value = conditions.get(key)
        if value in (None, ""):
            continue
        try:
            cleaned[key] = str(decimal_number(value, **MONEY))
        except ValidationError as exc:
            errors.append(_("%(key)s: %(problem)s") % {"key": key, "problem": " ".join(exc.messages)})
    if (
        "total_min" in cleaned
        and "total_max" in cleaned
        and Decimal(cleaned["total_min"]) > Decimal(cleaned["total_max"])
    ):
        # Its code names the condition, so a form can show the message beside that field.
        errors.append(
            ValidationError(
                _("The minimum total is above the maximum total: the rule could never run."), code="total_max"
            )
        )
    unknown = set(conditions) - {"statuses", "sources", "inventories", "paid", "total_min", "total_max"}
    if unknown:
        errors.append(_("Unknown conditions: %(list)s.") % {"list": ", ".join(sorted(unknown))})
    if errors:
        raise ValidationError({"conditions": errors})
    return cleaned


def _is_id(value) -> bool:
    try:
        return isinstance(value, int) and id_number(value) == value
    except ValidationError:
        return False


def actions_clean(*, account, actions: list) -> list:
    """Validate a rule's actions (at least one) with their types' own checks; each error names its
    action ("Action 2: ...")."""
    if not isinstance(actions, list) or not actions:
        raise ValidationError({"actions": _("At least one action.")})
    errors: list[str] = []
    cleaned = []
    for i, data in enumerate(actions, start=1):
        action = actions_registry.action_get(data.get("type")) if isinstance(data, dict) else None
        if action is None:
            errors.append(
                _("Action %(n)s: the type must be one of %(types)s.")
                % {"n": i, "types": ", ".join(a.key for a in actions_registry.actions_all())}
            )
            continue
        try:
            cleaned.append({"type": action.key, **action.clean(account, data)})
        except ValidationError as exc:
            errors.extend(_("Action %(n)s: %(message)s") % {"n": i, "message": m} for m in exc.messages)
    if errors:
        raise ValidationError({"actions": errors})
    return cleaned


class RuleUnreadable(Exception):
    """A stored rule whose conditions cannot be read (written before they were checked); ``problem``
    says what, untranslated."""

    def __init__(self, problem: Stored) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _condition_amount(value) -> Decimal:
    try:
        return decimal_number(value, **MONEY)
    except ValidationError:
        raise RuleUnreadable(
            Message(gettext_noop("the total limit “%(value)s” is not an amount"), value=str(value))
        ) from None


def rule_matches(rule: AutomationRule, order: Order) -> bool:
    """Whether ``order`` meets the rule's conditions; RuleUnreadable for conditions that cannot be read."""
    c = rule.conditions if isinstance(rule.conditions, dict) else {}
    if c.get("statuses") and order.status_id not in c["statuses"]:
        return False
    if c.get("sources") and order.source_id not in c["sources"]:
        return False
    total = None
    if c.get("paid") or c.get("total_min") or c.get("total_max"):
        total = services.order_total(order)
    if c.get("paid") == "paid" and not (order.payment_done >= total > 0):
        return False
    if c.get("paid") == "unpaid" and order.payment_done >= total > 0:
        return False
    if c.get("total_min") and total < _condition_amount(c["total_min"]):
        return False
    if c.get("total_max") and total > _condition_amount(c["total_max"]):
        return False
    return not c.get("inventories") or order.lines.filter(storage_id__in=c["inventories"]).exists()


def _actions_apply(rule: AutomationRule, order: Order, depth: int) -> list[Stored]:
    origin = Origin.automation(rule.pk, rule.name, depth=depth + 1)
    done = []
    for data in rule.actions:
        action = actions_registry.action_get(data.get("type"))
        if action is None:
            raise ValidationError(
                Message(
                    gettext_noop("The action “%(type)s” is no longer available."), type=str(data.get("type"))
                )
            )
        done.append(action.run(order, data, origin))
        order.refresh_from_db()
    return done


def rules_run(
    *, order_id: int, event: str, depth: int = 0, status_id: int | None = None, button_id: int | None = None
) -> list[AutomationRun]:
    """Run every enabled rule of the order's account for ``event``; record each run on the order.

    Each rule's actions are all or nothing (a savepoint): a failing action undoes the rule's other
    actions, records the run as failed and the next rules still run. Call it inside a transaction to
    make every run one unit with whatever called it (the delivery of the change). A run's message is
    kept untranslated: the timeline shows it in its reader's language."""
    order = Order.objects.filter(pk=order_id).select_related("account").first()
    if order is None:
        return []
    runs = []
    for rule in _rules_for(order.account_id, event, status_id=status_id, button_id=button_id):
        run = AutomationRun(
            account_id=order.account_id, rule=rule, rule_name=rule.name, order=order, event=event, depth=depth
        )
        if depth >= MAX_DEPTH:
            run.outcome = AutomationRun.Outcome.LOOP
            run.message = Message(
                gettext_noop("Not run: automatic actions triggered each other %(n)s times in a row."), n=depth
            )
        elif not _matches(rule, order, run):
            pass  # _matches set the outcome
        else:
            try:
                with transaction.atomic():
                    run.message = Joined("; ", _actions_apply(rule, order, depth))
                    run.outcome = AutomationRun.Outcome.DONE
            except Exception as exc:  # noqa: BLE001 - the run records why, the next rules still run
                run.outcome = AutomationRun.Outcome.FAILED
                run.message = message_from_error(exc)
            order.refresh_from_db()
        run.save()
        runs.append(run)
    return runs


def _rules_for(account_id: int, event: str, *, status_id: int | None, button_id: int | None):
    rules = AutomationRule.objects.filter(account_id=account_id, enabled=True, event=event)
    if event == AutomationRule.Event.STATUS_CHANGED:
        rules = rules.filter(models.Q(event_status__isnull=True) | models.Q(event_status_id=status_id))
    if event == AutomationRule.Event.BUTTON:
        rules = rules.filter(event_button_id=button_id)
    return rules


def _matches(rule: AutomationRule, order: Order, run: AutomationRun) -> bool:
    """rule_matches, recording a skipped or failed run; a rule stored with bad conditions fails alone
    and says so, while the account's other rules still run."""
    try:
        if rule_matches(rule, order):
            return True
        run.outcome = AutomationRun.Outcome.SKIPPED
    except (RuleUnreadable, TypeError, ValueError, ArithmeticError) as exc:
        run.outcome = AutomationRun.Outcome.FAILED
        run.message = Message(
            gettext_noop("The rule's conditions cannot be read (%(problem)s); edit and save the rule."),
            problem=exc.problem if isinstance(exc, RuleUnreadable) else str(exc),
        )
    return False


# -- the consumer of change events ------------------------------------------------------------------


def _rule_event(topic: str, payload: dict) -> str | None:
    """The rule event a change fires, or None: payments fire only when the order became paid in full,
    and the technical order a merge creates fires nothing (its sources had their own rules)."""
    event = TOPIC_EVENTS.get(topic)
    if event == AutomationRule.Event.PAYMENT_RECEIVED and not payload.get("became_paid"):
        return None
    if event == AutomationRule.Event.ORDER_CREATED and payload.get("technical"):
        return None
    return event


def change_wanted(account_id: int, topic: str, payload: dict) -> bool:
    """Asked when a change is recorded: does the account have an enabled rule it would fire?"""
    event = _rule_event(topic, payload)
    if event is None:
        return False
    return _rules_for(
        account_id, event, status_id=payload.get("status_id"), button_id=payload.get("button_id")
    ).exists()


def change_handle(event: ChangeEvent) -> None:
    """Run the rules a change fires, at one level deeper than the change's own origin. Runs inside the
    transaction that marks the delivery done (``changes.services.delivery_run``)."""
    rule_event = _rule_event(event.topic, event.payload)
    if rule_event is None:
        return
    rules_run(
        order_id=event.payload["order_id"],
        event=rule_event,
        depth=event.origin_depth,
        status_id=event.payload.get("status_id"),
        button_id=event.payload.get("button_id"),
    )


# -- the orders app's own action types --------------------------------------------------------------


def _status_fields(account) -> dict[str, forms.Field]:
    statuses = OrderStatus.objects.filter(account=account).values_list("pk", "name")
    return {
        "status": forms.TypedChoiceField(
            label=gettext_lazy("status"), choices=[("", "—"), *statuses], coerce=int, required=False
        )
    }


def _status_clean(account, data: dict) -> dict:
    status = data.get("status")
    if isinstance(status, str) and status.isascii() and status.isdigit() and len(status) < 19:
        status = int(status)
    if not _is_id(status) or not OrderStatus.objects.filter(account=account, pk=status).exists():
        raise ValidationError(_("choose one of this account's statuses."))
    return {"status": status}


def _status_run(order: Order, data: dict, origin: Origin) -> Message:
    status = OrderStatus.objects.get(account_id=order.account_id, pk=data["status"])
    services.order_set_status(order=order, status=status, origin=origin)
    return Message(gettext_noop("status set to %(name)s"), name=status.name)


def _comment_fields(account) -> dict[str, forms.Field]:
    return {"text": forms.CharField(label=gettext_lazy("comment"), max_length=500, required=False)}


def _comment_clean(account, data: dict) -> dict:
    text = data.get("text")
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise ValidationError(_("the comment is empty."))
    if "\x00" in text:
        raise ValidationError(_("null characters are not allowed."))
    return {"text": text[:500]}


def _comment_run(order: Order, data: dict, origin: Origin) -> Message:
    order.refresh_from_db()
    comment = (order.admin_comments + "\n" + data["text"]).strip()[:1000]
    services.order_update(order=order, admin_comments=comment, origin=origin)
    return Message(gettext_noop("comment added"))


SET_STATUS = actions_registry.Action(
    key="set_status",
    label=gettext_lazy("Set status"),
    fields=_status_fields,
    clean=_status_clean,
    run=_status_run,
)
ADD_COMMENT = actions_registry.Action(
    key="add_comment",
    label=gettext_lazy("Add a seller comment"),
    fields=_comment_fields,
    clean=_comment_clean,
    run=_comment_run,
)


def automation_register() -> None:
    """Called from ``OrdersConfig.ready()``: the consumer of change events and the orders' actions."""
    from changes import registry

    registry.register(CONSUMER, topics=TOPIC_EVENTS, handler=change_handle, wants=change_wanted)
    actions_registry.register(SET_STATUS)
    actions_registry.register(ADD_COMMENT)
