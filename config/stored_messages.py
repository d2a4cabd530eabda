"""Messages that background work keeps for people to read later — sync runs, automatic-action results,
import problems, the reasons a forward was refused — stored untranslated (the message id and its
parameters) and translated when a page shows them, in the reader's language.

Writing::

    Message(gettext_noop("Held: no article in the WMS yet for SKU %(skus)s."), skus="A-1, B-2")
    plural_message("%(n)s product updated", "%(n)s products updated", 3, n=3)
    Joined("; ", [Message(...), Message(...)])

(``gettext_noop`` and ``plural_message`` mark the texts for ``makemessages``.) Parameters may be
Messages themselves, :class:`Money` (formatted in the reader's conventions) or
:class:`Joined` lists; anything else is JSON (text, numbers). A JSON column keeps ``message_json(m)``;
a text column declared as :class:`MessageTextField` / :class:`MessageCharField` keeps it as JSON text
and gives back a Message. Reading: ``str(m)``, ``message_text(stored)`` or ``{{ stored|message }}``
— whatever the column holds.

Rows written before messages were kept this way hold plain text: it is shown as it was stored.
Errors raised by services (``ValidationError``) become Messages through :func:`message_from_error`
when their text is one of the catalogue's message ids (the usual ``_("… %(x)s"), params=…`` form).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.functional import Promise

_PREFIX = '{"msgid"'


class Message:
    """A message in no language yet: its id (English) and parameters. ``str()`` translates it into
    the active language."""

    __slots__ = ("msgid", "plural_id", "count", "params")

    def __init__(self, msgid: str, /, **params: Any) -> None:
        self.msgid = str(msgid)
        self.plural_id: str | None = None
        self.count: int | None = None
        self.params = params

    @classmethod
    def plural(cls, singular: str, plural: str, count: int, /, **params: Any) -> Message:
        """A message with a singular and a plural form, chosen by ``count`` in the reader's language."""
        message = cls(singular, **params)
        message.plural_id = str(plural)
        message.count = int(count)
        return message

    def __str__(self) -> str:
        if not self.msgid:
            return ""
        if self.plural_id is not None:
            text = translation.ngettext(self.msgid, self.plural_id, self.count or 0)
        else:
            text = translation.gettext(self.msgid)
        if not self.params:
            return text
        values = {key: _param_text(value) for key, value in self.params.items()}
        try:
            return text % values
        except (KeyError, ValueError, TypeError):
            # A translation that lost a placeholder: the English text still has them all.
            try:
                return self.msgid % values
            except (KeyError, ValueError, TypeError):
                return self.msgid

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, **{self.params!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Message) and message_json(self) == message_json(other)

    def __hash__(self) -> int:
        return hash(self.msgid)

    def __bool__(self) -> bool:
        return bool(self.msgid)


def plural_message(singular: str, plural: str, count: int, /, **params: Any) -> Message:
    """A message with a singular and a plural form, chosen by ``count`` in the reader's language (our
    ``makemessages`` finds its texts like ``ngettext``'s)."""
    return Message.plural(singular, plural, count, **params)


class Money:
    """An amount in a currency, as a message parameter: formatted when shown ("1 075,97 zł")."""

    __slots__ = ("amount", "currency")

    def __init__(self, amount, currency: str) -> None:
        self.amount = Decimal(str(amount))
        self.currency = currency or ""

    def __str__(self) -> str:
        from config import formats

        return formats.format_money(self.amount, self.currency or None)


class Joined:
    """Several messages (or texts) shown one after another, with ``separator`` between them."""

    __slots__ = ("separator", "items")

    def __init__(self, separator: str, items: Iterable) -> None:
        self.separator = separator
        self.items = [item for item in items if item]

    def __str__(self) -> str:
        return self.separator.join(_param_text(item) for item in self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __eq__(self, other) -> bool:
        return isinstance(other, Joined) and message_json(self) == message_json(other)

    def __hash__(self) -> int:
        return hash(self.separator)


Stored = Message | Joined | str


def _param_text(value) -> Any:
    if isinstance(value, Message | Money | Joined | Promise):
        return str(value)
    return value


# ------------------------------------------------------------------------------------------- JSON


def message_json(value) -> Any:
    """What a JSON column keeps for a message (plain text stays text)."""
    if isinstance(value, Message):
        data: dict[str, Any] = {"msgid": value.msgid}
        if value.plural_id is not None:
            data["plural"] = value.plural_id
            data["count"] = value.count
        if value.params:
            data["params"] = {key: message_json(v) for key, v in value.params.items()}
        return data
    if isinstance(value, Joined):
        return {"join": value.separator, "items": [message_json(item) for item in value.items]}
    if isinstance(value, Money):
        return {"money": str(value.amount), "currency": value.currency}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Promise):
        return str(value)
    return value


