"""The workflow engine both workflows share: the outbox and races between two requests."""

import pytest

from openinfra_live import workflow
from openinfra_live.extensions import db
from openinfra_live.proposals import services
from openinfra_live.proposals.models import Proposal, ProposalHistory
from openinfra_live.ptg import registrations
from openinfra_live.ptg.models import PtgTeam, PtgTeamHistory
from tests.conftest import make_moderator
from tests.proposals.builders import fresh, history_of, make_proposal
from tests.ptg.builders import make_event, make_team


@pytest.fixture
def sent_mail(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "openinfra_live.mail.send",
        lambda to, subject, template, **context: sent.append((to, subject, template)),
    )
    return sent


def test_a_mail_queued_in_a_rolled_back_transaction_is_never_sent(app_ctx, sent_mail):
    moderator = make_moderator()
    proposal, _ = make_proposal(email="first@example.org")
    other, _ = make_proposal(email="second@example.org")
    services.decline_proposal(proposal, moderator, "Not this one")
    db.session.rollback()
    # The next transaction of the same session commits through the engine.
    services.approve_proposal(other, moderator)
    workflow.commit()
    assert [(to, template) for to, _, template in sent_mail] == [
        ("second@example.org", "mail/proposal_status.txt")
    ]
    assert fresh(proposal.id).status == "submitted"
    assert fresh(other.id).status == "approved"


def test_a_plain_commit_after_a_rollback_sends_nothing_queued_before(app_ctx, sent_mail):
    proposal, _ = make_proposal()
    services.withdraw_proposal(proposal)
    assert len(workflow.pending()) == 1
    db.session.rollback()
    assert workflow.pending() == []
    workflow.commit()
    assert sent_mail == []


def test_a_failed_send_leaves_the_change_committed(app_ctx, monkeypatch, caplog):
    def broken_send(*args, **kwargs):
        raise RuntimeError("the mail server is on fire")

    monkeypatch.setattr("openinfra_live.mail.send", broken_send)
    moderator = make_moderator()
    proposal, _ = make_proposal()
    proposal_id = proposal.id
    services.approve_proposal(proposal, moderator, "Welcome")
    workflow.commit()
    db.session.remove()
    assert fresh(proposal_id).status == "approved"
    assert [e.action for e in history_of(proposal_id)] == ["submit", "approve"]
    assert "could not send the mail" in caplog.text


def test_a_failed_send_does_not_stop_the_other_mails(app_ctx, monkeypatch):
    sent = []

    def send_or_fail(to, subject, template, **context):
        if to == "first@example.org":
            raise OSError("refused")
        sent.append(to)

    monkeypatch.setattr("openinfra_live.mail.send", send_or_fail)
    moderator = make_moderator()
    first, _ = make_proposal(email="first@example.org")
    second, _ = make_proposal(email="second@example.org")
    services.approve_proposal(first, moderator)
    services.approve_proposal(second, moderator)
    workflow.commit()
    assert sent == ["second@example.org"]


RACES = {
    "proposal": (
        lambda: make_proposal()[0],
        lambda obj: services.approve_proposal(obj, None, "first"),
        lambda obj: services.decline_proposal(obj, None, "second"),
        Proposal,
        ProposalHistory,
        {"approved", "declined"},
    ),
    "ptg registration": (
        lambda: make_team(make_event(), status="pending"),
        lambda obj: registrations.approve_team(obj, actor=None, message="first"),
        lambda obj: registrations.decline_team(obj, actor=None, message="second"),
        PtgTeam,
        PtgTeamHistory,
        {"approved", "declined"},
    ),
}


@pytest.mark.parametrize("name", list(RACES))
def test_two_requests_changing_one_object_at_once_let_exactly_one_win(app, sent_mail, name):
    """Both requests read the object in the same state; the conditional UPDATE picks one."""
    make, first_verb, second_verb, model, history_model, outcomes = RACES[name]
    with app.app_context():
        obj_id = make().id
        db.session.commit()
    with app.app_context():  # the first request reads the row ...
        seen_by_first = db.session.get(model, obj_id)
        assert seen_by_first.status in {"submitted", "pending"}
        with app.app_context():  # ... a second request changes it and commits meanwhile
            second_verb(db.session.get(model, obj_id))
            workflow.commit()
            db.session.remove()
        with pytest.raises(workflow.TransitionNotAllowed):
            first_verb(seen_by_first)
        db.session.rollback()
        db.session.remove()
    with app.app_context():
        stored = db.session.get(model, obj_id)
        assert stored.status in outcomes
        transitions = db.session.scalars(
            db.select(history_model).where(history_model.to_status == stored.status)
        ).all()
        assert [entry.message for entry in transitions] == ["second"]
        assert len(sent_mail) == 1
        db.session.remove()
