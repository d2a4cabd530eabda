"""The request limit of /connector.php: BaseLinker's 100 requests per minute, per token (reference §1.4).

Counted in the shared cache (Redis), so every web process sees the same counts. The window slides:
the count of the current minute plus the previous minute's, weighted by how much of it still lies in
the last 60 seconds. A token over its limit is blocked for ``BLCONNECTOR_BLOCK_SECONDS`` and answered,
as BaseLinker answers, with ``ERROR_BLOCKED_TOKEN`` and "Query limit exceeded, token blocked until
YYYY-MM-DD HH:MM:SS" (clients match the start of that text, so it is never translated).
"""

from __future__ import annotations

import datetime
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.models import ApiToken
from blconnector.errors import ApiError, Code


def _key(token: ApiToken, name: str) -> str:
    # The token's hash (not its id): ids restart with a fresh database, hashes do not collide.
    return f"blconnector:{name}:{token.key_hash[:24]}"


def blocked_message(until: float) -> str:
    moment = timezone.localtime(datetime.datetime.fromtimestamp(until, tz=datetime.UTC))
    return f"Query limit exceeded, token blocked until {moment:%Y-%m-%d %H:%M:%S}"


def rate_limit_check(*, token: ApiToken, now: float | None = None) -> None:
    """Count one request of ``token``; raise ApiError(ERROR_BLOCKED_TOKEN) when it is over its limit."""
    limit = token.connector_rate_limit or settings.BLCONNECTOR_RATE_LIMIT
    window = settings.BLCONNECTOR_RATE_WINDOW
    now = time.time() if now is None else now
    bucket = int(now // window)
    blocked_key = _key(token, "blocked")
    current_key, previous_key = _key(token, f"rate:{bucket}"), _key(token, f"rate:{bucket - 1}")
    seen = cache.get_many([blocked_key, previous_key])
    if blocked_key in seen:
        raise ApiError(Code.BLOCKED_TOKEN, blocked_message(seen[blocked_key]))
    try:
        current = cache.incr(current_key)
    except ValueError:  # the minute's first request (the key lives two windows, then expires)
        current = 1 if cache.add(current_key, 1, timeout=2 * window + 1) else cache.incr(current_key)
    previous = seen.get(previous_key, 0)
    weight = 1 - (now % window) / window
    if previous * weight + current > limit:
        until = now + settings.BLCONNECTOR_BLOCK_SECONDS
        # The first request over the limit fixes the end of the block; later ones only read it.
        if not cache.add(blocked_key, until, timeout=settings.BLCONNECTOR_BLOCK_SECONDS):
            until = cache.get(blocked_key, until)
        raise ApiError(Code.BLOCKED_TOKEN, blocked_message(until))
