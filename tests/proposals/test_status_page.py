"""The submitter's private status page: who can reach it, what it shows, edit and withdraw."""

import re
from datetime import timedelta

import pytest

from openinfra_live import tokens
from openinfra_live.extensions import db
from openinfra_live.proposals import scheduling, services
from tests.conftest import csrf_token_from, make_moderator, post_form
from tests.proposals.builders import fresh, history_of, make_proposal


def status_url(token: str) -> str:
    return f"/proposals/{token}"


@pytest.fixture
def two_proposals(app_ctx):
    """Proposal A with a moderator's internal note and public message, and proposal B."""
    moderator = make_moderator("moderator.person@example.org")
    a, token_a = make_proposal(title="Alpha idea about Nova", email="alice@example.org")
    b, token_b = make_proposal(title="Beta idea about Swift", email="bob@example.org")
    services.add_note(a, moderator, "INTERNAL: the guest is hard to book")
    services.request_changes(a, moderator, "Please add a second guest")
    db.session.commit()
    return {"a": (a.id, token_a), "b": (b.id, token_b)}


def test_status_page_shows_state_public_messages_and_only_its_own_proposal(client, two_proposals):
    """RELIABILITY 3: the page of A shows A's fields only, and no internal note."""
    _, token_a = two_proposals["a"]
    response = client.get(status_url(token_a))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Alpha idea about Nova" in html
    assert "Changes requested" in html
    assert "Please add a second guest" in html
    assert "INTERNAL" not in html
    # A moderator is named by the display name they chose, never by their address.
    assert "moderator.person asked for changes." in html
    assert "moderator.person@example.org" not in html
    assert "Beta idea" not in html
    assert "bob@example.org" not in html
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_wrong_truncated_and_missing_tokens_all_get_the_same_404(client, two_proposals):
    """RELIABILITY 12: one answer for every token that does not open a proposal."""
    _, token_a = two_proposals["a"]
    candidates = [
        token_a[:-1],  # truncated
        token_a[:-1] + ("A" if token_a[-1] != "A" else "B"),  # one character off
        tokens.new_token()[0],  # well-formed, unknown
        tokens.hash_token(token_a),  # the stored hash is not a key
        "x",
        token_a + "x",
    ]
    responses = [client.get(status_url(candidate)) for candidate in candidates]
    assert {r.status_code for r in responses} == {404}
    # Pages may link back to their own address; apart from that the bodies are identical.
    bodies = {re.sub(r"next=[^\"]*", "next=", r.get_data(as_text=True)) for r in responses}
    assert len(bodies) == 1
    for response in responses:
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"


