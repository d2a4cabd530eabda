"""REST API conventions shared by every app: pagination and the error format."""

from __future__ import annotations

from django.core.paginator import InvalidPage
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


class StandardPagination(PageNumberPagination):
    """``?page=N&page_size=M`` (at most 1,000 rows a page); answers count, next, previous, results."""

    page_size_query_param = "page_size"
    max_page_size = 1000

    def paginate_queryset_lazy(self, queryset, request, view=None):
        """Like ``paginate_queryset`` (count, page number, 404 for a page past the end) but returns the
        page's rows as an unevaluated queryset, for callers that read them inside a bigger query."""
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        paginator = self.django_paginator_class(queryset, page_size)
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            raise NotFound(
                self.invalid_page_message.format(page_number=page_number, message=str(exc))
            ) from exc
        self.request = request
        return self.page.object_list


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
