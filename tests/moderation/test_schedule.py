"""Scheduling: free slots, clashes, the past, and promoting a proposal in one transaction."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from openinfra_live import audit
from openinfra_live.audit import AuditEntry
from openinfra_live.episodes import editing, slots
from openinfra_live.episodes.models import Episode, EpisodeGuest
from openinfra_live.extensions import db
from openinfra_live.proposals.models import ProposalHistory
from tests.conftest import csrf_token_from, post_form
from tests.proposals.builders import (
    count,
    freeze_clock,
    fresh,
    guest_rows,
    history_of,
    make_proposal,
)
from tests.proposals.conftest import NOW

# NOW is Thu 15 May 2031, 15:00 UTC: today's slot has passed.
NEXT_THURSDAY = datetime(2031, 5, 22, 14, 0, tzinfo=UTC)


@pytest.fixture
def frozen_now(monkeypatch):
    return freeze_clock(monkeypatch, NOW)


def add_episode(starts_at: datetime, minutes: int = 60, hidden: bool = False, title="Booked"):
    episode = editing.create_episode(
        title=title, starts_at=starts_at, duration_minutes=minutes, hidden=hidden
    )
    db.session.commit()
    return episode


# --- episode services -------------------------------------------------------------------------


def test_next_free_slots_are_the_configured_weekday_and_hour_skipping_busy_ones(
    app_ctx, frozen_now
):
    assert slots.next_free_slots(3) == [
        NEXT_THURSDAY,
        NEXT_THURSDAY + timedelta(weeks=1),
        NEXT_THURSDAY + timedelta(weeks=2),
    ]
    add_episode(NEXT_THURSDAY + timedelta(minutes=30))  # overlaps the first slot
    add_episode(NEXT_THURSDAY + timedelta(weeks=2), hidden=True)  # hidden: does not block
    assert slots.next_free_slots(2) == [
        NEXT_THURSDAY + timedelta(weeks=1),
        NEXT_THURSDAY + timedelta(weeks=2),
    ]


def test_default_slot_follows_the_configuration(app_ctx, frozen_now):
    app_ctx.config.update(DEFAULT_SLOT_WEEKDAY=1, DEFAULT_SLOT_HOUR=17, DEFAULT_SLOT_MINUTE=30)
    [slot] = slots.next_free_slots(1)
    assert slot == datetime(2031, 5, 20, 17, 30, tzinfo=UTC)
    assert slot.weekday() == 1


def test_find_clash_detects_overlap_but_not_adjacent_episodes(app_ctx, frozen_now):
    booked = add_episode(NEXT_THURSDAY)
    assert editing.find_clash(NEXT_THURSDAY + timedelta(minutes=59), 60).id == booked.id
    assert editing.find_clash(NEXT_THURSDAY - timedelta(minutes=30), 60).id == booked.id
    assert editing.find_clash(NEXT_THURSDAY + timedelta(minutes=60), 60) is None
    assert editing.find_clash(NEXT_THURSDAY - timedelta(minutes=60), 60) is None
    assert editing.find_clash(NEXT_THURSDAY, 60, exclude_id=booked.id) is None


def test_a_new_episode_cannot_start_in_the_past_or_overlap(app_ctx, frozen_now):
    with pytest.raises(editing.SlotInPastError):
        editing.create_episode(title="Late", starts_at=NOW - timedelta(minutes=1))
    db.session.rollback()
    add_episode(NEXT_THURSDAY)
    with pytest.raises(editing.SlotClashError, match="Booked"):
        editing.create_episode(title="Clash", starts_at=NEXT_THURSDAY + timedelta(minutes=15))
    db.session.rollback()
    assert count(Episode) == 1


def test_moving_an_episode_bumps_its_sequence_and_checks_clashes(app_ctx, frozen_now):
    episode = add_episode(NEXT_THURSDAY, title="Movable")
    other = add_episode(NEXT_THURSDAY + timedelta(weeks=1), title="Fixed")
    changes = editing.update_episode(episode, title="Renamed")
    db.session.commit()
    assert set(changes) == {"title"} and episode.sequence == 0
    editing.update_episode(episode, starts_at=NEXT_THURSDAY + timedelta(hours=2))
    db.session.commit()
    assert episode.sequence == 1
    with pytest.raises(editing.SlotClashError):
        editing.update_episode(episode, starts_at=other.starts_at + timedelta(minutes=30))
    db.session.rollback()
    assert fresh_episode(episode.id).starts_at == NEXT_THURSDAY + timedelta(hours=2)


def fresh_episode(episode_id: int) -> Episode:
    db.session.expire_all()
    return db.session.get(Episode, episode_id)


def test_hidden_episodes_may_overlap_but_cannot_be_unhidden_onto_a_visible_one(app_ctx, frozen_now):
    add_episode(NEXT_THURSDAY, title="Visible")
    hidden = add_episode(NEXT_THURSDAY, hidden=True, title="Hidden")
    with pytest.raises(editing.SlotClashError):
        editing.unhide_episode(hidden)
    db.session.rollback()
    assert fresh_episode(hidden.id).hidden
    editing.update_episode(hidden, starts_at=NEXT_THURSDAY + timedelta(weeks=1))
    editing.unhide_episode(hidden)
    db.session.commit()
    assert not fresh_episode(hidden.id).hidden


# --- the schedule page --------------------------------------------------------------------


@pytest.fixture
def approved(app, frozen_now):
    with app.app_context():
        proposal, token = make_proposal(
            "approved",
            title="Kata Containers in production",
            guests=[("Ada Lovelace", "Analytical Engines"), ("Alan Turing", "")],
        )
        return proposal.id


def schedule_url(proposal_id: int) -> str:
    return f"/moderation/proposals/{proposal_id}/schedule"


def form_data(**overrides) -> dict:
    data = {
        "slot": NEXT_THURSDAY.strftime("%Y-%m-%dT%H:%M"),
        "custom_start": "",
        "duration_minutes": "60",
        "title": "Kata Containers in production",
        "description": "<p>Operators tell.</p>",
        **guest_rows(("Ada Lovelace", "Analytical Engines"), ("Alan Turing", "")),
    }
    data.update(overrides)
    return data


def state_of(app, proposal_id: int) -> tuple:
    with app.app_context():
        return (
            fresh(proposal_id).status,
            count(Episode),
            count(EpisodeGuest),
            count(ProposalHistory),
            count(AuditEntry),
        )


def test_schedule_page_offers_the_next_free_thursday_and_more(app, client, login_as, approved):
    login_as(client)
    with app.app_context():
        add_episode(NEXT_THURSDAY + timedelta(weeks=1))
    response = client.get(schedule_url(approved))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    # Offered, but not chosen in advance: the moderator picks a slot or types another time.
    assert re.search(r'<input[^>]*name="slot"[^>]*value="2031-05-22T14:00"', html)
    assert "<input checked" not in html
    assert "Thu 22 May 2031, 14:00 UTC" in html
    assert "Thu 29 May 2031" not in html  # taken
    assert "Thu 5 Jun 2031, 14:00 UTC" in html
    assert 'value="Kata Containers in production"' in html
    assert 'value="Alan Turing"' in html
    assert 'name="custom_start"' in html


def test_scheduling_creates_the_episode_and_marks_the_proposal_in_one_go(
    app, client, login_as, approved
):
    moderator_id = login_as(client)
    response = post_form(client, schedule_url(approved), form_data(duration_minutes="90"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/moderation/proposals/{approved}"
    with app.app_context():
        proposal = fresh(approved)
        assert proposal.status == "scheduled"
        episode = proposal.episode
        assert episode.proposal_id == approved
        assert episode.starts_at == NEXT_THURSDAY
        assert episode.duration_minutes == 90
        assert episode.slug == "2031-05-22-kata-containers-in-production"
        assert [(g.name, g.affiliation) for g in episode.guests] == [
            ("Ada Lovelace", "Analytical Engines"),
            ("Alan Turing", ""),
        ]
        last = history_of(approved)[-1]
        assert (last.action, last.from_status, last.to_status, last.actor_id) == (
            "schedule",
            "approved",
            "scheduled",
            moderator_id,
        )
        assert last.changes["episode_id"] == episode.id
        actions = set(db.session.scalars(db.select(AuditEntry.action)))
        assert {"proposal.schedule", "episode.create"} <= actions


def test_a_custom_time_can_be_chosen_in_utc(app, client, login_as, approved):
    login_as(client)
    response = post_form(
        client,
        schedule_url(approved),
        form_data(slot="custom", custom_start="2031-06-03T16:30", title="Edited title here"),
    )
    assert response.status_code == 303
    with app.app_context():
        episode = fresh(approved).episode
        assert episode.starts_at == datetime(2031, 6, 3, 16, 30, tzinfo=UTC)
        assert episode.title == "Edited title here"


def test_a_slot_in_the_past_is_refused_with_a_clear_error(app, client, login_as, approved):
    login_as(client)
    before = state_of(app, approved)
    response = post_form(
        client, schedule_url(approved), form_data(slot="custom", custom_start="2031-05-15T14:00")
    )
    assert response.status_code == 422
    assert "is in the past" in response.get_data(as_text=True)
    assert state_of(app, approved) == before


def test_an_overlapping_slot_is_refused_with_a_clear_error(app, client, login_as, approved):
    login_as(client)
    with app.app_context():
        add_episode(NEXT_THURSDAY + timedelta(minutes=30), title="Already there")
    before = state_of(app, approved)
    response = post_form(client, schedule_url(approved), form_data())
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "That slot is taken" in html and "Already there" in html
    assert state_of(app, approved) == before


def test_a_same_start_race_lost_at_the_unique_index_is_a_clear_error(
    app, client, login_as, approved, monkeypatch
):
    """The check in Python saw a free slot; the partial unique index still says no."""
    login_as(client)
    with app.app_context():
        add_episode(NEXT_THURSDAY, title="Won the race")
    monkeypatch.setattr(editing, "find_clash", lambda *args, **kwargs: None)
    before = state_of(app, approved)
    response = post_form(client, schedule_url(approved), form_data())
    assert response.status_code == 409
    assert "another episode was just scheduled at that time" in response.get_data(as_text=True)
    assert state_of(app, approved) == before


@pytest.mark.parametrize("state", ["submitted", "declined", "scheduled", "changes_requested"])
def test_only_approved_proposals_can_be_scheduled(app, client, login_as, frozen_now, state):
    login_as(client)
    with app.app_context():
        proposal, _ = make_proposal(state)
        proposal_id = proposal.id
    response = client.get(schedule_url(proposal_id))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/moderation/proposals/{proposal_id}"
    page = client.get(f"/moderation/proposals/{proposal_id}").get_data(as_text=True)
    assert "Only approved proposals can be scheduled" in page
    before = state_of(app, proposal_id)
    response = client.post(
        schedule_url(proposal_id), data={**form_data(), "csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 409
    assert state_of(app, proposal_id) == before


def test_a_failing_audit_write_after_the_episode_insert_rolls_everything_back(
    app, client, login_as, approved, monkeypatch
):
    """RELIABILITY 28: atomicity of the promotion."""
    login_as(client)
    before = state_of(app, approved)
    real_record = audit.record
    inserted = []

    def failing_record(action, *args, **kwargs):
        if action == "episode.create":
            # The episode row is written (flushed) in this transaction when the audit fails.
            inserted.append(db.session.scalar(db.select(db.func.count()).select_from(Episode)))
            raise RuntimeError("audit storage is down: secret detail")
        return real_record(action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", failing_record)
    response = post_form(client, schedule_url(approved), form_data())
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "secret detail" not in html and "Traceback" not in html
    assert inserted == [1]
    assert state_of(app, approved) == before
    with app.app_context():
        assert fresh(approved).status == "approved"
        assert db.session.scalar(db.select(Episode)) is None
