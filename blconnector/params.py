"""Parameter types of the BaseLinker-compatible API (reference §1.1).

Real clients send loosely typed JSON: numbers as strings (``"inventory_id": "307"``), booleans as
``true``/``1``/``"1"``/``"true"``, empty strings and ``null`` for "not given", PHP arrays that became
objects (``{"0": …, "2": …}``) or empty arrays (``[]``) where an object is meant. Each type below accepts
those spellings, turns them into one Python value, and refuses anything else with an error that names
the parameter (``products[2].quantity``). Parameters a method does not declare are ignored.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from blconnector.errors import bad_parameter

MISSING: Any = object()
MAX_ID = 2**63 - 1
MAX_INT = 2**31 - 1
MAX_TIMESTAMP = 253402300799  # 9999-12-31 23:59:59 UTC
_INTEGER = re.compile(r"[+-]?\d{1,19}(\.0*)?\Z")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class Invalid(ValueError):
    """A value a parameter type refuses; the message says what it wants."""


class Param:
    """One named parameter. ``required`` ones must be given; the others read as ``default``."""

    # "" means "not given" for numbers and flags; for text it is a value (it clears a field).
    empty_is_missing = True

    def __init__(self, name: str, *, required: bool = False, default: Any = None):
        self.name = name
        self.required = required
        self.default = default

    def coerce(self, value: Any) -> Any:
        raise NotImplementedError

    def read(self, raw: dict, path: str = "") -> Any:
        value = raw.get(self.name, MISSING)
        if value is MISSING or value is None or (self.empty_is_missing and value == ""):
            if self.required:
                raise bad_parameter(path + self.name, _("this parameter is required."))
            return MISSING
        try:
            return self.coerce(value)
        except Invalid as exc:
            raise bad_parameter(path + self.name, str(exc))


def read_int(value: Any, minimum: int, maximum: int) -> int:
    if isinstance(value, bool):
        raise Invalid(_("a whole number is required."))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INTEGER.match(value.strip()):
        number = int(value.strip().split(".")[0])
    else:
        raise Invalid(_("a whole number is required."))
    if not minimum <= number <= maximum:
        raise Invalid(
            _("a whole number from %(min)s to %(max)s is required.") % {"min": minimum, "max": maximum}
        )
    return number


class Int(Param):
    """A whole number: ``5``, ``"5"``, ``5.0``. Ids are ints ≥ 0 (0 often means "none")."""

    def __init__(self, name: str, *, minimum: int = 0, maximum: int = MAX_ID, **kwargs):
        super().__init__(name, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def coerce(self, value):
        return read_int(value, self.minimum, self.maximum)


class Bool(Param):
    """A flag: ``true``/``false``, ``1``/``0``, ``"1"``/``"0"``, ``"true"``/``"false"`` (yes/no, on/off)."""

    def coerce(self, value):
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise Invalid(_("true or false (1 or 0) is required."))


class Str(Param):
    """Text. Numbers are taken as their text (``12345`` → ``"12345"``); ``max_length`` is enforced."""

    empty_is_missing = False

    def __init__(self, name: str, *, max_length: int | None = None, strip: bool = False, **kwargs):
        super().__init__(name, **kwargs)
        self.max_length, self.strip = max_length, strip

    def coerce(self, value):
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise Invalid(_("text is required."))
        if isinstance(value, float):
            text = str(int(value)) if value.is_integer() else repr(value)
        else:
            text = str(value)
        if self.strip:
            text = text.strip()
        if "\x00" in text:
            raise Invalid(_("text cannot contain NUL characters."))
        if self.max_length is not None and len(text) > self.max_length:
            raise Invalid(_("at most %(n)s characters.") % {"n": self.max_length})
        return text


def read_decimal(value: Any, places: int, minimum: Decimal, maximum: Decimal) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid(_("a number is required."))
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise Invalid(_("a number is required."))
    if not number.is_finite():
        raise Invalid(_("a number is required."))
    if not minimum <= number <= maximum:
        raise Invalid(_("a number from %(min)s to %(max)s is required.") % {"min": minimum, "max": maximum})
    # Clients send floats (49.9, 0.1 + 0.2); amounts are kept to the column's precision.
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


class Number(Param):
    """A decimal number (``49.9``, ``"49.90"``, ``"49,90"``), rounded to ``places`` decimals."""

    def __init__(self, name: str, *, places: int = 2, minimum=0, maximum=10**12 - 1, **kwargs):
        super().__init__(name, **kwargs)
        self.places, self.minimum, self.maximum = places, Decimal(minimum), Decimal(maximum)

    def coerce(self, value):
        return read_decimal(value, self.places, self.minimum, self.maximum)


class Timestamp(Param):
    """A Unix timestamp in seconds (as a number or a string), read as an aware UTC datetime."""

    def coerce(self, value):
        seconds = read_int(value, 0, MAX_TIMESTAMP)
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)


def _as_list(value: Any) -> list:
    # PHP encodes an array with gaps in its keys as an object: {"0": …, "2": …}.
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list | tuple):
        return list(value)
    raise Invalid(_("a list is required."))


class IntList(Param):
    """A list of ids (``[1, "2"]``; a single id or ``"1,2"`` also work), duplicates dropped, order kept."""

    def __init__(self, name: str, *, max_items: int | None = None, minimum: int = 0, **kwargs):
        super().__init__(name, **kwargs)
        self.max_items, self.minimum = max_items, minimum

    def coerce(self, value):
        if isinstance(value, str) and "," in value:
            value = [part for part in value.split(",") if part.strip()]
        items = _as_list(value) if isinstance(value, list | tuple | dict) else [value]
        numbers = []
        for index, item in enumerate(items):
            try:
                numbers.append(read_int(item, self.minimum, MAX_ID))
            except Invalid as exc:
                raise Invalid(_("item %(index)s: %(message)s") % {"index": index, "message": exc})
        if self.max_items is not None and len(numbers) > self.max_items:
            raise Invalid(_("at most %(n)s items per call.") % {"n": self.max_items})
        return list(dict.fromkeys(numbers))


class StrList(Param):
    """A list of texts (``["a", "b"]``)."""

    def __init__(self, name: str, *, max_length: int | None = None, **kwargs):
        super().__init__(name, **kwargs)
        self.item = Str("item", max_length=max_length)

    def coerce(self, value):
        texts = []
        for index, item in enumerate(_as_list(value)):
            try:
                texts.append(self.item.coerce(item))
            except Invalid as exc:
                raise Invalid(_("item %(index)s: %(message)s") % {"index": index, "message": exc})
        return texts


class Obj(Param):
    """A JSON object, returned as it is (keys are strings); an empty list (PHP's empty array) is ``{}``."""

    def coerce(self, value):
        if isinstance(value, list | tuple) and not value:
            return {}
        if not isinstance(value, dict):
            raise Invalid(_("a JSON object is required."))
        return value


class Raw(Param):
    """Any JSON value, taken as it is: for parameters this server accepts but does not use."""

    def coerce(self, value):
        return value


class Items(Param):
    """A list of objects, each read with its own parameters; errors name the item
    (``products[1].quantity``)."""

    def __init__(self, name: str, params: Iterable[Param], *, max_items: int | None = None, **kwargs):
        super().__init__(name, **kwargs)
        self.params, self.max_items = tuple(params), max_items

    def read(self, raw: dict, path: str = "") -> Any:
        value = super().read(raw, path)
        if value is MISSING:
            return value
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise bad_parameter(f"{path}{self.name}[{index}]", _("a JSON object is required."))
            items.append(parse(self.params, item, path=f"{path}{self.name}[{index}]."))
        return items

    def coerce(self, value):
        items = _as_list(value)
        if self.max_items is not None and len(items) > self.max_items:
            raise Invalid(_("at most %(n)s items per call.") % {"n": self.max_items})
        return items


class Args:
    """The parameters of one call, read: ``args.order_id`` (the default when not given) and
    ``args.given("order_id")``."""

    def __init__(self, values: dict[str, Any], defaults: dict[str, Any]):
        self._values, self._defaults = values, defaults

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._values:
            return self._values[name]
        if name in self._defaults:
            return self._defaults[name]
        raise AttributeError(name)

    def given(self, name: str) -> bool:
        return name in self._values

    def pick(self, names: Iterable[str]) -> dict[str, Any]:
        """The given values among ``names``."""
        return {name: self._values[name] for name in names if name in self._values}


def parse(params: Iterable[Param], raw: dict, path: str = "") -> Args:
    values, defaults = {}, {}
    for param in params:
        value = param.read(raw, path)
        if value is MISSING:
            defaults[param.name] = param.default
        else:
            values[param.name] = value
    return Args(values, defaults)
