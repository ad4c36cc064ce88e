"""Public pages of the show: home, archive, episode pages, invites, feeds and the API.

Every page here is answered from the response cache when it can be (``caching``), and
its validators come from the content version: a repeat visit costs no
query and no rendering, and a browser's revalidation no rendering either.
"""

import re
from collections.abc import Callable
from urllib.parse import urlsplit

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

from openinfra_live import caching, clock
from openinfra_live.episodes import calendar, cards, feeds, queries, stored_events
from openinfra_live.episodes.year_controls import year_controls
from openinfra_live.ptg.models import FORMATS as PTG_FORMATS

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
    """The domain in calendar UIDs and feed ids: the configured server name, else the host."""
    name = current_app.config.get("SERVER_NAME") or request.host
    return name.split(":")[0].lower()


def episode_addresses() -> Callable[[str], str]:
    """Slug → absolute address of the episode's page, for the feeds, invites and the API:
    ``url_for`` runs once however many episodes there are (``cards.slug_url_maker``)."""
    return cards.slug_url_maker(external=True)


def webcal_url(endpoint: str, **values: str) -> str:
    """The ``webcal://`` form of a calendar address, which calendar apps subscribe to."""
    url = url_for(endpoint, _external=True, **values)
    return "webcal://" + url.split("://", 1)[1]


bp.add_app_template_filter(cards.excerpt, "excerpt")


@bp.app_template_filter("platform_label")
def platform_label_filter(platform: str) -> str:
    """The display name of a watch/listen platform."""
    return queries.platform_label(platform)


@bp.app_template_filter("http_url")
def http_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) address, else None: stored links never run script."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in {"http", "https"} and parts.netloc:
        return url.strip()
    return None


# Globals rather than context variables, so that imported macros see them too.
bp.add_app_template_global(queries.state_of, "episode_state")
bp.add_app_template_global(cards.badge_of_episode, "episode_badge")


@bp.get("/")
@caching.page
def index():
    """The home page: the next episode first, upcoming and recent ones, calls to action."""
    now = clock.now()

    def build() -> str:
        listing = queries.home_listing(now)
        return render_template(
            "episodes/index.html",
            listing=listing,
            upcoming_cards=cards.listing_html(listing.upcoming, now, level=3),
            recent_cards=cards.listing_html(listing.recent, now, level=3),
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
        facts = queries.archive_facts()
        try:
            page = queries.archive_page(
                number,
                current_app.config["EPISODES_PER_PAGE"],
                search=search,
                year=year,
                facts=facts,
            )
        except queries.NoSuchPage:
            abort(404)
        return render_template(
            "episodes/archive.html",
            page=page,
            cards=cards.listing_html(page.items, now, level=2),
            search=search,
            year=year,
            year_controls=year_controls(facts.years, year),
            now=now,
        )

    return caching.respond(caching.page_validators(now), build, private=True)


@bp.get("/episodes/<slug>/")
@caching.page
def detail(slug: str):
    """One episode: when, who, what, the recording and links, and invites."""
    now = clock.now()

    def build() -> str:
        episode = queries.visible_episode_summary(slug)
        if episode is None:
            abort(404)
        return render_template(
            "episodes/detail.html",
            episode=episode,
            now=now,
            state=queries.state_of(episode, now),
            recording=queries.recording_of(episode),
            invite_url=url_for("episodes.invite", slug=episode.slug),
            webcal_feed=webcal_url("episodes.calendar_feed"),
        )

    return caching.respond(caching.page_validators(now), build, private=True)


def _calendar_response(body: bytes, disposition: str) -> Response:
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = disposition
    return response


@bp.get("/episodes/<slug>.ics")
@caching.data
def invite(slug: str):
    """The calendar invite of one episode."""

    def build() -> Response:
        # One episode at most, its rows read at once (only the whole calendar is streamed).
        found = list(queries.calendar_rows(slug))
        if not found:
            abort(404)
        entry = calendar.CalendarEntry.from_rows(*found[0])
        page_url = url_for("episodes.detail", slug=entry.slug, _external=True)
        body = calendar.episode_invite(entry, page_url, calendar_domain())
        filename = calendar.ics_filename(entry.slug)
        return _calendar_response(body, f'attachment; filename="{filename}"')

    return caching.respond(caching.data_validators(), build)


@bp.get("/calendar.ics")
@caching.data
def calendar_feed():
    """The subscription calendar of every visible episode."""

    def build() -> Response:
        events = stored_events.feed_events(episode_addresses(), calendar_domain())
        body = calendar.episodes_feed(events)
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
            page_url_of=episode_addresses(),
            site_name=current_app.config["SITE_NAME"],
        )
        return Response(body, content_type="application/atom+xml; charset=utf-8")

    return caching.respond(caching.data_validators(), build)


def _api_link_header(page: queries.Page) -> str:
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
        except queries.NoSuchPage:
            abort(404, description="there is no such page")
        address = episode_addresses()
        response = jsonify([feeds.episode_json(e, address(e.slug)) for e in page.items])
        response.headers["Link"] = _api_link_header(page)
        response.headers["X-Total-Count"] = str(page.total)
        return response

    return caching.respond(caching.data_validators(), build)
