"""How a request finds its account, and the base classes that keep every query inside it.

The account of a request comes only from authentication: the active membership kept in the session
(web pages and the browsable API) or the API token (REST). Never from a URL or a body parameter. There
is no thread-local "current account": code that needs the account is handed it explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import ROLE_RANK, Account, ApiToken, Membership, Role, User

SESSION_ACCOUNT_KEY = "active_account_id"


@dataclass(frozen=True)
class Tenant:
    """Who is acting, for which account, with which role."""

    account: Account
    role: str
    user: object | None = None  # a User, or None for an API token
    token: ApiToken | None = None

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]

    def may(self, area: roles.Area, act: roles.Act | str) -> bool:
        """Whether the role matrix lets this tenant do ``act`` in ``area``."""
        return self.has_role(area.role_for(act))

    @property
    def is_owner(self) -> bool:
        """A person with the owner role. Never a token: tokens are at most admins."""
        return self.token is None and self.user is not None and self.role == Role.OWNER

    @property
    def actor_label(self) -> str:
        """How journal entries and history rows name who did something."""
        if self.token is not None:
            return _("API token “%(name)s”") % {"name": self.token.name}
        return str(self.user) if self.user is not None else ""


def session_membership(request) -> Membership | None:
    """The membership the session has chosen, or the user's first one; None for strangers."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return None  # signed out, or an API token's stand-in user (see request_tenant)
    memberships = (
        Membership.objects.filter(user=user).select_related("account").order_by("account__name", "id")
    )
    session = getattr(request, "session", None)  # absent on requests built by hand (RequestFactory)
    wanted = session.get(SESSION_ACCOUNT_KEY) if session is not None else None
    if wanted is not None:
        chosen = next((m for m in memberships if m.account_id == wanted), None)
        if chosen is not None:
            return chosen
    return memberships.first()


def request_tenant(request) -> Tenant | None:
    """The tenant of a Django or DRF request: the API token's account, else the session's membership."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        # A token is never owner-ranked, whatever its row says.
        role = Role.MEMBER if auth.role == Role.MEMBER else Role.ADMIN
        return Tenant(account=auth.account, role=role, token=auth)
    membership = getattr(request, "membership", None)
    if membership is None:
        # DRF requests proxy attribute access to the Django request, where the middleware put it.
        membership = session_membership(request)
    if membership is None:
        return None
    return Tenant(account=membership.account, role=membership.role, user=membership.user)


class ActiveAccountMiddleware:
    """Puts ``request.membership`` and ``request.account`` (both lazy, None when signed out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = SimpleLazyObject(lambda: session_membership(request))
        request.account = SimpleLazyObject(lambda: _account_or_none(request))
        return self.get_response(request)


def _account_or_none(request):
    membership = request.membership
    return membership.account if membership else None


def require_role(tenant: Tenant | None, role: str) -> None:
    """Raise PermissionDenied unless the tenant's role is at least ``role``."""
    if tenant is None or not tenant.has_role(role):
        raise PermissionDenied(
            _("This needs the %(role)s role in this account.") % {"role": Role(role).label}
        )


def scoped(queryset: QuerySet, account: Account, field: str = "account") -> QuerySet:
    """The rows of ``queryset`` that belong to ``account`` (through ``field``)."""
    return queryset.filter(**{field: account})


class AccountViewMixin(LoginRequiredMixin):
    """For web views: signed in, a member of an account, with the role the matrix asks for.

    Gives ``self.tenant`` and ``self.account``; subclasses filter every query by ``self.account``.
    Subclasses declare ``area`` (see ``accounts.roles``) and, where the HTTP method does not say what
    the view does, ``act``; the REST API asks the same matrix, so a page and its API agree.
    """

    area: roles.Area | None = None
    act: roles.Act | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.tenant = request_tenant(request)
        if self.tenant is None:
            return redirect(settings.NO_ACCOUNT_URL)
        self.account = self.tenant.account
        require_role(self.tenant, roles.required_role(self, request.method))
        return super().dispatch(request, *args, **kwargs)
