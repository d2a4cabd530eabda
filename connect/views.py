"""Web pages of Connect."""

from __future__ import annotations


def client_ip(request) -> str | None:
    """The address a request came from, for counting wrong codes per address.

    REMOTE_ADDR only: behind a reverse proxy, the proxy must set it (e.g. gunicorn's
    ``--forwarded-allow-ips`` with a proxy that overwrites X-Forwarded-For); a header the client can
    write itself would let it choose a fresh address for every guess.
    """
    return request.META.get("REMOTE_ADDR") or None
