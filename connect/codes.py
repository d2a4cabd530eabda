"""Connection codes: how they are made, written for reading aloud, normalised and found again.

A code is 28 characters of Crockford's base32 (digits and capitals without I, L, O, U): 140 random
bits, shown as seven groups of four (``7KQ2-M9XD-...``). What a person types is forgiving: case,
spaces and dashes do not matter, and O/I/L read as 0/1/1. The database keeps the code encrypted (the
provider can see it again; ``config.crypto`` holds the key handling) and an HMAC-SHA256 of the
normalised code keyed with ``SECRET_KEY`` to look it up: without the key a dump cannot test guesses.
"""

from __future__ import annotations

import secrets

from django.utils.crypto import salted_hmac

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 28  # × 5 bits = 140 bits
GROUP = 4
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_HMAC_SALT = "hurtlink.connect.connection-code"


def code_generate() -> str:
    """A new normalised code (no dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def code_normalize(raw: str) -> str | None:
    """The normalised form of what someone typed, or None when it cannot be a code at all."""
    cleaned = "".join(ch for ch in (raw or "").upper() if not ch.isspace() and ch != "-").translate(_READ_AS)
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def code_display(code: str) -> str:
    """``ABCD-EFGH-...``: groups of four, for reading aloud and copying."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def code_hash(normalized: str) -> str:
    """The keyed hash stored beside the encrypted code and used to find it."""
    return salted_hmac(_HMAC_SALT, normalized, algorithm="sha256").hexdigest()
