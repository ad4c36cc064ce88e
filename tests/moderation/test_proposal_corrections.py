"""Assigning a proposal or taking over a claim (with a note), reopening a declined one, and
the history's "what changed" in words (guests as names)."""

import re

import pytest

from openinfra_live.audit import AuditEntry
from openinfra_live.extensions import db
from openinfra_live.proposals import claims, scheduling, services
from openinfra_live.proposals.models import ProposalHistory
from tests.conftest import make_moderator, post_form
from tests.moderation.test_proposal_actions import act, page_of, snapshot
from tests.proposals.builders import count, fresh, history_of, make_proposal
from tests.proposals.test_mail import body_of, header


@pytest.fixture
def claimed_by_other(app):
    """A submitted proposal claimed by Bea; (proposal id, Bea's id)."""
    with app.app_context():
        bea = make_moderator("bea@example.org", display_name="Bea")
        proposal, _ = make_proposal(title="Zuul at the edge")
        claims.claim_proposal(proposal, bea)
        db.session.commit()
        return proposal.id, bea.id


def assign(client, proposal_id: int, assignee: int, note: str = "", status: int = 303):
    page = client.get(page_of(proposal_id)).get_data(as_text=True)
    seen = re.search(r'name="assign-seen_claimer"[^>]*value="([^"]*)"', page)
    data = {"assign-assignee": str(assignee), "assign-note": note}
    data["assign-seen_claimer"] = seen.group(1) if seen else ""
    return act(client, proposal_id, "assign", data, status)


# --- assign and take over -------------------------------------------------------------------


def test_taking_over_another_moderators_claim_needs_a_note(app, client, login_as, claimed_by_other):
    proposal_id, bea_id = claimed_by_other
    me = login_as(client)
    before = snapshot(app, proposal_id)
    response = assign(client, proposal_id, me, note="", status=409)
    assert "Say in a note why Bea no longer holds this proposal" in response.get_data(as_text=True)
    assert snapshot(app, proposal_id) == before
    assign(client, proposal_id, me, note="Bea is away this month.")
    with app.app_context():
        assert fresh(proposal_id).claimed_by_id == me
        last = history_of(proposal_id)[-1]
        assert (last.action, last.actor_id, last.is_public) == ("assign", me, False)
        assert last.message == "Bea is away this month."
        entry = db.session.scalar(
            db.select(AuditEntry).where(AuditEntry.action == "proposal.assign")
        )
        assert entry.actor_id == me and entry.detail == {"from": bea_id, "to": me}
    html = client.get(page_of(proposal_id)).get_data(as_text=True)
    assert "assigned the proposal" in html and "Bea is away this month." in html
    assert "<del>Bea</del>" in html and "<ins>mod</ins>" in html


def test_assigning_to_another_moderator_mails_them(app, client, login_as, inbox):
    me = login_as(client)
    with app.app_context():
        cy = make_moderator("cy@example.org", display_name="Cy")
        cy_id = cy.id
        proposal, _ = make_proposal(title="Zuul at the edge")
        proposal_id = proposal.id
    assign(client, proposal_id, cy_id, note="You know Zuul best.")
    with app.app_context():
        assert fresh(proposal_id).claimed_by_id == cy_id
        assert history_of(proposal_id)[-1].actor_id == me
    [message] = inbox.wait_for(1)
    assert message["To"] == "cy@example.org"
    assert header(message, "Subject") == "A proposal was assigned to you: Zuul at the edge"
    body = body_of(message)
    assert "You know Zuul best." in body
    assert f"http://live.test/moderation/proposals/{proposal_id}" in body


def test_an_assignment_over_a_claim_changed_meanwhile_is_refused(
    app, client, login_as, claimed_by_other
):
    proposal_id, _ = claimed_by_other
    me = login_as(client)
    page = client.get(page_of(proposal_id)).get_data(as_text=True)
    with app.app_context():
        dan = make_moderator("dan@example.org", display_name="Dan")
        proposal = fresh(proposal_id)
        claims.assign_proposal(proposal, dan, dan, note="Mine now.")
        db.session.commit()
        dan_id = dan.id
    before = snapshot(app, proposal_id)
    seen = re.search(r'name="assign-seen_claimer"[^>]*value="([^"]*)"', page).group(1)
    response = post_form(
        client,
        page_of(proposal_id),
        {"assign-assignee": str(me), "assign-note": "Taking it", "assign-seen_claimer": seen},
        post_url=f"{page_of(proposal_id)}/assign",
    )
    assert response.status_code == 409
    assert "The claim on this proposal changed while you were reading: Dan holds it now" in (
        response.get_data(as_text=True)
    )
    assert snapshot(app, proposal_id) == before
    with app.app_context():
        assert fresh(proposal_id).claimed_by_id == dan_id


def test_an_inactive_or_unknown_moderator_cannot_be_assigned(app, client, login_as):
    login_as(client)
    with app.app_context():
        gone = make_moderator("gone@example.org", active=False)
        proposal, _ = make_proposal()
        proposal_id, gone_id = proposal.id, gone.id
    page = client.get(page_of(proposal_id)).get_data(as_text=True)
    assert "gone@example.org" not in page
    before = snapshot(app, proposal_id)
    data = {"assign-assignee": str(gone_id), "assign-note": "", "assign-seen_claimer": ""}
    response = post_form(
        client, page_of(proposal_id), data, post_url=f"{page_of(proposal_id)}/assign"
    )
    assert response.status_code in (409, 422)
    assert snapshot(app, proposal_id) == before


