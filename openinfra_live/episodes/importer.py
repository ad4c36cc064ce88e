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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import yaml

from openinfra_live import urls
from openinfra_live.episodes import search
from openinfra_live.episodes.guests import Guest, parse_speakers
from openinfra_live.episodes.models import Episode, EpisodeGuest, EpisodeLink
from openinfra_live.episodes.recordings import youtube_video_id
from openinfra_live.episodes.slugs import episode_slug
from openinfra_live.extensions import db
from openinfra_live.sanitize import clean_html

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
_PLATFORM_CHARS = re.compile(r"[^a-z0-9]+")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
MAX_FIELD_NAME = 60

Progress = Callable[[str], None]


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


@dataclass
class ImportReport:
    """What an import did, for the progress lines and the final summary."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    forced_hidden: int = 0
    skipped_fields: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped

    def summary(self) -> str:
        """One line: the counts, then what was left out."""
        line = (
            f"{self.total} entries: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.skipped} skipped"
        )
        if self.forced_hidden:
            line += (
                f"; {self.forced_hidden} kept hidden because another visible episode "
                "starts at the same time"
            )
        if self.skipped_fields:
            fields = ", ".join(f"{name} ×{n}" for name, n in sorted(self.skipped_fields.items()))
            line += f"; skipped fields: {fields}"
        return line


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


def youtube_watch_url(video_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}"


def link_platform(field_name: str) -> str:
    """``youtubeLink`` → ``youtube``; ``applePodcastsLink`` → ``applepodcasts``."""
    return _PLATFORM_CHARS.sub("", field_name[: -len(LINK_SUFFIX)].lower())[:MAX_PLATFORM]


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
    return position, youtube_watch_url(video_id)


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


# Writing to the database


def _episode_state(episode: Episode) -> tuple:
    return (
        episode.description,
        episode.hidden,
        episode.recap_url or None,
        [(link.platform, link.url) for link in episode.links],
        [Guest(guest.name, guest.affiliation) for guest in episode.guests],
    )


def _claim_slug(title: str, starts_at: datetime, taken: set[str]) -> str:
    """The natural slug, suffixed ``-2``, ``-3``… while taken (as ``unique_episode_slug``)."""
    base = slug = episode_slug(title, starts_at)
    suffix = 2
    while slug in taken:
        slug = f"{base}-{suffix}"
        suffix += 1
    taken.add(slug)
    return slug


def _apply(episode: Episode, data: EpisodeData, description: str) -> None:
    episode.description = description
    episode.hidden = data.hidden
    episode.recap_url = data.recap_url
    if [(link.platform, link.url) for link in episode.links] != data.links:
        episode.links = [
            EpisodeLink(position=i, platform=platform, url=url)
            for i, (platform, url) in enumerate(data.links)
        ]
    if [Guest(g.name, g.affiliation) for g in episode.guests] != data.guests:
        episode.guests = [
            EpisodeGuest(position=i, name=guest.name, affiliation=guest.affiliation)
            for i, guest in enumerate(data.guests)
        ]
    search.refresh(episode)


@dataclass(eq=False)
class _NewEpisode:
    """An episode to insert once every entry has been read."""

    slug: str
    data: EpisodeData
    description: str

    @property
    def hidden(self) -> bool:
        return self.data.hidden


_SAME_COLUMNS = {"render_nulls": True}


def _insert_new(new: list[_NewEpisode], minutes: int) -> None:
    """Insert episodes, then their links and guests, a batch per table rather than a row."""
    if not new:
        return
    rows = [
        {
            "slug": item.slug,
            "title": item.data.title,
            "description": item.description,
            "search_text": search.search_text_of(
                item.data.title, item.description, item.data.guests
            ),
            "starts_at": item.data.starts_at,
            "duration_minutes": minutes,
            "hidden": item.data.hidden,
            "recap_url": item.data.recap_url,
        }
        for item in new
    ]
    # ``render_nulls``: a NULL is written as such rather than the column left out, so that every
    # row has the same columns and the rows go in one batch. Rows with and without a recap
    # otherwise make a batch each time they alternate, and SQLAlchemy joins the RETURNING rows
    # of each batch to those of all the batches before it: quadratic, 6 s at 10,000 episodes.
    returned = db.session.execute(
        db.insert(Episode).returning(Episode.slug, Episode.id),
        rows,
        execution_options=_SAME_COLUMNS,
    )
    ids = {slug: episode_id for slug, episode_id in returned}
    links = [
        {"episode_id": ids[item.slug], "position": i, "platform": platform, "url": url}
        for item in new
        for i, (platform, url) in enumerate(item.data.links)
    ]
    guests = [
        {"episode_id": ids[item.slug], "position": i, "name": name, "affiliation": affiliation}
        for item in new
        for i, (name, affiliation) in enumerate(item.data.guests)
    ]
    if links:
        db.session.execute(db.insert(EpisodeLink), links, execution_options=_SAME_COLUMNS)
    if guests:
        db.session.execute(db.insert(EpisodeGuest), guests, execution_options=_SAME_COLUMNS)


def import_episodes(
    entries: Iterable[Any],
    *,
    progress: Progress | None = None,
    default_start: time = time(14, 0),
    default_minutes: int = 60,
) -> ImportReport:
    """Create or update the episodes of ``entries``; flushes, the caller commits.

    Existing episodes are read once and new ones inserted in batches, so the import runs a
    fixed number of queries. A visible entry that starts when another visible episode does is
    imported hidden and reported. Side effects: inserts and updates episodes, their guests and
    links, with descriptions cleaned and the search text written (``search``).
    """
    report = ImportReport()
    say = progress or (lambda line: None)
    episodes = list(db.session.scalars(db.select(Episode).order_by(Episode.id)))
    by_key: dict[tuple[str, datetime], Episode] = {}
    for episode in episodes:
        by_key.setdefault((episode.title, episode.starts_at), episode)
    taken_slugs = {episode.slug for episode in episodes}
    visible_at: dict[datetime, Episode | _NewEpisode] = {
        episode.starts_at: episode for episode in episodes if not episode.hidden
    }
    seen: set[tuple[str, datetime]] = set()
    new: list[_NewEpisode] = []

    with db.session.no_autoflush:
        for number, entry in enumerate(entries, start=1):
            try:
                data = parse_entry(entry, default_start, report.skipped_fields)
            except EntryError as error:
                report.skipped += 1
                say(f"skipped: entry {number}: {error}")
                continue
            key = (data.title, data.starts_at)
            if key in seen:
                report.skipped += 1
                say(f"skipped: entry {number}: repeats {data.title!r} at {data.starts_at:%Y-%m-%d}")
                continue
            seen.add(key)
            episode = by_key.get(key)

            note = ""
            holder = visible_at.get(data.starts_at)
            if not data.hidden and holder is not None and holder is not episode:
                data.hidden = True
                report.forced_hidden += 1
                note = f" (hidden: {holder.slug} starts at the same time)"

            if episode is not None and data.raw_description == episode.description:
                description = episode.description  # already clean: skip the costly cleaning
            else:
                description = clean_html(data.raw_description)

            target: Episode | _NewEpisode
            if episode is None:
                slug = _claim_slug(data.title, data.starts_at, taken_slugs)
                target = _NewEpisode(slug, data, description)
                new.append(target)
                report.created += 1
                say(f"created: {slug}{note}")
            else:
                target = episode
                wanted = (description, data.hidden, data.recap_url, data.links, data.guests)
                if _episode_state(episode) == wanted:
                    report.unchanged += 1
                    say(f"unchanged: {episode.slug}{note}")
                else:
                    _apply(episode, data, description)
                    report.updated += 1
                    say(f"updated: {episode.slug}{note}")

            if not target.hidden:
                visible_at[data.starts_at] = target
            elif visible_at.get(data.starts_at) is target:
                del visible_at[data.starts_at]
    # Updates first: an episode hidden by the file frees its start for a new one.
    db.session.flush()
    _insert_new(new, default_minutes)
    return report
