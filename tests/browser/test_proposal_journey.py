"""An idea becomes an episode: proposed, approved and scheduled, all with the keyboard only.

The submitter and the moderator use Tab, Enter and Space (and type into fields); nothing is
clicked. The visitor's part at the end may click. Every stop of the Tab key must show focus.
"""

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from openinfra_live import clock
from tests.browser.conftest import in_app
from tests.browser.support import press_and_wait, sign_in, tab_to, type_into
from tests.conftest import make_moderator

TITLE = "Running OpenStack on a ship"
DESCRIPTION = "How a cruise line keeps a cloud running at sea, with a satellite uplink."


def next_thursday_slot(now: datetime) -> datetime:
    """The first Thursday 14:00 UTC after ``now``: the slot the schedule page offers first."""
    day = now.date() + timedelta(days=(3 - now.weekday()) % 7)
    slot = datetime.combine(day, time(14, tzinfo=UTC))
    return slot if slot > now else slot + timedelta(days=7)


def _submit_with_errors_then_fix(page, base_url: str, javascript: bool) -> None:
    page.goto(base_url + "/")
    tab_to(page, "nav a[href='/propose']")
    press_and_wait(page)
    assert page.url == base_url + "/propose"

    # Sent empty: the errors are summarised above the form and tied to their fields.
    tab_to(page, "form[action='/propose'] button[type=submit]")
    press_and_wait(page)
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    assert page.evaluate(
        "() => document.querySelector('#error-summary').compareDocumentPosition("
        "document.querySelector('form[action=\"/propose\"]')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    links = summary.locator("a")
    assert links.count() >= 4
    for field in ("title", "description", "submitter_name", "submitter_email"):
        expect(summary.locator(f"a[href='#{field}']")).to_have_count(1)
        control = page.locator(f"#{field}")
        expect(control).to_have_attribute("aria-invalid", "true")
        described = control.get_attribute("aria-describedby").split()
        assert f"{field}-error" in described
        expect(page.locator(f"#{field}-error")).not_to_be_empty()
    if javascript:
        # The site script moves focus to the summary, so a screen reader reads it first.
        expect(summary).to_be_focused()

    type_into(page, "#title", TITLE)
    type_into(page, "#description", DESCRIPTION)
    type_into(page, "#guests-0-name", "Signe Holm")
    type_into(page, "#guests-0-affiliation", "Nordic Cruises")
    type_into(page, "#submitter_name", "Signe Holm")
    type_into(page, "#submitter_email", "signe@example.org")
    tab_to(page, "form[action='/propose'] button[type=submit]")
    press_and_wait(page)


def _approve_and_schedule(page, base_url: str) -> datetime:
    """The moderator's part, by keyboard; returns the start of the slot that was chosen."""
    sign_in(page, base_url)
    tab_to(page, "table.queue a[href^='/moderation/proposals/']")
    assert TITLE in page.evaluate("() => document.activeElement.textContent")
    press_and_wait(page)

    type_into(page, "form[action$='/approve'] textarea", "Great idea, thank you!")
    tab_to(page, "form[action$='/approve'] button[type=submit]")
    press_and_wait(page)
    expect(page.locator(".flash-success")).to_contain_text("Approved")

    tab_to(page, "a[href$='/schedule']")
    press_and_wait(page)
    expect(page.locator("h1")).to_have_text(f"Schedule “{TITLE}”")
    tab_to(page, "input[name=slot]")  # no slot is chosen in advance: pick the first
    page.keyboard.press("Space")
    chosen = page.locator("input[name=slot]:checked")
    start = datetime.strptime(chosen.get_attribute("value"), "%Y-%m-%dT%H:%M").replace(tzinfo=UTC)
    assert start == next_thursday_slot(clock.now())
    tab_to(page, "form[action$='/schedule'] button[type=submit]")
    press_and_wait(page, "Space")
    expect(page.locator(".flash-success")).to_contain_text(f"Scheduled “{TITLE}”")
    return start


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_proposal_becomes_a_scheduled_episode_by_keyboard(live, new_page, javascript):
    in_app(live.app, make_moderator)
    submitter = new_page(javascript=javascript)
    _submit_with_errors_then_fix(submitter, live.url, javascript)
    assert "/proposals/" in submitter.url
    expect(submitter.locator(".flash-success")).to_contain_text("your proposal was received")
    expect(submitter.locator("#state-heading")).to_contain_text("Submitted, waiting for review")
    status_url = submitter.url

    moderator = new_page(javascript=javascript)
    start = _approve_and_schedule(moderator, live.url)

    visitor = new_page(javascript=javascript)
    visitor.goto(live.url + "/")
    featured = visitor.locator(".episode-featured")
    expect(featured.locator("h3")).to_have_text(TITLE)
    expect(featured.locator("time")).to_have_attribute(
        "datetime", start.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    with visitor.expect_download() as download_info:
        featured.get_by_role("link", name="Add to calendar (.ics)").click()
    download = download_info.value
    [event] = Calendar.from_ical(Path(download.path()).read_bytes()).walk("VEVENT")
    assert str(event["SUMMARY"]) == TITLE
    assert event.decoded("DTSTART") == start

    submitter.goto(status_url)
    expect(submitter.locator("#state-heading")).to_contain_text("Scheduled")
    episode_link = submitter.get_by_role("link", name=f"See the episode: {TITLE}")
    episode_link.click()
    expect(submitter.locator("h1")).to_have_text(TITLE)
