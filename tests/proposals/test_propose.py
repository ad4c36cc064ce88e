"""The public *propose an episode* form over HTTP, with CSRF on."""

import re

from openinfra_live.audit import AuditEntry
from openinfra_live.extensions import db
from openinfra_live.proposals.models import Proposal, ProposalHistory
from tests.conftest import csrf_token_from, post_form
from tests.proposals.builders import VALID_FORM, count

STATUS_URL = re.compile(r"^/proposals/[A-Za-z0-9_-]{43}$")


def only_proposal(app) -> Proposal:
    with app.app_context():
        proposals = db.session.scalars(db.select(Proposal)).all()
        assert len(proposals) == 1
        db.session.expunge_all()
        return proposals[0]


def nonce_from(html: str) -> str:
    return re.search(r'name="nonce"[^>]*value="([^"]+)"', html).group(1)


def loaded_form(client) -> dict:
    """``VALID_FORM`` with the CSRF token and the nonce of one form page, to post as is."""
    page = client.get("/propose").get_data(as_text=True)
    return {**VALID_FORM, "csrf_token": csrf_token_from(page), "nonce": nonce_from(page)}


def refused(app, client, changes: dict, status: int) -> str:
    """Post ``VALID_FORM`` with ``changes``: it is refused with ``status`` and nothing is
    stored; returns the page sent back."""
    response = post_form(client, "/propose", {**VALID_FORM, **changes})
    assert response.status_code == status
    with app.app_context():
        assert count(Proposal) == 0
    return response.get_data(as_text=True)


def test_form_page_has_labelled_fields_a_honeypot_and_a_nonce(client):
    response = client.get("/propose")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for field_id in (
        "title",
        "description",
        "guests-0-name",
        "guests-2-affiliation",
        "submitter_name",
        "submitter_email",
        "organization",
        "preferred_month",
        "links",
    ):
        assert f'for="{field_id}"' in html and f'id="{field_id}"' in html
    assert 'class="honeypot" aria-hidden="true"' in html
    assert len(nonce_from(html)) == 32
    assert response.headers["Cache-Control"] == "no-store"
    assert html.count("<h1>") == 1


def test_valid_proposal_is_stored_and_redirects_to_its_status_page(app, client):
    response = post_form(client, "/propose", VALID_FORM)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert STATUS_URL.match(location), location
    proposal = only_proposal(app)
    assert proposal.status == "submitted"
    assert proposal.title == VALID_FORM["title"]
    assert proposal.submitter_email == "sam@example.org"
    assert proposal.links == "https://example.org/talk\nhttp://example.com/slides"
    with app.app_context():
        stored = db.session.get(Proposal, proposal.id)
        assert [(g.name, g.affiliation) for g in stored.guests] == [
            ("Ada Lovelace", "Analytical Engines"),
            ("Grace Hopper", ""),
        ]
        assert [e.action for e in stored.history] == ["submit"]
        assert db.session.scalar(db.select(AuditEntry.action)) == "proposal.submit"
    page = client.get(location)
    assert page.status_code == 200
    assert "Submitted, waiting for review" in page.get_data(as_text=True)


def test_description_html_is_cleaned_and_one_line_fields_stay_one_line(app, client):
    data = {
        **VALID_FORM,
        "title": "Multi\r\nline\ttitle here",
        "description": '<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x">'
        "link</a> and <em>emphasis</em> to make it long enough.</p>",
    }
    assert post_form(client, "/propose", data).status_code == 303
    proposal = only_proposal(app)
    assert proposal.title == "Multi line title here"
    assert "<script" not in proposal.description
    assert "onclick" not in proposal.description
    assert "javascript:" not in proposal.description
    assert "<em>emphasis</em>" in proposal.description


def test_invalid_input_shows_errors_and_keeps_what_was_typed(app, client):
    changes = {
        "submitter_email": "not-an-address",
        "links": "javascript:alert(1)",
        "preferred_month": "2031/5",
        "guests-1-name": "",
        "guests-1-affiliation": "Orphan Affiliation",
        "title": "",
    }
    html = refused(app, client, changes, 422)
    assert "Enter a valid e-mail address." in html
    assert "is not a web address" in html
    assert "Write the month as YYYY-MM" in html
    assert "Each guest with an affiliation also needs a name." in html
    assert 'value="not-an-address"' in html
    assert "How we run a hundred clusters" in html
    assert 'id="error-summary"' in html


