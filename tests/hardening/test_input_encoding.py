"""NUL bytes and invalid UTF-8 in a form that is otherwise valid, CSRF token included
(RELIABILITY 22): 400, never a 500 (PostgreSQL refuses NUL in text), and nothing stored
(SQLite would have stored it).

tests/test_security_headers.py covers the address; its form case posts without a token, so
the CSRF check answers first. Here the token is good, so only the input check can refuse.
"""

from urllib.parse import urlencode

import pytest

from openinfra_live.extensions import db
from tests.conftest import csrf_token_from, make_moderator
from tests.hardening.support import PROPOSAL, STORED_TABLES, hidden_value, snapshot
from tests.ptg.builders import make_event

TEAM = {
    "name": "Nova",
    "kind": "project_team",
    "contact_name": "Ada Lovelace",
    "contact_email": "ada@example.org",
    "hours_wanted": "4",
    "preferred_days": "2030-03-18",
    "time_windows": "emea",
    "website": "",
}
FORMS = {
    "/propose": (PROPOSAL, "guests-0-affiliation"),
    "/ptg/2030-march/register": (TEAM, "name"),
    "/login": ({"email": "mod@example.org", "password": "x" * 20, "next": ""}, "password"),
    "/timezone": ({"zone": "Europe/Paris", "next": "/"}, "next"),
}


@pytest.fixture
def site(app, monkeypatch):
    monkeypatch.setattr("openinfra_live.mail.send", lambda *args, **kwargs: None)
    with app.app_context():
        make_event(registration_open=True)
        make_moderator()
        db.session.commit()
        db.session.remove()
    return app


def post_raw(client, url: str, fields: dict, raw_value: str, field: str):
    page = client.get(url).get_data(as_text=True)
    values = {**fields, "csrf_token": csrf_token_from(page)}
    nonce = hidden_value(page, "nonce")
    if nonce:
        values["nonce"] = nonce
    values.pop(field)
    body = urlencode(values) + f"&{field}={raw_value}"
    return client.post(url, data=body, content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("url", list(FORMS))
@pytest.mark.parametrize("raw_value", ["a%00b", "caf%C3", "%C0%AF"], ids=["nul", "cut", "overlong"])
def test_bad_bytes_in_a_form_with_a_good_token_get_400_and_store_nothing(
    site, client, url, raw_value
):
    fields, field = FORMS[url]
    with site.app_context():
        before = snapshot((*STORED_TABLES, "audit_log"))
    response = post_raw(client, url, fields, raw_value, field)
    assert response.status_code == 400
    assert "characters that are not allowed" in response.get_data(as_text=True)
    with site.app_context():
        assert snapshot((*STORED_TABLES, "audit_log")) == before


@pytest.mark.parametrize("url", list(FORMS))
def test_the_same_form_without_bad_bytes_is_accepted(site, client, url):
    """The control: the request above fails only because of the bytes."""
    fields, field = FORMS[url]
    response = post_raw(client, url, fields, "fine", field)
    expected = 200 if url == "/login" else 303  # a wrong password shows the form again
    assert response.status_code == expected
