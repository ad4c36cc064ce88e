"""The server-side response cache: keyed on the content version that every write replaces."""

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask, template_rendered
from sqlalchemy import event, insert, text
from sqlalchemy.orm import Session

from openinfra_live import caching, security
from openinfra_live.caching import responses, version
from openinfra_live.episodes import calendar
from openinfra_live.episodes.models import Episode, EpisodeGuest
from openinfra_live.extensions import db
from tests.conftest import another_app, make_moderator
from tests.episodes.builders import make_episode
from tests.proposals.builders import freeze_clock
from tests.ptg.builders import make_event
from tests.servers import RedisServer, free_port
from tests.system_parts import require_program

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2024, 5, 16, 15, 0, 20, tzinfo=UTC)
STARTS = datetime(2024, 5, 23, 14, 0, tzinfo=UTC)
CACHED_URLS = [
    "/",
    "/episodes/",
    "/episodes/?q=cache",
    "/episodes/cache-talk/",
    "/episodes/cache-talk.ics",
    "/calendar.ics",
    "/feed.xml",
    "/api/episodes",
]


@pytest.fixture
def now(monkeypatch):
    """Freeze ``clock.now()``; call the fixture's value to move it."""
    return freeze_clock(monkeypatch, NOW)


@pytest.fixture
def talk(app, now) -> int:
    with app.app_context():
        return make_episode(
            "Cache talk", STARTS, slug="cache-talk", guests=[("Ada Cache", "ACME")]
        ).id


@contextmanager
def recording(app: Flask) -> Iterator[dict[str, list]]:
    """The SQL statements run and the templates rendered meanwhile."""
    seen: dict[str, list] = {"statements": [], "templates": []}

    def on_statement(conn, cursor, statement, parameters, context, executemany):
        seen["statements"].append(statement)

    def on_render(sender, template, context, **extra):
        seen["templates"].append(template.name)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_statement)
    template_rendered.connect(on_render, app)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        template_rendered.disconnect(on_render, app)


def version_token(app: Flask) -> str | None:
    with app.app_context():
        return version.read().token


# --- answered from the cache ---------------------------------------------------------------


@pytest.mark.parametrize("url", CACHED_URLS)
def test_a_repeated_get_is_answered_from_the_cache_without_sql_or_rendering(app, client, talk, url):
    first = client.get(url)
    with recording(app) as seen:
        again = client.get(url)

    assert first.status_code == 200
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert len(seen["statements"]) <= 1
    assert seen["templates"] == []


def test_a_cached_answer_keeps_the_headers_of_the_built_one(app, client, talk):
    first = client.get("/episodes/cache-talk.ics")
    again = client.get("/episodes/cache-talk.ics")

    for name in ("Content-Disposition", "Cache-Control", "Last-Modified", "ETag"):
        assert again.headers[name] == first.headers[name]
    assert again.headers["Content-Security-Policy"]  # added to every response, cached or not


def test_the_api_link_header_is_replayed(app, client, now):
    app.config["API_PAGE_SIZE"] = 1
    with app.app_context():
        make_episode("One", STARTS)
        make_episode("Two", STARTS + timedelta(weeks=1))
    first = client.get("/api/episodes")

    again = client.get("/api/episodes")

    assert 'rel="next"' in first.headers["Link"]
    assert again.headers["Link"] == first.headers["Link"]
    assert again.headers["X-Total-Count"] == "2"


@pytest.mark.parametrize("url", ["/", "/episodes/cache-talk/", "/calendar.ics"])
def test_a_cached_answer_is_a_304_for_a_client_holding_it(app, client, talk, url):
    etag = client.get(url).headers["ETag"]
    client.get(url)  # now certainly cached

    with recording(app) as seen:
        response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.get_data() == b""
    assert response.headers["ETag"] == etag
    assert seen["templates"] == []


def test_the_subscription_calendar_is_not_rebuilt_per_request(app, client, talk, monkeypatch):
    builds = []
    real = calendar.episodes_feed

    def counting(*args, **kwargs):
        builds.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(calendar, "episodes_feed", counting)

    bodies = {client.get("/calendar.ics").get_data() for _ in range(5)}

    assert len(bodies) == 1
    assert builds == [1]


