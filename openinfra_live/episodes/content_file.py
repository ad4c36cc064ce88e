"""Import of the show's content file (``openinfra-live.md`` and its other vintages).

The file is Markdown whose YAML front matter holds an ``episodes:`` list; a plain YAML file with
an ``episodes`` key is read too. Each entry uses the content file's field names:

- ``episodeTitle``, ``date`` (required), ``episodeDescription`` (HTML, cleaned on the way in),
  ``hidden``, ``episodeSpeakers`` (one line of text, see ``guests``), ``superuserRecap``;
- every ``…Link`` field (``youtubeLink``, ``linkedinLink``, ``spotifyLink``…) is a watch/listen
  link whose platform is the field name before ``Link``, kept in file order;
- ``youtubeEmbed`` gives the YouTube link when the entry has none (the site derives the embed
  from the link); ``calendarInvite`` is ignored because the site makes its own invites;
- ``duration`` (whole minutes) and ``slug`` (the episode's address), both optional, written by
  ``flask export-episodes`` so that an export imported elsewhere keeps every episode's length and
  address; a bad value skips the entry with the reason, like a bad date;
- ``links`` (optional), a list of ``platform``/``url`` pairs, gives every link in order with its
  platform's name as the site has it; when present it replaces the ``…Link`` fields, which the
  export also writes for readers that know only those; a bad pair skips the entry;
- ``segments`` (optional) makes the episode a special: a list of ``title``, ``date``,
  ``duration`` (minutes) and ``speakers`` (as ``episodeSpeakers``), and optionally
  ``recording``; the special then starts with its first segment and spans them all. A malformed
  segment is reported with its episode and skipped; the other segments and the episode stay;
- any other field is reported and skipped.

Episodes are matched by title and start, so importing the same file twice changes nothing.
Times are kept to the minute, as the site schedules them. A start at exactly midnight UTC is a
date without a time (the editor of the content file stored dates that way) and becomes the
show's configured default start on that day, 14:00 UTC unless configured otherwise; written with
a numeric offset (``2024-01-04T00:00:00.000+00:00``, as the export writes such a start) it stays
at midnight.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import yaml
from flask_babel import gettext

from openinfra_live.episodes.content_fields import (
    MAX_FIELD_NAME,
    MAX_PLATFORM,
    EntryError,
    is_empty,
    one_line,
    parse_duration,
    parse_links,
    parse_slug,
    web_address,
)
from openinfra_live.episodes.guests import Guest, parse_speakers
from openinfra_live.episodes.recordings import platform_key, youtube_video_id
from openinfra_live.episodes.specials import SegmentFields, overlap, span_minutes

LINK_SUFFIX = "Link"
IGNORED_FIELDS = frozenset({"calendarInvite"})
KNOWN_FIELDS = frozenset(
    {
        "episodeTitle",
        "episodeDescription",
        "date",
        "hidden",
        "episodeSpeakers",
        "superuserRecap",
        "duration",
        "slug",
        "links",
        "segments",
    }
)
MAX_TITLE = 300
_NUMERIC_OFFSET = re.compile(r"[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)? ?[+-]\d{1,2}(?::?\d{2})?$")


# LibYAML's parser when PyYAML was built with it: about ten times faster on large files.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ContentLoader(_SafeLoader):
    """Safe YAML that leaves timestamps as text, so a bad date spoils one entry, not the file."""


_ContentLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


class ContentFileError(Exception):
    """The file as a whole cannot be read: not YAML, or no ``episodes`` list."""


@dataclass
class EpisodeData:
    """One entry of the content file, checked and normalised."""

    title: str
    starts_at: datetime
    raw_description: str = ""
    hidden: bool = False
    recap_url: str | None = None
    links: list[tuple[str, str]] = field(default_factory=list)
    guests: list[Guest] = field(default_factory=list)
    # None when the entry does not say: a new episode then gets the defaults.
    duration_minutes: int | None = None
    slug: str | None = None
    # None when the entry has no ``segments``: it is then not a special.
    segments: list[SegmentFields] | None = None
    # Why each malformed segment was skipped ("segment 2: no title").
    segment_problems: list[str] = field(default_factory=list)


# Reading the file


def _front_matter(text: str) -> str:
    """The YAML between the opening and closing ``---`` lines, or the whole text."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].rstrip() != "---":
        return text
    for i in range(first + 1, len(lines)):
        if lines[i].rstrip() in {"---", "..."}:
            return "\n".join(lines[first + 1 : i])
    # A YAML file may start with a document marker and have no closing one.
    return "\n".join(lines[first + 1 :])


