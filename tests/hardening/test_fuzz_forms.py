"""Fuzzing every public form (issue: hardening; RELIABILITY 18, 20, 22).

For any input: never a 500; a refused request leaves every stored row as it was (counts and
a checksum of the rows); what is stored has a description the sanitizer leaves unchanged,
and the pages showing it carry no script, handler or foreign-scheme link.
"""

from urllib.parse import urlsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from openinfra_live import sanitize
from openinfra_live.extensions import db, limiter
from openinfra_live.proposals.models import Proposal
from openinfra_live.ptg.models import PtgTeam
from tests.conftest import MODERATOR_PASSWORD, csrf_token_from, make_moderator
from tests.hardening.strategies import FUZZ, form
from tests.hardening.support import (
    PROPOSAL,
    SSTI,
    STORED_TABLES,
    hidden_value,
    html_problems,
    snapshot,
)

WITH_AUDIT = (*STORED_TABLES, "audit_log")


def state(app, tables=WITH_AUDIT):
    with app.app_context():
        return snapshot(tables)


def fresh_client(app):
    """A new visitor per example, with the limiter emptied: each example stands alone."""
    with app.app_context():
        limiter.reset()
    return app.test_client()


def post_page_form(client, page_url, data):
    page = client.get(page_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    payload = {"csrf_token": csrf_token_from(html), "nonce": hidden_value(html, "nonce"), **data}
    return client.post(page_url, data=payload)


def assert_page_is_clean(client, url, typed=()):
    page = client.get(url)
    assert page.status_code == 200, url
    text = page.get_data(as_text=True)
    assert html_problems(text) == [], url
    for value in typed:
        if SSTI in value:
            assert SSTI in text, "template syntax typed by a visitor must stay literal"


# --- /propose ---------------------------------------------------------------------------------

PROPOSE_FIELDS = {**PROPOSAL, "nonce": st.just(None)}


@given(data=form(PROPOSE_FIELDS))
# Always at least one stored proposal, with markup and template syntax in what is stored.
@example(data={**PROPOSAL, "title": "{{7*7}} <b>bold</b>", "description": "<p onclick=x>" * 5})
@FUZZ
def test_fuzzed_proposals_never_fail_and_refusals_store_nothing(app, no_mail, data):
    client = fresh_client(app)
    data = {k: v for k, v in data.items() if v is not None}
    before = state(app)

    response = post_page_form(client, "/propose", data)

    assert response.status_code < 500
    location = response.headers.get("Location", "")
    if response.status_code == 303 and location.startswith("/proposals/"):
        with app.app_context():
            descriptions = db.session.scalars(db.select(Proposal.description)).all()
        assert descriptions, "a 303 to a status page must come with a stored proposal"
        for description in descriptions:
            assert sanitize.clean_html(description) == description
        assert_page_is_clean(client, location, typed=[data.get("title", "")])
    else:
        assert state(app) == before, response.status_code


# --- /ptg/<event>/register --------------------------------------------------------------------

REGISTER = "/ptg/2030-march/register"
TEAM_FIELDS = {
    "name": st.uuids().map(lambda u: f"Team {u.hex[:10]}"),
    "kind": "project_team",
    "contact_name": "Ada Lovelace",
    "contact_email": "ada@example.org",
    "expected_attendees": "12",
    "hours_wanted": "4",
    "preferred_days": ["2030-03-18", "2030-03-19"],
    "time_windows": ["emea"],
    "runs_onboarding": "y",
    "etherpad_url": "https://etherpad.example.org/p/team",
    "video_url": "",
    "website": "",
}


@given(data=form(TEAM_FIELDS))
@FUZZ
def test_fuzzed_team_registrations_never_fail_and_refusals_store_nothing(
    app, open_event, no_mail, data
):
    client = fresh_client(app)
    before = state(app)

    response = post_page_form(client, REGISTER, data)

    assert response.status_code < 500
    location = response.headers.get("Location", "")
    if response.status_code == 303 and location.startswith("/ptg/registrations/"):
        with app.app_context():
            names = db.session.scalars(db.select(PtgTeam.name)).all()
        assert names
        assert_page_is_clean(client, location, typed=[str(data.get("name", ""))])
    else:
        assert state(app) == before, response.status_code
        if response.status_code in (200, 400):
            # The form shown again with what was typed: escaped, nothing runs.
            assert html_problems(response.get_data(as_text=True)) == []


# --- /login -----------------------------------------------------------------------------------


@pytest.fixture
def moderator(app):
    with app.app_context():
        make_moderator()
        db.session.remove()


LOGIN_FIELDS = {
    "email": st.sampled_from(["mod@example.org", "nobody@example.org"]),
    "password": st.sampled_from([MODERATOR_PASSWORD, "wrong password"]),
    "next": st.sampled_from(["", "/moderation/ptg/", "//evil.example/"]),
}


@given(data=form(LOGIN_FIELDS))
# Each attempt verifies a scrypt hash (unknown accounts too): fewer examples.
@settings(FUZZ, max_examples=25)
def test_fuzzed_sign_ins_never_fail_and_never_leave_the_site(app, moderator, data):
    client = fresh_client(app)
    before = state(app, STORED_TABLES)

    response = post_page_form(client, "/login", data)

    assert response.status_code < 500
    if response.status_code in (302, 303):
        assert urlsplit(response.headers["Location"]).netloc in ("", "live.test")
        signed_in = (data["email"], data["password"]) == ("mod@example.org", MODERATOR_PASSWORD)
        assert signed_in, "only the right e-mail and password sign in"
    else:
        # A refused sign-in writes audit entries (tested in tests/auth) and nothing else.
        assert state(app, STORED_TABLES) == before
        assert html_problems(response.get_data(as_text=True)) == []


# --- /timezone --------------------------------------------------------------------------------

ZONE_FIELDS = {
    "zone": st.sampled_from(["", "Europe/Paris", "America/Chicago", "Asia/Kolkata"]),
    "next": st.sampled_from(["", "/episodes/", "/ptg/"]),
}


@given(data=form(ZONE_FIELDS))
@FUZZ
def test_fuzzed_time_zone_choices_never_fail_and_store_nothing(app, data):
    client = fresh_client(app)
    before = state(app)

    response = post_page_form(client, "/timezone", data)

    assert response.status_code < 500
    assert state(app) == before
    if response.status_code == 303:
        location = response.headers["Location"]
        assert urlsplit(location).netloc in ("", "live.test")
        assert location.startswith("/") and not location.startswith(("//", "/\\"))
        cookie = response.headers.get("Set-Cookie", "")
        assert "\n" not in cookie and "\r" not in cookie