def test_the_same_address_over_https_is_another_entry(app, client, talk):
    plain = client.get("/feed.xml").get_data(as_text=True)
    secure = client.get("/feed.xml", base_url="https://live.test").get_data(as_text=True)

    assert "http://live.test/episodes/cache-talk/" in plain
    assert "https://live.test/episodes/cache-talk/" in secure


def test_a_visitor_without_cookies_is_answered_before_the_application_runs(
    app, client, talk, monkeypatch
):
    first = client.get("/episodes/cache-talk/")
    checks = []
    real_check = security.reject_invalid_input
    monkeypatch.setattr(
        security, "reject_invalid_input", lambda req: checks.append(1) or real_check(req)
    )

    again = client.get("/episodes/cache-talk/")
    head = client.head("/episodes/cache-talk/")
    with_cookie = app.test_client()
    with_cookie.set_cookie("tz", "Europe/Paris", domain="live.test")
    with_cookie.get("/episodes/cache-talk/")

    assert again.get_data() == first.get_data()
    assert sorted(again.headers.items()) == sorted(first.headers.items())
    assert (
        head.get_data() == b"" and head.headers["Content-Length"] == first.headers["Content-Length"]
    )
    assert checks == [1]  # only the visitor with a cookie went through the application


def test_revalidations_go_through_the_application_and_get_a_304(app, client, talk):
    etag = client.get("/calendar.ics").headers["ETag"]
    client.get("/calendar.ics")

    response = client.get("/calendar.ics", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.headers["ETag"] == etag


# --- compression is left to the proxy -----------------------------------------------------------

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
HTML_URLS = ["/", "/episodes/", "/episodes/?q=cache", "/episodes/cache-talk/"]


@pytest.fixture
def season(app, talk) -> None:
    """Enough episodes for the feeds and the API to pass the size worth compressing."""
    with app.app_context():
        for week in range(1, 6):
            make_episode(
                f"Season talk {week}",
                STARTS + timedelta(days=7 * week),
                description="<p>Operators compare notes on running clouds at scale.</p>",
            )


@pytest.mark.parametrize("url", ["/calendar.ics", "/feed.xml", "/api/episodes"])
def test_feeds_are_sent_plain_for_the_proxy_to_compress(app, client, season, url):
    first = client.get(url, headers=GZIP)
    again = client.get(url, headers=GZIP)

    assert first.status_code == again.status_code == 200
    assert again.get_data() == first.get_data()
    assert "Content-Encoding" not in again.headers
    assert "Accept-Encoding" not in again.headers.get("Vary", "")


@pytest.mark.parametrize("url", HTML_URLS)
def test_html_pages_are_left_to_the_proxy_to_compress(app, client, season, url):
    first = client.get(url, headers=GZIP)
    again = client.get(url, headers=GZIP)

    for response in (first, again):
        assert response.status_code == 200
        assert len(response.get_data()) >= 1024
        assert "Content-Encoding" not in response.headers
        # Pages vary with cookies (session, zone, language) and the browser's languages; never
        # with Accept-Encoding, which the proxy handles.
        assert response.headers["Vary"] == "Cookie, Accept-Language"


# --- what moves the content version ------------------------------------------------------------


def test_adding_an_episode_shows_on_the_next_get(app, client, talk):
    assert "Second talk" not in client.get("/episodes/").get_data(as_text=True)
    before = version_token(app)

    with app.app_context():
        make_episode("Second talk", STARTS + timedelta(weeks=1))

    assert version_token(app) not in {None, before}
    assert "Second talk" in client.get("/episodes/").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/episodes/", "/calendar.ics", "/feed.xml", "/api/episodes"])
def test_hiding_an_episode_removes_it_from_cached_pages(app, client, talk, url):
    assert "Cache talk" in client.get(url).get_data(as_text=True)
    client.get(url)

    with app.app_context():
        db.session.get(Episode, talk).hidden = True
        db.session.commit()

    assert "Cache talk" not in client.get(url).get_data(as_text=True)


def test_a_new_guest_alone_shows_on_the_episode_page(app, client, talk):
    client.get("/episodes/cache-talk/")
    with app.app_context():
        db.session.add(EpisodeGuest(episode_id=talk, name="Grace Newcomer", position=3))
        db.session.commit()

    assert "Grace Newcomer" in client.get("/episodes/cache-talk/").get_data(as_text=True)


def test_bulk_inserts_move_the_version(app, client, talk):
    client.get("/episodes/")
    with app.app_context():
        db.session.execute(
            insert(Episode),
            [
                {
                    "slug": "bulk-one",
                    "title": "Bulk one",
                    "starts_at": STARTS + timedelta(weeks=3),
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            ],
        )
        db.session.commit()

    assert "Bulk one" in client.get("/episodes/").get_data(as_text=True)


def test_a_raw_sql_write_shows_once_its_writer_marks_the_change(app, client, talk):
    client.get("/episodes/cache-talk/")
    with app.app_context():
        db.session.execute(text("UPDATE episodes SET title = 'Raw title'"))
        caching.mark_changed(db.session())
        db.session.commit()

    assert "Raw title" in client.get("/episodes/cache-talk/").get_data(as_text=True)


def test_the_session_hooks_are_registered_once_however_many_apps(app):
    with another_app(app), another_app(app):
        for name in ("after_flush", "do_orm_execute", "before_commit"):
            registered = getattr(Session.dispatch, name)._clslevel[Session]
            ours = [fn for fn in registered if fn.__module__ == version.__name__]
            assert len(ours) == 1, name


def test_deleting_an_episode_moves_the_version(app, client, talk):
    client.get("/episodes/")
    with app.app_context():
        db.session.delete(db.session.get(Episode, talk))
        db.session.commit()

    assert "Cache talk" not in client.get("/episodes/").get_data(as_text=True)
    assert client.get("/episodes/cache-talk/").status_code == 404


def test_a_ptg_change_moves_the_version_of_the_home_page(app, client, talk):
    assert "Spring PTG" not in client.get("/").get_data(as_text=True)
    with app.app_context():
        make_event(
            "2024-spring", "Spring PTG", date(2024, 6, 3), date(2024, 6, 7), registration_open=False
        )
        db.session.commit()

    assert "Spring PTG" in client.get("/").get_data(as_text=True)


def test_a_rolled_back_change_keeps_the_version(app, talk):
    before = version_token(app)
    with app.app_context():
        db.session.get(Episode, talk).title = "Never saved"
        db.session.flush()
        db.session.rollback()

    assert version_token(app) == before


def test_changes_to_private_records_keep_the_version(app, talk):
    before = version_token(app)
    with app.app_context():
        make_moderator("someone@example.org")

    assert version_token(app) == before


def test_a_change_in_a_rolled_back_savepoint_is_bumped_again_when_redone(app, talk):
    before = version_token(app)
    with app.app_context():
        savepoint = db.session.begin_nested()
        db.session.get(Episode, talk).title = "First try"
        db.session.flush()
        savepoint.rollback()
        db.session.get(Episode, talk).title = "Second try"
        db.session.commit()

    assert version_token(app) != before


def test_nothing_is_cached_before_any_content_exists(app, client, now):
    client.get("/calendar.ics")

    with recording(app) as seen:
        client.get("/calendar.ics")

    assert version_token(app) is None
    assert any("FROM episodes" in statement for statement in seen["statements"])


# --- who gets a cached answer ----------------------------------------------------------------


def test_a_signed_in_moderator_never_gets_or_leaves_a_cached_page(app, client, talk, login_as):
    anonymous = app.test_client()
    anonymous.get("/episodes/")
    login_as(client)

    with recording(app) as seen:
        signed_in = client.get("/episodes/").get_data(as_text=True)
    after = anonymous.get("/episodes/").get_data(as_text=True)

    assert "episodes/archive.html" in seen["templates"]
    assert 'action="/logout"' in signed_in
    assert 'action="/logout"' not in after
    assert "Moderator sign-in" in after


def test_time_zone_variants_do_not_leak_into_each_other(app, talk):
    tokyo = app.test_client()
    tokyo.set_cookie("tz", "Asia/Tokyo", domain="live.test")
    plain = app.test_client()
    paris = app.test_client()
    paris.set_cookie("tz", "Europe/Paris", domain="live.test")

    pages = {
        name: [c.get("/episodes/cache-talk/").get_data(as_text=True) for _ in range(2)]
        for name, c in (("tokyo", tokyo), ("plain", plain), ("paris", paris))
    }

    assert all(" in Tokyo (" in page for page in pages["tokyo"])
    assert all(" in Tokyo (" not in page for page in pages["plain"] + pages["paris"])
    assert all(" in Paris (" in page for page in pages["paris"])
    assert all(" in Paris (" not in page for page in pages["plain"])


def test_an_unknown_time_zone_cookie_shares_the_plain_entry(app, talk):
    app.test_client().get("/episodes/")
    odd = app.test_client()
    odd.set_cookie("tz", "Mars/Olympus_Mons", domain="live.test")

    with recording(app) as seen:
        odd.get("/episodes/")

    assert seen["templates"] == []


def test_a_page_with_a_flashed_message_is_neither_cached_nor_served_from_cache(app, client, talk):
    client.get("/episodes/")  # cached for anonymous visitors
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Your idea was received")]

    flashed = client.get("/episodes/").get_data(as_text=True)
    next_visit = client.get("/episodes/").get_data(as_text=True)
    someone_else = app.test_client().get("/episodes/").get_data(as_text=True)

    assert "Your idea was received" in flashed
    assert "Your idea was received" not in next_visit
    assert "Your idea was received" not in someone_else


def test_only_gets_and_heads_have_a_cache_key(app, talk):
    for method, expected in (("GET", True), ("HEAD", True), ("POST", False), ("PUT", False)):
        with app.test_request_context("/calendar.ics", method=method):
            key = responses.request_key(minute=None)
        assert (key is not None) is expected, method


def test_a_head_is_answered_from_the_cache_without_a_body(app, client, talk):
    body = client.get("/calendar.ics").get_data()

    with recording(app) as seen:
        head = client.head("/calendar.ics")

    assert head.status_code == 200
    assert head.get_data() == b""
    assert int(head.headers["Content-Length"]) == len(body)
    assert len(seen["statements"]) <= 1


def test_not_found_pages_are_not_cached(app, client, talk):
    client.get("/episodes/missing/")

    with recording(app) as seen:
        response = client.get("/episodes/missing/")

    assert response.status_code == 404
    assert len(seen["statements"]) >= 1


def test_a_response_that_sets_a_cookie_is_not_stored(app, talk):
    with app.test_request_context("/"):
        response = app.response_class("hello")
        response.set_cookie("x", "y")
        assert not responses.storable(response)
        assert responses.storable(app.response_class("hello"))
        private = app.response_class("hello")
        private.headers["Cache-Control"] = "private, no-cache"
        assert not responses.storable(private)


def test_the_cache_can_be_turned_off(app, client, talk):
    app.config["RESPONSE_CACHE_ENABLED"] = False
    app.extensions.pop("response_cache", None)
    try:
        client.get("/calendar.ics")
        with recording(app) as seen:
            client.get("/calendar.ics")
    finally:
        app.extensions.pop("response_cache", None)

    assert any("FROM episodes" in statement for statement in seen["statements"])


# --- the clock ----------------------------------------------------------------------------------


def test_the_live_badge_is_never_a_minute_late(app, client, now):
    starts = datetime(2024, 5, 16, 14, 30, tzinfo=UTC)
    with app.app_context():
        make_episode("Live soon", starts)

    now(starts - timedelta(seconds=20))
    before = [client.get("/").get_data(as_text=True) for _ in range(2)]
    now(starts + timedelta(seconds=5))
    during = client.get("/").get_data(as_text=True)

    assert all("Live now" not in page for page in before)
    assert "Live now" in during


# --- the stores -----------------------------------------------------------------------------------


def entry(size: int) -> responses.Entry:
    return responses.Entry(headers=(("Content-Type", "text/plain"),), body=b"x" * size)


def test_the_memory_store_stays_within_its_bound_and_keeps_the_newest_entry():
    store = responses.MemoryStore(max_bytes=3 * 1100)
    for key in ("a", "b", "c", "d"):
        store.set("v1", key, entry(1000))

    assert store.get("v1", "d") is not None
    assert store.size <= store.max_bytes


def test_the_memory_store_drops_everything_on_a_new_version():
    store = responses.MemoryStore(max_bytes=10**6)
    store.set("v1", "a", entry(10))

    store.set("v2", "b", entry(10))

    assert store.get("v1", "a") is None
    assert store.get("v2", "a") is None
    assert store.size == 64 + len("Content-Typetext/plain") + 10  # "b" alone


def test_an_entry_larger_than_the_whole_store_is_not_kept():
    store = responses.MemoryStore(max_bytes=100)

    store.set("v1", "a", entry(1000))

    assert store.get("v1", "a") is None


def test_entries_survive_their_byte_encoding():
    original = responses.Entry(
        headers=(("Content-Type", "text/calendar; charset=utf-8"), ("Link", '<a>; rel="next"')),
        body="Événement\x00\xff".encode(),
    )

    assert responses.Entry.from_bytes(original.to_bytes()) == original


def test_redis_is_used_when_the_limiter_storage_is_redis():
    assert responses.redis_url({"RATELIMIT_STORAGE_URI": "redis://h:6379/1"}) == (
        "redis://h:6379/1"
    )
    assert responses.redis_url({"RATELIMIT_STORAGE_URI": "memory://"}) is None
    assert (
        responses.redis_url(
            {"CACHE_REDIS_URL": "redis://cache/2", "RATELIMIT_STORAGE_URI": "redis://h/1"}
        )
        == "redis://cache/2"
    )


# --- several workers and hosts ----------------------------------------------------------------


WRITER = """
import sys
from datetime import datetime, UTC
from openinfra_live import create_app
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db

app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "writer"})
with app.app_context():
    db.session.add(Episode(slug="from-elsewhere", title="Written elsewhere",
                           starts_at=datetime(2024, 7, 4, 14, tzinfo=UTC)))
    db.session.commit()
"""


def write_from_another_process(app: Flask) -> None:
    environment = {**os.environ, "INSTANCE_PATH": tempfile.mkdtemp(prefix="oil-instance-")}
    subprocess.run(
        [sys.executable, "-c", WRITER, app.config["SQLALCHEMY_DATABASE_URI"]],
        cwd=PROJECT_ROOT,
        env=environment,
        check=True,
        timeout=120,
    )


def test_a_write_in_another_process_invalidates_this_workers_cache(app, talk):
    with another_app(app, CONTENT_VERSION_MAX_AGE=0) as worker:
        visitor = worker.test_client()
        assert "Written elsewhere" not in visitor.get("/episodes/").get_data(as_text=True)
        visitor.get("/episodes/")

        write_from_another_process(app)

        assert "Written elsewhere" in visitor.get("/episodes/").get_data(as_text=True)


def test_another_process_s_write_shows_once_the_memoized_version_expires(app, talk):
    with another_app(app, CONTENT_VERSION_MAX_AGE=0.3) as worker:
        visitor = worker.test_client()
        visitor.get("/episodes/")
        visitor.get("/episodes/")  # answered from the cache

        write_from_another_process(app)
        time.sleep(0.35)

        assert "Written elsewhere" in visitor.get("/episodes/").get_data(as_text=True)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer(require_program("redis-server", "redis-server")).start()
    yield server
    server.stop()


def test_two_hosts_share_entries_and_the_version_through_redis(app, talk, redis_server):
    with (
        another_app(app, CACHE_REDIS_URL=redis_server.url, CONTENT_VERSION_MAX_AGE=0) as one,
        another_app(app, CACHE_REDIS_URL=redis_server.url, CONTENT_VERSION_MAX_AGE=0) as two,
    ):
        built = one.test_client().get("/episodes/cache-talk/")
        with recording(two) as seen:
            shared = two.test_client().get("/episodes/cache-talk/")

        assert shared.get_data() == built.get_data()
        assert seen["templates"] == []  # built once, on the first host
        assert len(seen["statements"]) == 1  # the version, read again at once (max age 0)
        assert caching.cache_for(two).shared.client.dbsize() >= 1

        write_from_another_process(app)

        one_after = one.test_client().get("/episodes/").get_data(as_text=True)
        two_after = two.test_client().get("/episodes/").get_data(as_text=True)
        assert "Written elsewhere" in one_after
        assert "Written elsewhere" in two_after


def test_clearing_the_cache_empties_redis_too(app, client, talk, redis_server):
    with another_app(app, CACHE_REDIS_URL=redis_server.url) as host:
        host.test_client().get("/calendar.ics")
        cache = caching.cache_for(host)
        assert cache.shared.client.dbsize() >= 1

        cache.clear()

        assert cache.shared.client.dbsize() == 0
        assert cache.memory.size == 0


def test_pages_still_answer_when_redis_is_down(app, talk):
    with another_app(app, CACHE_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0") as host:
        visitor = host.test_client()
        responses = [visitor.get("/episodes/cache-talk/") for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert "Cache talk" in responses[-1].get_data(as_text=True)
