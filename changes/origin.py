"""Who or what caused a change: the origin every change event carries.

A consumer that reacts to changes skips the ones it caused itself (Connect does not send back a status
it has just applied from the other side; the WMS stock sync does not push back stock it has just
pulled). The origin is therefore part of every service call that changes something.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_noop

from config.stored_messages import Message, Stored, message_encode, message_load


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
    Connect link); ``label`` is what people read in journals and history ("API token “shop”"): a
    person's name as it is, anything else an untranslated :class:`~config.stored_messages.Message`,
    so each reader reads it in their own language (``origin_label_text``).

    ``depth`` counts the automatic reactions in a row that led to the change: 0 for what a person, a
    token or the WMS did; an automatic action (or a Connect link) reacting to a change of depth n makes
    its own changes with depth n + 1. Reactions stop at a limit, so two rules (or two linked accounts)
    that answer each other cannot loop forever."""

    kind: str
    id: int | None = None
    label: Stored = ""
    depth: int = 0

    def __post_init__(self) -> None:
        if self.kind not in OriginKind.ALL:
            raise ValueError(f"Unknown origin kind {self.kind!r}")

    @classmethod
    def of_tenant(cls, tenant) -> Origin:
        """The origin of a request: its API token, else its signed-in user."""
        token = getattr(tenant, "token", None)
        if token is not None:
            return cls(
                OriginKind.TOKEN, token.pk, Message(gettext_noop("API token “%(name)s”"), name=token.name)
            )
        user = getattr(tenant, "user", None)
        return cls(OriginKind.USER, getattr(user, "pk", None), tenant.actor_label)

    @classmethod
    def of_user(cls, user) -> Origin:
        return cls(OriginKind.USER, user.pk, str(user))

    @classmethod
    def automation(cls, rule_id: int, name: str = "", depth: int = 1) -> Origin:
        """An automatic action (rule ``rule_id``); ``depth``: one more than the change it reacts to."""
        label = (
            Message(gettext_noop("Automatic action “%(name)s”"), name=name)
            if name
            else Message(gettext_noop("Automatic action"))
        )
        return cls(OriginKind.AUTOMATION, rule_id, label, depth)

    @classmethod
    def wms(cls, connection_id: int, name: str = "") -> Origin:
        """The WMS sync of connection ``connection_id``."""
        label = (
            Message(gettext_noop("WMS “%(name)s”"), name=name)
            if name
            else Message(gettext_noop("Ongoing WMS"))
        )
        return cls(OriginKind.WMS, connection_id, label)

    @classmethod
    def connect(cls, link_id: int, name: str = "", depth: int = 0) -> Origin:
        """Connect link ``link_id`` applying a change from the other side (``depth``: as automation)."""
        return cls(
            OriginKind.CONNECT,
            link_id,
            Message(gettext_noop("Connect “%(name)s”"), name=name)
            if name
            else Message(gettext_noop("Connect")),
            depth,
        )

    @classmethod
    def system(cls, label: str = "") -> Origin:
        """Hurtlink itself, or one of its tools; ``label`` a message id (``gettext_noop("Demo data")``)."""
        return cls(OriginKind.SYSTEM, None, Message(label or gettext_noop("Hurtlink")))

    def is_(self, kind: str, id: int | None = None) -> bool:
        """True when this origin is ``kind`` (and, when given, that very ``id``)."""
        return self.kind == kind and (id is None or self.id == id)

    def as_fields(self) -> dict:
        """The origin as the three columns that rows recording a change carry (a journal entry, an
        event); an event also keeps ``depth`` (``ChangeEvent.origin_depth``)."""
        return {
            "origin_kind": self.kind,
            "origin_id": self.id,
            "origin_label": message_encode(self.label, 200),
        }


def origin_label_text(kind: str, label) -> str:
    """What an origin's label (as a column keeps it) reads in the active language. Labels written
    before they were kept untranslated are shown as stored — except Hurtlink's own names ("Demo
    data"), which are message ids."""
    loaded = message_load(label) if label else ""
    if isinstance(loaded, str) and kind == OriginKind.SYSTEM:
        return translation.gettext(loaded) if loaded else ""
    return str(loaded)
