"""Who or what caused a change: the origin every change event carries.

A consumer that reacts to changes skips the ones it caused itself (Connect does not send back a status
it has just applied from the other side; the WMS stock sync does not push back stock it has just
pulled). The origin is therefore part of every service call that changes something.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


class OriginKind:
    USER = "user"
    TOKEN = "token"
    AUTOMATION = "automation"
    WMS = "wms"
    CONNECT = "connect"
    SYSTEM = "system"

    ALL = (USER, TOKEN, AUTOMATION, WMS, CONNECT, SYSTEM)


@dataclass(frozen=True)
class Origin:
    """``kind`` says what caused the change; ``id`` names which one (user, token, rule, WMS connection,
    Connect link); ``label`` is what people read in journals and history ("API token “shop”").

    ``depth`` counts the automatic reactions in a row that led to the change: 0 for what a person, a
    token or the WMS did; an automatic action (or a Connect link) reacting to a change of depth n makes
    its own changes with depth n + 1. Reactions stop at a limit, so two rules (or two linked accounts)
    that answer each other cannot loop forever."""

    kind: str
    id: int | None = None
    label: str = ""
    depth: int = 0

    def __post_init__(self) -> None:
        if self.kind not in OriginKind.ALL:
            raise ValueError(f"Unknown origin kind {self.kind!r}")

    @classmethod
    def of_tenant(cls, tenant) -> Origin:
        """The origin of a request: its API token, else its signed-in user."""
        if getattr(tenant, "token", None) is not None:
            return cls(OriginKind.TOKEN, tenant.token.pk, tenant.actor_label)
        user = getattr(tenant, "user", None)
        return cls(OriginKind.USER, getattr(user, "pk", None), tenant.actor_label)

    @classmethod
    def of_user(cls, user) -> Origin:
        return cls(OriginKind.USER, user.pk, str(user))

    @classmethod
    def automation(cls, rule_id: int, name: str = "", depth: int = 1) -> Origin:
        """An automatic action (rule ``rule_id``); ``depth``: one more than the change it reacts to."""
        label = _("Automatic action “%(name)s”") % {"name": name} if name else _("Automatic action")
        return cls(OriginKind.AUTOMATION, rule_id, label, depth)

    @classmethod
    def wms(cls, connection_id: int, name: str = "") -> Origin:
        """The WMS sync of connection ``connection_id``."""
        return cls(
            OriginKind.WMS, connection_id, _("WMS “%(name)s”") % {"name": name} if name else _("Ongoing WMS")
        )

    @classmethod
    def connect(cls, link_id: int, name: str = "", depth: int = 0) -> Origin:
        """Connect link ``link_id`` applying a change from the other side (``depth``: as automation)."""
        return cls(
            OriginKind.CONNECT,
            link_id,
            _("Connect “%(name)s”") % {"name": name} if name else _("Connect"),
            depth,
        )

    @classmethod
    def system(cls, label: str = "") -> Origin:
        return cls(OriginKind.SYSTEM, None, label or _("Hurtlink"))

    def is_(self, kind: str, id: int | None = None) -> bool:
        """True when this origin is ``kind`` (and, when given, that very ``id``)."""
        return self.kind == kind and (id is None or self.id == id)

    def as_fields(self) -> dict:
        """The origin as the three columns that rows recording a change carry (a journal entry, an
        event); an event also keeps ``depth`` (``ChangeEvent.origin_depth``)."""
        return {"origin_kind": self.kind, "origin_id": self.id, "origin_label": self.label[:200]}
