"""An episode's audience: its views and peak of live viewers, typed by a moderator or read from
a CSV of view counts (YouTube Studio's export: a ``Content`` column with the video id, a
``Views`` column, a ``Total`` row; other columns ignored).

A file that cannot be read (not UTF-8, not CSV, no column of videos or of views) is refused
whole with :class:`ViewsFileError` before anything is written. A row that cannot be used (an
unknown video, an empty or non-numeric count) is reported and skipped. Counts are written only
when they differ from what is stored: the same file read twice changes nothing the second
time, and a newer file replaces the counts.
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext, ngettext
from sqlalchemy import select, update

from openinfra_live import audit, clock
from openinfra_live.episodes.models import Episode, EpisodeLink
from openinfra_live.episodes.recordings import platform_key, youtube_video_id
from openinfra_live.extensions import db

# Headers naming the column of videos, in order of preference (compared in lower case).
VIDEO_HEADERS = ("content", "video id", "video", "url", "video url", "youtube", "youtube link")
VIEWS_HEADER = "views"
MAX_ROWS = 100_000
_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
# Thousands separators a spreadsheet may write: "12,345", "12 345", "12’345".
_SEPARATORS = re.compile(r"[,\s\u00a0\u202f'’]")
_COUNT = re.compile(r"^[0-9]{1,12}$")


class ViewsFileError(Exception):
    """The file cannot be read as a CSV of view counts; the message says why, in words."""


@dataclass(frozen=True)
class ViewCount:
    """One usable row of the file: its line, the video it names and its count of views."""

    line: int
    video_id: str
    views: int


@dataclass
class ViewsFile:
    """What a file holds: the usable rows, and the rows skipped with the reason."""

    counts: list[ViewCount] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _video_of(cell: str) -> str | None:
    cell = cell.strip()
    return cell if _VIDEO_ID.match(cell) else youtube_video_id(cell)


def _count_of(cell: str) -> int | None:
    digits = _SEPARATORS.sub("", cell.strip())
    return int(digits) if _COUNT.match(digits) else None


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    folded = [" ".join(name.replace("\ufeff", "").split()).lower() for name in header]
    return next((folded.index(name) for name in names if name in folded), None)


def read_view_counts(text: str) -> ViewsFile:
    """The rows of a CSV of view counts; raises :class:`ViewsFileError` for a file that
    cannot be one (no header naming the videos and the views, a broken CSV, too many rows)."""
    if "\x00" in text:
        raise ViewsFileError(gettext("This is not a text file (it holds NUL bytes)."))
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise ViewsFileError(
            gettext("This file is not a CSV table (%(error)s).", error=error)
        ) from error
    header = rows[0] if rows else []
    video_column = _column(header, VIDEO_HEADERS)
    views_column = _column(header, (VIEWS_HEADER,))
    if video_column is None:
        raise ViewsFileError(
            gettext(
                "No column names the videos: the first line needs a “Content”, “Video”,"
                " “Video ID” or “URL” column holding each video's YouTube address or id."
            )
        )
    if views_column is None:
        raise ViewsFileError(gettext("No column is named “Views”: the first line needs one."))
    if len(rows) > MAX_ROWS:
        raise ViewsFileError(
            gettext("This file has more than %(count)s rows.", count=f"{MAX_ROWS:,}")
        )
    found = ViewsFile()
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (max(video_column, views_column) + 1 - len(row))
        video_cell, views_cell = cells[video_column].strip(), cells[views_column].strip()
        if video_cell.lower() == "total":
            found.skipped.append(
                gettext("line %(line)d: the total of every video, skipped", line=line)
            )
            continue
        video_id = _video_of(video_cell)
        views = _count_of(views_cell)
        if video_id is None:
            if video_cell:
                said = gettext(
                    "line %(line)d: “%(cell)s” is not a YouTube video, skipped",
                    line=line,
                    cell=video_cell[:80],
                )
            else:
                said = gettext("line %(line)d: nothing is not a YouTube video, skipped", line=line)
            found.skipped.append(said)
        elif views is None:
            if views_cell:
                said = gettext(
                    "line %(line)d: “%(cell)s” is not a number of views, skipped",
                    line=line,
                    cell=views_cell[:40],
                )
            else:
                said = gettext(
                    "line %(line)d: no number is not a number of views, skipped", line=line
                )
            found.skipped.append(said)
        else:
            found.counts.append(ViewCount(line, video_id, views))
    return found


@dataclass
class ViewsReport:
    """What an import of view counts did."""

    updated: int = 0
    unchanged: int = 0
    unmatched: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return gettext(
            "%(updated)s updated, %(unchanged)s unchanged; %(unmatched)s matched no episode,"
            " %(skipped)s skipped",
            updated=_episodes(self.updated),
            unchanged=self.unchanged,
            unmatched=_rows(len(self.unmatched)),
            skipped=_rows(len(self.skipped)),
        )


def _episodes(count: int) -> str:
    return ngettext("%(count)s episode", "%(count)s episodes", count, count=f"{count:,}")


def _rows(count: int) -> str:
    return ngettext("%(count)s row", "%(count)s rows", count, count=f"{count:,}")


def episodes_by_video() -> dict[str, list[Episode]]:
    """Every episode (hidden ones too) under the video id of each of its YouTube links."""
    links = db.session.execute(
        select(EpisodeLink.episode_id, EpisodeLink.platform, EpisodeLink.url)
    )
    ids: dict[str, set[int]] = {}
    for episode_id, platform, url in links:
        if platform_key(platform) == "youtube" and (video := youtube_video_id(url)):
            ids.setdefault(video, set()).add(episode_id)
    wanted = {pk for found in ids.values() for pk in found}
    episodes = {e.id: e for e in db.session.scalars(select(Episode).where(Episode.id.in_(wanted)))}
    return {video: [episodes[pk] for pk in sorted(found)] for video, found in ids.items()}


def _write_counts(episode: Episode, values: dict[str, int | None]) -> None:
    """Write an episode's audience without moving its ``updated_at``: the invite and the feed
    entry of an episode stay as they are when its counts change (it is still a content change:
    the numbers pages show them)."""
    stamp = {"views_updated_at": clock.now(), "updated_at": Episode.updated_at}
    db.session.execute(
        update(Episode).where(Episode.id == episode.id).values(**values, **stamp),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(episode, [*values, "views_updated_at", "updated_at"])


def import_view_counts(
    found: ViewsFile, progress: Callable[[str], None] = lambda line: None, actor: Any = None
) -> ViewsReport:
    """Store the views of every episode a row of ``found`` names; a line per row to
    ``progress``. Side effects: the counts that differ are written (the content version moves
    with them), a ``views_imported`` audit entry; flushes. The caller commits."""
    report = ViewsReport(skipped=list(found.skipped))
    by_video = episodes_by_video()
    for row in found.counts:
        episodes = by_video.get(row.video_id, [])
        if not episodes:
            report.unmatched.append(
                gettext(
                    "line %(line)d: no episode links to video %(video)s",
                    line=row.line,
                    video=row.video_id,
                )
            )
            progress(report.unmatched[-1])
        for episode in episodes:
            before = episode.views
            if before == row.views:
                report.unchanged += 1
                progress(
                    gettext(
                        "line %(line)d: “%(title)s”, %(views)s views, unchanged",
                        line=row.line,
                        title=episode.title,
                        views=f"{row.views:,}",
                    )
                )
                continue
            _write_counts(episode, {"views": row.views})
            report.updated += 1
            if before is None:
                said = gettext(
                    "line %(line)d: “%(title)s”, %(views)s views",
                    line=row.line,
                    title=episode.title,
                    views=f"{row.views:,}",
                )
            else:
                said = gettext(
                    "line %(line)d: “%(title)s”, %(views)s views (was %(before)s)",
                    line=row.line,
                    title=episode.title,
                    views=f"{row.views:,}",
                    before=f"{before:,}",
                )
            progress(said)
    for line in found.skipped:
        progress(line)
    if report.updated:
        detail = {"summary": report.summary()}
        audit.record("views_imported", object_type="episode", actor=actor, detail=detail)
    db.session.flush()
    return report


def set_audience(
    episode: Episode, views: int | None, peak_live_viewers: int | None, actor: Any = None
) -> dict[str, list]:
    """Set an episode's views and peak of live viewers (None: unknown); returns ``{field: [old,
    new]}`` of what changed. Side effects when something changed: the counts written (not
    ``updated_at``), an ``episode.audience`` audit entry; flushes."""
    wanted = {"views": views, "peak_live_viewers": peak_live_viewers}
    changes = {k: [getattr(episode, k), v] for k, v in wanted.items() if getattr(episode, k) != v}
    if changes:
        _write_counts(episode, wanted)
        audit.record("episode.audience", episode, actor=actor, detail={"changed": changes})
        db.session.flush()
    return changes