def test_a_token_acts_only_on_its_own_proposal(app, client, two_proposals):
    """RELIABILITY 3: B's token cannot edit or withdraw A, and A's page never leads to B."""
    a_id, token_a = two_proposals["a"]
    b_id, token_b = two_proposals["b"]
    page = client.get(status_url(token_b)).get_data(as_text=True)
    response = client.post(
        f"/proposals/{token_b}/withdraw", data={"csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 303
    with app.app_context():
        assert fresh(b_id).status == "withdrawn"
        assert fresh(a_id).status == "changes_requested"
    forged = tokens.new_token()[0]
    response = client.post(
        f"/proposals/{forged}/withdraw", data={"csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 404


def test_edit_while_changes_are_requested_goes_back_to_review_with_the_changes(
    app, client, two_proposals
):
    a_id, token_a = two_proposals["a"]
    page = client.get(status_url(token_a)).get_data(as_text=True)
    assert "Edit your proposal" in page
    assert 'value="Alpha idea about Nova"' in page
    response = post_form(
        client,
        status_url(token_a),
        {
            "title": "Alpha idea about Nova",
            "description": "Storage stories from operators running Ceph with OpenStack.",
            "guests-0-name": "Ada Lovelace",
            "guests-0-affiliation": "Analytical Engines",
            "guests-1-name": "Alan Turing",
            "guests-1-affiliation": "Bletchley Park",
            "organization": "",
            "preferred_month": "",
            "links": "",
            "message": "Added Alan",
        },
        post_url=f"/proposals/{token_a}/edit",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == status_url(token_a)
    with app.app_context():
        proposal = fresh(a_id)
        assert proposal.status == "submitted"
        last = history_of(a_id)[-1]
        assert (last.action, last.from_status, last.to_status) == (
            "resubmit",
            "changes_requested",
            "submitted",
        )
        assert set(last.changes) == {"guests"}
        assert last.changes["guests"][1][1] == ["Alan Turing", "Bletchley Park"]
    after = client.get(status_url(token_a)).get_data(as_text=True)
    assert "Edit your proposal" not in after
    assert "You sent an edited proposal." in after


def test_edit_with_errors_keeps_the_proposal_unchanged(app, client, two_proposals):
    a_id, token_a = two_proposals["a"]
    response = post_form(
        client,
        status_url(token_a),
        {"title": "", "description": "short", "links": "ftp://nope"},
        post_url=f"/proposals/{token_a}/edit",
    )
    assert response.status_code == 422
    assert "is not a web address" in response.get_data(as_text=True)
    with app.app_context():
        assert fresh(a_id).status == "changes_requested"
        assert fresh(a_id).title == "Alpha idea about Nova"


def test_edit_is_refused_when_no_changes_were_requested(app, client, two_proposals):
    b_id, token_b = two_proposals["b"]
    page = client.get(status_url(token_b)).get_data(as_text=True)
    assert "Edit your proposal" not in page
    response = client.post(
        f"/proposals/{token_b}/edit",
        data={
            "csrf_token": csrf_token_from(page),
            "title": "Hijacked title for the idea",
            "description": "Storage stories from operators running Ceph with OpenStack.",
        },
    )
    assert response.status_code == 303
    assert "You cannot resubmit" in client.get(status_url(token_b)).get_data(as_text=True)
    with app.app_context():
        assert fresh(b_id).title == "Beta idea about Swift"


def test_withdraw_is_offered_while_not_final_and_refused_after(app, client, two_proposals):
    b_id, token_b = two_proposals["b"]
    page = client.get(status_url(token_b)).get_data(as_text=True)
    assert "Withdraw the proposal" in page
    token = csrf_token_from(page)
    assert (
        client.post(f"/proposals/{token_b}/withdraw", data={"csrf_token": token}).status_code == 303
    )
    page = client.get(status_url(token_b)).get_data(as_text=True)
    assert "Withdraw the proposal" not in page
    assert "You withdrew this proposal" in page
    again = client.post(f"/proposals/{token_b}/withdraw", data={"csrf_token": token})
    assert again.status_code == 303
    with app.app_context():
        assert [e.action for e in history_of(b_id)] == ["submit", "withdraw"]


def test_withdraw_asks_to_confirm_and_needs_post_and_csrf(app, client, two_proposals):
    b_id, token_b = two_proposals["b"]
    status = client.get(status_url(token_b)).get_data(as_text=True)
    assert f'href="/proposals/{token_b}/withdraw"' in status
    assert f'action="/proposals/{token_b}/withdraw"' not in status
    confirm = client.get(f"/proposals/{token_b}/withdraw")
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    assert "This is final: a withdrawn proposal cannot be reopened." in page
    assert f'action="/proposals/{token_b}/withdraw"' in page and 'class="button-danger"' in page
    assert confirm.headers["Cache-Control"] == "no-store"
    assert confirm.headers["Referrer-Policy"] == "no-referrer"
    assert client.post(f"/proposals/{token_b}/withdraw").status_code == 400
    with app.app_context():
        assert fresh(b_id).status == "submitted"


def test_replacing_the_link_voids_the_old_one(app, client, two_proposals):
    """RELIABILITY 12: the token can be rotated."""
    _, token_b = two_proposals["b"]
    page = client.get(status_url(token_b)).get_data(as_text=True)
    response = client.post(
        f"/proposals/{token_b}/new-link", data={"csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 303
    new_url = response.headers["Location"]
    assert new_url != status_url(token_b)
    assert client.get(status_url(token_b)).status_code == 404
    assert client.get(new_url).status_code == 200


def test_scheduled_proposal_links_to_its_episode(app, client, frozen_now):
    with app.app_context():
        moderator = make_moderator()
        proposal, token = make_proposal("approved")
        scheduling.schedule_proposal(
            proposal,
            moderator,
            starts_at=proposal.created_at + timedelta(days=7, hours=1),
            title="Ceph at scale, live",
            description="",
            guests=[],
        )
        db.session.commit()
        slug = proposal.episode.slug
    html = client.get(status_url(token)).get_data(as_text=True)
    assert "Scheduled" in html
    assert f'href="http://live.test/episodes/{slug}/"' in html
    assert "Withdraw the proposal" not in html


def test_the_preferred_month_is_written_in_words(app, client, login_as):
    with app.app_context():
        proposal, token = make_proposal(preferred_month="2027-01")
        db.session.commit()
        proposal_id = proposal.id
    status = client.get(f"/proposals/{token}").get_data(as_text=True)
    moderator = app.test_client()
    login_as(moderator)
    review = moderator.get(f"/moderation/proposals/{proposal_id}").get_data(as_text=True)

    for html in (status, review):
        assert "<dt>Preferred month</dt><dd>January 2027</dd>" in html
        assert "2027-01" not in html
