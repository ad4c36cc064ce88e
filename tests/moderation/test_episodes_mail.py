"""Moving an episode that came from a proposal mails its submitter (a real SMTP server)."""

import time
from datetime import UTC, datetime

import pytest

from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from openinfra_live.proposals import scheduling
from tests.conftest import make_moderator, post_form
from tests.proposals.builders import freeze_clock, make_proposal
from tests.proposals.conftest import NOW
from tests.proposals.test_mail import body_of, header

NEXT_THURSDAY = datetime(2031, 5, 22, 14, 0, tzinfo=UTC)


@pytest.fixture
def scheduled(app, monkeypatch):
    """An episode made of a proposal through the scheduling service; (episode id, token)."""
    freeze_clock(monkeypatch, NOW)
    with app.app_context():
        proposal, token = make_proposal(
            "approved", title="Ironic at scale", email="sam@example.org"
        )
        entry = scheduling.schedule_proposal(
            proposal,
            make_moderator("scheduler@example.org"),
            starts_at=NEXT_THURSDAY,
            title=proposal.title,
            description=proposal.description,
            guests=[],
        )
        db.session.commit()
        return entry.changes["episode_id"], token


def edit(client, episode_id: int, **overrides):
    data = {"title": "Ironic at scale", "starts_at": "2031-05-22T14:00", "duration_minutes": "60"}
    data.update(overrides)
    url = f"/moderation/episodes/{episode_id}/edit"
    return post_form(client, url, data)


def test_moving_an_episode_from_a_proposal_mails_the_submitter(
    app, client, login_as, inbox, scheduled
):
    episode_id, token = scheduled
    login_as(client)
    response = edit(client, episode_id, starts_at="2031-05-29T16:00")
    assert response.status_code == 303
    [message] = inbox.wait_for(1)
    assert message["To"] == "sam@example.org"
    assert header(message, "Subject") == "Your episode moved: Ironic at scale"
    body = body_of(message)
    assert "Now:     Thu 29 May 2031, 16:00–17:00 UTC" in body
    assert "Before:  Thu 22 May 2031, 14:00–15:00 UTC" in body
    assert f"http://live.test/proposals/{token}" in body
    with app.app_context():
        slug = db.session.get(Episode, episode_id).slug
    assert f"http://live.test/episodes/{slug}/" in body
    assert f"http://live.test/episodes/{slug}.ics" in body
    assert "mod@example.org" not in body


def test_an_edit_that_does_not_move_the_episode_sends_no_mail(
    app, client, login_as, inbox, scheduled
):
    episode_id, _ = scheduled
    login_as(client)
    response = edit(
        client,
        episode_id,
        title="Ironic at a larger scale",
        **{"links-0-platform": "youtube", "links-0-url": "https://youtu.be/dQw4w9WgXcQ"},
    )
    assert response.status_code == 303
    time.sleep(0.3)
    assert inbox.messages == []


def test_a_refused_move_sends_no_mail(app, client, login_as, inbox, scheduled):
    episode_id, _ = scheduled
    login_as(client)
    assert edit(client, episode_id, starts_at="2031-05-01T14:00").status_code == 422
    time.sleep(0.3)
    assert inbox.messages == []
