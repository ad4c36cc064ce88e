"""Read-side services for the public pages: what visitors may see, in a fixed number of queries.

Every function here reads visible episodes only, so the number of SQL statements never grows
with the number of episodes:

- pages and listings read plain rows (:class:`EpisodeSummary`): the episodes, then the guests
  and the links of all of them, in three statements made of the tables' columns;
- the calendar reads three ordered streams and merges them in Python (it has no upper bound);
- the Atom feed reads ORM episodes, whose collections come with ``selectin`` loading.
"""

import enum
import itertools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import (
    Column,
    ColumnElement,
    Row,
    Select,
    Table,
    and_,
    bindparam,
    false,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from openinfra_live.episodes import search as search_module
from openinfra_live.episodes.card_format import stored_card_format
from openinfra_live.episodes.models import Episode, EpisodeCount, EpisodeGuest, EpisodeLink
from openinfra_live.extensions import db
from openinfra_live.ptg.models import PtgEvent

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

# Platform keys as stored in ``EpisodeLink.platform`` are compared case-insensitively; these are
# the names shown for the known ones, anything else is shown as stored.
PLATFORM_LABELS = {
    "youtube": "YouTube",
    "linkedin": "LinkedIn",
    "facebook": "Facebook",
    "twitter": "Twitter",
    "twitch": "Twitch",
    "spotify": "Spotify",
    "applepodcasts": "Apple Podcasts",
    "podcast": "Podcast",
}

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com"}
_YOUTUBE_HOSTS |= {"www.youtube-nocookie.com", "music.youtube.com"}
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")


class NoSuchPage(LookupError):
    """A page number past the last page of a listing."""


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


def platform_key(platform: str) -> str:
    """``"YouTube"``, ``"youtube"`` and ``"You Tube"`` are one platform: ``"youtube"``."""
    return _NON_ALNUM.sub("", platform).lower()


def platform_label(platform: str) -> str:
    """The platform's display name."""
    return PLATFORM_LABELS.get(platform_key(platform), platform.strip() or "Link")


# The two forms nearly every stored link has, read without parsing the whole address; what
# these do not match goes through the parser, which gives the same answer for these forms.
_YOUTUBE_COMMON_FORMS = re.compile(
    r"https?://(?:(?:www\.|m\.)?youtube\.com/watch\?v=([A-Za-z0-9_-]{11})(?:&[^#]*)?"
    r"|youtu\.be/([A-Za-z0-9_-]{11})(?:\?[^#]*)?)"
)


def youtube_video_id(url: str) -> str | None:
    """The video id of a YouTube watch, short, live or embed address; None for anything else."""
    common = _YOUTUBE_COMMON_FORMS.fullmatch(url.strip())
    if common is not None:
        return common.group(1) or common.group(2)
    return _parsed_youtube_video_id(url)


def _parsed_youtube_video_id(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"}:
        return None
    host = (parts.hostname or "").lower()
    candidate = ""
    if host == "youtu.be":
        candidate = parts.path.lstrip("/").split("/")[0]
    elif host in _YOUTUBE_HOSTS:
        segments = [s for s in parts.path.split("/") if s]
        if segments[:1] == ["watch"]:
            candidate = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(segments) >= 2 and segments[0] in {"embed", "live", "shorts", "v"}:
            candidate = segments[1]
    return candidate if _YOUTUBE_ID.match(candidate) else None


@dataclass(frozen=True)
class Recording:
    """An episode's YouTube recording: where to watch it and where the embedded player is."""

    video_id: str
    watch_url: str

    @property
    def embed_url(self) -> str:
        return f"https://www.youtube-nocookie.com/embed/{self.video_id}"


def recording_of(episode: Episode) -> Recording | None:
    """The first YouTube link of the episode that names a video, if any."""
    for link in episode.links:
        if platform_key(link.platform) == "youtube":
            video_id = youtube_video_id(link.url)
            if video_id:
                return Recording(video_id=video_id, watch_url=link.url)
    return None


def visible_episodes() -> Select:
    """All visible episodes, unordered."""
    return select(Episode).where(Episode.hidden == false())


# Listings read plain rows with statements made of the table's columns: an ORM statement
# costs several times what SQLite takes to run these small queries, on every page.
_EPISODES = Episode.__table__
# ``hidden = false``, not ``hidden IS false``: the condition of the partial index of visible
# episodes' starts (uq_episodes_visible_start), which the databases use only for that form. A
# listing then reads that index newest first, without looking at each row to skip the hidden
# ones: page 150 of the archive costs 0.4 ms instead of 8 (SQLite, 10,000 episodes).
_VISIBLE = _EPISODES.c.hidden == false()
_NEWEST_FIRST = (_EPISODES.c.starts_at.desc(), _EPISODES.c.id.desc())


@dataclass(frozen=True)
class HomeListing:
    """What the home page shows: the featured episode, what follows it and what aired."""

    featured: "EpisodeSummary | None"
    upcoming: list["EpisodeSummary"]
    recent: list["EpisodeSummary"]


def home_listing(now: datetime) -> HomeListing:
    """The live or next episode, the upcoming ones after it and the recent past ones."""
    # Visible episodes never overlap, so only the latest started one can be live now.
    started = episode_summaries(_STARTED, parameters={"now": now})
    upcoming = episode_summaries(_COMING, parameters={"now": now})
    live = started[0] if started and state_of(started[0], now) is EpisodeState.LIVE else None
    recent = [episode for episode in started if episode is not live][:RECENT_LIMIT]
    if live is not None:
        return HomeListing(featured=live, upcoming=upcoming[:UPCOMING_LIMIT], recent=recent)
    featured = upcoming[0] if upcoming else None
    return HomeListing(featured=featured, upcoming=upcoming[1:], recent=recent)


_CURRENT_OR_NEXT_PTG = (
    select(PtgEvent)
    .where(PtgEvent.ends_on >= bindparam("today"))
    .order_by(PtgEvent.starts_on, PtgEvent.id)
    .limit(1)
)


def current_or_next_ptg(today: date) -> PtgEvent | None:
    """The PTG under way or the next one to come, in one query."""
    return db.session.scalars(_CURRENT_OR_NEXT_PTG, {"today": today}).first()


@dataclass(frozen=True)
class Page:
    """One page of a listing.

    ``exact`` is False when counting stopped at a cap: more than ``total`` items match, the
    number of pages is unknown, and ``more_after`` says whether a page follows this one.
    """

    items: list[Any]
    number: int
    per_page: int
    total: int
    exact: bool = True
    more_after: bool = False

    @property
    def pages(self) -> int:
        """The number of pages; when counting stopped, the pages known so far."""
        if not self.exact:
            return self.number + (1 if self.more_after else 0)
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.more_after if not self.exact else self.number < self.pages


class GuestName(NamedTuple):
    name: str
    affiliation: str


class WatchLink(NamedTuple):
    platform: str
    url: str


# Not frozen: a frozen dataclass is made through ``object.__setattr__``, field by field, which
# for a page of 50 costs a tenth of the page's queries. Nothing changes a summary once read.
@dataclass(slots=True)
class EpisodeSummary:
    """An episode as a listing shows it, read as plain rows: the ORM's bookkeeping for 50
    episodes and their guests and links costs more than the rest of the page.

    ``guests`` and ``links`` are None when the summary was read for its card alone (see
    :func:`episode_summaries`)."""

    id: int
    slug: str
    title: str
    description: str
    starts_at: datetime
    duration_minutes: int
    guests: tuple[GuestName, ...] | None
    links: tuple[WatchLink, ...] | None
    recap_url: str | None
    description_stamp: str
    # The stored card (episodes/cards.py).
    card_html: str
    card_format: str
    has_recording: bool

    @property
    def hidden(self) -> bool:
        """Always False: summaries are read of visible episodes only."""
        return False

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


# What listings and the calendar read of an episode; the calendar a little more, listings the
# stored card. In EpisodeSummary's order, without guests and links: episode_summaries unpacks
# rows by position.
_EPISODE_COLUMNS = (
    _EPISODES.c.id,
    _EPISODES.c.slug,
    _EPISODES.c.title,
    _EPISODES.c.description,
    _EPISODES.c.starts_at,
    _EPISODES.c.duration_minutes,
    _EPISODES.c.recap_url,
    _EPISODES.c.description_stamp,
)
SUMMARY_COLUMNS = (
    *_EPISODE_COLUMNS,
    _EPISODES.c.card_html,
    _EPISODES.c.card_format,
    _EPISODES.c.has_recording,
)
_CARD_FORMAT_AT = len(_EPISODE_COLUMNS) + 1  # card_html, then card_format


def summaries_query() -> Select:
    """Visible episodes as :func:`episode_summaries` reads them: add filters, order, limit."""
    return select(*SUMMARY_COLUMNS).where(_VISIBLE)


# Constants written into the statement rather than bound: a statement without parameters is
# planned once per PostgreSQL connection, where one with them was planned at every execution.
_ONE = literal_column("1")
# A listing's page statements, one per page size and first page or not, are kept up to this many.
_PAGE_STATEMENTS_KEPT = 16


class Listing:
    """The statements of a listing of visible episodes: ``query`` (a :func:`summaries_query`
    with its filters), pages of it newest first (:meth:`page`) and its count, each built when
    first used.

    The listings every visitor sees are built once, with the values that change given at
    execution: a statement built for a request costs SQLAlchemy more than SQLite takes to
    answer it (building it, then computing its cache key again).
    """

    def __init__(self, query: Select) -> None:
        self.query = query
        self._pages: dict[tuple[int, bool], Select] = {}

    def page(self, rows: int, offset: int) -> tuple[Select, dict[str, int]]:
        """The statement of ``rows`` episodes newest first after the first ``offset``, and the
        values of its parameters."""
        from_start = offset == 0
        statement = self._pages.get((rows, from_start))
        if statement is None:
            statement = self._page(rows, from_start)
            # Page sizes come from the configuration: a few at most.
            if len(self._pages) < _PAGE_STATEMENTS_KEPT:
                self._pages[rows, from_start] = statement
        return statement, ({} if from_start else {"page_offset": offset})

    def _page(self, rows: int, from_start: bool) -> Select:
        # The first page, which most visitors see, has no parameter of its own and its size is
        # written into the statement: PostgreSQL then plans it once per connection, where it
        # planned every execution anew (0.2 ms of a listing).
        statement = self.query.order_by(*_NEWEST_FIRST).limit(literal_column(str(int(rows))))
        if from_start:
            return statement
        # Visible episodes never share a start (uq_episodes_visible_start): a later page begins
        # at the start found ``page_offset`` entries down that index, read from the index
        # alone, rather than after ``page_offset`` whole rows read and thrown away (page 150 of
        # the archive cost PostgreSQL 7 ms that way).
        first_start = (
            self.query.with_only_columns(_EPISODES.c.starts_at)
            .order_by(_EPISODES.c.starts_at.desc())
            .limit(_ONE)
            .offset(bindparam("page_offset"))
            .scalar_subquery()
        )
        return statement.where(_EPISODES.c.starts_at <= first_start)

    @cached_property
    def count(self) -> Select:
        return self.query.with_only_columns(func.count()).order_by(None)


_ALL_VISIBLE = Listing(summaries_query())
_OF_YEAR = Listing(
    summaries_query().where(
        _EPISODES.c.starts_at >= bindparam("year_start"),
        _EPISODES.c.starts_at < bindparam("year_end"),
    )
)
_STARTED = (
    summaries_query()
    .where(_EPISODES.c.starts_at <= bindparam("now"))
    .order_by(_EPISODES.c.starts_at.desc())
    .limit(RECENT_LIMIT + 1)
)
_COMING = (
    summaries_query()
    .where(_EPISODES.c.starts_at > bindparam("now"))
    .order_by(_EPISODES.c.starts_at)
    .limit(UPCOMING_LIMIT + 1)
)


# Built once: constructing a statement costs more than SQLite takes to run these.
_GUESTS, _LINKS = EpisodeGuest.__table__, EpisodeLink.__table__


def _guests_and_links_where(chosen: Callable[[Column], ColumnElement[bool]]) -> Select:
    """Guests (kind 0: name, affiliation) and links (kind 1: platform, url) of the episodes
    ``chosen`` (given an ``episode_id`` column) selects, in one statement: a statement costs
    more to issue than SQLite takes to answer it."""
    return union_all(
        select(
            literal(0).label("kind"),
            _GUESTS.c.episode_id,
            _GUESTS.c.position,
            _GUESTS.c.id,
            _GUESTS.c.name.label("first"),
            _GUESTS.c.affiliation.label("second"),
        ).where(chosen(_GUESTS.c.episode_id)),
        select(
            literal(1),
            _LINKS.c.episode_id,
            _LINKS.c.position,
            _LINKS.c.id,
            _LINKS.c.platform,
            _LINKS.c.url,
        ).where(chosen(_LINKS.c.episode_id)),
    ).order_by("kind", "episode_id", "position", "id")


_GUESTS_AND_LINKS_OF = _guests_and_links_where(
    lambda column: column.in_(bindparam("ids", expanding=True))
)
# One episode (its page): an expanding IN list costs SQLAlchemy more than the query itself.
_GUESTS_AND_LINKS_OF_ONE = _guests_and_links_where(lambda column: column == bindparam("id"))


def episode_summaries(
    query: Select,
    cards_only: bool = False,
    session: Session | None = None,
    parameters: dict[str, Any] | None = None,
) -> list[EpisodeSummary]:
    """The episodes ``query`` (a :func:`summaries_query`, with its filters, order and limit)
    selects, with guests and links, in two statements. ``parameters``: values of the query's
    bound parameters.

    ``cards_only``: for a listing that prints the episodes' stored cards: only the episodes
    whose stored card is not of the current format (to render it again) get their guests and
    links, the others None.
    """
    session = session or db.session
    # Unpacked by position: reading 13 attributes of 50 rows by name costs more than the query.
    rows = session.execute(query, parameters).all()
    if cards_only:
        current = stored_card_format()
        ids = [row[0] for row in rows if row[_CARD_FORMAT_AT] != current]
    else:
        ids = [row[0] for row in rows]
    guests: dict[int, list[GuestName]] = {pk: [] for pk in ids}
    links: dict[int, list[WatchLink]] = {pk: [] for pk in ids}
    if ids:
        # ``all()``: one fetch of every row, rather than one call per row while iterating.
        if len(ids) == 1:
            related = session.execute(_GUESTS_AND_LINKS_OF_ONE, {"id": ids[0]})
        else:
            related = session.execute(_GUESTS_AND_LINKS_OF, {"ids": ids})
        for kind, pk, _, _, first, second in related.all():
            if kind == 0:
                guests[pk].append(GuestName(first, second or ""))
            else:
                links[pk].append(WatchLink(first, second))
    summaries = []
    for row in rows:
        pk, slug, title, description, starts_at, duration, recap_url, stamp, *card = row
        summaries.append(
            EpisodeSummary(
                pk,
                slug,
                title,
                description or "",
                starts_at,
                duration,
                tuple(guests[pk]) if pk in guests else None,
                tuple(links[pk]) if pk in links else None,
                recap_url,
                stamp,
                *card,
            )
        )
    return summaries


def paginate(
    listing: Listing,
    number: int,
    per_page: int,
    count_cap: int | None = None,
    among: ColumnElement[bool] | None = None,
    cards_only: bool = False,
    total: int | None = None,
    parameters: dict[str, Any] | None = None,
) -> Page:
    """Count, then read one page of ``listing`` newest first, as :class:`EpisodeSummary`
    items; past the last page raises :class:`NoSuchPage`. ``parameters``: values of the
    listing's own bound parameters.

    Page 1 of an empty listing exists (it says there is nothing); page 0 does not. With
    ``count_cap``, counting stops past that many items (the page is then not
    :attr:`Page.exact`). ``among``: a condition that holds for every item of ``listing`` and for
    fewer than ``count_cap`` rows in all (the search index's candidates); only with
    ``count_cap``. ``cards_only``: items read for their stored cards (see
    :func:`episode_summaries`). ``total``: how many items ``listing`` selects, when known
    otherwise than by counting them.
    """
    if number < 1:
        raise NoSuchPage(number)
    parameters = parameters or {}
    if count_cap is not None:
        return _capped_page(listing, number, per_page, count_cap, among, cards_only, parameters)
    if total is None:
        total = db.session.scalar(listing.count, parameters) or 0
    if number > 1 and (number - 1) * per_page >= total:
        raise NoSuchPage(number)
    items = _page_of(listing, number, per_page, per_page, cards_only, parameters) if total else []
    return Page(items=items, number=number, per_page=per_page, total=total)


def _page_of(
    listing: Listing,
    number: int,
    per_page: int,
    rows: int,
    cards_only: bool,
    parameters: dict[str, Any],
) -> list[EpisodeSummary]:
    """``rows`` episodes of ``listing``, newest first, from the start of page ``number``."""
    statement, page_parameters = listing.page(rows, (number - 1) * per_page)
    return episode_summaries(statement, cards_only, parameters={**parameters, **page_parameters})


def _capped_page(
    listing: Listing,
    number: int,
    per_page: int,
    count_cap: int,
    among: ColumnElement[bool] | None,
    cards_only: bool,
    parameters: dict[str, Any],
) -> Page:
    """A page of a search: one pass over the episodes, newest first, reads the ids of the
    first ``count_cap + 1`` matches, which give both the count and, on the pages within the
    cap, the page's episodes. A rare word is the costly search (every episode is read to find
    the few that match): it is read once, not once to count and again for the page, and with
    ``among`` (the search index's candidates) only those are read."""
    query = listing.query
    matching = query.with_only_columns(_EPISODES.c.id).order_by(*_NEWEST_FIRST)
    if among is not None:
        matching = matching.where(among)
    ids = db.session.scalars(matching.limit(count_cap + 1), parameters).all()
    exact = len(ids) <= count_cap
    start = (number - 1) * per_page
    if number > 1 and start >= len(ids) and exact:
        raise NoSuchPage(number)
    if start + per_page < len(ids) or exact:
        page_ids = ids[start : start + per_page]
        chosen = query.where(_EPISODES.c.id.in_(page_ids)).order_by(*_NEWEST_FIRST)
        items = episode_summaries(chosen, cards_only, parameters=parameters) if page_ids else []
        more_after = len(ids) > start + per_page
    else:
        # Past the ids read: one row more than the page says whether another page follows.
        items = _page_of(listing, number, per_page, per_page + 1, cards_only, parameters)
        if not items:
            raise NoSuchPage(number)
        more_after = len(items) > per_page
        items = items[:per_page]
    if exact:
        return Page(items=items, number=number, per_page=per_page, total=len(ids))
    return Page(
        items=items,
        number=number,
        per_page=per_page,
        total=count_cap,
        exact=False,
        more_after=more_after,
    )


def year_range(year: int) -> tuple[datetime, datetime]:
    """The first instant of ``year`` and of the next, in UTC."""
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


_VISIBLE_COUNT = select(EpisodeCount.__table__.c.visible).where(EpisodeCount.__table__.c.id == _ONE)


def visible_episode_count(kept: int | None = None) -> int:
    """How many episodes are visible: ``kept``, else the number the database keeps (migration
    0006), or, when its row is missing, a count of every visible episode."""
    if kept is None:
        kept = db.session.scalar(_VISIBLE_COUNT)
    if kept is None:
        kept = db.session.scalar(_ALL_VISIBLE.count)
    return kept


def _archive_listing(search: str, year: int | None) -> tuple[Listing, dict[str, Any]]:
    """Visible episodes matching ``search`` (trimmed by :func:`archive_page`) literally
    (titles, descriptions, guests; see ``episodes/search.py``) and ``year``, with the values
    of the listing's parameters."""
    parameters: dict[str, Any] = {}
    if year is not None:
        parameters["year_start"], parameters["year_end"] = year_range(year)
    base = _ALL_VISIBLE if year is None else _OF_YEAR
    if not search:
        return base, parameters
    return Listing(base.query.where(search_module.matches(search))), parameters


def archive_page(
    number: int,
    per_page: int,
    search: str = "",
    year: int | None = None,
    facts: "ArchiveFacts | None" = None,
) -> Page:
    """One page of the archive, newest first, as :class:`EpisodeSummary` items; a search
    counts up to :data:`SEARCH_COUNT_CAP` matches. ``facts``, when read already, spare a
    statement."""
    search = search.strip()[:SEARCH_MAX_LENGTH]
    if not search:
        kept = facts.visible if facts is not None else None
        total = visible_episode_count(kept) if year is None else None
        listing, parameters = _archive_listing("", year)
        return paginate(
            listing, number, per_page, cards_only=True, total=total, parameters=parameters
        )
    # As many as it takes to count every match up to the cap: fewer candidates hold all the
    # matches; more, and reading the newest episodes finds enough of them early.
    among = search_module.narrowing(search, SEARCH_COUNT_CAP + 1)
    listing, parameters = _archive_listing(search, year)
    return paginate(
        listing,
        number,
        per_page,
        count_cap=SEARCH_COUNT_CAP,
        among=among,
        cards_only=True,
        parameters=parameters,
    )


_VISIBLE_START = select(_EPISODES.c.starts_at).where(_VISIBLE).limit(_ONE)
_ARCHIVE_FACTS = select(
    _VISIBLE_COUNT.scalar_subquery(),
    _VISIBLE_START.order_by(_EPISODES.c.starts_at).scalar_subquery(),
    _VISIBLE_START.order_by(_EPISODES.c.starts_at.desc()).scalar_subquery(),
)


@dataclass(frozen=True)
class ArchiveFacts:
    """What every page of the archive shows of the whole archive."""

    # The number of visible episodes the database keeps; None when its row is missing.
    visible: int | None
    # The years from the latest visible episode back to the first, latest first.
    years: list[int]


def archive_facts() -> ArchiveFacts:
    """The archive's kept count and years, in one statement of three index lookups, whatever
    the size of the archive (a show that airs every week has no year without an episode; a
    year that has none shows an empty page). Years the filter refuses are left out."""
    visible, first, last = db.session.execute(_ARCHIVE_FACTS).one()
    if first is None or last is None:
        return ArchiveFacts(visible=visible, years=[])
    years = list(range(min(last.year, LAST_YEAR), max(first.year, FIRST_YEAR) - 1, -1))
    return ArchiveFacts(visible=visible, years=years)


_BY_SLUG = summaries_query().where(_EPISODES.c.slug == bindparam("slug"))


def visible_episode_summary(slug: str) -> EpisodeSummary | None:
    """What the episode page shows of the visible episode with this slug, as plain rows;
    None when unknown or hidden."""
    # The value given at execution, not bound into a copy of the statement with ``params()``:
    # a copy is a new statement whose cache key SQLAlchemy computes again, at every request.
    found = episode_summaries(_BY_SLUG, parameters={"slug": slug})
    return found[0] if found else None


CALENDAR_BATCH = 500


def calendar_rows(
    slug: str | None = None,
    episode_ids: Sequence[int] | None = None,
    session: Session | None = None,
) -> Iterator[tuple[Row, list[Row], list[Row]]]:
    """Every visible episode for the calendar subscription (or the one with ``slug``, for its
    invite; or the episodes of ``episode_ids``, hidden or not), oldest first, with its guests
    and links: ``(episode, guests, links)`` rows, read as three ordered streams and merged.

    Three statements however many episodes there are, and only a batch of rows in memory at a
    time: the feed of a large archive never holds the whole archive as ORM objects.
    """
    session = session or db.session
    order = (_EPISODES.c.starts_at, _EPISODES.c.id)
    if episode_ids is not None:
        chosen = _EPISODES.c.id.in_(list(episode_ids))
    elif slug is not None:
        chosen = and_(_VISIBLE, _EPISODES.c.slug == slug)
    else:
        chosen = _VISIBLE
    # Streamed in batches for the whole archive; a few rows are read at once (on PostgreSQL a
    # stream is a server-side cursor: three more round trips per statement).
    whole = slug is None and episode_ids is None
    streamed = {"yield_per": CALENDAR_BATCH} if whole else {}
    episodes = session.execute(
        select(
            *_EPISODE_COLUMNS,
            _EPISODES.c.sequence,
            _EPISODES.c.created_at,
            _EPISODES.c.updated_at,
        )
        .where(chosen)
        .order_by(*order)
        .execution_options(**streamed)
    )
    guest_columns = (_GUESTS.c.name, _GUESTS.c.affiliation)
    guests = _episodes_collection(session, _GUESTS, guest_columns, chosen, order, streamed)
    link_columns = (_LINKS.c.platform, _LINKS.c.url)
    links = _episodes_collection(session, _LINKS, link_columns, chosen, order, streamed)
    guest_groups = _grouped_by_episode(guests)
    link_groups = _grouped_by_episode(links)
    next_guests = next(guest_groups, None)
    next_links = next(link_groups, None)
    for episode in episodes:
        own_guests: list[Row] = []
        own_links: list[Row] = []
        if next_guests is not None and next_guests[0] == episode.id:
            own_guests = next_guests[1]
            next_guests = next(guest_groups, None)
        if next_links is not None and next_links[0] == episode.id:
            own_links = next_links[1]
            next_links = next(link_groups, None)
        yield episode, own_guests, own_links


def stored_calendar_events() -> Iterable[Row]:
    """Every visible episode's stored calendar event, oldest first, streamed: ``(id, slug,
    ics_event, ics_format)`` rows (see episodes/stored_events.py)."""
    return db.session.execute(
        select(_EPISODES.c.id, _EPISODES.c.slug, _EPISODES.c.ics_event, _EPISODES.c.ics_format)
        .where(_VISIBLE)
        .order_by(_EPISODES.c.starts_at, _EPISODES.c.id)
        .execution_options(yield_per=CALENDAR_BATCH)
    )


def _episodes_collection(
    session: Session,
    table: Table,
    columns: tuple,
    chosen: ColumnElement[bool],
    order: tuple,
    options: dict[str, Any],
) -> Iterable[Row]:
    """The guests or links (``table``) of the ``chosen`` episodes, in the episodes' ``order``,
    with ``options`` (streaming)."""
    return session.execute(
        select(table.c.episode_id, *columns)
        .join(_EPISODES, _EPISODES.c.id == table.c.episode_id)
        .where(chosen)
        .order_by(*order, table.c.position, table.c.id)
        .execution_options(**options)
    )


def _grouped_by_episode(rows: Iterable[Row]) -> Iterator[tuple[int, list[Row]]]:
    """Consecutive rows of the same ``episode_id`` as one group."""
    for episode_id, group in itertools.groupby(rows, key=lambda row: row.episode_id):
        yield episode_id, list(group)


def feed_episodes(limit: int = FEED_LIMIT) -> list[Episode]:
    """The latest visible episodes for the Atom feed, newest first."""
    return list(
        db.session.scalars(
            visible_episodes().order_by(Episode.starts_at.desc(), Episode.id.desc()).limit(limit)
        )
    )


def api_page(number: int, per_page: int) -> Page:
    """One page of the API's episode list, newest first, as :class:`EpisodeSummary` items."""
    return paginate(_ALL_VISIBLE, number, per_page)
