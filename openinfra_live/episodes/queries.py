"""Read-side services for the public pages: what visitors may see, in a fixed number of queries.

Every function here reads visible episodes only, as ORM episodes whose guests and links come
with ``selectin`` loading (one statement each for all the episodes read), so the number of SQL
statements of a page never grows with the number of episodes.
"""

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, Integer, Select, cast, extract, false, func, select

from openinfra_live.episodes import search as search_module
from openinfra_live.episodes.models import Episode
from openinfra_live.episodes.pagination import Page, paginate
from openinfra_live.episodes.recordings import platform_label
from openinfra_live.extensions import db
from openinfra_live.ptg.models import PtgEvent
from openinfra_live.urls import web_address

UPCOMING_LIMIT = 6
RECENT_LIMIT = 6
FEED_LIMIT = 50
SEARCH_MAX_LENGTH = 200
# A search counts its matches up to this many: past it, the page says "more than" and counting
# stops, rather than reading every episode of a large archive to count a common word.
SEARCH_COUNT_CAP = 500
# Years outside this range cannot hold an episode of the show; refusing them also keeps the
# date arithmetic of the filter away from datetime's limits.
FIRST_YEAR, LAST_YEAR = 1990, 2999


class EpisodeState(enum.StrEnum):
    UPCOMING = "upcoming"
    LIVE = "live"
    PAST = "past"


def state_of(episode: Episode, now: datetime) -> EpisodeState:
    """Upcoming before its start, live during its hour, past once it has ended."""
    if now < episode.starts_at:
        return EpisodeState.UPCOMING
    if now < episode.ends_at:
        return EpisodeState.LIVE
    return EpisodeState.PAST


def watch_links(episode: Episode) -> list[tuple[str, str]]:
    """Where to watch or hear the episode, as (platform name, web address): the first stored
    link of each platform, in order; a link that is not a web address is left out."""
    links: dict[str, str] = {}
    for link in episode.links:
        if href := web_address(link.url):
            links.setdefault(platform_label(link.platform), href)
    return list(links.items())


def visible_episodes() -> Select:
    """All visible episodes, unordered. ``hidden = false`` rather than ``IS false``: the
    condition of the partial index of visible starts, which the databases use only in that
    form."""
    return select(Episode).where(Episode.hidden == false())


def newest_first(query: Select) -> Select:
    return query.order_by(Episode.starts_at.desc(), Episode.id.desc())


@dataclass(frozen=True)
class HomeListing:
    """What the home page shows: the featured episode, what follows it and what aired."""

    featured: Episode | None
    upcoming: list[Episode]
    recent: list[Episode]


def home_listing(now: datetime) -> HomeListing:
    """The live or next episode, the upcoming ones after it and the recent past ones."""
    started = list(
        db.session.scalars(
            newest_first(visible_episodes().where(Episode.starts_at <= now)).limit(RECENT_LIMIT + 1)
        )
    )
    upcoming = list(
        db.session.scalars(
            visible_episodes()
            .where(Episode.starts_at > now)
            .order_by(Episode.starts_at)
            .limit(UPCOMING_LIMIT + 1)
        )
    )
    # Visible episodes never overlap, so only the latest started one can be live now.
    live = started[0] if started and state_of(started[0], now) is EpisodeState.LIVE else None
    recent = [episode for episode in started if episode is not live][:RECENT_LIMIT]
    if live is not None:
        return HomeListing(featured=live, upcoming=upcoming[:UPCOMING_LIMIT], recent=recent)
    featured = upcoming[0] if upcoming else None
    return HomeListing(featured=featured, upcoming=upcoming[1:], recent=recent)


def current_or_next_ptg(today: date) -> PtgEvent | None:
    """The PTG under way or the next one to come, in one query."""
    query = (
        select(PtgEvent)
        .where(PtgEvent.ends_on >= today)
        .order_by(PtgEvent.starts_on, PtgEvent.id)
        .limit(1)
    )
    return db.session.scalars(query).first()


def _new_year(year: ColumnElement) -> ColumnElement:
    """The first moment of ``year`` as the column stores it (naive UTC)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.printf("%04d-01-01 00:00:00.000000", year)
    return func.make_timestamp(cast(year, Integer), 1, 1, 0, 0, 0)


def archive_years() -> list[int]:
    """The years that hold a visible episode, latest first, in one statement; years the filter
    refuses are left out. A loose index scan: the first start, then the first start of each
    following year, one index lookup a year rather than a read of every episode."""
    visible = Episode.hidden == false()
    years = select(func.min(Episode.starts_at).label("start")).where(visible)
    years = years.cte("years", recursive=True)
    after = _new_year(extract("year", years.c.start) + 1)
    following = select(func.min(Episode.starts_at)).where(visible, Episode.starts_at >= after)
    # Past the last year the filter takes, the next year's start could not be written (10000).
    more = years.c.start < datetime(LAST_YEAR, 1, 1, tzinfo=UTC)
    years = years.union_all(select(following.scalar_subquery()).where(more))
    found = db.session.scalars(select(years.c.start).where(years.c.start.is_not(None)))
    return [start.year for start in reversed(list(found)) if FIRST_YEAR <= start.year <= LAST_YEAR]


def archive_page(number: int, per_page: int, search: str = "", year: int | None = None) -> Page:
    """One page of the archive, newest first, matching ``search`` literally (titles,
    descriptions, guests; see ``episodes/search.py``) and ``year``; a search counts up to
    :data:`SEARCH_COUNT_CAP` matches."""
    query = visible_episodes()
    if year is not None:
        first, after = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
        query = query.where(Episode.starts_at >= first, Episode.starts_at < after)
    search = search.strip()[:SEARCH_MAX_LENGTH]
    if not search:
        return paginate(newest_first(query), number, per_page)
    query = query.where(search_module.matches(search))
    # The trigram index's candidates, when they are fewer than the matches counted: the
    # database then reads those only, rather than every episode, for a rare word.
    among = search_module.narrowing(search, SEARCH_COUNT_CAP + 1)
    if among is not None:
        query = query.where(among)
    return paginate(newest_first(query), number, per_page, count_cap=SEARCH_COUNT_CAP)


def visible_episode(slug: str) -> Episode | None:
    """The visible episode with this slug, with its guests and links; None when unknown or
    hidden."""
    return db.session.scalars(visible_episodes().where(Episode.slug == slug)).first()


def feed_episodes(limit: int = FEED_LIMIT) -> list[Episode]:
    """The latest visible episodes for the Atom feed, newest first."""
    return list(db.session.scalars(newest_first(visible_episodes()).limit(limit)))


def api_page(number: int, per_page: int) -> Page:
    """One page of the API's episode list, newest first."""
    return paginate(newest_first(visible_episodes()), number, per_page)
