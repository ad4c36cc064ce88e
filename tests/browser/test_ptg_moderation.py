"""A moderator changes a placed session in place and writes the event's FAQ, in the browser."""

from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import in_app
from tests.browser.support import sign_in
from tests.conftest import make_moderator
from tests.ptg.builders import make_event, make_room, make_session, make_team


def _event_with_a_session(app) -> None:
    def build() -> None:
        event = make_event(
            slug="2030-march",
            name="PTG March 2030",
            starts_on=date(2030, 3, 18),
            ends_on=date(2030, 3, 22),
        )
        nova = make_team(event, "Nova", hours_wanted=8)
        austin = make_room(event, "Austin")
        make_room(event, "Boston")
        make_session(
            nova,
            austin,
            datetime(2030, 3, 18, 14, tzinfo=UTC),
            datetime(2030, 3, 18, 16, tzinfo=UTC),
        )
        make_moderator()

    in_app(app, build)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_moderator_moves_a_session_and_writes_the_faq(live, new_page, javascript):
    _event_with_a_session(live.app)
    moderator = new_page(javascript=javascript)
    sign_in(moderator, live.url)
    moderator.goto(live.url + "/moderation/ptg/2030-march/")

    cell = moderator.locator("td.session-cell", has_text="Nova")
    cell.get_by_role("link", name="Edit Nova at 14:00").click()
    expect(moderator.locator("h1")).to_have_text("Session of Nova")
    # The form opens with the session as it is.
    room = moderator.get_by_label("Room", exact=True)
    expect(room.locator("option:checked")).to_have_text("Austin")
    expect(moderator.get_by_label("Start (UTC)").locator("option:checked")).to_have_text("14:00")
    moderator.get_by_label("Room", exact=True).select_option(label="Boston")
    moderator.get_by_label("Day").select_option("2030-03-19")
    moderator.get_by_label("Start (UTC)").select_option(label="09:00")
    moderator.get_by_label("End (UTC)").select_option(label="12:00")
    moderator.get_by_role("button", name="Save the session").click()
    expect(moderator.locator(".flash-success")).to_have_text("Session saved.")

    day = moderator.locator(".schedule-grid", has=moderator.locator("td.session-cell"))
    expect(day.locator("td.session-cell")).to_have_count(1)
    expect(day.locator("td.session-cell")).to_contain_text("09:00–12:00")
    assert day.locator("thead th").all_inner_texts()[1:] == ["Austin", "Boston"]
    assert moderator.locator("#day-2030-03-19").count() == 1

    # A clash is refused with the reason, and the form keeps what was chosen.
    moderator.get_by_role("link", name="Edit Nova at 09:00").click()
    moderator.get_by_label("End (UTC)").select_option(label="14:00")
    moderator.get_by_role("button", name="Save the session").click()
    expect(moderator.locator(".error-summary")).to_contain_text("limit is 4 hours per UTC day")
    expect(moderator.get_by_label("End (UTC)")).to_have_value("14")

    moderator.goto(live.url + "/moderation/ptg/2030-march/")
    moderator.get_by_role("link", name="Edit event").click()
    moderator.get_by_label("Frequently asked questions").fill(
        "<p><strong>Do I need a headset?</strong> Yes, please.</p><script>alert(1)</script>"
    )
    moderator.get_by_role("button", name="Save").click()
    expect(moderator.locator(".flash-success")).to_have_text("Event saved.")

    visitor = new_page(javascript=javascript)
    visitor.goto(live.url + "/ptg/2030-march/")
    faq = visitor.locator("section", has=visitor.locator("#faq-title"))
    expect(faq.locator("strong")).to_have_text("Do I need a headset?")
    expect(faq).to_contain_text("Yes, please.")
    expect(faq).not_to_contain_text("How does a team get a room?")
    assert "<script>alert(1)" not in visitor.content()
