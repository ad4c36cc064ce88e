"""Deleting an episode (confirmed, audited, its proposal told) and changing only its length
(a mail that speaks of a new length, not a move; the invite's SEQUENCE still grows).

Mails are read from a real SMTP server on 127.0.0.1.
"""

import time
from datetime import timedelta

import pytest
from icalendar import Calendar

from openinfra_live.audit import AuditEntry
from openinfra_live.episodes import editing
from openinfra_live.episodes.models import Episode, EpisodeGuest
from openinfra_live.extensions import db
from openinfra_live.proposals import scheduling
from openinfra_live.proposals.models import ProposalHistory
from tests.conftest import make_moderator, post_form
from tests.moderation.test_episodes_mail import NEXT_THURSDAY, edit
from tests.proposals.builders import count, freeze_clock, fresh, history_of, make_proposal
from tests.proposals.conftest import NOW
from tests.proposals.test_mail import body_of, header


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
            guests=[("Ada Lovelace", "Analytical Engines")],
        )
        db.session.commit()
        return entry.changes["episode_id"], token


def delete_url(episode_id: int) -> str:
    return f"/moderation/episodes/{episode_id}/delete"


def slug_of(app, episode_id: int) -> str:
    with app.app_context():
        return db.session.get(Episode, episode_id).slug


def proposal_id_of(app, episode_id: int) -> int:
    with app.app_context():
        return db.session.get(Episode, episode_id).proposal_id


def sequence_in_invite(client, slug: str) -> int:
    response = client.get(f"/episodes/{slug}.ics")
    assert response.status_code == 200
    [event] = Calendar.from_ical(response.get_data()).walk("VEVENT")
    return int(event["SEQUENCE"])


# --- delete ---------------------------------------------------------------------------------


def test_the_delete_page_asks_for_a_confirmation_and_names_the_proposal(
    app, client, login_as, scheduled
):
    episode_id, _ = scheduled
    login_as(client)
    edit_page = client.get(f"/moderation/episodes/{episode_id}/edit").get_data(as_text=True)
    assert f'href="{delete_url(episode_id)}"' in edit_page
    response = client.get(delete_url(episode_id))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Delete “Ironic at scale”?" in html
    assert "Yes, delete this episode for good" in html
    assert f"proposal #{proposal_id_of(app, episode_id)}" in html


def test_deleting_without_the_confirmation_changes_nothing(app, client, login_as, inbox, scheduled):
    episode_id, _ = scheduled
    login_as(client)
    with app.app_context():
        before = (count(Episode), count(ProposalHistory), count(AuditEntry))
    response = post_form(client, delete_url(episode_id), {"message": "Guest ill"})
    assert response.status_code == 422
    assert "Tick the box to confirm that the episode is to be deleted." in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert (count(Episode), count(ProposalHistory), count(AuditEntry)) == before
    time.sleep(0.3)
    assert inbox.messages == []


def test_deleting_a_scheduled_proposals_episode_tells_the_proposal_and_its_submitter(
    app, client, login_as, inbox, scheduled
):
    episode_id, token = scheduled
    proposal_id = proposal_id_of(app, episode_id)
    slug = slug_of(app, episode_id)
    assert client.get(f"/episodes/{slug}/").status_code == 200
    moderator_id = login_as(client)
    response = post_form(
        client, delete_url(episode_id), {"confirm": "y", "message": "Our guest fell ill."}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderation/episodes/"
    with app.app_context():
        assert db.session.get(Episode, episode_id) is None
        assert count(EpisodeGuest) == 0
        proposal = fresh(proposal_id)
        assert proposal.status == "approved"  # waits for a new date
        last = history_of(proposal_id)[-1]
        assert (last.action, last.from_status, last.to_status) == (
            "cancel_episode",
            "scheduled",
            "approved",
        )
        assert last.is_public and last.actor_id == moderator_id
        assert "“Ironic at scale” planned for Thu 22 May 2031, 14:00 UTC was cancelled" in (
            last.message
        )
        assert "Our guest fell ill." in last.message
        audit = {
            entry.action: entry
            for entry in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))
        }
        assert audit["episode.delete"].actor_id == moderator_id
        assert audit["episode.delete"].object_id == str(episode_id)
        assert audit["episode.delete"].detail["title"] == "Ironic at scale"
        assert "proposal.cancel_episode" in audit
    # The public pages drop it.
    assert client.get(f"/episodes/{slug}/").status_code == 404
    assert client.get(f"/episodes/{slug}.ics").status_code == 404
    assert "Ironic at scale" not in client.get("/episodes/").get_data(as_text=True)
    assert "Ironic at scale" not in client.get("/calendar.ics").get_data(as_text=True)
    # The status page says it in words.
    status = app.test_client().get(f"/proposals/{token}").get_data(as_text=True)
    assert "took the episode off the programme: the proposal waits for a date again." in status
    assert "was cancelled: it is no longer on the programme." in status
    assert "Our guest fell ill." in status
    assert "cancel_episode" not in status
    # And by mail.
    [message] = inbox.wait_for(1)
    assert message["To"] == "sam@example.org"
    assert header(message, "Subject") == "The episode of your idea was cancelled: Ironic at scale"
    body = body_of(message)
    assert "was cancelled: it is no longer on the programme." in body
    assert "Our guest fell ill." in body
    assert f"http://live.test/proposals/{token}" in body


