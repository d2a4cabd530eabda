"""The registry of automatic action types: what a rule can do to an order.

Each type is registered once, by the app that owns what it does, from its ``AppConfig.ready()``: the
orders app registers "set status" and "add a seller comment", shipments "create a package", and other
apps add theirs (Connect: "forward to a supplier") without the orders app importing them. The rules
form, its page and the REST API all read this registry; a rule stores ``{"type": key, ...fields}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django import forms

    from accounts.models import Account
    from changes.origin import Origin
    from config.stored_messages import Stored
    from orders.models import Order


@dataclass(frozen=True)
class Action:
    """One action type.

    ``fields(account)``: the form fields the action needs, by the name its data uses (``{"status":
    ChoiceField}``); each field's cleaned value is what the rule stores (ids, codes, text — JSON).
    ``clean(account, data)``: checks the data (anything the account may not use is refused) and returns
    it cleaned (only the action's own keys); raises ``ValidationError`` with messages for people.
    ``run(order, data, origin)``: does it to ``order`` through the owning app's services with
    ``origin`` (the rule), inside the transaction of the rule's run, and returns what it did in words —
    a ``config.stored_messages.Message``, so each reader of the timeline reads it in their language.
    A failure raises (the run is recorded as failed and its writes are undone).
    """

    key: str
    label: Any  # a lazy translation
    fields: Callable[[Account], dict[str, forms.Field]]
    clean: Callable[[Account, dict], dict]
    run: Callable[[Order, dict, Origin], Stored]


_actions: dict[str, Action] = {}


def register(action: Action) -> Action:
    """Register (or replace) an action type; the order of registration is the order people see."""
    _actions[action.key] = action
    return action


def unregister(key: str) -> None:
    _actions.pop(key, None)


def action_get(key) -> Action | None:
    """The action type ``key``; None for anything else (also for a key that is not a string, as JSON
    input may have)."""
    return _actions.get(key) if isinstance(key, str) else None


def actions_all() -> list[Action]:
    return list(_actions.values())


def label_of(key: str | None) -> str:
    """The action type in words (a type no longer registered shows its key)."""
    action = action_get(key)
    return str(action.label) if action is not None else str(key or "")
