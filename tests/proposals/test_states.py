"""The workflow at the service level: every (state, action) pair, allowed or refused."""

from datetime import timedelta

import pytest

from openinfra_live import workflow
from openinfra_live.audit import AuditEntry
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from openinfra_live.proposals import claims, scheduling, services, states
from openinfra_live.proposals.models import Proposal, ProposalHistory
from openinfra_live.proposals.states import PROPOSALS, ProposalAction, ProposalState
from openinfra_live.workflow import TransitionNotAllowed
from tests.conftest import make_moderator
from tests.proposals.builders import count, fresh, history_of, make_proposal

ALL_PAIRS = [(state, action) for state in ProposalState for action in ProposalAction]


def perform(action: ProposalAction, proposal, moderator, now):
    """Call the service verb of ``action`` with valid arguments."""
    if action is ProposalAction.APPROVE:
        return services.approve_proposal(proposal, moderator, "Looks great")
    if action is ProposalAction.DECLINE:
        return services.decline_proposal(proposal, moderator, "Not for the show")
    if action is ProposalAction.REQUEST_CHANGES:
        return services.request_changes(proposal, moderator, "Please name the guests")
    if action is ProposalAction.RESUBMIT:
        content = services.ProposalContent(
            title="Ceph at a larger scale",
            description="Storage stories from operators running Ceph with OpenStack.",
            guests=[("Ada Lovelace", "Analytical Engines")],
        )
        return services.resubmit_proposal(proposal, content)
    if action is ProposalAction.WITHDRAW:
        return services.withdraw_proposal(proposal)
    if action is ProposalAction.SCHEDULE:
        return scheduling.schedule_proposal(
            proposal,
            moderator,
            starts_at=now + timedelta(days=7),
            title=proposal.title,
            description=proposal.description,
            guests=[(g.name, g.affiliation) for g in proposal.guests],
        )
    if action is ProposalAction.REOPEN:
        return services.reopen_proposal(proposal, moderator, "Worth a second look")
    if action is ProposalAction.CANCEL_EPISODE:
        return scheduling.cancel_episode(
            proposal, moderator, title=proposal.title, starts_at=now + timedelta(days=7)
        )
    raise AssertionError(action)