def test_every_field_has_a_length_limit(app, client):
    changes = {
        "title": "t" * 201,
        "submitter_name": "n" * 121,
        "organization": "o" * 201,
        "guests-0-name": "g" * 201,
        "description": "d" * 10_001,
    }
    html = refused(app, client, changes, 422)
    assert html.count("Field cannot be longer than") >= 5


def test_extra_posted_fields_are_ignored(app, client):
    """RELIABILITY 4: mass assignment."""
    data = {
        **VALID_FORM,
        "status": "approved",
        "id": "5",
        "scheduled_at": "2031-06-05T14:00",
        "moderator_id": "1",
        "claimed_by_id": "1",
        "token_hash": "0" * 64,
        "tags": "vip",
    }
    assert post_form(client, "/propose", data).status_code == 303
    proposal = only_proposal(app)
    assert proposal.status == "submitted"
    assert proposal.id != 5
    assert proposal.claimed_by_id is None
    assert proposal.token_hash != "0" * 64
    assert proposal.tags == ""
    with app.app_context():
        assert db.session.get(Proposal, proposal.id).episode is None


def test_filled_honeypot_pretends_success_and_stores_nothing(app, client):
    response = post_form(client, "/propose", {**VALID_FORM, "website": "http://spam.example"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/propose"
    assert "Thank you" in client.get("/propose").get_data(as_text=True)
    with app.app_context():
        assert count(Proposal) == 0


def test_double_click_stores_one_proposal_and_both_posts_reach_the_same_page(app, client):
    """RELIABILITY 30: the same form (same nonce) posted twice."""
    payload = loaded_form(client)
    first = client.post("/propose", data=payload)
    second = client.post("/propose", data=payload)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert count(Proposal) == 1
        assert count(ProposalHistory) == 1
    # Another browser (no shared cookie) that replays the post gets the same answer too.
    other = app.test_client()
    other_page = other.get("/propose").get_data(as_text=True)
    replay = other.post("/propose", data={**payload, "csrf_token": csrf_token_from(other_page)})
    assert replay.headers["Location"] == first.headers["Location"]
    with app.app_context():
        assert count(Proposal) == 1


def test_a_reused_nonce_with_another_email_never_reveals_the_first_proposal(app, client):
    payload = loaded_form(client)
    first = client.post("/propose", data=payload)
    second = client.post("/propose", data={**payload, "submitter_email": "eve@example.org"})
    assert second.status_code == 303
    assert second.headers["Location"] != first.headers["Location"]
    with app.app_context():
        assert count(Proposal) == 2


def test_a_one_megabyte_post_is_refused_with_413_and_nothing_stored(app, client):
    """RELIABILITY 20: size limit."""
    html = refused(app, client, {"description": "x" * 1024 * 1024}, 413)
    assert "<h1>" in html


def test_post_without_csrf_token_is_refused_and_nothing_stored(app, client):
    response = client.post("/propose", data=VALID_FORM)
    assert response.status_code == 400
    with app.app_context():
        assert count(Proposal) == 0


def test_submissions_are_rate_limited_per_address(app, client):
    app.config["RATELIMIT_PUBLIC_FORMS"] = "2 per minute"
    for index in range(2):
        response = post_form(client, "/propose", {**VALID_FORM, "title": f"Idea number {index}"})
        assert response.status_code == 303
    response = post_form(client, "/propose", VALID_FORM)
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert client.get("/propose").status_code == 200  # reading the form is not limited
    with app.app_context():
        assert count(Proposal) == 2


def test_preferred_month_in_the_past_is_refused(app, client, frozen_now):
    response = post_form(client, "/propose", {**VALID_FORM, "preferred_month": "2031-04"})
    assert response.status_code == 422
    assert "Pick this month or a later one." in response.get_data(as_text=True)
    response = post_form(client, "/propose", {**VALID_FORM, "preferred_month": "2031-05"})
    assert response.status_code == 303
