"""REST API conventions shared by every app: pagination and the error format."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


class StandardPagination(PageNumberPagination):
    """``?page=N&page_size=M`` (at most 1,000 rows a page); answers count, next, previous, results."""

    page_size_query_param = "page_size"
    max_page_size = 1000


def exception_handler(exc, context):
    """DRF's handler, with every error body carrying ``detail`` and, for validation errors, ``errors``.

    Validation errors keep DRF's field → messages mapping under ``errors`` so a client can show each
    message beside its field; the other errors keep ``{"detail": "..."}``.
    """
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if response.status_code == 400 and not (isinstance(data, dict) and set(data) == {"detail"}):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"detail": "Invalid input.", "errors": errors}
    # Structured details beside the messages (e.g. every short line of a stock shortfall, as numbers).
    extra = getattr(exc, "extra_data", None)
    if extra:
        response.data.update(extra)
    return response
