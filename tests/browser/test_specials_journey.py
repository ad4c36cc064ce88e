"""A moderator creates a two-day special of three segments in Chromium; then its page, its
invite (a VEVENT per segment), the API and the Atom feed carry it."""

from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from playwright.sync_api import Page, expect

from openinfra_live import clock
from tests.browser.conftest import in_app
from tests.browser.support import screenshot, sign_in
from tests.conftest import make_moderator

TITLE = "OpenInfra Days Online"


def _day_one() -> datetime:
    """A Tuesday 13:00 UTC a few weeks ahead, clear of the weekly Thursday show."""
    day = (clock.now() + timedelta(days=21)).date()
    day += timedelta(days=(1 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 13, 0, tzinfo=UTC)


SEGMENTS = [
    ("Welcome and keynotes", timedelta(0), 90, "Ann Lee", "ACME"),
    ("Operators panel", timedelta(hours=2), 60, "Bo Chen", ""),
    ("Hands-on: your first cluster", timedelta(days=1), 120, "Cy Diaz", "Gamma Labs"),
]


def _typed(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def _add_segment(page: Page, title: str, start: datetime, minutes: int, name: str, org: str):
    page.get_by_role("link", name="Add a segment").click()
    expect(page.locator("h1")).to_have_text(f"New segment of “{TITLE}”")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Start (UTC)").fill(_typed(start))
    page.get_by_label("Duration (minutes)").fill(str(minutes))
    page.locator("input[name='guests-0-name']").fill(name)
    page.locator("input[name='guests-0-affiliation']").fill(org)
    page.get_by_role("button", name="Add the segment").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Segment “{title}” added.")


def test_a_moderator_builds_a_two_day_special_that_every_format_carries(live, new_page):
    in_app(live.app, make_moderator)
    day_one = _day_one()
    page = new_page()
    sign_in(page, live.url)

    page.goto(f"{live.url}/moderation/episodes/new")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Start (UTC)").fill(_typed(day_one))
    page.get_by_label("This is a special").check()
    page.get_by_role("button", name="Create the episode").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Special “{TITLE}” created.")

    for title, offset, minutes, name, org in SEGMENTS:
        _add_segment(page, title, day_one + offset, minutes, name, org)
    # An overlapping segment is refused with the reason on its start.
    page.get_by_role("link", name="Add a segment").click()
    page.get_by_label("Title").fill("Clash")
    page.get_by_label("Start (UTC)").fill(_typed(day_one + timedelta(minutes=30)))
    page.get_by_role("button", name="Add the segment").click()
    expect(page.locator("#starts_at-error")).to_contain_text(
        "overlaps the segment “Welcome and keynotes”"
    )
    page.goto(f"{live.url}/moderation/episodes/")
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.locator(".episode-facts")).to_contain_text("2 days · 3 segments")
    screenshot(page, "special-moderation")

    # The public page: the run of the show by day, each segment in UTC.
    page.get_by_role("link", name="Public page of this episode").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    days = page.locator(".segment-day h3")
    expect(days).to_have_count(2)
    expect(days.first).to_contain_text(day_one.strftime("%A %-d %B %Y"))
    expect(page.locator(".segment-title")).to_have_text([s[0] for s in SEGMENTS])
    expect(page.locator(".episode-meta")).to_contain_text("2 days · 3 segments")
    expect(page.locator(".upcoming-note")).to_contain_text("Next: “Welcome and keynotes”")
    screenshot(page, "special-page")
    slug = page.url.rstrip("/").rsplit("/", 1)[-1]

    # The invite: one VEVENT per segment, each with its own UID and SEQUENCE.
    invite = page.request.get(f"{live.url}/episodes/{slug}.ics")
    assert invite.status == 200
    events = Calendar.from_ical(invite.body()).walk("VEVENT")
    assert len(events) == 3
    for event, (title, offset, minutes, name, _org) in zip(events, SEGMENTS, strict=True):
        assert str(event["SUMMARY"]) == f"{TITLE}: {title}"
        assert event.decoded("DTSTART") == day_one + offset
        assert event.decoded("DTEND") == day_one + offset + timedelta(minutes=minutes)
        assert int(event["SEQUENCE"]) == 0
        assert name in str(event["DESCRIPTION"])
        assert "-segment-" in str(event["UID"])
    assert len({str(event["UID"]) for event in events}) == 3

    # The API lists the segments; the feed names them.
    [item] = page.request.get(f"{live.url}/api/episodes").json()
    assert item["special"] is True
    assert [s["title"] for s in item["segments"]] == [s[0] for s in SEGMENTS]
    assert item["segments"][0]["speakers"] == "Ann Lee (ACME)"
    feed = page.request.get(f"{live.url}/feed.xml").text()
    assert "2 days · 3 segments" in feed
    assert all(s[0] in feed for s in SEGMENTS)
