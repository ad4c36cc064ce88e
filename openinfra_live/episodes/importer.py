"""Import of the show's content file (read by ``content_file``) into the episodes.

Episodes are matched by title and start, so importing the same file twice changes nothing.
An entry's ``duration`` updates a matched episode; its ``slug`` names a new episode only: a
matched episode keeps its address, so links to it keep working, and a new entry whose slug
another episode already has is skipped with the reason.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from blinker import Namespace
from flask_babel import gettext, lazy_gettext

from openinfra_live.episodes import search, specials
from openinfra_live.episodes.content_file import EntryError, EpisodeData, parse_entry
from openinfra_live.episodes.models import Episode, EpisodeGuest, EpisodeLink
from openinfra_live.episodes.slugs import episode_slug, free_slug
from openinfra_live.extensions import db
from openinfra_live.sanitize import clean_html

# Sent at the end of every import, in its transaction: another feature may act on what it
# brought (audience questions tell askers of a recording) without this one knowing it.
imported = Namespace().signal("episodes-imported")

Progress = Callable[[str], None]


@dataclass
class ImportReport:
    """What an import did, for the progress lines and the final summary."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    forced_hidden: int = 0
    skipped_segments: int = 0
    skipped_fields: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped

    def summary(self) -> str:
        """One line: the counts, then what was left out."""
        parts = [
            gettext(
                "%(total)d entries: %(created)d created, %(updated)d updated,"
                " %(unchanged)d unchanged, %(skipped)d skipped",
                total=self.total,
                created=self.created,
                updated=self.updated,
                unchanged=self.unchanged,
                skipped=self.skipped,
            )
        ]
        if self.forced_hidden:
            parts.append(
                gettext(
                    "%(count)d kept hidden because another visible episode starts at the same time",
                    count=self.forced_hidden,
                )
            )
        if self.skipped_segments:
            parts.append(
                gettext("%(count)d malformed segments skipped", count=self.skipped_segments)
            )
        if self.skipped_fields:
            fields = ", ".join(f"{name} ×{n}" for name, n in sorted(self.skipped_fields.items()))
            parts.append(gettext("skipped fields: %(fields)s", fields=fields))
        return "; ".join(parts)


# Writing to the database


def _apply(episode: Episode, data: EpisodeData, description: str) -> None:
    episode.description = description
    episode.hidden = data.hidden
    episode.recap_url = data.recap_url
    if data.duration_minutes is not None:
        episode.duration_minutes = data.duration_minutes
    if episode.link_pairs != data.links:
        episode.link_pairs = data.links
    if episode.guest_pairs != data.guests:
        episode.guest_pairs = data.guests
    search.refresh(episode)
    _apply_segments(episode, data)


def _apply_segments(episode: Episode, data: EpisodeData) -> None:
    """A special's segments as the file has them; its start and length were read with them."""
    if data.segments is None:
        return
    specials.merge_segments(episode, data.segments)
    episode.special = True
    specials.refresh_search(episode)


def _same_segments(episode: Episode, data: EpisodeData) -> bool:
    if data.segments is None:
        return not episode.segments
    wanted = [(s.title, s.starts_at, s.duration_minutes, list(s.speakers)) for s in data.segments]
    wanted_recordings = [s.recording_url or None for s in data.segments]
    stored = [(s.title, s.starts_at, s.duration_minutes, s.speaker_pairs) for s in episode.segments]
    recordings = [s.recording_url for s in episode.segments]
    return episode.special and (wanted, wanted_recordings) == (stored, recordings)


@dataclass(eq=False)
class _NewEpisode:
    """An episode to insert once every entry has been read."""

    slug: str
    data: EpisodeData
    description: str


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
            "duration_minutes": item.data.duration_minutes or minutes,
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


