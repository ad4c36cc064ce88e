"""Episode cards: what a listing shows of each episode.

A card is rendered when its episode is written (:func:`keep_cards_current`, or
:func:`refresh_cards` after bulk inserts) and kept with it (``Episode.card_html``): a listing
then prints 50 stored cards instead of rendering 50 cards, which cost more than the rest of the
page. What depends on the page or on the visitor is a *slot* in the stored card, a marker that
:func:`listing_html` replaces: the heading level, the site's mount point, the visitor's zone
and the badge of the moment (live, upcoming, recording), which changes with the clock.

A stored card says which format it was rendered in (``Episode.card_format``, see
episodes/card_format.py). A card of another format (the site was upgraded) is rendered again
when listed, until the next ``flask db upgrade`` stores it again (migrations/env.py calls
:func:`refresh_cards`).
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, request, url_for
from markupsafe import Markup, escape
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from openinfra_live import preferences, sanitize
from openinfra_live.episodes import queries
from openinfra_live.episodes.bulk import BATCH, derived_columns_update, touched_episodes
from openinfra_live.episodes.card_format import CARD_TEMPLATE, stored_card_format
from openinfra_live.episodes.models import Episode, EpisodeGuest, EpisodeLink
from openinfra_live.extensions import db
from openinfra_live.templating import rendered_html

EXCERPT_LENGTH = 240
TIME_TEMPLATE = "_macros/time.html"


def excerpt(html: str | None, length: int = EXCERPT_LENGTH) -> str:
    """Plain text of a stored description, cut at a word boundary."""
    text = sanitize.to_plain_text(html)
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


@dataclass(frozen=True)
class Slots:
    """The markers a stored card holds where a listing puts what depends on it. Markup
    comments: a card's text is escaped, so no title or description can make one."""

    level: Markup = rendered_html("<!--level-->")
    root: Markup = rendered_html("<!--root-->")
    browser_local_time: Markup = rendered_html("<!--browser-local-time-->")
    local_time: Markup = rendered_html("<!--local-time-->")
    badge: Markup = rendered_html("<!--badge-->")


SLOTS = Slots()


@dataclass(frozen=True)
class StoredCard:
    """What an episode keeps of its card."""

    html: str
    format: str
    has_recording: bool


def _card_macros() -> Any:
    return current_app.jinja_env.get_template(CARD_TEMPLATE).module


def _time_macros() -> Any:
    return current_app.jinja_env.get_template(TIME_TEMPLATE).module


def render_card(episode: Any) -> StoredCard:
    """The card of ``episode`` (an ORM episode or a :class:`queries.EpisodeSummary` read with
    its guests and links), slots unfilled."""
    path = current_app.url_map.bind("localhost").build("episodes.detail", {"slug": episode.slug})
    html = _card_macros().card(episode, path, excerpt(episode.description), SLOTS)
    return StoredCard(
        html=str(html),
        format=stored_card_format(),
        has_recording=queries.recording_of(episode) is not None,
    )


def badge_of(episode: Any, has_recording: bool, now: datetime) -> str:
    """The badge an episode shows: live, upcoming, or that a recording exists."""
    state = queries.state_of(episode, now)
    if state is not queries.EpisodeState.PAST:
        return state.value
    return "recording" if has_recording else ""


def badge_of_episode(episode: Any, now: datetime) -> str:
    """:func:`badge_of` an episode read with its links (the episode page, the featured one)."""
    return badge_of(episode, queries.recording_of(episode) is not None, now)


def listing_html(episodes: Iterable[queries.EpisodeSummary], now: datetime, level: int) -> Markup:
    """The cards of ``episodes``, in order, their headings at ``level``, for this visitor."""
    times = _time_macros()
    badges = _badges()
    zone = preferences.visitor_zone()
    current = stored_card_format()
    fixed = (
        (SLOTS.level, str(level)),
        (SLOTS.root, str(escape(request.script_root))),
        (SLOTS.browser_local_time, "" if zone is not None else " data-local-time"),
    )
    printed = []
    for episode in episodes:
        if episode.card_format == current:
            html, has_recording = episode.card_html, episode.has_recording
        else:
            stored = render_card(episode)
            html, has_recording = stored.html, stored.has_recording
        for slot, value in fixed:
            html = html.replace(slot, value)
        local = ""
        if zone is not None:
            label = preferences.local_time_label(episode.starts_at, zone)
            local = str(times.local_time_span(zone.key, label))
        html = html.replace(SLOTS.local_time, local)
        badge = badges[badge_of(episode, has_recording, now)]
        printed.append("\n  " + html.replace(SLOTS.badge, badge))
    return rendered_html("".join(printed))


def _badges() -> dict[str, str]:
    """Each badge's markup, rendered once per site."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("card_badges")
    if found is None:
        badge = _card_macros().badge
        kinds = ("", *(state.value for state in queries.EpisodeState), "recording")
        found = app.extensions["card_badges"] = {kind: str(badge(kind)) for kind in kinds}
    return found


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


def _store(episode: Episode) -> None:
    card = render_card(episode)
    if episode.card_html != card.html:
        episode.card_html = card.html
    if episode.card_format != card.format:
        episode.card_format = card.format
    if episode.has_recording != card.has_recording:
        episode.has_recording = card.has_recording


@event.listens_for(Session, "before_flush")
def keep_cards_current(session: Session, flush_context: object, instances: object) -> None:
    """Episodes added or changed, and episodes whose guests or links were, get their card
    again."""
    with session.no_autoflush:
        for episode in touched_episodes(session, EpisodeGuest, EpisodeLink):
            _store(episode)


_EPISODES = Episode.__table__
_ANY_EPISODE = select(*queries.SUMMARY_COLUMNS)


def refresh_cards(session: Session | None = None) -> int:
    """Render and store again every card not of the current format, a batch at a time (after
    bulk inserts, restores, upgrades); returns how many."""
    session = session or db.session
    current = stored_card_format()
    changed = 0
    last_id = 0
    while True:
        episodes = queries.episode_summaries(
            _ANY_EPISODE.where(_EPISODES.c.card_format != current, _EPISODES.c.id > last_id)
            .order_by(_EPISODES.c.id)
            .limit(BATCH),
            session=session,
        )
        if not episodes:
            return changed
        rows = []
        for episode in episodes:
            card = render_card(episode)
            rows.append(
                {
                    "episode_id": episode.id,
                    "card_html": card.html,
                    "card_format": card.format,
                    "has_recording": card.has_recording,
                }
            )
        # Through the session, so that the content version moves (cached pages go).
        session.execute(
            derived_columns_update(
                card_html=bindparam("card_html"),
                card_format=bindparam("card_format"),
                has_recording=bindparam("has_recording"),
            ),
            rows,
        )
        changed += len(rows)
        last_id = episodes[-1].id
