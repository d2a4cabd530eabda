"""The base of every list filter (REST API and web pages): choices come only from the request's account.

A filter that picks rows of another model — a ``ModelChoiceFilter`` or ``ModelMultipleChoiceFilter``,
declared or generated from ``Meta.fields`` — offers and accepts only the rows of the account the request
authenticated as. So the browsable API's filter form and the pages list only the account's own names, and
another account's id is refused exactly like an id that does not exist: same status, same message. The
scoping happens in the base class, for every such filter, so a new filter cannot forget it; the REST
filter backend refuses a FilterSet that does not derive from it.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from django_filters.filters import QuerySetRequestMixin

from accounts.tenancy import request_tenant

# Django's own text (so its translations apply), without the value: the answer for another account's id
# and for a missing id must not differ, not even in the id echoed back.
INVALID_CHOICE = gettext_lazy("Select a valid choice. That choice is not one of the available choices.")


class AccountFilterSet(filters.FilterSet):
    """A FilterSet whose choices are the request's account's rows (none without an account).

    A related model that reaches its account through a parent names the path in ``account_paths``
    (``{"order": "order__account"}``); otherwise the related model must have an ``account`` field.
    """

    account_paths: dict[str, str] = {}

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        tenant = request_tenant(request) if request is not None else None
        self.account = tenant.account if tenant is not None else None
        # self.filters are this instance's deep copies: changing them leaves the class alone.
        for name, filter_ in self.filters.items():
            if isinstance(filter_, QuerySetRequestMixin):
                filter_.__dict__.pop("_field", None)  # a form field built before (schema) holds all rows
                filter_.queryset = self._account_choices(name, filter_.get_queryset(request))
                messages = filter_.extra.setdefault("error_messages", {})
                messages.setdefault("invalid_choice", INVALID_CHOICE)

    def _account_choices(self, name: str, queryset: QuerySet) -> QuerySet:
        if queryset is None:
            raise ImproperlyConfigured(f"{type(self).__name__}.{name} needs a queryset.")
        path = self.account_paths.get(name, "account")
        try:
            queryset.model._meta.get_field(path.split("__")[0])
        except FieldDoesNotExist:
            raise ImproperlyConfigured(
                f"{type(self).__name__}.{name}: {queryset.model.__name__} has no “{path}”; "
                "name its way to the account in account_paths."
            ) from None
        if self.account is None:
            return queryset.none()
        return queryset.filter(**{path: self.account})


class AccountFilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend with :class:`AccountFilterSet` as the base of every view's filters.

    ``filterset_fields`` build an AccountFilterSet; a ``filterset_class`` that is not one is a
    programming error, refused on the first request (and by the test that walks every route).
    """

    filterset_base = AccountFilterSet

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        if filterset_class is not None and not issubclass(filterset_class, AccountFilterSet):
            raise ImproperlyConfigured(
                f"{type(view).__name__}.filterset_class must derive from accounts.filters.AccountFilterSet."
            )
        return filterset_class
