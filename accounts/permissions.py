"""DRF permissions: a request must act for an account, with the role the matrix asks for."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from accounts import roles
from accounts.models import Role
from accounts.tenancy import request_tenant


class IsAccountMember(permissions.BasePermission):
    """The request acts for an account (token, or a signed-in member) with the role its act needs.

    Views declare ``area`` (see ``accounts.roles``); the act follows from the HTTP method, or from
    ``act`` passed to ``@action`` — the same matrix the web pages ask.
    """

    message = _("You are not a member of any account.")

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        tenant = request_tenant(request)
        if tenant is None:
            return False
        role = roles.required_role(view, request.method)
        if not tenant.has_role(role):
            self.message = _("This needs the %(role)s role in this account.") % {"role": Role(role).label}
            return False
        return True
