"""Base classes for every REST endpoint that serves one account's rows."""

from __future__ import annotations

from django.utils.functional import cached_property
from rest_framework import mixins, viewsets

from accounts.tenancy import Tenant, request_tenant
from config.fields import IdRelatedField


class AccountScopedMixin:
    """Scopes ``get_queryset()`` to the request's account and fills ``account`` on create.

    Subclasses set ``queryset`` (all rows of the model) and, when the model reaches its account
    through a parent, ``account_field`` (e.g. ``"order__account"``). A row of another account is then
    simply not found: 404, the same answer as for a row that does not exist.
    """

    account_field = "account"

    @cached_property
    def tenant(self) -> Tenant:
        tenant = request_tenant(self.request)
        assert tenant is not None, "IsAccountMember runs before any queryset is built"
        return tenant

    @property
    def account(self):
        return self.tenant.account

    def get_queryset(self):
        return super().get_queryset().filter(**{self.account_field: self.account})

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "request", None) is not None and request_tenant(self.request) is not None:
            context["account"] = self.account
            context["tenant"] = self.tenant
        return context

    def perform_create(self, serializer):
        if self.account_field == "account":
            serializer.save(account=self.account)
        else:
            serializer.save()


class AccountScopedViewSet(AccountScopedMixin, viewsets.ModelViewSet):
    """CRUD over one account's rows."""


class AccountScopedReadOnlyViewSet(AccountScopedMixin, viewsets.ReadOnlyModelViewSet):
    """List and detail of one account's rows."""


class AccountScopedCreateListViewSet(
    AccountScopedMixin, mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    pass


class AccountScopedRelatedField(IdRelatedField):
    """A primary-key reference that only accepts rows of the request's account.

    ``AccountScopedRelatedField(queryset=Warehouse.objects.all())`` — another account's id is answered
    exactly like an id that does not exist ("Invalid pk"), so ids cannot be probed across accounts.
    Anything but an id (text, "²", 10**20) is refused before any query.
    """

    def __init__(self, *, account_field: str = "account", **kwargs):
        self.account_field = account_field
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        account = self.context.get("account")
        if account is None:
            return queryset.none()
        return queryset.filter(**{self.account_field: account})
