"""The registry of BaseLinker API methods: name → parameters, the role it needs, and its handler.

A method is a thin adapter: its parameters are read by the shared types of ``blconnector.params``,
its handler calls one service or selector of the app that owns the data (so every rule of the REST API
and the pages applies here too) and renders BaseLinker's shape. Register one with::

    @method("getOrderStatusList", area=ORDER_SETTINGS, act=READ)
    def get_order_status_list(call: Call, args: Args) -> dict: ...

Modules of methods live in ``blconnector/methods/`` (one per area: catalog, orders, couriers, connect,
external storages) and are imported by its ``__init__``; to add an area, add a module there and import
it.
A name that is not registered is answered with ``ERROR_UNKNOWN_METHOD``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from accounts.models import Account
from accounts.roles import CATALOG_SETTINGS, CONNECT, ORDER_SETTINGS, ORDERS, PACKAGES, PRODUCTS, Act, Area
from accounts.tenancy import Tenant
from blconnector.params import Args, Param, parse
from changes.origin import Origin

# What a method does, in the words of the role matrix: it reads, writes or deletes in an area.
READ, WRITE, DELETE = Act.READ, Act.WRITE, Act.DELETE


@dataclass(frozen=True)
class Call:
    """Who calls: the token's tenant, its account, and the origin changes are recorded with."""

    tenant: Tenant
    origin: Origin

    @property
    def account(self) -> Account:
        return self.tenant.account


@dataclass(frozen=True)
class Method:
    name: str
    handler: Callable[[Call, Args], dict]
    params: tuple[Param, ...]
    area: Area
    act: Act

    @property
    def role(self) -> str:
        """The least role the call needs: the matrix of ``accounts.roles``, as on the pages and the REST
        API, so a token can do here exactly what it can do there."""
        return self.area.role_for(self.act)

    def parse(self, raw: dict) -> Args:
        return parse(self.params, raw)


METHODS: dict[str, Method] = {}


def method(name: str, *, area: Area, act: Act, params: Iterable[Param] = ()):
    """Register the decorated function as the BaseLinker method ``name``."""

    def register(handler: Callable[[Call, Args], dict]):
        if name in METHODS:
            raise ValueError(f"BaseLinker method {name} is registered twice")
        METHODS[name] = Method(name=name, handler=handler, params=tuple(params), area=area, act=act)
        return handler

    return register


__all__ = [
    "CATALOG_SETTINGS",
    "CONNECT",
    "DELETE",
    "ORDERS",
    "ORDER_SETTINGS",
    "PACKAGES",
    "PRODUCTS",
    "READ",
    "WRITE",
    "Call",
    "Method",
    "method",
]