def load_entries(text: str) -> list[Any]:
    """The raw ``episodes`` entries of a content file; ContentFileError when unreadable."""
    loader = _ContentLoader(_front_matter(text.lstrip("\ufeff")))
    try:
        document = loader.get_single_data()
    except (yaml.YAMLError, ValueError, TypeError) as error:
        # Explicit tags with bad values (``!!int x``) fail in the constructors.
        raise ContentFileError(gettext("not valid YAML: %(error)s", error=error)) from error
    except RecursionError as error:
        raise ContentFileError(gettext("not valid YAML: nested too deeply")) from error
    finally:
        loader.dispose()
    if not isinstance(document, dict) or "episodes" not in document:
        raise ContentFileError(gettext("no 'episodes' list in the file"))
    entries = document["episodes"]
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ContentFileError(gettext("'episodes' is not a list"))
    return entries


# Reading one entry


def parse_start(value: Any, default_start: time) -> datetime:
    """An aware UTC start, to the minute; a midnight-UTC value is a date at ``default_start``."""
    deliberate = False  # a start written with a numeric offset is a time, even at midnight
    if isinstance(value, datetime):
        start = value
    elif isinstance(value, date):
        start = datetime.combine(value, time())
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        deliberate = _NUMERIC_OFFSET.search(text) is not None
        if text[-1] in "Zz":
            text = text[:-1] + "+00:00"
        start = _read_timestamp(text)
        if start is None:
            raise EntryError(gettext("unreadable date %(value)s", value=repr(value)))
    elif value in (None, ""):
        raise EntryError(gettext("no date"))
    else:
        raise EntryError(gettext("unreadable date %(value)s", value=repr(value)))
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    try:
        start = start.astimezone(UTC).replace(second=0, microsecond=0)
    except OverflowError as error:
        raise EntryError(gettext("date out of range %(value)s", value=repr(value))) from error
    if start.time() == time() and not deliberate:
        start = start.replace(hour=default_start.hour, minute=default_start.minute)
    return start


