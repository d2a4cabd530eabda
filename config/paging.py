"""Pages of big lists: count and page over ids only, then load just the rows of the page."""

from __future__ import annotations

from django.core.paginator import Page, Paginator


def page_of_ids(queryset, number, *, per_page: int = 50) -> tuple[Page, list[int]]:
    """The page ``number`` of an ordered queryset, as a Paginator page of primary keys.

    Counting and skipping work on the bare (filtered, ordered) rows; the caller then loads the page's
    rows with whatever annotations it shows, so a page deep in 100k rows costs what the first does.
    """
    page = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(number)
    return page, list(page.object_list)


def in_id_order(rows, ids: list[int]) -> list:
    """``rows`` (model instances) in the order of ``ids``."""
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


PAGE_SIZES = (25, 50, 100, 200)


def page_size_from(params, *, default: int = 50) -> int:
    """The page size a list was asked for (``per_page``), one of :data:`PAGE_SIZES`; else ``default``."""
    try:
        size = int(params.get("per_page", ""))
    except (TypeError, ValueError):
        return default
    return size if size in PAGE_SIZES else default
