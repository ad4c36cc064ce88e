"""A team registers for a PTG, a moderator approves it and places its session on the grid."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import in_app
from tests.browser.support import sign_in
from tests.conftest import make_moderator
from tests.ptg.builders import make_event

TEAM = "Ironic (bare metal)"


def _event_and_moderator(app) -> None:
    def build() -> None:
        make_event(
            slug="2030-march",
            name="PTG March 2030",
            starts_on=date(2030, 3, 18),
            ends_on=date(2030, 3, 22),
        )
        make_moderator()

    in_app(app, build)


def _register(page, base_url: str) -> str:
    """Fill in the public form as a team contact; return the private status page's address."""
    page.goto(base_url + "/ptg/")
    page.get_by_role("link", name="Register your team").click()
    page.get_by_label("Team name").fill(TEAM)
    page.get_by_label("Kind of group").select_option("project_team")
    page.get_by_label("Expected attendees").fill("12")
    page.get_by_label("Hours wanted").fill("3")
    page.get_by_label("Tuesday 19 March").check()
    page.get_by_label("Americas").check()
    page.get_by_label("Contact name").fill("Julia Kreger")
    page.get_by_label("Contact e-mail").fill("julia@example.org")
    page.get_by_role("button", name="Register the team").click()
    expect(page.locator("h1")).to_have_text(f"{TEAM} at PTG March 2030")
    expect(page.locator(".status-line")).to_contain_text("Waiting for review")
    return page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_registered_team_is_approved_listed_and_placed_on_the_grid(live, new_page, javascript):
    _event_and_moderator(live.app)
    visitor = new_page(javascript=javascript)
    status_url = _register(visitor, live.url)
    assert "/ptg/registrations/" in status_url

    moderator = new_page(javascript=javascript)
    sign_in(moderator, live.url)
    moderator.goto(live.url + "/moderation/ptg/")
    moderator.get_by_role("link", name="PTG March 2030").click()
    moderator.get_by_role("link", name=TEAM).click()
    moderator.get_by_label("Message with the approval (optional)").fill("Welcome back!")
    moderator.get_by_role("button", name="Approve").click()
    expect(moderator.locator(".flash-success")).to_contain_text(TEAM)

    visitor.goto(live.url + "/ptg/")
    expect(visitor.locator(".team-list")).to_contain_text(TEAM)

    moderator.get_by_label("Room name").fill("Bexar")
    moderator.get_by_role("button", name="Add room").click()
    expect(moderator.locator(".flash-success")).to_have_text("Room added.")
    moderator.get_by_label("Team", exact=True).select_option(label=TEAM)
    moderator.get_by_label("Room", exact=True).select_option(label="Bexar")
    moderator.get_by_label("Day").select_option("2030-03-19")
    moderator.get_by_label("Start (UTC)").select_option(label="14:00")
    moderator.get_by_label("End (UTC)").select_option(label="17:00")
    moderator.get_by_role("button", name="Place session").click()
    expect(moderator.locator(".flash-success")).to_have_text("Session placed.")

    visitor.goto(live.url + "/ptg/2030-march/schedule")
    day = visitor.locator("section.schedule-day", has=visitor.locator("#day-2030-03-19"))
    cell = day.locator(".schedule-grid td.session-cell")
    expect(cell).to_have_count(1)
    expect(cell).to_contain_text(TEAM)
    expect(cell).to_contain_text("14:00–17:00")
    assert cell.get_attribute("rowspan") == "3"
    # The cell sits in the 14:00 row, under the room's column.
    row = day.locator(".schedule-grid tbody tr", has=visitor.locator("td.session-cell"))
    expect(row.locator("th[scope=row]")).to_have_text("14:00")
    headers = day.locator("thead th").all_inner_texts()
    assert headers[1:] == ["Bexar"]

    visitor.goto(status_url)
    expect(visitor.locator(".status-line")).to_contain_text("Approved")
    expect(visitor.locator("#sessions-title + ul")).to_contain_text("Bexar")
    expect(visitor.locator("body")).to_contain_text("Welcome back!")
