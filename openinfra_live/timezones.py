"""Time zones as people know them, and the one way the site writes a local time.

The zones offered are IANA's own list of one zone per country and region (``zone.tab`` of the
tz database), so no obsolete alias is offered; their names are the places of the Unicode
CLDR through Babel ("Ho Chi Minh City, Vietnam"). The browser script writes local times with
the same words, from the places this module publishes (``place_names``).
"""

import importlib.resources
import re
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime, get_timezone_location, match_skeleton
from flask_babel import gettext, lazy_gettext

from openinfra_live import i18n

REGION_NAMES = {
    "Africa": lazy_gettext("Africa"),
    "America": lazy_gettext("Americas"),
    "Antarctica": lazy_gettext("Antarctica"),
    "Arctic": lazy_gettext("Europe"),
    "Asia": lazy_gettext("Asia"),
    "Atlantic": lazy_gettext("Atlantic Ocean"),
    "Australia": lazy_gettext("Australia"),
    "Europe": lazy_gettext("Europe"),
    "Indian": lazy_gettext("Indian Ocean"),
    "Pacific": lazy_gettext("Pacific Ocean"),
}
# How a day is written, as CLDR patterns. English keeps the site's own words ("Thu 3 Dec 2026");
# the other languages take CLDR's pattern for the same parts ("qui., 3 de dez. de 2026").
_ENGLISH_PATTERNS = {
    "weekday": "EEE",
    "day": "EEE d MMM",
    "day_year": "EEE d MMM y",
    "long_day": "EEEE d MMMM",
    "long_day_year": "EEEE d MMMM y",
    "date": "d MMMM y",
    "month": "MMMM y",
}
_SKELETONS = {
    "weekday": "E",
    "day": "MMMEd",
    "day_year": "yMMMEd",
    "long_day": "MMMMEd",  # then with the day of the week in full
    "long_day_year": "yMMMMEd",
    "date": "yMMMMd",
    "month": "yMMMM",
}


@lru_cache(maxsize=32)
def day_pattern(kind: str, language: str) -> str:
    """The CLDR pattern a day of ``kind`` (``day``, ``day_year``, ``long_day``…) is written with."""
    if language == i18n.DEFAULT:
        return _ENGLISH_PATTERNS[kind]
    skeletons = Locale.parse(language).datetime_skeletons
    pattern = skeletons[match_skeleton(_SKELETONS[kind], skeletons) or "yMMMEd"].pattern
    return re.sub("E+", "EEEE", pattern) if kind.startswith("long_") else pattern


def day_names(language: str) -> list[str]:
    """The abbreviated days of the week of ``language``, Sunday first (as JavaScript counts)."""
    names = Locale.parse(language).days["format"]["abbreviated"]
    return [names[(index + 6) % 7] for index in range(7)]


def month_names(language: str) -> list[str]:
    """The abbreviated months of ``language``, January first."""
    names = Locale.parse(language).months["format"]["abbreviated"]
    return [names[index] for index in range(1, 13)]


def write_day(value: date | datetime, kind: str = "day_year") -> str:
    """A day in the language being written: ``Thu 3 Dec 2026``, ``2026年12月3日周四``."""
    language = i18n.current_language()
    return format_datetime(value, day_pattern(kind, language), locale=language)


class Place(NamedTuple):
    zone: str
    city: str
    country: str


def _tz_database_file(name: str) -> str:
    return importlib.resources.files("tzdata").joinpath("zoneinfo", name).read_text("utf-8")


def places() -> dict[str, Place]:
    """Every zone of the tz database's list, by name, with its city and country in the language
    being written."""
    return _places(i18n.current_language())


@lru_cache(maxsize=len(i18n.LANGUAGES))
def _places(language: str) -> dict[str, Place]:
    countries = Locale.parse(language).territories
    found = {}
    for line in _tz_database_file("zone.tab").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, _coordinates, zone = line.split("\t")[:3]
        city = get_timezone_location(zone, language, return_city=True)
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
    known = _places(i18n.DEFAULT)
    return {alias: target for alias, target in found.items() if target in known}


def canonical(name: str | None) -> str | None:
    """Today's name of a zone of the list, given it or one of its older names; else None."""
    if not name:
        return None
    name = links().get(name, name)
    return name if name in _places(i18n.DEFAULT) else None


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
        regions.setdefault(str(REGION_NAMES.get(region, region)), []).append((place.zone, label))
    return sorted(regions.items())


def human_utc(value: datetime) -> str:
    """The site's one way to write a moment: ``Thu 3 Dec 2026, 14:00 UTC``."""
    value = value.astimezone(UTC)
    return gettext("%(day)s, %(time)s UTC", day=write_day(value), time=f"{value:%H:%M}")


def human_utc_range(start: datetime, end: datetime) -> str:
    """``Thu 3 Dec 2026, 14:00–15:00 UTC``: a span within a day, for texts without markup."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    return gettext(
        "%(day)s, %(start)s–%(end)s UTC",
        day=write_day(start),
        start=f"{start:%H:%M}",
        end=f"{end:%H:%M}",
    )


def local_time_label(value: datetime, zone: ZoneInfo) -> str:
    """``22:00 in Shanghai (Thu 3 Dec)``: a moment in the visitor's zone."""
    local = value.astimezone(zone)
    return gettext(
        "%(time)s in %(city)s (%(day)s)",
        time=f"{local:%H:%M}",
        city=city(zone),
        day=write_day(local, "day"),
    )


def local_range_label(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """``21:00–00:00 in Shanghai``, with the local day when it is not the UTC day."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    times = {"start": f"{local_start:%H:%M}", "end": f"{local_end:%H:%M}", "city": city(zone)}
    if local_start.date() != start.astimezone(UTC).date():
        day = write_day(local_start, "day")
        return gettext("%(start)s–%(end)s in %(city)s (%(day)s)", day=day, **times)
    return gettext("%(start)s–%(end)s in %(city)s", **times)
