"""DRF permissions: a request must act for an account; some actions need a higher role."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from accounts.models import Role
from accounts.tenancy import request_tenant


class IsAccountMember(permissions.BasePermission):
    """The request acts for an account (token, or a signed-in member) with the view's required role.

    Views may set ``required_role`` (every method) and ``write_role`` (unsafe methods only), or
    ``action_roles = {"destroy": Role.ADMIN, ...}`` for viewset actions.
    """

    message = _("You are not a member of any account.")

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        tenant = request_tenant(request)
        if tenant is None:
            return False
        role = getattr(view, "required_role", Role.MEMBER)
        if request.method not in permissions.SAFE_METHODS:
            role = getattr(view, "write_role", None) or role
        action = getattr(view, "action", None)
        role = getattr(view, "action_roles", {}).get(action, role)
        if not tenant.has_role(role):
            self.message = _("This needs the %(role)s role in this account.") % {"role": Role(role).label}
            return False
        return True
