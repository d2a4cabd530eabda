"""Template helpers of the design layer, available in every template (``TEMPLATES`` builtins):

- ``{% icon "package" %}``: an inline SVG icon from the sprite in ``partials/icons.html``;
- ``{% query_with request page=None status=3 %}``: the current query string with some parameters
  replaced or dropped (``None``), for links that keep the user's filters (tabs, sorting, page size);
- ``{% sort_link request "total" _("Total") %}``: a column header that sorts by it (asc → desc);
- ``{{ run_message|message }}``: a message stored by background work, in the reader's language.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

ICONS = {
    "plus", "arrow-right", "coins", "package", "truck", "gear", "pencil", "trash", "x", "check",
    "copy", "refresh", "alert", "lock", "message", "link", "clock", "tag", "merge", "sort",
    "sort-up", "sort-down", "dot", "play", "user", "download", "upload", "star",
}  # fmt: skip


@register.simple_tag
def icon(name: str, label: str = "") -> str:
    """An icon; with ``label`` it is announced to screen readers, else it is decoration."""
    if name not in ICONS:
        name = "dot"
    if label:
        return format_html(
            '<svg class="icon" role="img" aria-label="{}"><use href="#i-{}"></use></svg>', label, name
        )
    return format_html('<svg class="icon" aria-hidden="true"><use href="#i-{}"></use></svg>', name)


def _query(request, **changes) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = value
    return query.urlencode()


@register.simple_tag
def query_with(request, **changes) -> str:
    """``?…`` with the current parameters, some replaced (or dropped when given ``None``)."""
    encoded = _query(request, **changes)
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def sort_link(request, key: str, label: str, *, param: str = "sort", default: str = "") -> str:
    """A column header link: sorts ascending by ``key``, then descending; the page restarts at 1."""
    current = request.GET.get(param) or default
    if current == key:
        target, state, icon_name = f"-{key}", "ascending", "sort-up"
    elif current == f"-{key}":
        target, state, icon_name = key, "descending", "sort-down"
    else:
        target, state, icon_name = key, "", "sort"
    title = _("Sort by %(column)s") % {"column": label}
    href = "?" + _query(request, **{param: target, "page": None})
    if state:
        return format_html(
            '<a class="sort" href="{}" title="{}" aria-sort="{}">{} {}</a>',
            href, title, state, label, icon(icon_name),
        )  # fmt: skip
    return format_html('<a class="sort" href="{}" title="{}">{} {}</a>', href, title, label, icon(icon_name))


@register.filter
def message(value) -> str:
    """A message background work stored (``config.stored_messages``), in the reader's language."""
    from config.stored_messages import message_text

    return message_text(value)


_DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")


@register.filter
def sentence(value) -> str:
    """A message that ends a sentence on a name ending in a full stop ("… Sp. z o.o.") with one full stop,
    not two ("Request sent to Hurtownia Sp. z o.o.."); an ellipsis stays."""
    tidy = _DOUBLE_STOP.sub(".", str(value))
    return mark_safe(tidy) if isinstance(value, SafeData) else tidy  # noqa: S308 - it was safe already
