"""Encryption at rest for the WMS API password (Fernet).

The key is ``settings.FIELD_ENCRYPTION_KEY`` (urlsafe base64 of 32 bytes; several keys separated by
commas rotate: the first encrypts, all decrypt). In development, when it is empty, a key is derived
from ``SECRET_KEY`` so a fresh clone works without setup; production refuses to start without one.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class PasswordUnreadable(Exception):
    """The stored password cannot be decrypted with the configured key(s) (the key changed)."""


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


def secret_decrypt(token: str) -> str:
    """Decrypt a value made by :func:`secret_encrypt`; :class:`PasswordUnreadable` when the key changed."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise PasswordUnreadable(
            "The stored WMS password cannot be decrypted with the configured encryption key; "
            "enter the password again."
        ) from exc