def test_the_table_covers_exactly_the_workflow_of_the_spec():
    S, A = ProposalState, ProposalAction
    assert states.TRANSITIONS == {
        (S.SUBMITTED, A.APPROVE): S.APPROVED,
        (S.SUBMITTED, A.DECLINE): S.DECLINED,
        (S.SUBMITTED, A.REQUEST_CHANGES): S.CHANGES_REQUESTED,
        (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
        (S.CHANGES_REQUESTED, A.RESUBMIT): S.SUBMITTED,
        (S.CHANGES_REQUESTED, A.WITHDRAW): S.WITHDRAWN,
        (S.APPROVED, A.SCHEDULE): S.SCHEDULED,
        (S.APPROVED, A.WITHDRAW): S.WITHDRAWN,
        # The moderators' corrections: a declined idea reviewed again; an episode deleted.
        (S.DECLINED, A.REOPEN): S.SUBMITTED,
        (S.SCHEDULED, A.CANCEL_EPISODE): S.APPROVED,
    }
    assert {S.DECLINED, S.WITHDRAWN, S.SCHEDULED} == states.FINAL
    assert {A.REOPEN, A.CANCEL_EPISODE} == states.CORRECTIONS
    # Settled states are left only by a moderator's correction; withdrawn never.
    assert all(
        action in states.CORRECTIONS
        for state, action in states.TRANSITIONS
        if state in states.FINAL
    )
    assert not any(state == S.WITHDRAWN for state, _ in states.TRANSITIONS)
    assert set(S) == states.OPEN | states.FINAL
    assert states.PUBLIC <= states.FINAL


@pytest.mark.parametrize(("state", "action"), ALL_PAIRS, ids=lambda v: str(v))
def test_every_state_and_action_pair(app_ctx, frozen_now, state, action):
    moderator = make_moderator()
    proposal, _ = make_proposal(state.value)
    before = {
        "updated_at": proposal.updated_at,
        "history": len(history_of(proposal.id)),
        "audit": count(AuditEntry),
        "episodes": count(Episode),
        "title": proposal.title,
    }
    target = states.TRANSITIONS.get((state, action))
    now = proposal.created_at
    assert (action in PROPOSALS.allowed_actions(proposal)) == (target is not None)

    if target is None:
        with pytest.raises(TransitionNotAllowed, match="You cannot .* a proposal that is"):
            perform(action, proposal, moderator, now)
        assert workflow.pending() == []
        db.session.rollback()
        stored = fresh(proposal.id)
        assert stored.status == state.value
        assert stored.updated_at == before["updated_at"]
        assert stored.title == before["title"]
        assert len(history_of(proposal.id)) == before["history"]
        assert count(AuditEntry) == before["audit"]
        assert count(Episode) == before["episodes"]
        return

    returned = perform(action, proposal, moderator, now)
    assert isinstance(returned, ProposalHistory)
    [(to, _subject, template, _context)] = workflow.pending()
    assert (to, template) == (proposal.submitter_email, "mail/proposal_status.txt")
    db.session.commit()
    stored = fresh(proposal.id)
    assert stored.status == target.value
    entries = history_of(proposal.id)
    assert len(entries) == before["history"] + 1
    last = entries[-1]
    assert last.id == returned.id
    assert (last.action, last.from_status, last.to_status) == (action, state, target)
    assert last.is_public
    expected_actor = moderator.id if action not in {"resubmit", "withdraw"} else None
    assert last.actor_id == expected_actor
    audit_actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert f"proposal.{action}" in audit_actions
    if action is ProposalAction.SCHEDULE:
        episode = db.session.scalar(db.select(Episode))
        assert episode.proposal_id == proposal.id
        assert [g.name for g in episode.guests] == ["Ada Lovelace"]
    else:
        assert count(Episode) == 0


def test_resubmit_records_what_changed(app_ctx):
    proposal, _ = make_proposal("changes_requested", organization="Old Org")
    content = services.ProposalContent(
        title="Ceph at scale",
        description="Storage stories from operators running Ceph with OpenStack.",
        guests=[("Ada Lovelace", "Analytical Engines"), ("Alan Turing", "Bletchley")],
        organization="New Org",
    )
    entry = services.resubmit_proposal(proposal, content, message="Added Alan")
    db.session.commit()
    assert set(entry.changes) == {"organization", "guests"}
    assert entry.changes["organization"] == ["Old Org", "New Org"]
    assert entry.changes["guests"][1][-1] == ["Alan Turing", "Bletchley"]
    assert [g.name for g in fresh(proposal.id).guests] == ["Ada Lovelace", "Alan Turing"]


def test_request_changes_needs_a_message(app_ctx):
    moderator = make_moderator()
    proposal, _ = make_proposal()
    with pytest.raises(services.MessageRequired):
        services.request_changes(proposal, moderator, "   ")
    db.session.rollback()
    assert fresh(proposal.id).status == "submitted"


def test_a_stale_copy_cannot_overwrite_a_concurrent_transition(app_ctx):
    """The conditional UPDATE: a row changed since it was read is not moved again."""
    moderator = make_moderator()
    proposal, _ = make_proposal()
    # Another process declines it behind this session's back.
    db.session.execute(
        db.update(type(proposal)).where(type(proposal).id == proposal.id).values(status="declined")
    )
    db.session.commit()
    proposal.__dict__["status"] = "submitted"  # what this request saw before
    with pytest.raises(TransitionNotAllowed):
        services.approve_proposal(proposal, moderator)
    db.session.rollback()
    assert fresh(proposal.id).status == "declined"
    assert [e.action for e in history_of(proposal.id)] == ["submit"]


def test_notes_claims_and_tags_change_no_state_and_stay_internal(app_ctx):
    first = make_moderator("first@example.org")
    second = make_moderator("second@example.org")
    proposal, _ = make_proposal()
    services.add_note(proposal, first, "Ask Jimmy if he knows them")
    claims.claim_proposal(proposal, first)
    services.set_tags(proposal, first, ["Storage", " ceph ", "storage", "<b>x</b>"])
    db.session.commit()
    with pytest.raises(claims.AlreadyClaimed, match="first"):
        claims.claim_proposal(proposal, second)
    db.session.rollback()
    stored = fresh(proposal.id)
    assert stored.status == "submitted"
    assert stored.claimed_by_id == first.id
    assert stored.tags == "storage,ceph,bxb"
    assert [e.is_public for e in history_of(proposal.id)] == [True, False, False, False]
    claims.claim_proposal(stored, first, release=True)
    db.session.commit()
    assert fresh(proposal.id).claimed_by_id is None


def test_status_link_token_is_stored_only_as_its_hash_and_can_be_rotated(app_ctx):
    from openinfra_live import tokens

    proposal, token = make_proposal()
    assert len(token) == 43 and tokens.looks_like_token(token)
    assert proposal.token_hash == tokens.hash_token(token)
    assert token not in {proposal.token_hash, proposal.submission_nonce}
    assert services.find_by_token(token).id == proposal.id
    new_token = services.rotate_token(proposal)
    db.session.commit()
    assert new_token != token
    assert services.find_by_token(token) is None
    assert services.find_by_token(new_token).id == proposal.id
    assert services.status_token(fresh(proposal.id)) == new_token


def test_a_double_submission_caught_only_by_the_database_returns_the_stored_proposal(
    app_ctx, monkeypatch
):
    """Two requests with one nonce at once: the unique nonce decides, the loser gets the row."""
    stored, token = make_proposal(email="twice@example.org")
    real_lookup = services._by_nonce
    lookups = []

    def lookup_missing_the_first_time(seed):
        lookups.append(seed)
        return None if len(lookups) == 1 else real_lookup(seed)

    monkeypatch.setattr(services, "_by_nonce", lookup_missing_the_first_time)
    submission = services.submit_proposal(
        services.ProposalContent(title="Ceph at scale", description="Same idea, again"),
        submitter_name="Sam Submitter",
        submitter_email="twice@example.org",
        nonce=stored.submission_nonce,
    )
    assert not submission.created
    assert submission.proposal.id == stored.id
    assert submission.token == token
    assert count(Proposal) == 1
