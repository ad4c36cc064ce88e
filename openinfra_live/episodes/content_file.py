"""Import of the show's content file (``openinfra-live.md`` and its other vintages).

The file is Markdown whose YAML front matter holds an ``episodes:`` list; a plain YAML file with
an ``episodes`` key is read too. Each entry uses the content file's field names:

- ``episodeTitle``, ``date`` (required), ``episodeDescription`` (HTML, cleaned on the way in),
  ``hidden``, ``episodeSpeakers`` (one line of text, see ``guests``), ``superuserRecap``;
- every ``…Link`` field (``youtubeLink``, ``linkedinLink``, ``spotifyLink``…) is a watch/listen
  link whose platform is the field name before ``Link``, kept in file order;
- ``youtubeEmbed`` gives the YouTube link when the entry has none (the site derives the embed
  from the link); ``calendarInvite`` is ignored because the site makes its own invites;
- any other field is reported and skipped.

Episodes are matched by title and start, so importing the same file twice changes nothing.
Times are kept to the minute, as the site schedules them. A start at exactly midnight UTC is a
date without a time (the editor of the content file stored dates that way) and becomes the
show's configured default start on that day, 14:00 UTC unless configured otherwise.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import yaml

from openinfra_live import urls
from openinfra_live.episodes.guests import Guest, parse_speakers
from openinfra_live.episodes.recordings import platform_key, youtube_video_id

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
    }
)
MAX_TITLE = 300
MAX_PLATFORM = 50
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
MAX_FIELD_NAME = 60


# LibYAML's parser when PyYAML was built with it: about ten times faster on large files.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ContentLoader(_SafeLoader):
    """Safe YAML that leaves timestamps as text, so a bad date spoils one entry, not the file."""


_ContentLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


class ContentFileError(Exception):
    """The file as a whole cannot be read: not YAML, or no ``episodes`` list."""


class EntryError(Exception):
    """One entry cannot be imported; the reason is shown to the operator."""


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
        raise ContentFileError(f"not valid YAML: {error}") from error
    except RecursionError as error:
        raise ContentFileError("not valid YAML: nested too deeply") from error
    finally:
        loader.dispose()
    if not isinstance(document, dict) or "episodes" not in document:
        raise ContentFileError("no 'episodes' list in the file")
    entries = document["episodes"]
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ContentFileError("'episodes' is not a list")
    return entries


# Reading one entry


def parse_start(value: Any, default_start: time) -> datetime:
    """An aware UTC start, to the minute; a midnight-UTC value is a date at ``default_start``."""
    if isinstance(value, datetime):
        start = value
    elif isinstance(value, date):
        start = datetime.combine(value, time())
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text[-1] in "Zz":
            text = text[:-1] + "+00:00"
        start = _read_timestamp(text)
        if start is None:
            raise EntryError(f"unreadable date {value!r}")
    else:
        raise EntryError("no date" if value in (None, "") else f"unreadable date {value!r}")
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    try:
        start = start.astimezone(UTC).replace(second=0, microsecond=0)
    except OverflowError as error:
        raise EntryError(f"date out of range {value!r}") from error
    if start.time() == time():
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


def web_address(value: Any) -> str | None:
    """``value`` as an absolute http(s) URL, or None; content files hold protocol-relative
    addresses (``//host/path``), which become https."""
    return urls.web_address(value, protocol_relative=True)


def link_platform(field_name: str) -> str:
    """``youtubeLink`` → ``youtube``; ``applePodcastsLink`` → ``applepodcasts``."""
    return platform_key(field_name[: -len(LINK_SUFFIX)])[:MAX_PLATFORM]


def _one_line(text: str) -> str:
    """Text with control characters and runs of whitespace turned into single spaces."""
    return " ".join(_CONTROL_CHARS.sub(" ", text).split())


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "on", "1"}
    return bool(value)


def _embed_link(value: Any, position: int, skipped_fields: Counter) -> tuple[int, str] | None:
    """The watch link a ``youtubeEmbed`` value stands for, with its place among the links."""
    if _is_empty(value):
        return None
    video_id = youtube_video_id(web_address(value) or "")
    if video_id is None:
        skipped_fields["youtubeEmbed (not a YouTube address)"] += 1
        return None
    return position, f"https://www.youtube.com/watch?v={video_id}"


def parse_entry(entry: Any, default_start: time, skipped_fields: Counter) -> EpisodeData:
    """Check one entry; problems with single fields are counted in ``skipped_fields``."""
    if not isinstance(entry, dict):
        raise EntryError("not a mapping of fields")
    raw_title = entry.get("episodeTitle")
    title = _one_line(str(raw_title)) if isinstance(raw_title, str | int | float) else ""
    if not title:
        raise EntryError("no episodeTitle")
    if len(title) > MAX_TITLE:
        raise EntryError(f"episodeTitle longer than {MAX_TITLE} characters")
    data = EpisodeData(title=title, starts_at=parse_start(entry.get("date"), default_start))

    description = entry.get("episodeDescription")
    if isinstance(description, str | int | float):
        data.raw_description = str(description)
    elif description is not None:
        skipped_fields["episodeDescription (not text)"] += 1
    data.hidden = _as_bool(entry.get("hidden"))
    speakers = entry.get("episodeSpeakers")
    if isinstance(speakers, dict):
        skipped_fields["episodeSpeakers (not text)"] += 1
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
            if _is_empty(value):
                continue
            url = web_address(value)
            if url is None:
                skipped_fields[f"{name} (not a web address)"] += 1
            elif (link_platform(name), url) not in data.links:
                data.links.append((link_platform(name), url))
        else:
            skipped_fields[name[:MAX_FIELD_NAME]] += 1
    if embed and not any(platform == "youtube" for platform, _ in data.links):
        # The derived link takes the place the embed had among the links.
        data.links.insert(embed[0], ("youtube", embed[1]))

    recap = entry.get("superuserRecap")
    if not _is_empty(recap):
        data.recap_url = web_address(recap)
        if data.recap_url is None:
            skipped_fields["superuserRecap (not a web address)"] += 1
    return data
