"""A proposal promoted into a segment of a special: scheduled from the moderators' form, shown
on its status page and in its mails, and told when the segment moves or goes."""

from datetime import UTC, datetime, timedelta

import pytest

from openinfra_live.episodes import specials
from openinfra_live.episodes.models import Episode, EpisodeSegment
from openinfra_live.extensions import db
from openinfra_live.proposals.models import Proposal
from tests.conftest import post_form
from tests.proposals.builders import count, freeze_clock, guest_rows, history_of, make_proposal
from tests.proposals.conftest import NOW
from tests.proposals.test_mail import body_of, header

# NOW is Thursday 15 May 2031, 15:00 UTC; the special runs the Tuesday and Wednesday after.
DAY_ONE = datetime(2031, 5, 20, 13, 0, tzinfo=UTC)
TITLE = "Zuul for everyone"


@pytest.fixture
def setting(app, client, login_as, monkeypatch):
    """A signed-in moderator, a special with one segment, and an approved proposal."""
    freeze_clock(monkeypatch, NOW)
    login_as(client)
    with app.app_context():
        special = specials.create_special(title="OpenInfra Days", starts_at=DAY_ONE)
        fields = specials.SegmentFields("Keynotes", DAY_ONE, 60, [("Ann Lee", "ACME")])
        specials.add_segment(special, fields)
        proposal, token = make_proposal(
            "approved", title=TITLE, email="sam@example.org", guests=[("Sam Roe", "Zuul")]
        )
        db.session.commit()
        return {"special": special.id, "proposal": proposal.id, "token": token}


def schedule(client, setting, start: datetime, minutes: int = 45, **extra):
    data = {
        "special": str(setting["special"]),
        "slot": "custom",
        "custom_start": f"{start:%Y-%m-%dT%H:%M}",
        "duration_minutes": str(minutes),
        "title": TITLE,
        "description": "",
        **guest_rows(("Sam Roe", "Zuul")),
    } | extra
    url = f"/moderation/proposals/{setting['proposal']}/schedule"
    return post_form(client, url, data)


def segment_of(app, proposal_id: int) -> tuple | None:
    with app.app_context():
        segment = db.session.get(Proposal, proposal_id).segment
        if segment is None:
            return None
        return segment.title, segment.starts_at, segment.duration_minutes, segment.speaker_pairs


def status_of(app, proposal_id: int) -> str:
    with app.app_context():
        return db.session.get(Proposal, proposal_id).status


def test_the_schedule_page_offers_the_specials_not_yet_over(app, client, setting, monkeypatch):
    url = f"/moderation/proposals/{setting['proposal']}/schedule"
    page = client.get(url).get_data(as_text=True)
    assert "A new episode" in page
    assert "A segment of the special “OpenInfra Days” (Tue 20 May 2031, 13:00 UTC)" in page
    freeze_clock(monkeypatch, NOW - timedelta(days=10))
    with app.app_context():
        over = specials.create_special(title="Last year's days", starts_at=NOW - timedelta(days=9))
        db.session.commit()
        over_id = over.id
    freeze_clock(monkeypatch, NOW)
    page = client.get(url).get_data(as_text=True)
    assert "Last year" not in page
    # A special not offered (over, or not a special at all) is refused, and nothing is made.
    response = schedule(client, setting | {"special": over_id}, DAY_ONE + timedelta(hours=2))
    assert response.status_code == 422
    assert "Pick a new episode or one of the specials offered." in response.get_data(as_text=True)
    assert status_of(app, setting["proposal"]) == "approved"


def test_a_proposal_becomes_a_segment_of_a_special(app, client, setting, inbox):
    start = DAY_ONE + timedelta(hours=1, minutes=15)
    response = schedule(client, setting, start)
    assert response.status_code == 303
    flashed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Scheduled “{TITLE}”, a segment of “OpenInfra Days”," in flashed

    assert status_of(app, setting["proposal"]) == "scheduled"
    assert segment_of(app, setting["proposal"]) == (TITLE, start, 45, [("Sam Roe", "Zuul")])
    with app.app_context():
        special = db.session.get(Episode, setting["special"])
        # The special now spans both segments; no episode of its own was made of the proposal.
        assert special.ends_at == start + timedelta(minutes=45)
        assert db.session.get(Proposal, setting["proposal"]).episode is None
        key = db.session.get(Proposal, setting["proposal"]).segment.key
        [*_, entry] = history_of(setting["proposal"])
        assert entry.message == (
            f"Scheduled for Tue 20 May 2031, 14:15 UTC: “{TITLE}”,"
            " a segment of the special “OpenInfra Days”."
        )

    [message] = inbox.wait_for(1)
    assert header(message, "Subject") == f"Your episode idea is scheduled: {TITLE}"
    body = body_of(message)
    assert f"Your segment: {TITLE}" in body
    assert "Part of:      OpenInfra Days" in body
    assert "When:         Tue 20 May 2031, 14:15–15:00 UTC" in body
    page_url = f"http://live.test/episodes/{special_slug(app, setting)}/#segment-{key}"
    assert f"Its page:     {page_url}" in body

    status = client.get(f"/proposals/{setting['token']}").get_data(as_text=True)
    assert f"Your segment “{TITLE}” is part of the special “OpenInfra Days”" in status
    assert f'href="{page_url}"' in status
    # The public page has the anchor the links point to.
    public = client.get(f"/episodes/{special_slug(app, setting)}/").get_data(as_text=True)
    assert f'id="segment-{key}"' in public and TITLE in public


