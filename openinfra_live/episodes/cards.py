"""Episode cards: what a listing shows of each episode, worked out in Python.

A listing of 50 episodes used to call four template macros per episode (time, state, speakers,
card); each call costs more than the Python that computes the same strings. Cards are built
here once, and the card template only prints them.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for

from openinfra_live import preferences, sanitize, templating
from openinfra_live.episodes import queries

EXCERPT_LENGTH = 240


def excerpt(html: str | None, length: int = EXCERPT_LENGTH) -> str:
    """Plain text of a stored description, cut at a word boundary."""
    text = sanitize.to_plain_text(html)
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


@dataclass(frozen=True)
class EpisodeCard:
    """One episode in a listing, every string ready to print."""

    url: str
    title: str
    when_iso: str
    when_utc: str
    # The visitor's chosen zone and the start in it; empty when no zone was chosen.
    local_zone: str
    when_local: str
    # "live", "upcoming", "recording" (aired, with a recording) or "".
    badge: str
    speakers: Sequence[Any]
    summary: str


def slug_url_maker(
    endpoint: str = "episodes.detail", external: bool = False
) -> Callable[[str], str]:
    """A function from slug to the address of ``endpoint``, for pages that list many episodes:
    ``url_for`` runs once, and slugs made of unreserved characters (all the site makes) are
    put in place; anything else goes through ``url_for``, which quotes it."""
    marker = "slug-marker"
    before, after = url_for(endpoint, slug=marker, _external=external).split(marker)

    def address(slug: str) -> str:
        if _UNRESERVED.fullmatch(slug):
            return before + slug + after
        return url_for(endpoint, slug=slug, _external=external)

    return address


_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]+")


def badge_of(episode: Any, now: datetime) -> str:
    """The badge a listing shows: live, upcoming, or that a recording exists."""
    state = queries.state_of(episode, now)
    if state is not queries.EpisodeState.PAST:
        return state.value
    return "recording" if queries.recording_of(episode) else ""


def episode_cards(
    episodes: Iterable[Any], now: datetime, excerpt_length: int = EXCERPT_LENGTH
) -> list[EpisodeCard]:
    """Cards of ``episodes`` (ORM episodes or :class:`queries.EpisodeSummary`), in order."""
    zone = preferences.visitor_zone()
    address = slug_url_maker()
    return [
        EpisodeCard(
            url=address(episode.slug),
            title=episode.title,
            when_iso=templating.iso_utc(episode.starts_at),
            when_utc=templating.human_utc(episode.starts_at),
            local_zone=zone.key if zone is not None else "",
            when_local=(
                preferences.local_time_label(episode.starts_at, zone) if zone is not None else ""
            ),
            badge=badge_of(episode, now),
            speakers=episode.guests,
            summary=excerpt(episode.description, excerpt_length),
        )
        for episode in episodes
    ]
