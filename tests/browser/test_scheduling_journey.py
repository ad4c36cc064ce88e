"""A moderator schedules a proposal at a time they type, and deletes an episode after
confirming it, in Chromium (with and without JavaScript)."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from openinfra_live import clock
from openinfra_live.episodes import editing
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from openinfra_live.proposals.models import Proposal
from openinfra_live.timezones import human_utc
from tests.browser.conftest import in_app
from tests.browser.support import sign_in
from tests.conftest import make_moderator
from tests.proposals.builders import make_proposal

TITLE = "Bare metal at the edge"


def _typed_start() -> datetime:
    """A Tuesday afternoon a few weeks ahead: not one of the default slots offered."""
    day = (clock.now() + timedelta(days=21)).date()
    day += timedelta(days=(1 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 16, 30, tzinfo=UTC)


def _approved_proposal() -> int:
    make_moderator()
    proposal, _ = make_proposal("approved", title=TITLE, email="sam@example.org")
    return proposal.id


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_proposal_is_scheduled_at_the_time_typed(live, new_page, javascript):
    # Submitting mails the private link, an absolute address: a request context builds it.
    with live.app.test_request_context("/", base_url=live.url):
        proposal_id = in_app(live.app, _approved_proposal)
    typed = _typed_start()
    page = new_page(javascript=javascript)
    sign_in(page, live.url)
    page.goto(f"{live.url}/moderation/proposals/{proposal_id}/schedule")
    expect(page.locator("h1")).to_have_text(f"Schedule “{TITLE}”")
    # Nothing is chosen for the moderator; the free slots and "another time" are offered.
    expect(page.locator("input[name=slot]:checked")).to_have_count(0)
    assert page.locator("input[name=slot]").count() >= 2

    # A slot picked and a different time typed: refused, nothing picked for them.
    page.locator("input[name=slot]").first.check()
    page.get_by_label("Another time: start (UTC)").fill(typed.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule it").click()
    expect(page.locator("#slot-error")).to_contain_text("You picked")
    expect(page.locator("#slot-error")).to_contain_text("choose “Another time”")
    assert in_app(live.app, lambda: db.session.get(Proposal, proposal_id).status) == "approved"

    # The typed time is kept; choosing "Another time" schedules it.
    field = page.get_by_label("Another time: start (UTC)")
    expect(field).to_have_value(typed.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Another time (below)").check()
    page.get_by_role("button", name="Schedule it").click()
    expect(page.locator(".flash-success")).to_contain_text(
        f"Scheduled “{TITLE}” on {human_utc(typed)}"
    )

    def stored() -> tuple:
        proposal = db.session.get(Proposal, proposal_id)
        return proposal.status, proposal.episode.starts_at

    assert in_app(live.app, stored) == ("scheduled", typed)


def _episode() -> int:
    make_moderator()
    start = clock.now().replace(second=0, microsecond=0) + timedelta(days=9)
    episode = editing.create_episode(title="To be deleted", starts_at=start)
    db.session.commit()
    return episode.id


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_episode_is_deleted_after_a_confirmation(live, new_page, javascript):
    episode_id = in_app(live.app, _episode)
    slug = in_app(live.app, lambda: db.session.get(Episode, episode_id).slug)
    page = new_page(javascript=javascript)
    sign_in(page, live.url)
    page.goto(f"{live.url}/moderation/episodes/{episode_id}/edit")
    page.get_by_role("link", name="Delete this episode…").click()
    expect(page.locator("h1")).to_have_text("Delete “To be deleted”?")

    # Without the box ticked: a clear error, nothing deleted.
    page.get_by_role("button", name="Delete the episode").click()
    expect(page.locator("#error-summary")).to_contain_text("Tick the box to confirm")
    assert in_app(live.app, lambda: db.session.get(Episode, episode_id)) is not None

    page.get_by_label("Yes, delete this episode for good").check()
    page.get_by_role("button", name="Delete the episode").click()
    expect(page.locator(".flash-success")).to_contain_text("“To be deleted” is deleted.")
    assert page.url.endswith("/moderation/episodes/")
    assert in_app(live.app, lambda: db.session.get(Episode, episode_id)) is None
    assert page.request.get(f"{live.url}/episodes/{slug}/").status == 404