def special_slug(app, setting) -> str:
    with app.app_context():
        return db.session.get(Episode, setting["special"]).slug


@pytest.mark.parametrize(
    ("start", "minutes", "status", "words"),
    [
        # Over the keynotes (13:00–14:00): the segment rule, named.
        (DAY_ONE + timedelta(minutes=30), 45, 409, "overlaps the segment “Keynotes”"),
        (NOW - timedelta(days=1), 45, 422, "in the past"),
        # Fifteen days after the special began: longer than a special may run.
        (DAY_ONE + timedelta(days=15), 45, 422, "A special runs for at most"),
    ],
)
def test_a_segment_the_rules_refuse_leaves_the_proposal_waiting(
    app, client, setting, start, minutes, status, words
):
    response = schedule(client, setting, start, minutes)
    assert response.status_code == status
    assert words in response.get_data(as_text=True)
    assert status_of(app, setting["proposal"]) == "approved"
    assert segment_of(app, setting["proposal"]) is None
    with app.app_context():
        assert count(EpisodeSegment) == 1


def scheduled_segment(app, client, setting, inbox) -> int:
    assert schedule(client, setting, DAY_ONE + timedelta(hours=2)).status_code == 303
    inbox.wait_for(1)
    inbox.messages.clear()
    with app.app_context():
        return db.session.get(Proposal, setting["proposal"]).segment.id


def test_moving_the_segment_mails_the_submitter(app, client, setting, inbox):
    segment_id = scheduled_segment(app, client, setting, inbox)
    url = f"/moderation/episodes/{setting['special']}/segments/{segment_id}/edit"
    data = {
        "title": TITLE,
        "starts_at": f"{DAY_ONE + timedelta(days=1):%Y-%m-%dT%H:%M}",
        "duration_minutes": "45",
        **guest_rows(("Sam Roe", "Zuul")),
        "recording_url": "",
    }
    assert post_form(client, url, data).status_code == 303
    [message] = inbox.wait_for(1)
    assert header(message, "Subject") == f"Your segment moved: {TITLE}"
    body = body_of(message)
    assert f'Segment: {TITLE}, part of "OpenInfra Days"' in body
    assert "Now:     Wed 21 May 2031, 13:00–13:45 UTC" in body
    assert "Before:  Tue 20 May 2031, 15:00–15:45 UTC" in body


def test_reordering_mails_the_submitter_whose_segment_moved(app, client, setting, inbox):
    segment_id = scheduled_segment(app, client, setting, inbox)
    page_url = f"/moderation/episodes/{setting['special']}/edit"
    url = f"/moderation/episodes/{setting['special']}/segments/{segment_id}/move"
    assert post_form(client, page_url, {"to": "earlier"}, url).status_code == 303
    assert segment_of(app, setting["proposal"])[1] == DAY_ONE
    [message] = inbox.wait_for(1)
    assert header(message, "Subject") == f"Your segment moved: {TITLE}"
    assert message["To"] == "sam@example.org"


def test_deleting_the_segment_puts_the_proposal_back_to_waiting(app, client, setting, inbox):
    segment_id = scheduled_segment(app, client, setting, inbox)
    url = f"/moderation/episodes/{setting['special']}/segments/{segment_id}/delete"
    # The list links to a confirmation page, which says who will be told.
    listing = client.get(f"/moderation/episodes/{setting['special']}/edit").get_data(as_text=True)
    assert f'href="{url}"' in listing
    assert f"proposal #{setting['proposal']}</a>)" in listing
    confirm = client.get(url).get_data(as_text=True)
    assert f"Delete the segment “{TITLE}”?" in confirm
    assert f"proposal #{setting['proposal']}</a>. That proposal goes back to waiting" in confirm
    response = post_form(client, url, {"message": "The slot went to the keynotes."})
    assert response.status_code == 303
    assert status_of(app, setting["proposal"]) == "approved"
    with app.app_context():
        [*_, entry] = history_of(setting["proposal"])
        assert entry.message == (
            f"The segment “{TITLE}” of “OpenInfra Days” planned for Tue 20 May 2031,"
            " 15:00 UTC was cancelled: it is no longer on the programme."
            "\n\nThe slot went to the keynotes."
        )
    [message] = inbox.wait_for(1)
    assert header(message, "Subject") == f"The episode of your idea was cancelled: {TITLE}"
    status = client.get(f"/proposals/{setting['token']}").get_data(as_text=True)
    assert "is part of the special" not in status and "no longer on the programme" in status


def test_deleting_the_special_tells_the_proposals_of_its_segments(app, client, setting, inbox):
    scheduled_segment(app, client, setting, inbox)
    url = f"/moderation/episodes/{setting['special']}/delete"
    confirm = client.get(url).get_data(as_text=True)
    assert "Its segments made of proposals are cancelled too: “Zuul for everyone”" in confirm
    response = post_form(
        client, url, {"confirm": "y", "message": "The event moved online next year."}
    )
    assert response.status_code == 303
    flashed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Proposal #{setting['proposal']} waits for a date again" in flashed
    assert status_of(app, setting["proposal"]) == "approved"
    with app.app_context():
        assert count(EpisodeSegment) == 0
        [*_, entry] = history_of(setting["proposal"])
        assert entry.message.startswith(f"The segment “{TITLE}” of “OpenInfra Days” planned")
        assert entry.message.endswith("The event moved online next year.")
    [message] = inbox.wait_for(1)
    assert message["To"] == "sam@example.org"
