"""Moderator actions on one proposal over HTTP: POST only, CSRF on, refused when forged."""

import pytest

from openinfra_live.audit import AuditEntry
from openinfra_live.extensions import db
from openinfra_live.proposals import services
from openinfra_live.proposals.models import Proposal, ProposalHistory
from tests.conftest import csrf_token_from, make_moderator, post_form
from tests.proposals.builders import count, fresh, history_of, make_proposal


def act(client, proposal_id: int, action: str, data: dict, status: int = 303):
    """Post ``data`` to one of the proposal page's actions, as its form would; the answer has
    ``status`` (by default the redirect of an action done)."""
    response = post_form(
        client, page_of(proposal_id), data, post_url=f"{page_of(proposal_id)}/{action}"
    )
    assert response.status_code == status, response.status_code
    return response


def page_of(proposal_id: int) -> str:
    return f"/moderation/proposals/{proposal_id}"


def snapshot(app, proposal_id: int) -> tuple:
    with app.app_context():
        proposal = fresh(proposal_id)
        return (
            proposal.status,
            proposal.updated_at,
            proposal.claimed_by_id,
            count(ProposalHistory),
            count(AuditEntry),
        )


@pytest.fixture
def submitted(app):
    with app.app_context():
        proposal, _ = make_proposal(title="Zuul at the edge")
        return proposal.id


def test_proposal_page_shows_the_whole_proposal_history_and_actions(
    app, client, login_as, submitted
):
    login_as(client)
    with app.app_context():
        services.add_note(fresh(submitted), make_moderator("n@example.org"), "Internal thought")
        db.session.commit()
    response = client.get(page_of(submitted))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    for text in (
        "Zuul at the edge",
        "submitter@example.org",
        "Ada Lovelace",
        "Internal thought",
        "Approve",
        "Request changes",
        "Decline",
        "Claim it",
    ):
        assert text in html
    assert "Schedule as an episode" not in html


def test_approve_moves_the_proposal_and_records_who(app, client, login_as, submitted):
    moderator_id = login_as(client)
    response = act(client, submitted, "approve", {"approve-message": "Welcome aboard"})
    assert response.headers["Location"] == page_of(submitted)
    with app.app_context():
        assert fresh(submitted).status == "approved"
        last = history_of(submitted)[-1]
        assert (last.action, last.actor_id, last.message, last.is_public) == (
            "approve",
            moderator_id,
            "Welcome aboard",
            True,
        )
        entry = db.session.scalar(
            db.select(AuditEntry).where(AuditEntry.action == "proposal.approve")
        )
        assert entry.actor_id == moderator_id and entry.object_id == str(submitted)
    html = client.get(page_of(submitted)).get_data(as_text=True)
    assert "Schedule as an episode" in html


def test_decline_keeps_the_message_for_the_submitter(app, client, login_as, submitted):
    login_as(client)
    act(client, submitted, "decline", {"decline-message": "We covered Zuul last month."})
    with app.app_context():
        assert fresh(submitted).status == "declined"
        assert history_of(submitted)[-1].message == "We covered Zuul last month."


def test_request_changes_without_a_message_is_refused(app, client, login_as, submitted):
    login_as(client)
    before = snapshot(app, submitted)
    response = act(client, submitted, "request-changes", {"changes-message": "  "}, 422)
    assert "This field is required." in response.get_data(as_text=True)
    assert snapshot(app, submitted) == before


@pytest.mark.parametrize("state", ["declined", "approved", "withdrawn", "scheduled"])
def test_approving_a_proposal_in_a_forged_state_is_a_conflict(app, client, login_as, state):
    """RELIABILITY 5: approve on an already declined/approved proposal."""
    login_as(client)
    with app.app_context():
        proposal, _ = make_proposal(state)
        proposal_id = proposal.id
    before = snapshot(app, proposal_id)
    page = client.get(page_of(proposal_id)).get_data(as_text=True)
    assert f'action="{page_of(proposal_id)}/approve"' not in page
    response = client.post(
        f"{page_of(proposal_id)}/approve",
        data={"csrf_token": csrf_token_from(page), "approve-message": "forged"},
    )
    assert response.status_code == 409
    assert "You cannot approve a proposal that is" in response.get_data(as_text=True)
    assert snapshot(app, proposal_id) == before


