"""Time zones as people know them, and the one way the site writes a local time.

The zones offered are IANA's own list of one zone per country and region (``zone.tab`` of the
tz database), so no obsolete alias is offered; their names are the places of the Unicode
CLDR through Babel ("Ho Chi Minh City, Vietnam"). The browser script writes local times with
the same words, from the places this module publishes (``place_names``).
"""

import importlib.resources
from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import get_timezone_location

REGION_NAMES = {
    "America": "Americas",
    "Arctic": "Europe",
    "Atlantic": "Atlantic Ocean",
    "Indian": "Indian Ocean",
    "Pacific": "Pacific Ocean",
}
DAY_FORMAT = "%a %-d %b"


class Place(NamedTuple):
    zone: str
    city: str
    country: str


def _tz_database_file(name: str) -> str:
    return importlib.resources.files("tzdata").joinpath("zoneinfo", name).read_text("utf-8")


@lru_cache(maxsize=1)
def places() -> dict[str, Place]:
    """Every zone of the tz database's list, by name, with its city and country in English."""
    countries = Locale("en").territories
    found = {}
    for line in _tz_database_file("zone.tab").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, _coordinates, zone = line.split("\t")[:3]
        city = get_timezone_location(zone, "en", return_city=True)
        found[zone] = Place(zone, city, countries.get(code, code))
    return found


@lru_cache(maxsize=1)
def links() -> dict[str, str]:
    """Older names of the zones (``Asia/Calcutta``), which browsers still report, to today's."""
    found = {}
    for line in _tz_database_file("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, target, alias = line.split()
            found[alias] = target
    return {alias: target for alias, target in found.items() if target in places()}


def canonical(name: str | None) -> str | None:
    """Today's name of a zone of the list, given it or one of its older names; else None."""
    if not name:
        return None
    name = links().get(name, name)
    return name if name in places() else None


def city(zone: ZoneInfo) -> str:
    place = places().get(zone.key)
    return place.city if place else zone.key


def offset_label(zone: ZoneInfo, moment: datetime | None = None) -> str:
    """``UTC+08:00``: the zone's offset now (or at ``moment``)."""
    offset = (moment or datetime.now(UTC)).astimezone(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def choices(moment: datetime | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The zones grouped by region, each as ``("Asia/Shanghai", "Shanghai, China (UTC+08:00)")``."""
    moment = moment or datetime.now(UTC)
    regions: dict[str, list[tuple[str, str]]] = {}
    for place in sorted(places().values(), key=lambda p: (p.city, p.country)):
        region = place.zone.split("/", 1)[0]
        label = f"{place.city}, {place.country} ({offset_label(ZoneInfo(place.zone), moment)})"
        regions.setdefault(REGION_NAMES.get(region, region), []).append((place.zone, label))
    return sorted(regions.items())


def human_utc(value: datetime) -> str:
    """The site's one way to write a moment: ``Thu 3 Dec 2026, 14:00 UTC``."""
    return value.astimezone(UTC).strftime("%a %-d %b %Y, %H:%M UTC")


def human_utc_range(start: datetime, end: datetime) -> str:
    """``Thu 3 Dec 2026, 14:00–15:00 UTC``: a span within a day, for texts without markup."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    return f"{start:%a %-d %b %Y}, {start:%H:%M}–{end:%H:%M} UTC"


def local_time_label(value: datetime, zone: ZoneInfo) -> str:
    """``22:00 in Shanghai (Thu 3 Dec)``: a moment in the visitor's zone."""
    local = value.astimezone(zone)
    return f"{local:%H:%M} in {city(zone)} ({local:{DAY_FORMAT}})"


def local_range_label(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """``21:00–00:00 in Shanghai``, with the local day when it is not the UTC day."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    label = f"{local_start:%H:%M}–{local_end:%H:%M} in {city(zone)}"
    if local_start.date() != start.astimezone(UTC).date():
        label += f" ({local_start:{DAY_FORMAT}})"
    return label
