"""A visitor finds an episode from the home page, plays its recording, adds it to a calendar."""

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from openinfra_live import clock
from tests.browser.conftest import in_app
from tests.episodes.builders import make_episode

TITLE = "Kubernetes on bare metal, the hard parts"
VIDEO_ID = "aBcDeFgHiJk"
UPCOMING_TITLE = "Next week: networking deep dive"
PLAYER = re.compile(r"^https://www\.youtube-nocookie\.com/")


def _episodes(app) -> datetime:
    """Two past episodes (one with a recording) and an upcoming one, whose start is returned."""

    def build() -> datetime:
        now = clock.now().replace(second=0, microsecond=0)
        make_episode(
            TITLE,
            now - timedelta(days=10),
            description="<p>Operators talk about <em>Ironic</em> and cluster upgrades.</p>",
            links=[("youtube", f"https://www.youtube.com/watch?v={VIDEO_ID}")],
            guests=[("Ana Lima", "Example Cloud")],
        )
        make_episode("Edge sites on a budget", now - timedelta(days=17))
        return make_episode(UPCOMING_TITLE, now + timedelta(days=3)).starts_at

    return in_app(app, build)


def _download_invite(page, link_name: str):
    """Follow an invite link: the browser downloads it. Return the file's text and the content
    type the server gives (asked again with the page's cookies: a download emits no response
    event)."""
    link = page.get_by_role("link", name=link_name)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    text = Path(download.path()).read_bytes().decode("utf-8")
    response = page.request.get(download.url)
    assert response.ok and response.text() == text
    return text, response.headers["content-type"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_visitor_goes_from_home_to_an_episode_and_its_invite(live, new_page, javascript):
    _episodes(live.app)
    page = new_page(javascript=javascript)

    page.goto(live.url + "/")
    assert page.locator("#featured-heading").inner_text() == "Next episode"
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Episodes").click()
    assert page.url == live.url + "/episodes/"

    page.get_by_label("Search titles, descriptions and speakers").fill("ironic")
    page.get_by_role("button", name="Search").click()
    assert page.locator(".result-count").inner_text().startswith("1 episode matching “ironic”")
    page.get_by_role("link", name=TITLE).click()
    assert page.locator("h1").inner_text() == TITLE
    assert "Ana Lima" in page.locator("#speakers-heading + ul").inner_text()

    # Without script the facade stays hidden and the plain link to the recording serves.
    facade = expect(page.locator("[data-facade]"))
    facade.to_be_visible() if javascript else facade.to_be_hidden()
    watch = page.get_by_role("link", name=f"Watch “{TITLE}” on YouTube")
    assert watch.get_attribute("href") == f"https://www.youtube.com/watch?v={VIDEO_ID}"

    # An episode that is over offers the next ones, not an invite of its own.
    assert page.get_by_role("link", name="Download the invite for this episode (.ics)").count() == 0
    assert page.get_by_role("link", name="Subscribe to every episode").count() == 1

    page.goto(live.url + "/")
    page.get_by_role("link", name=UPCOMING_TITLE).first.click()
    text, content_type = _download_invite(page, "Download the invite for this episode (.ics)")
    assert content_type.startswith("text/calendar")
    assert text.startswith("BEGIN:VCALENDAR")
    events = Calendar.from_ical(text).walk("VEVENT")
    assert [str(event["SUMMARY"]) for event in events] == [UPCOMING_TITLE]


def test_the_recording_facade_becomes_the_privacy_enhanced_player(live, new_page):
    _episodes(live.app)
    page = new_page()
    player_requests = []

    def empty_player(route) -> None:
        player_requests.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!DOCTYPE html><title>x</title>")

    # The player never reaches the network: the test answers for youtube-nocookie.com.
    page.route(PLAYER, empty_player)
    page.goto(live.url + "/episodes/")
    page.get_by_role("link", name=TITLE).click()
    assert page.locator("iframe").count() == 0

    # The hidden part of the name reads as one phrase (no stray space before punctuation).
    with page.expect_request(PLAYER):
        page.get_by_role("button", name=f"Play the recording of “{TITLE}”", exact=True).click()
    frame = page.locator("iframe.player")
    frame.wait_for()
    assert frame.get_attribute("title") == f"Recording of {TITLE}"
    src = frame.get_attribute("src")
    assert src.startswith(f"https://www.youtube-nocookie.com/embed/{VIDEO_ID}")
    assert "autoplay=1" in src
    page.wait_for_function("() => document.activeElement?.tagName === 'IFRAME'")
    assert player_requests and player_requests[0].startswith("https://www.youtube-nocookie.com/")
    assert page.locator("[data-player-src]").count() == 0


def test_the_home_page_invite_button_downloads_the_next_episode(live, new_page):
    starts_at = _episodes(live.app)
    page = new_page(javascript=False)
    page.goto(live.url + "/")
    text, content_type = _download_invite(page, "Add to calendar (.ics)")
    assert content_type.startswith("text/calendar")
    [event] = Calendar.from_ical(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Next week: networking deep dive"
    assert event.decoded("DTSTART") == starts_at
