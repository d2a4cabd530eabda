"""Which time zone a page shows its times in: the signed-in person's own choice (profile), else the
one of the active account's country (Europe/Warsaw for a Polish company), else UTC.

Pages and their forms work in that zone (``UserTimeZoneMiddleware``); the APIs always speak UTC (ISO
8601), whoever calls them.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib.resources
import zoneinfo
from functools import lru_cache
from pathlib import Path

from babel.core import get_global
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

UTC = "UTC"
# Requests that never shift times: the REST API and the BaseLinker-compatible API.
API_PREFIXES = ("/api/", "/connector.php")
# The areas of the IANA database people live in (no "Etc/GMT+3", "SystemV/…" or "US/Eastern").
_REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


def _zone_tab() -> str:
    """IANA's zone.tab: one line per country and zone, current names only (no backward links such
    as "Africa/Asmera" or "Asia/Calcutta"). From the tzdata package, else the system's database."""
    with contextlib.suppress(ModuleNotFoundError, FileNotFoundError):
        return importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    for folder in zoneinfo.TZPATH:
        with contextlib.suppress(OSError):
            return (Path(folder) / "zone.tab").read_text(encoding="utf-8")
    return ""


@lru_cache(maxsize=1)
def _all_zone_names() -> frozenset[str]:
    """Every zone of the regions, old names (links) included: what a stored choice may still be."""
    return frozenset(name for name in zoneinfo.available_timezones() if name.split("/", 1)[0] in _REGIONS)


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    """The zones a person can choose: UTC and the canonical IANA zones (zone.tab), without the
    deprecated aliases the database keeps for old data ("Africa/Timbuktu", "Europe/Kiev")."""
    listed = {
        fields[2]
        for line in _zone_tab().splitlines()
        if line and not line.startswith("#") and len(fields := line.split("\t")) >= 3
    }
    names = (listed & _all_zone_names()) or _all_zone_names()
    return (UTC, *sorted(names))


def time_zone_is_known(name: str) -> bool:
    """Offered, or an old name of the database (a person who chose "Europe/Kiev" keeps it)."""
    return name == UTC or name in _all_zone_names()


@lru_cache(maxsize=512)
def _zone(name: str) -> datetime.tzinfo:
    if name == UTC or not time_zone_is_known(name):
        return datetime.UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


@lru_cache(maxsize=512)
def country_time_zone(country_code: str) -> str:
    """The time zone of a company in ``country_code``: the country's zone, or — where it has several —
    its European one(s) when they all keep the same time (DE → Europe/Berlin, ES → Europe/Madrid); UTC
    for a country whose zones keep different times (US, Russia) or is unknown."""
    zones = [
        zone
        for zone in get_global("territory_zones").get(str(country_code or "").upper(), [])
        if time_zone_is_known(zone)
    ]
    european = [zone for zone in zones if zone.startswith("Europe/")]
    zones = european or zones
    if zones and len({_offsets_of_year(zone) for zone in zones}) == 1:
        return zones[0]
    return UTC


def _offsets_of_year(name: str) -> tuple:
    zone = _zone(name)
    return tuple(
        datetime.datetime(2026, month, 1, 12, tzinfo=datetime.UTC).astimezone(zone).utcoffset()
        for month in (1, 7)
    )


def time_zone_of(user, account) -> str:
    """The zone ``user`` reads times in while working in ``account``."""
    chosen = getattr(user, "time_zone", "") if isinstance(user, User) else ""
    if chosen and time_zone_is_known(chosen):
        return chosen
    country = getattr(account, "country", None) if account is not None else None
    return country_time_zone(str(getattr(country, "code", country) or ""))


def _offset(name: str, now: datetime.datetime) -> str:
    offset = now.astimezone(_zone(name)).utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def time_zone_label(name: str) -> str:
    """ "Europe/Warsaw (UTC+01:00)" — the offset of today."""
    return f"{name.replace('_', ' ')} ({_offset(name, timezone.now())})"


def time_zone_choices(current: str = "") -> list[tuple[str, object]]:
    """The profile's choices: UTC, then the zones grouped by region (``<optgroup>``s), sorted. A
    ``current`` choice under an old name stays offered (first), so saving the profile keeps it."""
    now = timezone.now()
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in time_zone_names()[1:]:
        groups.setdefault(name.split("/", 1)[0], []).append(
            (name, f"{name.split('/', 1)[1].replace('_', ' ')} ({_offset(name, now)})")
        )
    choices: list[tuple[str, object]] = [(UTC, _("UTC (Coordinated Universal Time)"))]
    if current and current not in time_zone_names() and time_zone_is_known(current):
        choices.append(
            (
                current,
                _("%(zone)s — an old name, kept until you choose another")
                % {"zone": time_zone_label(current)},
            )
        )
    return [*choices, *groups.items()]


class UserTimeZoneMiddleware:
    """After authentication and the active account: pages and their forms show and read times in the
    person's zone (``time_zone_of``). The APIs keep UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIXES):
            return self.get_response(request)
        name = time_zone_of(getattr(request, "user", None), getattr(request, "account", None))
        # An override, not an activation: the zone ends with the request.
        with timezone.override(_zone(name)):
            return self.get_response(request)
