"""Dates, numbers and money as people read them: in the active language's conventions, with the region
of the request (``accounts.language.UserLanguageMiddleware``), and money always in the document's own
currency.

The one place that turns values into text for pages, PDF labels and e-mails; templates use its filters
(``config/templatetags/formats.py``, loaded everywhere). Files meant for machines — CSV exports, the
API — keep their machine formats and never come here.

Money and numbers never wrap: the spaces inside them are non-breaking.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.conf import settings
from django.utils import timezone, translation

# Where a language has no region of its own: English falls back to Europe's conventions (day first,
# 24-hour clock), the customers' home; every other language to its own country.
DEFAULT_REGION = {"en": "150"}
NBSP = "\xa0"
_LETTER_BEFORE_NUMBER = re.compile(r"(?<=[^\W\d_])(?=[\d\u2212-])")
_NUMBER_BEFORE_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])")

# The region of the request in progress, or a callable that finds it the first time it is needed.
_region: ContextVar[str | Callable[[], str] | None] = ContextVar("hurtlink_format_region", default=None)


@contextlib.contextmanager
def region_override(region: str | Callable[[], str] | None) -> Iterator[None]:
    """Format in ``region``'s conventions (an ISO 3166 code, or a callable giving one) inside the block."""
    token = _region.set(region)
    try:
        yield
    finally:
        _region.reset(token)


def _current_region() -> str:
    value = _region.get()
    if callable(value):
        value = value() or ""
        _region.set(value)
    return value or ""


@lru_cache(maxsize=256)
def _locale(language: str, region: str) -> Locale:
    language = (language or settings.LANGUAGE_CODE).split("-")[0].lower()
    for candidate in (
        f"{language}_{region}" if region else "",
        f"{language}_{DEFAULT_REGION.get(language, '')}",
    ):
        if candidate and not candidate.endswith("_"):
            with contextlib.suppress(UnknownLocaleError, ValueError):
                return Locale.parse(candidate)
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_150")


def current_locale() -> Locale:
    """The Babel locale of the active language and the request's region."""
    return _locale(translation.get_language() or settings.LANGUAGE_CODE, _current_region())


def _nowrap(text: str) -> str:
    return text.replace(" ", NBSP).replace("\u202f", NBSP)


def format_datetime(value: datetime.datetime | None) -> str:
    """A moment, short: "29.11.2026, 18:35" (pl), "29/11/2026, 18:35" (en, Europe), in the local time."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime.datetime):
        return format_date(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    # The date and the time may go to two lines in a narrow column; "6:35 PM" stays together.
    return babel_dates.format_datetime(value, "short", locale=current_locale()).replace("\u202f", NBSP)


def format_date(value: datetime.date | None) -> str:
    """A day: "29.11.2026" (pl), "29/11/2026" (en, Europe)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, datetime.date):
        return str(value)
    return babel_dates.format_date(value, "short", locale=current_locale())


def format_time(value: datetime.datetime | datetime.time | None) -> str:
    """A time of day: "18:35"."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return babel_dates.format_time(value, "short", locale=current_locale()).replace("\u202f", NBSP)


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def format_number(value, decimal_places: int | None = None) -> str:
    """A number with the locale's grouping and decimal sign: "12 345,5" (pl), "12,345.5" (en).

    ``decimal_places`` fixes the digits after the sign; without it, up to three and no trailing zeros.
    Anything that is not a number is returned as text, unchanged.
    """
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if decimal_places is None:
        text = babel_numbers.format_decimal(number, locale=current_locale())
    else:
        pattern = "#,##0" + ("." + "0" * decimal_places if decimal_places > 0 else "")
        text = babel_numbers.format_decimal(number, format=pattern, locale=current_locale())
    return _nowrap(text)


def format_money(amount, currency: str | None) -> str:
    """An amount in its currency, in the locale's conventions: "1 075,97 zł" (pl), "PLN 1,075.97" (en)
    for an order in PLN — never another currency's sign. Without a currency, the number with two
    decimal places."""
    number = _decimal(amount)
    if number is None:
        return "" if amount is None else str(amount)
    code = (currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        return format_number(number, 2)
    try:
        text = babel_numbers.format_currency(number, code, locale=current_locale())
    except (UnknownLocaleError, ValueError):
        return _nowrap(f"{format_number(number, 2)} {code}")
    return _money_spacing(_nowrap(text))


def _money_spacing(text: str) -> str:
    """CLDR's currency spacing, which babel leaves out: a currency code or letters-only sign next to
    the number gets a no-break space ("PLN 57.99", not "PLN57.99"; "€57.99" stays). A minus is the
    typographic one, as the ledgers write it beside their charges ("−€10.00")."""
    text = _LETTER_BEFORE_NUMBER.sub(NBSP, text)
    text = _NUMBER_BEFORE_LETTER.sub(NBSP, text)
    return text.replace("-", "−")


def format_percent(value) -> str:
    """A percentage given in points (23 → "23%", pl "23%")."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return _nowrap(babel_numbers.format_percent(number / 100, format="#,##0.##%", locale=current_locale()))
