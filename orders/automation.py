"""Automatic actions: does a rule's condition hold for an order, and what its actions do.

Rules run in Celery after the change that fired them has committed (``orders.tasks.automation_run``).
An action that changes the order fires events of its own one level deeper; past ``MAX_DEPTH`` the chain
stops and the stop is recorded, so two rules that set each other's status cannot loop forever.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from config.fields import decimal_number, id_number
from orders import services
from orders.models import AutomationRule, AutomationRun, CustomButton, Order, OrderStatus

MAX_DEPTH = 5
MONEY = {"max_digits": 14, "decimal_places": 2}  # the total limits compare with order totals
ACTION_TYPES = ("set_status", "add_comment", "create_package")


def conditions_clean(*, account, conditions: dict) -> dict:
    """Validate a rule's conditions; ids must be this account's."""
    if not isinstance(conditions, dict):
        raise ValidationError({"conditions": _("An object.")})
    from catalog.models import Inventory
    from orders.models import OrderSource

    errors: list[str] = []
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
    """Validate a rule's actions; at least one."""
    from shipments.couriers import COURIERS

    if not isinstance(actions, list) or not actions:
        raise ValidationError({"actions": _("At least one action.")})
    errors: list[str] = []
    cleaned = []
    for i, action in enumerate(actions, start=1):
        kind = action.get("type") if isinstance(action, dict) else None
        if kind == "set_status":
            status = action.get("status")
            if not _is_id(status) or not OrderStatus.objects.filter(account=account, pk=status).exists():
                errors.append(_("Action %(n)s: choose one of this account's statuses.") % {"n": i})
                continue
            cleaned.append({"type": kind, "status": action["status"]})
        elif kind == "add_comment":
            text = action.get("text")
            text = text.strip() if isinstance(text, str) else ""
            if not text:
                errors.append(_("Action %(n)s: the comment is empty.") % {"n": i})
                continue
            if "\x00" in text:
                errors.append(_("Action %(n)s: null characters are not allowed.") % {"n": i})
                continue
            cleaned.append({"type": kind, "text": text[:500]})
        elif kind == "create_package":
            if not isinstance(action.get("courier"), str) or action["courier"] not in COURIERS:
                errors.append(_("Action %(n)s: choose a courier.") % {"n": i})
                continue
            cleaned.append({"type": kind, "courier": action["courier"]})
        else:
            errors.append(
                _("Action %(n)s: the type must be one of %(types)s.")
                % {"n": i, "types": ", ".join(ACTION_TYPES)}
            )
    if errors:
        raise ValidationError({"actions": errors})
    return cleaned


class RuleUnreadable(Exception):
    """A stored rule whose conditions cannot be read (written before they were checked)."""


def _condition_amount(value) -> Decimal:
    try:
        return decimal_number(value, **MONEY)
    except ValidationError:
        raise RuleUnreadable(_("the total limit “%(value)s” is not an amount") % {"value": value}) from None


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


def _actions_apply(rule: AutomationRule, order: Order, depth: int) -> list[str]:
    from shipments.services import package_create

    actor = _("Automatic action “%(name)s”") % {"name": rule.name}
    done = []
    for action in rule.actions:
        if action["type"] == "set_status":
            status = OrderStatus.objects.get(account_id=order.account_id, pk=action["status"])
            services.order_set_status(order=order, status=status, actor=actor, depth=depth + 1)
            done.append(_("status set to %(name)s") % {"name": status.name})
        elif action["type"] == "add_comment":
            order.refresh_from_db()
            comment = (order.admin_comments + "\n" + action["text"]).strip()[:1000]
            services.order_update(order=order, admin_comments=comment, actor=actor)
            done.append(_("comment added"))
        elif action["type"] == "create_package":
            package = package_create(
                order=order, courier_code=action["courier"], actor=actor, depth=depth + 1
            )
            done.append(_("package %(nr)s created") % {"nr": package.courier_package_nr})
        order.refresh_from_db()
    return done


def rules_run(
    *, order_id: int, event: str, depth: int = 0, status_id: int | None = None, button_id: int | None = None
) -> list[AutomationRun]:
    """Run every enabled rule of the order's account for ``event``; record each run on the order."""
    order = Order.objects.filter(pk=order_id).select_related("account").first()
    if order is None:
        return []
    rules = AutomationRule.objects.filter(account_id=order.account_id, enabled=True, event=event)
    if event == AutomationRule.Event.STATUS_CHANGED and status_id is not None:
        rules = [r for r in rules if r.event_status_id in (None, status_id)]
    if event == AutomationRule.Event.BUTTON:
        rules = [r for r in rules if r.event_button_id == button_id]
    runs = []
    for rule in rules:
        run = AutomationRun(
            account_id=order.account_id, rule=rule, rule_name=rule.name, order=order, event=event, depth=depth
        )
        if depth >= MAX_DEPTH:
            run.outcome = AutomationRun.Outcome.LOOP
            run.message = _("Not run: automatic actions triggered each other %(n)s times in a row.") % {
                "n": depth
            }
        elif not _matches(rule, order, run):
            pass  # _matches set the outcome
        else:
            try:
                with transaction.atomic():
                    run.message = "; ".join(_actions_apply(rule, order, depth))
                    run.outcome = AutomationRun.Outcome.DONE
            except Exception as exc:  # noqa: BLE001 - the run records why, the next rules still run
                run.outcome = AutomationRun.Outcome.FAILED
                run.message = _error_text(exc)
            order.refresh_from_db()
        run.save()
        runs.append(run)
    return runs


def _matches(rule: AutomationRule, order: Order, run: AutomationRun) -> bool:
    """rule_matches, recording a skipped or failed run; a rule stored with bad conditions fails alone
    and says so, while the account's other rules still run."""
    try:
        if rule_matches(rule, order):
            return True
        run.outcome = AutomationRun.Outcome.SKIPPED
    except (RuleUnreadable, TypeError, ValueError, ArithmeticError) as exc:
        run.outcome = AutomationRun.Outcome.FAILED
        run.message = _("The rule's conditions cannot be read (%(problem)s); edit and save the rule.") % {
            "problem": exc
        }
    return False


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc) or exc.__class__.__name__


def button_press(*, account, button: CustomButton, orders: list[Order]) -> int:
    """Fire a custom button's event for each order; returns how many were queued."""
    if button.account_id != account.pk:
        raise ValidationError({"button": _("Choose one of this account's buttons.")})
    count = 0
    with transaction.atomic():
        for order in orders:
            if order.account_id != account.pk:
                raise ValidationError({"orders": _("Choose orders of this account.")})
            services.events_emit(order=order, event=AutomationRule.Event.BUTTON, button_id=button.pk)
            count += 1
    return count
