"""Conditional GET on listings, feeds, invites and the API: ETag and Last-Modified → 304."""

from datetime import UTC, datetime, timedelta

import pytest

from openinfra_live.episodes.models import Episode, EpisodeGuest
from openinfra_live.extensions import db
from tests.episodes.builders import make_episode
from tests.episodes.conftest import NOW

STARTS = datetime(2024, 5, 9, 14, 0, tzinfo=UTC)
URLS = [
    "/",
    "/episodes/",
    "/episodes/?q=edge&page=1",
    "/episodes/edge/",
    "/episodes/edge.ics",
    "/calendar.ics",
    "/feed.xml",
    "/api/episodes",
]


@pytest.fixture
def edge(app, frozen_now):
    with app.app_context():
        return make_episode("Edge", STARTS, slug="edge").id


@pytest.mark.parametrize("url", URLS)
def test_matching_etag_gets_304_without_a_body(app, client, edge, url):
    first = client.get(url)
    etag = first.headers["ETag"]

    again = client.get(url, headers={"If-None-Match": etag})

    assert first.status_code == 200
    assert etag.startswith('W/"')
    assert "Last-Modified" in first.headers
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag


@pytest.mark.parametrize("url", URLS)
def test_if_modified_since_gets_304_until_something_changes(app, client, edge, url):
    last_modified = client.get(url).headers["Last-Modified"]

    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304


@pytest.mark.parametrize("url", URLS)
def test_an_edit_changes_the_etag(app, client, edge, frozen_now, url):
    etag = client.get(url).headers["ETag"]
    frozen_now(NOW + timedelta(seconds=5))
    with app.app_context():
        db.session.get(Episode, edge).description = "<p>Edited</p>"
        db.session.commit()

    response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_a_new_guest_changes_the_etag_even_without_touching_the_episode(app, client, edge):
    etag = client.get("/episodes/edge/").headers["ETag"]
    with app.app_context():
        db.session.add(EpisodeGuest(episode_id=edge, name="New guest", position=5))
        db.session.commit()

    response = client.get("/episodes/edge/", headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert "New guest" in response.get_data(as_text=True)


def test_html_pages_follow_the_clock_so_live_badges_are_never_stale(app, client, edge, frozen_now):
    etag = client.get("/").headers["ETag"]
    frozen_now(NOW + timedelta(minutes=1))

    assert client.get("/", headers={"If-None-Match": etag}).status_code == 200


def test_html_pages_are_private_and_differ_for_a_signed_in_moderator(app, client, edge, login_as):
    anonymous = client.get("/episodes/")
    login_as(client)

    signed_in = client.get("/episodes/", headers={"If-None-Match": anonymous.headers["ETag"]})

    assert signed_in.status_code == 200
    assert signed_in.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in signed_in.headers["Vary"]
    assert signed_in.headers["ETag"] != anonymous.headers["ETag"]


def test_anonymous_html_pages_are_kept_by_a_proxy_a_few_seconds_and_vary_on_cookies(
    app, client, edge
):
    response = client.get("/episodes/")

    control = response.cache_control
    assert control.public
    assert control.max_age == 0
    assert 0 < control.s_maxage <= 10
    assert "Cookie" in response.headers["Vary"]


def test_a_page_showing_a_flashed_message_is_private(app, client, edge):
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Thank you")]

    response = client.get("/episodes/")

    assert "Thank you" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_the_time_zone_cookie_changes_the_etag(app, client, edge):
    plain = client.get("/episodes/edge/").headers["ETag"]
    client.set_cookie("tz", "Asia/Tokyo", domain="live.test")

    local = client.get("/episodes/edge/", headers={"If-None-Match": plain})

    assert local.status_code == 200
    assert local.headers["ETag"] != plain


def test_feeds_may_be_cached_publicly(app, client, edge):
    assert client.get("/calendar.ics").headers["Cache-Control"].startswith("public")


@pytest.mark.parametrize(
    "url", ["/calendar.ics", "/feed.xml", "/api/episodes", "/episodes/edge.ics"]
)
def test_proxies_keep_feeds_only_a_few_seconds(app, client, edge, url):
    response = client.get(url)

    assert response.cache_control.public
    assert 0 < response.cache_control.s_maxage <= 10


def test_different_pages_of_a_listing_have_different_etags(app, client, edge):
    assert client.get("/episodes/").headers["ETag"] != client.get("/episodes/?q=x").headers["ETag"]


def test_not_found_pages_carry_no_validators(app, client, edge):
    response = client.get("/episodes/missing/")

    assert response.status_code == 404
    assert "ETag" not in response.headers
