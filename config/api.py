"""REST API conventions shared by every app: pagination and the error format (the JSON parser with its
limits is in ``config.parsers``)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import InvalidPage
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from config.fields import whole_number
from config.integrity import in_use_names


class StandardPagination(PageNumberPagination):
    """``?page=N&page_size=M`` (1 … 1,000 rows a page; more is cut to 1,000); answers count, next, previous,
    results. A page size that is not a whole number of at least 1 is a 400 on ``page_size``."""

    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return self.page_size
        try:
            size = whole_number(raw, min_value=1)
        except DjangoValidationError:
            raise serializers.ValidationError(
                {self.page_size_query_param: [_("A whole number of at least 1.")]}
            ) from None
        return min(size, self.max_page_size)

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


def api_validation_error(
    exc: DjangoValidationError, *, section_of: Callable[[str], tuple[str, str] | None] | None = None
) -> serializers.ValidationError:
    """A service's ValidationError as the REST API's 400 (the one conversion every ``api.py`` uses):
    each field's messages under its name; messages without a field, or under ``__all__``, under
    ``non_field_errors``. ``section_of`` nests a key under a part of the request body: it returns
    ``(section, field)`` for a key that belongs in one (``"orders.payment"`` → ``order_settings``
    → ``payment``), None for the others. Raise it ``from`` the service's error."""
    if not hasattr(exc, "error_dict"):
        return serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})
    errors: dict = {}
    for key, messages in exc.message_dict.items():
        place = section_of(key) if section_of is not None else None
        if place is not None:
            section, field = place
            errors.setdefault(section, {})[field] = messages
        elif key == NON_FIELD_ERRORS:
            errors[api_settings.NON_FIELD_ERRORS_KEY] = messages
        else:
            errors[key] = messages
    return serializers.ValidationError(errors)


def exception_handler(exc, context):
    """DRF's handler, with every error body carrying ``detail`` and, for validation errors, ``errors``.

    Validation errors keep DRF's field → messages mapping under ``errors`` so a client can show each
    message beside its field; the other errors keep ``{"detail": "..."}``. A service's Django
    ValidationError is a 400 like a serializer's. Deleting a row that others still point at is a 400
    that says what uses it, like the services' own refusals (``config.integrity.delete_unless_in_use``)
    — never a 500 — even where a delete reaches the database unchecked (ProtectedError).
    """
    if isinstance(exc, ProtectedError | RestrictedError):
        exc = DjangoValidationError(
            _("It cannot be deleted: %(users)s still use it.") % {"users": in_use_names(exc)}
        )
    if isinstance(exc, DjangoValidationError):
        exc = api_validation_error(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if response.status_code == 400 and not (isinstance(data, dict) and set(data) == {"detail"}):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"detail": _("Invalid input."), "errors": errors}
    # Structured details beside the messages (e.g. every short line of a stock shortfall, as numbers).
    extra = getattr(exc, "extra_data", None)
    if extra:
        response.data.update(extra)
    return response
