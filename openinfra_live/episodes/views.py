"""Public pages of the show: home, archive, episode pages, invites, feeds and the API.

Every page here is answered from the response cache when it can be (``caching``), and
its validators come from the content version: a repeat visit costs no
query and no rendering, and a browser's revalidation no rendering either.
"""

import re
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)

from openinfra_live import caching, cards, clock, sanitize
from openinfra_live.episodes import calendar, feeds, queries, specials
from openinfra_live.episodes.cards import episode_card
from openinfra_live.episodes.pagination import NoSuchPage, Page
from openinfra_live.episodes.recordings import recording_of
from openinfra_live.ptg.models import FORMATS as PTG_FORMATS
from openinfra_live.urls import site_domain, web_address

bp = Blueprint("episodes", __name__)

_PAGE_NUMBER = re.compile(r"^[0-9]{1,9}$")
_YEAR = re.compile(r"^[0-9]{4}$")


class BadQuery(ValueError):
    """A query-string value that cannot mean anything (``?page=abc``)."""


def page_number_arg() -> int:
    """``?page=N``: 1 when absent; anything but a positive decimal number is a :class:`BadQuery`."""
    raw = request.args.get("page")
    if raw is None or raw == "":
        return 1
    if not _PAGE_NUMBER.match(raw) or int(raw) < 1:
        raise BadQuery("page")
    return int(raw)


def year_arg() -> int | None:
    """``?year=YYYY``: None when absent or empty; other values are a :class:`BadQuery`."""
    raw = request.args.get("year", "").strip()
    if not raw:
        return None
    if not _YEAR.match(raw) or not queries.FIRST_YEAR <= int(raw) <= queries.LAST_YEAR:
        raise BadQuery("year")
    return int(raw)


def calendar_domain() -> str:
    """The domain in calendar UIDs and feed ids: ``SITE_URL``'s, never the request's host."""
    return site_domain()


def episode_address(slug: str) -> str:
    """The absolute address of the episode's page, for the feeds, invites and the API."""
    return url_for("episodes.detail", slug=slug, _external=True)


def webcal_url(endpoint: str, **values: str) -> str:
    """The ``webcal://`` form of a calendar address, which calendar apps subscribe to."""
    url = url_for(endpoint, _external=True, **values)
    return "webcal://" + url.split("://", 1)[1]


EXCERPT_LENGTH = 240


@bp.app_template_filter("excerpt")
def excerpt(html: str | None, length: int = EXCERPT_LENGTH) -> str:
    """Plain text of a stored description, cut at a word boundary."""
    text = sanitize.to_plain_text(html)
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


@bp.app_template_global("episode_badge")
def episode_badge(episode: Any, now: datetime) -> str:
    """The badge an episode shows: live, upcoming, or that a recording exists."""
    state = queries.state_of(episode, now)
    if state is not queries.EpisodeState.PAST:
        return state.value
    return "recording" if recording_of(episode) is not None else ""


# Stored links pass the check of typed links again before they become an href: whatever wrote
# the row, a link never runs script.
bp.add_app_template_filter(web_address, "http_url")


# Globals rather than context variables, so that imported macros see them too.
bp.add_app_template_global(queries.state_of, "episode_state")
bp.add_app_template_global(queries.watch_links, "watch_links")
bp.add_app_template_global(cards.share_meta, "share_meta")
# A special's run of the show, its size and the segment on air now and next.
bp.add_app_template_global(specials.segment_days, "segment_days")
bp.add_app_template_global(specials.special_summary, "special_summary")
bp.add_app_template_global(specials.now_and_next, "segment_now_and_next")


@bp.get("/")
@caching.page
def index():
    """The home page: the next episode first, upcoming and recent ones, calls to action."""
    now = clock.now()

    def build() -> str:
        return render_template(
            "episodes/index.html",
            listing=queries.home_listing(now),
            now=now,
            ptg_event=queries.current_or_next_ptg(now.date()),
            ptg_formats=PTG_FORMATS,
        )

    return caching.respond(caching.page_validators(now), build, private=True)