def message_load(value) -> Any:
    """A message back from what a column keeps: its JSON (a dict, or JSON text); anything else (old
    plain text) as it is."""
    if isinstance(value, str):
        if value.startswith(_PREFIX) or value.startswith('{"join"'):
            try:
                value = json.loads(value)
            except ValueError:
                return value
        else:
            return value
    if isinstance(value, dict):
        if "msgid" in value and isinstance(value["msgid"], str):
            params = value.get("params") if isinstance(value.get("params"), dict) else {}
            params = {str(key): message_load(v) for key, v in params.items()}
            if isinstance(value.get("plural"), str):
                try:
                    count = int(value.get("count") or 0)
                except (TypeError, ValueError):
                    count = 0
                return Message.plural(value["msgid"], value["plural"], count, **params)
            return Message(value["msgid"], **params)
        if "join" in value and isinstance(value.get("items"), list):
            return Joined(str(value["join"]), [message_load(item) for item in value["items"]])
        if "money" in value:
            try:
                return Money(value["money"], str(value.get("currency") or ""))
            except (ArithmeticError, ValueError, TypeError):
                return str(value["money"])
    return value


def message_text(value) -> str:
    """What a stored message says, in the active language (old plain text: as stored)."""
    if value is None:
        return ""
    loaded = message_load(value)
    return str(loaded) if not isinstance(loaded, dict | list) else json.dumps(loaded)


def message_encode(value, max_length: int | None = None) -> str:
    """What a text column keeps for a message: its JSON text, or — when that would not fit in
    ``max_length`` — the message in the active language, cut to fit."""
    if isinstance(value, Message | Joined):
        encoded = json.dumps(message_json(value), ensure_ascii=False, separators=(",", ":"))
        if max_length is None or len(encoded) <= max_length:
            return encoded
        value = str(value)
    text = "" if value is None else str(value)
    return text[:max_length] if max_length is not None else text


# ------------------------------------------------------------------------------------ from errors


def _is_msgid(text: str) -> bool:
    """Whether ``text`` is one of the catalogue's message ids (they all have a Polish translation)."""
    if not text:
        return False
    with translation.override("pl"):
        return translation.gettext(text) != text


def message_from_text(text, params: dict | None = None) -> Stored:
    """A Message for ``text`` when it is a message id (from ``gettext`` in English, or a lazy one),
    else the text as it reads (formatted with ``params``)."""
    if isinstance(text, Message | Joined):
        return text
    if isinstance(text, Promise):
        with translation.override("en"):
            text = str(text)
    text = str(text)
    params = dict(params or {})
    if _is_msgid(text):
        return Message(text, **{key: _plain(value) for key, value in params.items()})
    if params:
        try:
            return text % {key: _param_text(value) for key, value in params.items()}
        except (KeyError, ValueError, TypeError):
            return text
    return text


def _plain(value):
    if isinstance(value, Message | Joined | Money | str | int | float | bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def message_from_error(exc: BaseException) -> Stored:
    """What to keep about a failure: a ValidationError's messages (each a Message when it can be), or
    the exception's text."""
    if isinstance(exc, ValidationError):
        errors = (
            [error for errors in exc.error_dict.values() for error in errors]
            if hasattr(exc, "error_dict")
            else exc.error_list
        )
        parts = [message_from_text(error.message, error.params) for error in errors]
        return parts[0] if len(parts) == 1 else Joined("; ", parts)
    return message_from_text(str(exc) or exc.__class__.__name__)


# ---------------------------------------------------------------------------------------- columns


class _MessageColumn:
    """A text column that keeps a Message as JSON text and gives it back as a Message (old plain text
    comes back as text). Migrations see the plain column (``deconstruct``): the data is text either way."""

    _plain_path: str

    def from_db_value(self, value, expression, connection):
        return message_load(value) if value else value

    def get_prep_value(self, value):
        if isinstance(value, Message | Joined):
            return message_encode(value, getattr(self, "max_length", None))
        return super().get_prep_value(value)

    def value_to_string(self, obj):
        return message_encode(self.value_from_object(obj), getattr(self, "max_length", None))

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, self._plain_path, args, kwargs


class MessageTextField(_MessageColumn, models.TextField):
    _plain_path = "django.db.models.TextField"


class MessageCharField(_MessageColumn, models.CharField):
    _plain_path = "django.db.models.CharField"
