"""Export of the episodes in the content file format that ``content_file`` reads.

The document is Markdown front matter: ``templateKey: openinfra-live`` and ``episodes:``, newest
first, each entry in the content file's field names. ``youtubeEmbed`` is derived from the
YouTube link; guests are written ``Name (Affiliation), …``. ``slug`` and ``duration`` keep each
episode's address and length. When the ``…Link`` fields cannot hold the links as they are (a
platform named otherwise than its field, two links of one platform), a ``links`` list of
``platform``/``url`` pairs gives all of them in order, and the ``…Link`` fields stay for the
readers that know only those. Importing the export of a database changes nothing in that
database, and importing it into an empty one gives back the same episodes.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import yaml

from openinfra_live.episodes.content_file import LINK_SUFFIX
from openinfra_live.episodes.guests import format_speakers
from openinfra_live.episodes.models import Episode, EpisodeSegment
from openinfra_live.episodes.recordings import platform_key, youtube_video_id
from openinfra_live.extensions import db

TEMPLATE_KEY = "openinfra-live"


class _Timestamp(str):
    """A date written as a bare YAML timestamp, like the content file has them."""


class _ContentDumper(yaml.SafeDumper):  # the C dumper cannot override increase_indent
    """Indents list items under their key, as the content file does."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


_ContentDumper.add_representer(
    _Timestamp,
    lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:timestamp", str(value)),
)


def format_date(value: datetime) -> str:
    """``2021-07-22T14:00:00.000Z``, the content file's date format."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def format_start(value: datetime) -> str:
    """An episode's ``date``: ``format_date``, but a start at midnight UTC keeps ``+00:00``,
    which tells the importer it is a time and not a date without one."""
    text = format_date(value)
    return text.replace("Z", "+00:00") if text.endswith("T00:00:00.000Z") else text


def link_field(platform: str) -> str:
    """The content file field of a platform: ``youtube`` → ``youtubeLink``."""
    return (platform_key(platform) or "other") + LINK_SUFFIX


def episode_entry(episode: Episode) -> dict[str, Any]:
    """One episode as a content file entry, every link included."""
    entry: dict[str, Any] = {
        "hidden": bool(episode.hidden),
        "date": _Timestamp(format_start(episode.starts_at)),
        "episodeTitle": episode.title,
        "slug": episode.slug,
    }
    if not episode.segments:  # a special spans its segments
        entry["duration"] = episode.duration_minutes
    if episode.description:
        entry["episodeDescription"] = episode.description
    if episode.guests:
        entry["episodeSpeakers"] = format_speakers(episode.guest_pairs)
    youtube_embed = None
    faithful = True
    for link in episode.links:
        name = link_field(link.platform)
        faithful = faithful and link.platform == platform_key(link.platform) != ""
        if name in entry:
            faithful = False
            continue
        entry[name] = link.url
        if link.platform == "youtube" and youtube_embed is None:
            video_id = youtube_video_id(link.url)
            if video_id:
                youtube_embed = f"https://www.youtube.com/embed/{video_id}"
    if youtube_embed:
        entry["youtubeEmbed"] = youtube_embed
    if not faithful:
        entry["links"] = [{"platform": p, "url": url} for p, url in episode.link_pairs]
    if episode.recap_url:
        entry["superuserRecap"] = episode.recap_url
    if episode.special:
        entry["segments"] = [segment_entry(segment) for segment in episode.segments]
    return entry


def segment_entry(segment: EpisodeSegment) -> dict[str, Any]:
    """One segment of a special as the content file's ``segments`` has it."""
    entry: dict[str, Any] = {
        "title": segment.title,
        "date": _Timestamp(format_start(segment.starts_at)),
        "duration": segment.duration_minutes,
        "speakers": format_speakers(segment.speaker_pairs),
    }
    if segment.recording_url:
        entry["recording"] = segment.recording_url
    return entry


def dump_episodes(episodes: Iterable[Episode]) -> str:
    """The content file (front matter only) for ``episodes``, in the order given."""
    document = {
        "templateKey": TEMPLATE_KEY,
        "episodes": [episode_entry(episode) for episode in episodes],
    }
    body = yaml.dump(
        document,
        Dumper=_ContentDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=80,
    )
    return f"---\n{body}---\n"


def episodes_for_export() -> list[Episode]:
    """Every episode, hidden ones included, newest first; episodes that start together in the
    order of their slugs, which an import keeps, so the export of an import is the same file."""
    query = db.select(Episode).order_by(Episode.starts_at.desc(), Episode.slug)
    return list(db.session.scalars(query))
