"""Who may do what: Hurtlink's one role matrix.

Every page and every REST route belongs to an *area* of the product and does one *act* there: read
(look), write (create, change, run) or delete (remove). The matrix below names, for each area, the
least role each act needs. Web views (``accounts.tenancy.AccountViewMixin``), the REST API
(``accounts.permissions.IsAccountMember``) and each method of the BaseLinker-compatible API
(``blconnector.registry``) ask it, so a page and the API route doing the same thing always need the
same role; the isolation suite (``tests/isolation/test_roles.py``) walks every
route and proves the answers agree with it.

A view declares ``area = roles.<AREA>``. The act follows from the HTTP method (GET, HEAD and OPTIONS
read; DELETE deletes; the other methods write) unless the view sets ``act`` — a web form whose POST
deletes (``act = Act.DELETE``), or a form page that only admins may even open (``act = Act.WRITE``). A
DRF action can pass ``act=`` to ``@action``. Rules about *whom* an act touches (only an owner makes
owners, a token never outranks its maker) are not route rules: they live in the services.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


class Act(models.TextChoices):
    READ = "read", _("read")
    WRITE = "write", _("write")
    DELETE = "delete", _("delete")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Area:
    """A part of the product and the least role for each act in it."""

    name: str
    read: Role
    write: Role
    delete: Role

    def role_for(self, act: Act | str) -> Role:
        return getattr(self, Act(act).value)


_M, _A = Role.MEMBER, Role.ADMIN

# fmt: off
# The matrix:                                  read write delete
COMPANY          = Area("company",             _M,  _A,  _A)  # company data
MEMBERS          = Area("members",             _M,  _A,  _A)  # members, their roles, invitations
TOKENS           = Area("tokens",              _A,  _A,  _A)  # API tokens
PRODUCTS         = Area("products",            _M,  _M,  _A)  # products, variants, stock, prices, imports
CATALOG_SETTINGS = Area("catalog-settings",    _M,  _A,  _A)  # catalogs, categories, warehouses, price
                                                              # groups, manufacturers, tags, extra fields
ORDERS           = Area("orders",              _M,  _M,  _M)  # orders and lines, journal, pressing buttons
ORDER_SETTINGS   = Area("order-settings",      _M,  _A,  _A)  # statuses, sources, extra fields, buttons,
                                                              # automatic actions
PACKAGES         = Area("packages",            _M,  _M,  _A)  # packages, labels, tracking, couriers
WMS              = Area("wms",                 _M,  _A,  _A)  # WMS connections and their sync runs
CONNECT          = Area("connect",             _M,  _A,  _A)  # Connect integrations, codes, joining,
                                                              # contractors, trade credit, status maps
# fmt: on

AREAS: dict[str, Area] = {
    area.name: area
    for area in (
        COMPANY,
        MEMBERS,
        TOKENS,
        PRODUCTS,
        CATALOG_SETTINGS,
        ORDERS,
        ORDER_SETTINGS,
        PACKAGES,
        WMS,
        CONNECT,
    )
}

# What a view that declares no area gets: the member role for everything, as before the matrix. The
# role-matrix test fails for every route without a declared area, so this only bridges new code.
UNDECLARED = Area("undeclared", _M, _M, _M)

# Attributes of the old per-view role settings. A view that still carries one is refused loudly
# (ImproperlyConfigured) rather than silently guarded by the matrix default.
RETIRED_ATTRIBUTES = ("required_role", "write_role", "action_roles")


def act_for(method: str, declared: Act | str | None = None) -> Act:
    """The act of a request: the view's declared act, else what its HTTP method does."""
    if declared:
        return Act(declared)
    method = method.upper()
    if method in SAFE_METHODS:
        return Act.READ
    if method == "DELETE":
        return Act.DELETE
    return Act.WRITE


def area_of(view) -> Area:
    """The area a view declares (an instance or a class), refusing the retired role attributes."""
    for name in RETIRED_ATTRIBUTES:
        if hasattr(view, name):
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(
                f"{type(view).__name__ if not isinstance(view, type) else view.__name__} sets {name!r}; "
                "declare `area` (and, where the method does not say it, `act`) from accounts.roles."
            )
    return getattr(view, "area", None) or UNDECLARED


def required_role(view, method: str) -> Role:
    """The least role a request with ``method`` needs on ``view`` (instance or class)."""
    return area_of(view).role_for(act_for(method, getattr(view, "act", None)))
