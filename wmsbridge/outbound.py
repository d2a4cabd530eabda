"""Outgoing HTTP to addresses a user typed (a WMS connection's URL) may only reach the public internet.

A user who may edit a connection must not be able to make this server talk to itself, to the
machines of its private network or to a cloud metadata service (server-side request forgery). So:

* **Which addresses**: only globally routable unicast addresses. Refused: loopback, RFC 1918 and
  other private ranges, IPv6 ULA (``fc00::/7``), link-local, CGNAT (``100.64.0.0/10``), multicast,
  unspecified, reserved and documentation ranges, IPv4 embedded in IPv6 (mapped, 6to4, NAT64) when
  the embedded address is refused, Teredo, and the cloud metadata endpoints (:data:`METADATA_ADDRESSES`,
  refused even when allowed by the operator).
* **When**: after DNS resolution, every time a connection is opened. :class:`GuardedBackend` resolves
  the host once, checks every address it got, and connects to exactly one of those addresses — so a
  name that resolves to a public address for a check and to ``127.0.0.1`` a moment later (DNS
  rebinding) cannot slip through: there is no second lookup. TLS still verifies the certificate
  against the host name. Redirects are never followed by the WMS client (it reports them instead).
* **Operator exceptions**: ``settings.OUTBOUND_ALLOWED_HOSTS`` (environment variable
  ``HURTLINK_OUTBOUND_ALLOWED_HOSTS``, a comma list of ``host`` or ``host:port``) lets named hosts
  through, e.g. the demo's sandbox WMS on ``127.0.0.1:8100``. Empty by default.

Saving a connection checks its URL too (:func:`url_refusal`), so the user hears about a refused
address in the form; the connection-time check is the one that cannot be bypassed.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Instance metadata services (AWS IPv4/IPv6 and ECS, Azure wire server, Alibaba, Oracle). Most are in
# refused ranges anyway; listing them keeps them refused even for an operator-allowed host.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "fd00:ec2::254",
        "168.63.129.16",
        "100.100.100.200",
        "192.0.0.192",
    )
)
# Not covered by ipaddress's flags on every Python version we support.
_REFUSED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "100.64.0.0/10",  # CGNAT (RFC 6598)
        "192.0.0.0/24",  # IETF protocol assignments (is_global is wrong for it before 3.12)
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215)
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundAddressRefused(Exception):
    """The host is, or resolves to, an address outgoing requests may not reach.

    Deliberately not an ``httpx``/``httpcore`` transport error: callers must not retry it, and its
    message must not depend on whether anything listens at the address.
    """

    def __init__(self, host: str, reason: str) -> None:
        self.host = host
        self.reason = reason  # for logs: "loopback", "private", "metadata", …
        super().__init__(f"Outgoing requests to {host} are not allowed ({reason} address).")


def address_refusal(ip: IPAddress) -> str | None:
    """Why ``ip`` may not be reached ("loopback", "private", …), or None for a public address."""
    if ip in METADATA_ADDRESSES:
        return "metadata"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return address_refusal(ip.ipv4_mapped)
        if ip.teredo is not None:
            return "tunnelled"
        embedded = ip.sixtofour or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if embedded is not None and address_refusal(embedded):
            return "tunnelled"
        if ip.is_site_local:
            return "private"
    for flag, reason in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_private", "private"),
        ("is_reserved", "reserved"),
    ):
        if getattr(ip, flag):
            return reason
    if any(ip.version == net.version and ip in net for net in _REFUSED_NETWORKS):
        return "private"
    if not ip.is_global:
        return "reserved"
    return None


def _parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0].strip("[]"))
    except ValueError:
        return None


def _allowed_setting() -> list[str]:
    from django.conf import settings

    if settings.configured:
        return list(getattr(settings, "OUTBOUND_ALLOWED_HOSTS", None) or [])
    # Used without Django (the WMS client in a script): the same environment variable.
    return os.environ.get("HURTLINK_OUTBOUND_ALLOWED_HOSTS", "").split(",")


def _allowed_entries() -> list[tuple[str, int | None]]:
    """``settings.OUTBOUND_ALLOWED_HOSTS`` as (lower-case host without brackets, port or None)."""
    entries = []
    for raw in _allowed_setting():
        entry = str(raw).strip().lower()
        if not entry:
            continue
        host, port = entry, None
        if entry.startswith("["):  # [v6] or [v6]:port
            host, _, rest = entry[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") and rest[1:].isdecimal() else None
        elif entry.count(":") == 1:
            name, _, number = entry.partition(":")
            if number.isdecimal():
                host, port = name, int(number)
        entries.append((host, port))
    return entries


def _same_host(a: str, b: str) -> bool:
    if a == b:
        return True
    ip_a, ip_b = _parse_ip(a), _parse_ip(b)
    return ip_a is not None and ip_a == ip_b


def host_allowed(host: str, port: int) -> bool:
    """Whether the operator allowed ``host`` (as written in the URL) on ``port``."""
    host = host.strip("[]").lower().rstrip(".")
    return any(_same_host(host, entry) and (p is None or p == port) for entry, p in _allowed_entries())


def resolve(host: str, port: int) -> list[IPAddress]:
    """The addresses ``host`` resolves to, in the resolver's order, without duplicates."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[IPAddress, None] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        ip = _parse_ip(str(sockaddr[0]))
        if ip is not None:
            seen.setdefault(ip, None)
    return list(seen)


def check_addresses(host: str, port: int, addresses: Iterable[IPAddress]) -> list[IPAddress]:
    """``addresses`` if every one of them may be reached, else :class:`OutboundAddressRefused`.

    All of them, not just the first: a name that resolves to one public and one private address is
    refused as a whole, since which one a connection uses is not ours to choose.
    """
    addresses = list(addresses)
    allowed = host_allowed(host, port)
    for ip in addresses:
        reason = address_refusal(ip)
        if reason == "metadata" or (reason and not allowed):
            logger.warning("Outgoing request to %s:%s refused: %s is a %s address", host, port, ip, reason)
            raise OutboundAddressRefused(host, reason)
    return addresses


def url_refusal(url: str) -> OutboundAddressRefused | None:
    """The refusal an outgoing request to ``url`` would meet, checked now (for forms and the API).

    A host that does not resolve at the moment is not refused here: the request itself will be
    checked (and fail) when it is made.
    """
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    host = parsed.host
    if not host:
        return None
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError, ValueError):
        return None
    try:
        check_addresses(host, port, addresses)
    except OutboundAddressRefused as exc:
        return exc
    return None


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's network backend, resolving each host once and connecting only to checked addresses."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"{host}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host}: no address")
        last: Exception | None = None
        for ip in check_addresses(host, port, addresses):
            try:
                # An address literal: the socket connects to exactly this address, no second lookup.
                return super().connect_tcp(
                    str(ip), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last


class GuardedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` whose connections go through :class:`GuardedBackend`.

    No proxy (a proxy would make the connection, and the check would only see the proxy).
    """

    def __init__(self, *, verify: bool = True, limits: httpx.Limits | None = None) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        super().__init__(verify=verify, limits=limits)
        # httpx builds its pool without a way to pass a network backend; build the same pool with ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(),
        )
