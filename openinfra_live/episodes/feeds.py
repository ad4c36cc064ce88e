"""The Atom feed (built with feedgen) and the API's JSON form of an episode."""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from feedgen.feed import FeedGenerator
from flask_babel import gettext, lazy_gettext
from markupsafe import escape

from openinfra_live import i18n, sanitize
from openinfra_live.episodes.exporter import format_date, link_field
from openinfra_live.episodes.guests import format_speakers
from openinfra_live.episodes.models import Episode, EpisodeSegment
from openinfra_live.episodes.specials import special_summary
from openinfra_live.timezones import human_utc, human_utc_range

FEED_TITLE = lazy_gettext("OpenInfra Live episodes")
# The feed's ``updated`` when there is no episode yet: a fixed instant keeps the output stable.
EMPTY_FEED_UPDATED = datetime(2020, 1, 1, tzinfo=UTC)


def atom_feed(
    episodes: Iterable[Episode],
    *,
    domain: str,
    feed_url: str,
    site_url: str,
    page_url_of: Callable[[str], str],
    site_name: str,
) -> bytes:
    """The Atom document for ``episodes`` (newest first); ``page_url_of`` maps a slug to the
    episode's page."""
    episodes = list(episodes)
    feed = FeedGenerator()
    feed.id(f"tag:{domain},2020:episodes")
    feed.title(str(FEED_TITLE))
    feed.subtitle(
        gettext("The weekly show about open infrastructure, live on Thursdays at 14:00 UTC")
    )
    feed.author({"name": site_name})
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.link(href=site_url, rel="alternate", type="text/html")
    feed.language(i18n.html_lang())
    feed.updated(max((e.updated_at for e in episodes), default=EMPTY_FEED_UPDATED))
    for episode in episodes:
        # feedgen prepends by default; append keeps the newest-first order given.
        entry = feed.add_entry(order="append")
        entry.id(f"tag:{domain},2020:episode-{episode.id}")  # survives a new title or slug
        entry.title(episode.title)
        entry.link(href=page_url_of(episode.slug), rel="alternate", type="text/html")
        entry.published(episode.created_at)
        entry.updated(episode.updated_at)
        when = human_utc(episode.starts_at)
        if episode.special and episode.segments:
            when = gettext(
                "%(start)s to %(end)s (%(summary)s)",
                start=when,
                end=human_utc(episode.ends_at),
                summary=special_summary(episode),
            )
        summary = sanitize.to_plain_text(episode.description)
        entry.summary(f"{when}. {summary}".strip())
        # Cleaned when written; cleaned again, as the pages do, whatever wrote the row.
        content = str(sanitize.clean_html(episode.description)) + run_of_show_html(episode)
        entry.content(content or when, type="html")
        for name in dict.fromkeys(name for name, _ in all_speakers(episode)):
            entry.contributor({"name": name})
    return feed.atom_str(pretty=True)


def all_speakers(episode: Episode) -> list[tuple[str, str]]:
    """The guests of an episode, then those of its segments."""
    pairs = list(episode.guest_pairs)
    for segment in episode.segments:
        pairs.extend(segment.speaker_pairs)
    return pairs


def run_of_show_html(episode: Episode) -> str:
    """A special's segments as an HTML list for the feed (escaped, as the feed's content)."""
    if not episode.segments:
        return ""
    items = []
    for segment in episode.segments:
        when = human_utc_range(segment.starts_at, segment.ends_at)
        text = f"{when}: {segment.title}"
        if segment.speakers:
            text = gettext(
                "%(when)s: %(title)s (with %(speakers)s)",
                when=when,
                title=segment.title,
                speakers=format_speakers(segment.speaker_pairs),
            )
        items.append(f"<li>{escape(text)}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def segment_json(segment: EpisodeSegment) -> dict[str, Any]:
    """A segment in the content file's field names."""
    return {
        "title": segment.title,
        "date": format_date(segment.starts_at),
        "duration": segment.duration_minutes,
        "speakers": format_speakers(segment.speaker_pairs),
        "recording": segment.recording_url,
    }


def episode_json(episode: Episode, url: str) -> dict[str, Any]:
    """An episode in the content file's field names, plus ``slug``, ``url`` and ``links``."""
    data: dict[str, Any] = {
        "slug": episode.slug,
        "url": url,
        "episodeTitle": episode.title,
        "episodeDescription": episode.description,
        "date": format_date(episode.starts_at),
        "durationMinutes": episode.duration_minutes,
        "episodeSpeakers": format_speakers(episode.guest_pairs),
        "hidden": episode.hidden,
        "youtubeLink": None,
        "linkedinLink": None,
        "facebookLink": None,
        "superuserRecap": episode.recap_url,
    }
    for link in episode.links:
        field = link_field(link.platform)
        # The first link of a platform is its field; all of them are in ``links``.
        if data.get(field) is None:
            data[field] = link.url
    data["links"] = [{"platform": link.platform, "url": link.url} for link in episode.links]
    data["special"] = bool(episode.special)
    data["segments"] = [segment_json(segment) for segment in episode.segments]
    return data