# --- reopen ---------------------------------------------------------------------------------


def test_a_declined_proposal_can_be_reopened_and_its_submitter_is_told(
    app, client, login_as, inbox
):
    me = login_as(client)
    with app.app_context():
        proposal, token = make_proposal("declined", title="Zuul at the edge", email="s@e.org")
        proposal_id = proposal.id
    page = client.get(page_of(proposal_id)).get_data(as_text=True)
    assert f'action="/moderation/proposals/{proposal_id}/reopen"' in page
    act(client, proposal_id, "reopen", {"reopen-message": "We have a slot for this after all."})
    with app.app_context():
        assert fresh(proposal_id).status == "submitted"
        last = history_of(proposal_id)[-1]
        assert (last.action, last.from_status, last.to_status, last.actor_id) == (
            "reopen",
            "declined",
            "submitted",
            me,
        )
        assert last.is_public
        actions = set(db.session.scalars(db.select(AuditEntry.action)))
        assert "proposal.reopen" in actions
    status = app.test_client().get(f"/proposals/{token}").get_data(as_text=True)
    assert "reopened the proposal: it waits for review again." in status
    assert "We have a slot for this after all." in status
    assert "Submitted, waiting for review" in status
    [message] = inbox.wait_for(1)
    assert header(message, "Subject") == (
        "Your episode idea is being reviewed again: Zuul at the edge"
    )
    assert "We have a slot for this after all." in body_of(message)
    # Back in the queue, oldest first with the others.
    assert "Zuul at the edge" in client.get("/moderation/").get_data(as_text=True)


@pytest.mark.parametrize("state", ["submitted", "approved", "withdrawn", "scheduled"])
def test_only_declined_proposals_can_be_reopened(app, client, login_as, state):
    login_as(client)
    with app.app_context():
        proposal, _ = make_proposal(state)
        proposal_id = proposal.id
    page = client.get(page_of(proposal_id)).get_data(as_text=True)
    assert f"/moderation/proposals/{proposal_id}/reopen" not in page
    before = snapshot(app, proposal_id)
    act(client, proposal_id, "reopen", {"reopen-message": ""}, status=409)
    assert snapshot(app, proposal_id) == before


# --- what changed, in words -----------------------------------------------------------------


def test_what_changed_shows_guests_as_names_not_lists(app, client, login_as):
    login_as(client)
    with app.app_context():
        proposal, _ = make_proposal("changes_requested", guests=[("Ada Lovelace", "Example Corp")])
        content = services.ProposalContent(
            title=proposal.title,
            description=proposal.description,
            guests=[("Ada Lovelace", "Example Corp"), ("Grace Hopper", "")],
            preferred_month="2031-07",
        )
        services.resubmit_proposal(proposal, content)
        db.session.commit()
        proposal_id = proposal.id
        assert count(ProposalHistory) == 2
    html = client.get(page_of(proposal_id)).get_data(as_text=True)
    changes = html[html.index("What changed") :]
    assert "<del>Ada Lovelace (Example Corp)</del>" in changes
    assert "<ins>Ada Lovelace (Example Corp), Grace Hopper</ins>" in changes
    assert "<dt>Preferred month</dt>" in changes and "<ins>2031-07</ins>" in changes
    for internal in ("[[", "[&#39;", "&#39;]", "None", "changes_requested", "preferred_month"):
        assert internal not in changes


def test_the_history_names_actions_and_states_in_words(app, client, login_as):
    login_as(client)
    with app.app_context():
        proposal, _ = make_proposal("approved")
        scheduling.schedule_proposal(
            proposal,
            make_moderator("s@example.org"),
            starts_at=proposal.created_at.replace(year=2099),
            title=proposal.title,
            description="",
            guests=[],
        )
        db.session.commit()
        proposal_id = proposal.id
    html = client.get(page_of(proposal_id)).get_data(as_text=True)
    history = html[html.index("History and internal notes") :]
    assert "s scheduled the episode." in history
    assert "episode_id" not in history and "→" not in history


def test_assigning_without_picking_a_moderator_is_refused(app, client, login_as):
    login_as(client)
    with app.app_context():
        proposal, _ = make_proposal()
        proposal_id = proposal.id
    page = client.get(page_of(proposal_id)).get_data(as_text=True)
    assert '<option selected value="">Choose a moderator…</option>' in page or (
        '<option value="">Choose a moderator…</option>' in page
    )
    before = snapshot(app, proposal_id)
    data = {"assign-assignee": "", "assign-note": "", "assign-seen_claimer": ""}
    response = post_form(
        client, page_of(proposal_id), data, post_url=f"{page_of(proposal_id)}/assign"
    )
    assert response.status_code == 422
    assert "Pick a moderator." in response.get_data(as_text=True)
    assert snapshot(app, proposal_id) == before
