"""Secrets kept encrypted at rest in model columns (Fernet): the WMS API password, the Connect code.

The key is ``settings.FIELD_ENCRYPTION_KEY`` (urlsafe base64 of 32 bytes; several keys separated by
commas rotate: the first encrypts, all decrypt). In development, when it is empty, a key is derived
from ``SECRET_KEY`` so a fresh clone works without setup; production refuses to start without one.

A model declares its secret once with :class:`EncryptedSecret`: the column holds the token, the
attribute reads and writes the plain value (``connection.password = "…"``; ``code.code``). It is a
Python property over an ordinary ``TextField``, so it changes nothing in the schema, and Django accepts
it as a keyword argument (``ConnectionCode.objects.create(code=…)``).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with the configured key(s) (the key changed)."""


def _keys() -> list[bytes]:
    configured = [k.strip() for k in (settings.FIELD_ENCRYPTION_KEY or "").split(",") if k.strip()]
    if configured:
        return [k.encode("ascii") for k in configured]
    digest = hashlib.sha256(f"hurtlink-field-encryption:{settings.SECRET_KEY}".encode()).digest()
    return [base64.urlsafe_b64encode(digest)]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys()])


def secret_encrypt(value: str) -> str:
    """Encrypt ``value``; the result is ASCII and differs on every call (random IV)."""
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def secret_decrypt(token: str, *, unreadable: str = "") -> str:
    """Decrypt a value made by :func:`secret_encrypt` ("" stays ""); :class:`SecretUnreadable` (with the
    message ``unreadable``) when the key changed."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable(
            unreadable or "A stored secret cannot be decrypted with the configured encryption key."
        ) from exc


class EncryptedSecret(property):
    """A model attribute whose value is kept encrypted in the text column ``column``: reading it
    decrypts (:class:`SecretUnreadable` with ``unreadable`` when the key changed), assigning it encrypts
    (an empty value is stored empty)."""

    def __init__(self, column: str, *, unreadable: str = ""):
        def read(instance) -> str:
            return secret_decrypt(getattr(instance, column), unreadable=unreadable)

        def write(instance, value: str) -> None:
            setattr(instance, column, secret_encrypt(value) if value else "")

        super().__init__(read, write, doc=f"The plain value of the encrypted ``{column}``.")