def test_a_proposal_whose_episode_was_deleted_can_be_scheduled_again(
    app, client, login_as, scheduled
):
    episode_id, _ = scheduled
    proposal_id = proposal_id_of(app, episode_id)
    login_as(client)
    post_form(client, delete_url(episode_id), {"confirm": "y"})
    page = client.get(f"/moderation/proposals/{proposal_id}").get_data(as_text=True)
    assert "took the episode off the programme" in page
    assert "Schedule as an episode" in page
    response = post_form(
        client,
        f"/moderation/proposals/{proposal_id}/schedule",
        {"slot": "2031-05-29T14:00", "duration_minutes": "60", "title": "Ironic at scale"},
    )
    assert response.status_code == 303
    with app.app_context():
        assert fresh(proposal_id).status == "scheduled"


def test_deleting_an_episode_without_a_proposal_is_audited(app, client, login_as):
    from tests.moderation.test_episodes import add_episode

    episode_id = add_episode(app, title="Standalone")
    login_as(client)
    response = post_form(client, delete_url(episode_id), {"confirm": "y"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Episode, episode_id) is None
        actions = set(db.session.scalars(db.select(AuditEntry.action)))
        assert "episode.delete" in actions
        assert count(ProposalHistory) == 0


def test_the_delete_page_of_an_unknown_episode_is_not_found(app, client, login_as):
    login_as(client)
    assert client.get(delete_url(999)).status_code == 404


# --- length only ---------------------------------------------------------------------------


def test_changing_only_the_length_mails_a_new_length_not_a_move(
    app, client, login_as, inbox, scheduled
):
    episode_id, token = scheduled
    slug = slug_of(app, episode_id)
    sequence_before = sequence_in_invite(client, slug)
    login_as(client)
    response = edit(client, episode_id, duration_minutes="90")
    assert response.status_code == 303
    [message] = inbox.wait_for(1)
    subject = header(message, "Subject")
    assert subject == "Your episode has a new length: Ironic at scale"
    body = body_of(message)
    assert "moved" not in subject.lower() and "new time" not in body
    assert "Before:" not in body
    assert "a new length: 90 minutes instead of 60. It starts at the same time." in body
    assert "Thu 22 May 2031, 14:00–15:30 UTC" in body
    assert f"http://live.test/episodes/{slug}.ics" in body
    assert sequence_in_invite(client, slug) == sequence_before + 1


def test_moving_the_start_still_mails_a_move_and_grows_the_sequence(
    app, client, login_as, inbox, scheduled
):
    episode_id, _ = scheduled
    slug = slug_of(app, episode_id)
    sequence_before = sequence_in_invite(client, slug)
    login_as(client)
    assert edit(client, episode_id, starts_at="2031-05-29T14:00").status_code == 303
    [message] = inbox.wait_for(1)
    assert header(message, "Subject") == "Your episode moved: Ironic at scale"
    assert "has a new time" in body_of(message)
    assert sequence_in_invite(client, slug) == sequence_before + 1


def test_an_edit_of_the_title_only_sends_nothing_and_keeps_the_sequence(
    app, client, login_as, inbox, scheduled
):
    episode_id, _ = scheduled
    slug = slug_of(app, episode_id)
    sequence_before = sequence_in_invite(client, slug)
    login_as(client)
    assert edit(client, episode_id, title="Ironic, at scale").status_code == 303
    time.sleep(0.3)
    assert inbox.messages == []
    assert sequence_in_invite(client, slug) == sequence_before


def test_an_episode_deleted_meanwhile_by_another_moderator_is_a_clear_error(app, scheduled):
    """Two moderators confirm at once: the second is told, and nothing of theirs is kept."""
    episode_id, _ = scheduled
    with app.app_context():
        late = make_moderator("late@example.org")
        episode = db.session.get(Episode, episode_id)
        proposal_id = episode.proposal.id  # loaded, as the page that asked for it did
        with db.engine.begin() as other:  # another server deletes it first
            other.execute(db.delete(Episode).where(Episode.id == episode_id))
        before = (count(ProposalHistory), count(AuditEntry))
        with pytest.raises(editing.EpisodeError, match="already deleted"):
            scheduling.delete_episode(episode, late)
        db.session.rollback()
        assert (count(ProposalHistory), count(AuditEntry)) == before
        assert fresh(proposal_id).status == "scheduled"


# --- a past episode's time corrected ------------------------------------------------------


def test_a_confirmed_correction_of_a_past_episode_is_audited_and_mails_nobody(
    app, client, login_as, inbox, scheduled, monkeypatch
):
    episode_id, _ = scheduled
    freeze_clock(monkeypatch, NEXT_THURSDAY + timedelta(days=2))  # the episode happened
    login_as(client)
    response = edit(client, episode_id, starts_at="2031-05-22T15:00")
    assert response.status_code == 422
    assert "tick “Yes, change the time of an episode that already happened”" in (
        response.get_data(as_text=True)
    )
    response = edit(client, episode_id, starts_at="2031-05-22T15:00", confirm_past="y")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Episode, episode_id).starts_at == NEXT_THURSDAY + timedelta(hours=1)
        updates = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "episode.update")
        ).all()
        [update] = updates
        assert "starts_at" in update.detail["changed"]
    time.sleep(0.3)
    assert inbox.messages == []