@bp.get("/episodes/")
@caching.page
def archive():
    """Every visible episode, newest first, with search, a year filter and pages."""
    try:
        number = page_number_arg()
        year = year_arg()
    except BadQuery:
        abort(404)
    search = request.args.get("q", "").strip()[: queries.SEARCH_MAX_LENGTH]
    now = clock.now()

    def build() -> str:
        per_page = current_app.config["EPISODES_PER_PAGE"]
        try:
            page = queries.archive_page(number, per_page, search=search, year=year)
        except NoSuchPage:
            abort(404)
        return render_template(
            "episodes/archive.html",
            page=page,
            search=search,
            year=year,
            years=queries.archive_years(),
            now=now,
        )

    return caching.respond(caching.page_validators(now), build, private=True)


@bp.get("/episodes/<slug>/")
@caching.page
def detail(slug: str):
    """One episode: when, who, what, the recording and links, and invites."""
    now = clock.now()

    def build() -> str:
        episode = queries.visible_episode(slug)
        if episode is None:
            abort(404)
        return render_template(
            "episodes/detail.html",
            episode=episode,
            now=now,
            state=queries.state_of(episode, now),
            recording=recording_of(episode),
            invite_url=url_for("episodes.invite", slug=episode.slug),
            webcal_feed=webcal_url("episodes.calendar_feed"),
        )

    return caching.respond(caching.page_validators(now), build, private=True)


@bp.get("/episodes/<slug>/card.png")
@caching.data
def card(slug: str):
    """The episode's share card, the image its page names in ``og:image``."""
    episode = queries.visible_episode(slug)
    if episode is None:
        abort(404)
    return cards.png(episode_card(episode))


@bp.get("/card.png")
@caching.data
def site_card():
    """The site's share card, for pages without one of their own."""
    return cards.png(cards.site_card())


def _calendar_response(body: bytes, disposition: str) -> Response:
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = disposition
    return response


@bp.get("/episodes/<slug>.ics")
@caching.data
def invite(slug: str):
    """The calendar invite of one episode."""

    def build() -> Response:
        episode = queries.visible_episode(slug)
        if episode is None:
            abort(404)
        body = calendar.episode_invite(episode, episode_address(slug), calendar_domain())
        filename = calendar.ics_filename(slug)
        return _calendar_response(body, f'attachment; filename="{filename}"')

    return caching.respond(caching.data_validators(), build)


@bp.get("/calendar.ics")
@caching.data
def calendar_feed():
    """The subscription calendar: upcoming episodes and those of the last
    ``CALENDAR_PAST_DAYS`` days."""

    def build() -> Response:
        past_days = current_app.config["CALENDAR_PAST_DAYS"]
        episodes = calendar.calendar_episodes(clock.now(), past_days)
        body = calendar.episodes_feed(episodes, episode_address, calendar_domain())
        return _calendar_response(body, 'inline; filename="openinfra-live.ics"')

    return caching.respond(caching.data_validators(), build)


@bp.get("/feed.xml")
@caching.data
def atom_feed():
    """The Atom feed of the latest episodes."""

    def build() -> Response:
        body = feeds.atom_feed(
            queries.feed_episodes(),
            domain=calendar_domain(),
            feed_url=url_for("episodes.atom_feed", _external=True),
            site_url=url_for("episodes.archive", _external=True),
            page_url_of=episode_address,
            site_name=current_app.config["SITE_NAME"],
        )
        return Response(body, content_type="application/atom+xml; charset=utf-8")

    return caching.respond(caching.data_validators(), build)


def _api_link_header(page: Page) -> str:
    links = []
    if page.has_next:
        links.append((page.number + 1, "next"))
    if page.has_previous:
        links.append((page.number - 1, "prev"))
    links += [(1, "first"), (page.pages, "last")]
    return ", ".join(
        f'<{url_for("episodes.api_episodes", page=n, _external=True)}>; rel="{rel}"'
        for n, rel in links
    )


@bp.get("/api/episodes")
@caching.data
def api_episodes():
    """Visible episodes as JSON, newest first, a page at a time with a ``Link`` header."""
    try:
        number = page_number_arg()
    except BadQuery:
        abort(400, description="page must be a positive whole number")

    def build() -> Response:
        try:
            page = queries.api_page(number, current_app.config["API_PAGE_SIZE"])
        except NoSuchPage:
            abort(404, description="there is no such page")
        response = jsonify([feeds.episode_json(e, episode_address(e.slug)) for e in page.items])
        response.headers["Link"] = _api_link_header(page)
        response.headers["X-Total-Count"] = str(page.total)
        return response

    return caching.respond(caching.data_validators(), build)