def _read_timestamp(text: str) -> datetime | None:
    """ISO 8601, or any other spelling of a YAML timestamp (``2001-12-14 21:59:43.10 -5``)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        value = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError):
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    return None


def link_platform(field_name: str) -> str:
    """``youtubeLink`` → ``youtube``; ``applePodcastsLink`` → ``applepodcasts``."""
    return platform_key(field_name[: -len(LINK_SUFFIX)])[:MAX_PLATFORM]


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "on", "1"}
    return bool(value)


def _embed_link(value: Any, position: int, skipped_fields: Counter) -> tuple[int, str] | None:
    """The watch link a ``youtubeEmbed`` value stands for, with its place among the links."""
    if is_empty(value):
        return None
    video_id = youtube_video_id(web_address(value) or "")
    if video_id is None:
        skipped_fields[gettext("%(field)s (not a YouTube address)", field="youtubeEmbed")] += 1
        return None
    return position, f"https://www.youtube.com/watch?v={video_id}"


def parse_segment(item: Any, default_start: time) -> SegmentFields:
    """One item of ``segments``; EntryError says what is wrong with it."""
    if not isinstance(item, dict):
        raise EntryError(gettext("not a mapping of title, date, duration and speakers"))
    raw_title = item.get("title")
    title = one_line(str(raw_title)) if isinstance(raw_title, str | int | float) else ""
    if not title or len(title) > MAX_TITLE:
        raise EntryError(gettext("no title of at most %(max)d characters", max=MAX_TITLE))
    minutes = parse_duration(item.get("duration"))
    if minutes is None:
        raise EntryError(gettext("no duration"))
    recording = item.get("recording")
    url = web_address(recording) if not is_empty(recording) else ""
    if url is None:
        raise EntryError(gettext("recording is not a web address"))
    start = parse_start(item.get("date"), default_start)
    speakers = [tuple(guest) for guest in parse_speakers(item.get("speakers"))]
    return SegmentFields(title, start, minutes, speakers, recording_url=url)


def parse_segments(value: Any, default_start: time, data: EpisodeData) -> None:
    """``segments`` into ``data.segments``, sorted, dropping (and noting) malformed ones and
    those that overlap a segment before them; the special starts with its first segment."""
    if not isinstance(value, list):
        data.segment_problems.append(gettext("segments is not a list"))
        return
    data.segments = []
    for number, item in enumerate(value, start=1):
        try:
            segment = parse_segment(item, default_start)
        except EntryError as error:
            problem = gettext("segment %(number)d: %(problem)s", number=number, problem=error)
            data.segment_problems.append(problem)
            continue
        end = segment.starts_at + timedelta(minutes=segment.duration_minutes)
        if clash := next((o for o in data.segments if overlap(o, segment.starts_at, end)), None):
            problem = gettext(
                "segment %(number)d: overlaps “%(title)s”", number=number, title=clash.title
            )
            data.segment_problems.append(problem)
            continue
        data.segments.append(segment)
    data.segments.sort(key=lambda segment: segment.starts_at)
    if data.segments:
        data.starts_at = data.segments[0].starts_at
        data.duration_minutes = span_minutes(data.segments)


def parse_entry(entry: Any, default_start: time, skipped_fields: Counter) -> EpisodeData:
    """Check one entry; problems with single fields are counted in ``skipped_fields``."""
    if not isinstance(entry, dict):
        raise EntryError(gettext("not a mapping of fields"))
    raw_title = entry.get("episodeTitle")
    title = one_line(str(raw_title)) if isinstance(raw_title, str | int | float) else ""
    if not title:
        raise EntryError(gettext("no episodeTitle"))
    if len(title) > MAX_TITLE:
        raise EntryError(gettext("episodeTitle longer than %(max)d characters", max=MAX_TITLE))
    data = EpisodeData(title=title, starts_at=parse_start(entry.get("date"), default_start))
    if "segments" in entry:
        parse_segments(entry["segments"], default_start, data)
    if not data.segments:
        data.duration_minutes = parse_duration(entry.get("duration"))
    data.slug = parse_slug(entry.get("slug"))

    description = entry.get("episodeDescription")
    if isinstance(description, str | int | float):
        data.raw_description = str(description)
    elif description is not None:
        skipped_fields[gettext("%(field)s (not text)", field="episodeDescription")] += 1
    data.hidden = _as_bool(entry.get("hidden"))
    speakers = entry.get("episodeSpeakers")
    if isinstance(speakers, dict):
        skipped_fields[gettext("%(field)s (not text)", field="episodeSpeakers")] += 1
    else:
        data.guests = parse_speakers(speakers)

    embed: tuple[int, str] | None = None
    for key, value in entry.items():
        name = str(key)
        if name == "youtubeEmbed":
            embed = _embed_link(value, len(data.links), skipped_fields)
        elif name in KNOWN_FIELDS or name in IGNORED_FIELDS:
            continue
        elif name.endswith(LINK_SUFFIX) and link_platform(name):
            if is_empty(value):
                continue
            url = web_address(value)
            if url is None:
                skipped_fields[gettext("%(field)s (not a web address)", field=name)] += 1
            elif (link_platform(name), url) not in data.links:
                data.links.append((link_platform(name), url))
        else:
            skipped_fields[name[:MAX_FIELD_NAME]] += 1
    if embed and not any(platform == "youtube" for platform, _ in data.links):
        # The derived link takes the place the embed had among the links.
        data.links.insert(embed[0], ("youtube", embed[1]))
    listed = parse_links(entry.get("links"))
    if listed is not None:
        data.links = listed

    recap = entry.get("superuserRecap")
    if not is_empty(recap):
        data.recap_url = web_address(recap)
        if data.recap_url is None:
            skipped_fields[gettext("%(field)s (not a web address)", field="superuserRecap")] += 1
    return data
