"""A signed-in moderator sees "Edit" on public episode and PTG pages; nobody else ever does.

Public pages are kept by three caches: the application's response cache (and its front door for
cookie-less GETs), the browser (ETag, a 304 on revalidation) and nginx (``deploy/nginx.conf``,
five seconds). Each direction is checked against each: a moderator's page is never kept for the
public, and a page kept for the public is never handed to a moderator.
"""

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from flask import Flask
from werkzeug.serving import make_server

from bench import servers
from openinfra_live.auth.models import User
from openinfra_live.extensions import db
from tests.conftest import another_app
from tests.episodes.builders import make_episode
from tests.proposals.builders import freeze_clock
from tests.ptg.builders import make_event
from tests.system_parts import missing

NOW = datetime(2030, 3, 1, 10, 0, tzinfo=UTC)
EDIT = re.compile(r'<a href="([^"]+)">Edit<span class="visually-hidden">[^<]*</span></a>')


@pytest.fixture
def pages(app, monkeypatch) -> dict[str, str]:
    """An episode page and a PTG page, and where each one's Edit link leads."""
    freeze_clock(monkeypatch, NOW)
    with app.app_context():
        episode = make_episode("Edit links on air", datetime(2030, 3, 7, 14, tzinfo=UTC))
        make_event(slug="2030-march")
        db.session.commit()
        return {
            f"/episodes/{episode.slug}/": f"/moderation/episodes/{episode.id}/edit",
            "/ptg/2030-march/": "/moderation/ptg/2030-march/",
        }


def edit_links(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return EDIT.findall(response.get_data(as_text=True))


PAGE_KINDS = ["episode", "ptg"]


def pick(pages: dict[str, str], kind: str) -> tuple[str, str]:
    return next((url, edit) for url, edit in pages.items() if kind in url)


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_a_moderators_view_first_leaves_no_edit_link_for_the_public(
    app, client, login_as, pages, kind
):
    url, edit = pick(pages, kind)
    login_as(client)
    anonymous = app.test_client()

    assert edit_links(client.get(url)) == [edit]
    first = anonymous.get(url)
    again = anonymous.get(url)  # from the cache: the front door, no cookie

    assert edit_links(first) == [] and edit_links(again) == []
    assert again.get_data() == first.get_data()


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_a_page_cached_for_the_public_first_still_shows_the_moderator_the_edit_link(
    app, client, login_as, pages, kind
):
    url, edit = pick(pages, kind)
    anonymous = app.test_client()
    public = anonymous.get(url)
    assert edit_links(public) == [] and edit_links(anonymous.get(url)) == []
    login_as(client)

    assert edit_links(client.get(url)) == [edit]
    # A browser that kept the public copy before its owner signed in revalidates it: the
    # moderator's page has other validators, so a 200 with the link comes back, not a 304.
    revalidated = client.get(url, headers={"If-None-Match": public.headers["ETag"]})
    assert edit_links(revalidated) == [edit]
    assert edit_links(anonymous.get(url)) == []


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_shared_caches_may_keep_the_public_page_never_the_moderators(
    app, client, login_as, pages, kind
):
    url, _ = pick(pages, kind)
    public = app.test_client().get(url)
    login_as(client)
    moderator = client.get(url)

    assert public.headers["Cache-Control"] == "public, max-age=0, s-maxage=5"
    assert moderator.headers["Cache-Control"] == "private, no-cache"
    # The public copy says it differs with cookies: a proxy never hands it to a signed-in
    # visitor, whatever the session cookie's name.
    assert "Cookie" in public.headers["Vary"] and "Cookie" in moderator.headers["Vary"]
    assert moderator.headers["ETag"] != public.headers["ETag"]


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_signed_in_people_who_cannot_moderate_see_no_edit_link(app, login_as, pages, kind):
    url, _ = pick(pages, kind)
    viewer = app.test_client()
    login_as(viewer, email="viewer@example.org", role="viewer")
    assert edit_links(viewer.get(url)) == []


# --- through nginx, with deploy/nginx.conf -------------------------------------------------


@contextmanager
def served(app: Flask) -> Iterator[int]:
    """``app`` on a free 127.0.0.1 port, in a thread."""
    port = servers.free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def behind_nginx(app: Flask, tmp_path) -> Iterator[int]:
    """``app`` behind nginx run with ``deploy/nginx.conf``; yields nginx's port."""
    if servers.nginx_binary() is None:
        missing("nginx", "apt-get install nginx")
    (tmp_path / "static-copies").mkdir()
    with served(app) as app_port:
        nginx = servers.start_nginx(tmp_path, f"127.0.0.1:{app_port}", tmp_path / "static-copies")
        try:
            nginx.wait_ready("/healthz")
            yield nginx.port
        finally:
            nginx.stop()


def session_cookie(app: Flask, email: str) -> str:
    """A ``Cookie`` header signing in a (new) moderator on ``app``, under its cookie name."""
    with app.app_context():
        user = User(email=email, password_hash="x", display_name="Mo")
        db.session.add(user)
        db.session.commit()
        user_id = user.get_id()
    value = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": user_id, "_fresh": True}
    )
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


# Over HTTPS the session cookie is ``__Host-session``, a name nginx cannot read as a
# ``$cookie_`` variable: deploy/nginx.conf finds either name in the Cookie header, so a
# moderator's request bypasses the cache (not only ``Vary: Cookie`` keeping the copies apart).
@pytest.mark.parametrize("secure", [False, True], ids=["session", "host-prefixed-session"])
def test_through_nginx_the_moderator_and_the_public_each_get_their_own_page(
    app, pages, tmp_path, secure
):
    url, edit = pick(pages, "episode")
    settings = {"SERVER_NAME": None, "SESSION_COOKIE_SECURE": secure}
    with another_app(app, **settings) as site, behind_nginx(site, tmp_path) as port:
        cookie = session_cookie(site, "nginx.mod@example.org")
        assert cookie.startswith("__Host-session=" if secure else "session=")

        servers.fetch(port, url)
        public = servers.fetch(port, url)
        moderator = servers.fetch(port, url, headers={"Cookie": cookie})
        public_after = servers.fetch(port, url)
        moderator_again = servers.fetch(port, url, headers={"Cookie": cookie})

    assert public.headers["x-cache-status"] == "HIT"
    assert public_after.headers["x-cache-status"] == "HIT"
    for answer in (public, public_after):
        assert (answer.status, EDIT.findall(answer.body.decode())) == (200, [])
    for answer in (moderator, moderator_again):
        assert answer.headers["x-cache-status"] == "BYPASS"
        assert (answer.status, EDIT.findall(answer.body.decode())) == (200, [edit])


def test_through_nginx_a_moderator_first_leaves_nothing_for_the_public(app, pages, tmp_path):
    url, edit = pick(pages, "ptg")
    with another_app(app, SERVER_NAME=None) as site, behind_nginx(site, tmp_path) as port:
        cookie = session_cookie(site, "nginx.first@example.org")
        moderator = servers.fetch(port, url, headers={"Cookie": cookie})
        public = servers.fetch(port, url)
        public_again = servers.fetch(port, url)

    assert EDIT.findall(moderator.body.decode()) == [edit]
    assert public.headers["x-cache-status"] == "MISS"  # nothing was kept from the moderator
    assert public_again.headers["x-cache-status"] == "HIT"
    assert EDIT.findall(public.body.decode()) == EDIT.findall(public_again.body.decode()) == []