# The progress line of an entry, by what happened to it and whether it was kept hidden because
# another episode starts at the same time.
_PROGRESS = {
    ("created", False): lazy_gettext("created: %(slug)s"),
    ("created", True): lazy_gettext(
        "created: %(slug)s (hidden: %(other)s starts at the same time)"
    ),
    ("updated", False): lazy_gettext("updated: %(slug)s"),
    ("updated", True): lazy_gettext(
        "updated: %(slug)s (hidden: %(other)s starts at the same time)"
    ),
    ("unchanged", False): lazy_gettext("unchanged: %(slug)s"),
    ("unchanged", True): lazy_gettext(
        "unchanged: %(slug)s (hidden: %(other)s starts at the same time)"
    ),
}


def _done(what: str, slug: str, hidden_by: str) -> str:
    """The progress line of an entry ``created``, ``updated`` or ``unchanged``, saying when it
    was kept hidden because the episode ``hidden_by`` starts at the same time."""
    return str(_PROGRESS[what, bool(hidden_by)]) % {"slug": slug, "other": hidden_by}


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
    links, with descriptions cleaned and the search text written (``search``); the ``imported``
    signal, whose receivers may queue mails (``workflow.commit`` sends them).
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
                say(gettext("skipped: entry %(number)d: %(reason)s", number=number, reason=error))
                continue
            for problem in data.segment_problems:
                report.skipped_segments += 1
                say(
                    gettext(
                        "skipped: entry %(number)d (%(title)s): %(problem)s",
                        number=number,
                        title=data.title,
                        problem=problem,
                    )
                )
            key = (data.title, data.starts_at)
            if key in seen:
                report.skipped += 1
                say(
                    gettext(
                        "skipped: entry %(number)d: repeats %(title)s at %(date)s",
                        number=number,
                        title=repr(data.title),
                        date=f"{data.starts_at:%Y-%m-%d}",
                    )
                )
                continue
            episode = by_key.get(key)
            if episode is None and data.slug is not None and data.slug in taken_slugs:
                report.skipped += 1
                say(
                    gettext(
                        "skipped: entry %(number)d: slug %(slug)s belongs to another episode",
                        number=number,
                        slug=repr(data.slug),
                    )
                )
                continue
            seen.add(key)

            hidden_by = ""  # the slug of the visible episode that starts at the same time
            holder = visible_at.get(data.starts_at)
            if not data.hidden and holder is not None and holder is not episode:
                data.hidden = True
                report.forced_hidden += 1
                hidden_by = holder.slug

            if episode is not None and data.raw_description == episode.description:
                description = episode.description  # already clean: skip the costly cleaning
            else:
                description = clean_html(data.raw_description)

            target: Episode | _NewEpisode
            if episode is None:
                slug = data.slug or free_slug(episode_slug(data.title, data.starts_at), taken_slugs)
                taken_slugs.add(slug)
                target = _NewEpisode(slug, data, description)
                new.append(target)
                report.created += 1
                say(_done("created", slug, hidden_by))
            else:
                target = episode
                wanted = (description, data.hidden, data.recap_url, data.links, data.guests)
                state = (episode.description, episode.hidden, episode.recap_url or None)
                same_duration = data.duration_minutes in (None, episode.duration_minutes)
                same_duration = same_duration and _same_segments(episode, data)
                if same_duration and (*state, episode.link_pairs, episode.guest_pairs) == wanted:
                    report.unchanged += 1
                    say(_done("unchanged", episode.slug, hidden_by))
                else:
                    _apply(episode, data, description)
                    report.updated += 1
                    say(_done("updated", episode.slug, hidden_by))

            if not data.hidden:
                visible_at[data.starts_at] = target
            elif visible_at.get(data.starts_at) is target:
                del visible_at[data.starts_at]
    # Updates first: an episode hidden by the file frees its start for a new one.
    db.session.flush()
    _insert_new(new, default_minutes)
    new_specials = {item.slug: item.data for item in new if item.data.segments is not None}
    if new_specials:
        query = db.select(Episode).where(Episode.slug.in_(new_specials))
        for episode in db.session.scalars(query):
            _apply_segments(episode, new_specials[episode.slug])
        db.session.flush()
    imported.send(report)
    return report
