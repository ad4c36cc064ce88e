"""Expired and foreign CSRF tokens (RELIABILITY 7, audit of CSRF failures from 31) and the
security headers on a 429 page (24).

The 404 and 500 pages are covered in tests/test_security_headers.py; a missing token in
tests/auth/test_moderator_routes.py and each feature's own tests (case 6).
"""

import html
import re
import time

import pytest
from itsdangerous.timed import TimestampSigner

from openinfra_live.audit import AuditEntry
from openinfra_live.extensions import db
from openinfra_live.proposals.models import Proposal
from openinfra_live.ptg.models import PtgTeam
from tests.conftest import csrf_token_from, make_moderator
from tests.hardening.support import PROPOSAL, TEAM, hidden_value
from tests.test_security_headers import assert_security_headers

PTG_FORM = {"name": "Kept Team Name", **TEAM}
KEPT = "Kept <b>title</b> & more"


def csrf_failures(app) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "csrf_failure")
        ).all()
        db.session.expunge_all()
        return entries


def stored(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def form_of(page: str) -> tuple[str, dict[str, str]]:
    """The resubmit form on the CSRF error page: its action and its hidden inputs."""
    match = re.search(r'<form method="post" action="([^"]*)">(.*?)</form>', page, re.S)
    assert match, "the page offers no form to submit again"
    fields = re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', match.group(2))
    return html.unescape(match.group(1)), {
        html.unescape(name): html.unescape(value) for name, value in fields
    }


def test_an_expired_token_asks_to_resubmit_with_the_data_kept_and_resubmitting_works(
    app, client, monkeypatch, no_mail
):
    page = client.get("/propose").get_data(as_text=True)
    data = {
        **PROPOSAL,
        "title": KEPT,
        "csrf_token": csrf_token_from(page),
        "nonce": hidden_value(page, "nonce"),
    }
    # An hour and a second later (WTF_CSRF_TIME_LIMIT is 3600 s).
    later = int(time.time()) + app.config["WTF_CSRF_TIME_LIMIT"] + 1
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)

    response = client.post("/propose", data=data)

    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Please submit the form again" in text and "nothing was saved" in text
    assert html.escape(KEPT) in text and KEPT not in text  # kept, and escaped
    assert "Traceback" not in text
    assert_security_headers(response)
    assert stored(app, Proposal) == 0
    [entry] = csrf_failures(app)
    assert (entry.object_id, entry.actor_id, entry.ip) == ("/propose", None, "127.0.0.1")

    # The page's own form carries a fresh token and what was typed: one click stores it.
    action, kept = form_of(text)
    assert action == "/propose" and kept["title"] == KEPT
    assert "csrf_token" in kept
    again = client.post(action, data=kept)
    assert again.status_code == 303
    assert again.headers["Location"].startswith("/proposals/")
    with app.app_context():
        assert db.session.scalars(db.select(Proposal.title)).all() == [KEPT]


@pytest.mark.parametrize(
    ("page", "form", "kept_value", "secret"),
    [
        ("/propose", {**PROPOSAL, "title": KEPT}, KEPT, None),
        ("/ptg/2030-march/register", PTG_FORM, "Kept Team Name", None),
        (
            "/login",
            {"email": "mod@example.org", "password": "a secret never echoed", "next": ""},
            "mod@example.org",
            "a secret never echoed",
        ),
    ],
)
def test_a_token_from_another_session_is_refused_and_nothing_is_written(
    app, open_event, no_mail, page, form, kept_value, secret
):
    with app.app_context():
        make_moderator()
        db.session.remove()
    victim, attacker = app.test_client(), app.test_client()
    foreign_token = csrf_token_from(attacker.get(page).get_data(as_text=True))
    victim.get(page)  # the victim has a session (and a CSRF secret) of its own

    response = victim.post(page, data={**form, "csrf_token": foreign_token})

    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Please submit the form again" in text
    assert html.escape(kept_value) in text
    if secret:
        assert secret not in text
    assert_security_headers(response)
    assert stored(app, Proposal) == 0 and stored(app, PtgTeam) == 0
    assert [entry.object_id for entry in csrf_failures(app)] == [page]


def test_a_token_posted_without_any_session_is_refused(app, no_mail):
    token = csrf_token_from(app.test_client().get("/propose").get_data(as_text=True))
    response = app.test_client().post("/propose", data={**PROPOSAL, "csrf_token": token})
    assert response.status_code == 400
    assert "Please submit the form again" in response.get_data(as_text=True)
    assert stored(app, Proposal) == 0
    assert len(csrf_failures(app)) == 1


def test_the_too_many_requests_page_carries_the_security_headers(app, client, no_mail):
    """RELIABILITY 24 for 429 (404 and 500 are in tests/test_security_headers.py)."""
    app.config["RATELIMIT_PUBLIC_FORMS"] = "1 per minute"
    statuses = []
    for n in range(2):
        page = client.get("/propose").get_data(as_text=True)
        data = {**PROPOSAL, "title": f"Proposal number {n}", "csrf_token": csrf_token_from(page)}
        response = client.post("/propose", data=data)
        statuses.append(response.status_code)
    assert statuses == [303, 429]
    assert_security_headers(response)
    assert int(response.headers["Retry-After"]) > 0
    text = response.get_data(as_text=True)
    assert "<h1>Too many requests</h1>" in text and 'class="skip-link"' in text
    assert stored(app, Proposal) == 1