def test_acting_on_a_missing_proposal_is_not_found(app, client, login_as, submitted):
    """RELIABILITY 5: a missing id."""
    login_as(client)
    page = client.get(page_of(submitted)).get_data(as_text=True)
    response = client.post(
        "/moderation/proposals/999999/approve", data={"csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 404
    assert "There is no proposal #999999." in response.get_data(as_text=True)
    assert client.get("/moderation/proposals/999999").status_code == 404
    with app.app_context():
        assert count(Proposal) == 1


@pytest.mark.parametrize(
    "action", ["approve", "decline", "request-changes", "notes", "claim", "release", "tags"]
)
def test_state_changes_need_post_and_csrf(app, client, login_as, submitted, action):
    login_as(client)
    before = snapshot(app, submitted)
    assert client.get(f"{page_of(submitted)}/{action}").status_code == 405
    response = client.post(f"{page_of(submitted)}/{action}", data={"changes-message": "x"})
    assert response.status_code == 400
    assert snapshot(app, submitted)[:4] == before[:4]


@pytest.mark.parametrize("action", ["approve", "decline", "schedule"])
def test_anonymous_posts_change_nothing(app, client, submitted, action):
    before = snapshot(app, submitted)
    response = client.post(f"{page_of(submitted)}/{action}", data={})
    assert response.status_code in {302, 400, 401, 403}
    assert snapshot(app, submitted)[:4] == before[:4]


def test_internal_notes_never_reach_the_status_page(app, client, login_as):
    with app.app_context():
        proposal, token = make_proposal()
        proposal_id = proposal.id
    moderator = app.test_client()
    login_as(moderator)
    act(moderator, proposal_id, "notes", {"note-message": "Do not tell: budget is tight"})
    assert "Do not tell" in moderator.get(page_of(proposal_id)).get_data(as_text=True)
    status_page = client.get(f"/proposals/{token}").get_data(as_text=True)
    assert "Do not tell" not in status_page
    assert "mod@example.org" not in status_page


def test_a_second_moderator_sees_the_claim_and_cannot_take_it(app, login_as, submitted):
    first, second = app.test_client(), app.test_client()
    login_as(first, "first@example.org", display_name="Fiona First")
    login_as(second, "second@example.org", display_name="Sid Second")
    act(first, submitted, "claim", {})
    html = second.get(page_of(submitted)).get_data(as_text=True)
    assert "Claimed by <strong>Fiona First</strong>" in html
    assert "Claim it" not in html
    response = second.post(
        f"{page_of(submitted)}/claim", data={"csrf_token": csrf_token_from(html)}
    )
    assert response.status_code == 409
    assert "already claimed by Fiona First" in response.get_data(as_text=True)
    response = second.post(
        f"{page_of(submitted)}/release", data={"csrf_token": csrf_token_from(html)}
    )
    assert response.status_code == 409
    with app.app_context():
        assert fresh(submitted).claimed_by.display_name == "Fiona First"
    act(first, submitted, "release", {})
    with app.app_context():
        assert fresh(submitted).claimed_by_id is None


def test_tags_are_normalised_and_shown(app, client, login_as, submitted):
    login_as(client)
    act(client, submitted, "tags", {"tags-tags": "Storage, CI ,storage"})
    with app.app_context():
        assert fresh(submitted).tags == "storage,ci"
    html = client.get(page_of(submitted)).get_data(as_text=True)
    assert '<span class="badge">storage</span>' in html
    too_many = ",".join(f"t{i}" for i in range(11))
    act(client, submitted, "tags", {"tags-tags": too_many}, 422)
