"""Template filters for dates, numbers and money in the reader's locale (see ``config/formats.py``).

Loaded into every template (``TEMPLATES["OPTIONS"]["builtins"]``):

    {{ order.date_add|datetime_short }}          29.11.2026, 18:35
    {{ run.started_at|date_short }}              29.11.2026
    {{ total|money:order.currency }}             1 075,97 zł
    {{ package.weight|number }}                  1 234,5
    {{ line.quantity|number:0 }}                 1 234
    {{ line.tax_rate|percent }}                  23%
"""

from __future__ import annotations

from django import template

from config import formats

register = template.Library()


@register.filter
def datetime_short(value) -> str:
    return formats.format_datetime(value)


@register.filter
def date_short(value) -> str:
    return formats.format_date(value)


@register.filter
def time_short(value) -> str:
    return formats.format_time(value)


@register.filter
def number(value, decimal_places=None) -> str:
    places = None
    if decimal_places not in (None, ""):
        try:
            places = int(decimal_places)
        except (TypeError, ValueError):
            places = None
    return formats.format_number(value, places)


@register.filter
def money(amount, currency=None) -> str:
    return formats.format_money(amount, currency)


@register.filter
def percent(value) -> str:
    return formats.format_percent(value)
