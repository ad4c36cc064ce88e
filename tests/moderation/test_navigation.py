"""One moderation navigation on every moderation page, and what else waits above the queue."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from openinfra_live import audit, clock
from openinfra_live.auth.models import User
from openinfra_live.extensions import db
from openinfra_live.outbox import OutboxMail
from tests.episodes.builders import make_episode
from tests.proposals.builders import make_proposal
from tests.ptg.builders import make_event, make_team

NAV = re.compile(r'<nav aria-label="Moderation"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="(\w+)")?>([^<]+)</a>')


def moderation_nav(html: str) -> list[tuple[str, str, str | None]]:
    """The navigation's links as (label, address, aria-current); asserts there is exactly one."""
    navs = NAV.findall(html)
    assert len(navs) == 1, f"{len(navs)} moderation navigations"
    return [(label, url, current or None) for url, _, current, label in LINK.findall(navs[0])]


@pytest.fixture
def content(app) -> dict:
    """A proposal, an episode and a PTG event with a pending team registration."""
    with app.app_context():
        proposal, _ = make_proposal()
        episode = make_episode("Navigation talk")
        event = make_event()
        make_team(event, "Nova", status="pending")
        make_team(event, "Cinder", status="pending")
        make_team(event, "Swift", status="approved")
        db.session.commit()
        return {"proposal": proposal.id, "episode": episode.id, "event": event.slug}


BASE_SECTIONS = ["Queue", "Episodes", "Questions", "PTG", "Outbox", "Audit", "Your password"]


@pytest.mark.parametrize(
    ("url", "section", "current"),
    [
        ("/moderation/", "Queue", "page"),
        ("/moderation/?state=all", "Queue", "page"),
        ("/moderation/proposals/{proposal}", "Queue", "true"),
        ("/moderation/episodes/", "Episodes", "page"),
        ("/moderation/episodes/new", "Episodes", "true"),
        ("/moderation/episodes/{episode}/edit", "Episodes", "true"),
        ("/moderation/questions/", "Questions", "page"),
        ("/moderation/questions/episodes/{episode}", "Questions", "true"),
        ("/moderation/ptg/", "PTG", "page"),
        ("/moderation/ptg/{event}/", "PTG", "true"),
        ("/moderation/audit", "Audit", "page"),
    ],
)
def test_every_moderation_page_has_one_navigation_marking_its_area(
    client, login_as, content, url, section, current
):
    login_as(client)
    response = client.get(url.format(**content))

    assert response.status_code == 200
    links = moderation_nav(response.get_data(as_text=True))
    assert [label for label, _, _ in links] == BASE_SECTIONS
    assert dict((label, url) for label, url, _ in links) == {
        "Queue": "/moderation/",
        "Episodes": "/moderation/episodes/",
        "Questions": "/moderation/questions/",
        "PTG": "/moderation/ptg/",
        "Outbox": "/moderation/outbox",
        "Audit": "/moderation/audit",
        "Your password": "/account/password",
    }
    assert [(label, mark) for label, _, mark in links if mark] == [(section, current)]


def test_a_moderation_error_page_keeps_the_navigation(client, login_as, content):
    login_as(client)
    response = client.get("/moderation/proposals/999999")

    assert response.status_code == 404
    assert [label for label, _, _ in moderation_nav(response.get_data(as_text=True))] == (
        BASE_SECTIONS
    )


def test_public_pages_and_people_who_cannot_moderate_get_no_moderation_navigation(
    app, client, login_as, content
):
    anonymous = app.test_client()
    assert 'aria-label="Moderation"' not in anonymous.get("/").get_data(as_text=True)
    login_as(client)
    assert 'aria-label="Moderation"' not in client.get("/episodes/").get_data(as_text=True)

    outsider = app.test_client()
    login_as(outsider, email="viewer@example.org", role="viewer")
    refused = outsider.get("/moderation/")
    assert refused.status_code == 403
    assert 'aria-label="Moderation"' not in refused.get_data(as_text=True)


def signed_in(app: Flask, email: str, role: str) -> FlaskClient:
    with app.app_context():
        user = User(email=email, password_hash="x", display_name=email, role=role)
        db.session.add(user)
        db.session.commit()
        user_id = user.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = user_id, True
    return client


def test_accounts_and_imports_are_shown_to_admins_only(app, content):
    moderator = signed_in(app, "mod@example.org", "moderator")
    admin = signed_in(app, "admin@example.org", "admin")

    by_moderator = moderation_nav(moderator.get("/moderation/audit").get_data(as_text=True))
    by_admin = moderation_nav(admin.get("/moderation/audit").get_data(as_text=True))

    assert [label for label, _, _ in by_moderator] == BASE_SECTIONS
    assert [label for label, _, _ in by_admin] == [
        "Queue", "Episodes", "Questions", "PTG", "Outbox", "Accounts", "Imports", "Audit",
        "Your password",
    ]  # fmt: skip
    assert ("Accounts", "/moderation/accounts/", None) in by_admin
    assert ("Imports", "/moderation/imports/", None) in by_admin


def test_the_queue_says_how_many_ptg_registrations_wait(client, login_as, content):
    login_as(client)
    html = client.get("/moderation/").get_data(as_text=True)

    waiting = html.split('id="also-waiting-heading"', 1)[1].split("</section>", 1)[0]
    assert '<a href="/moderation/ptg/">2 PTG team registrations wait for review</a>' in waiting
    assert "No mail failed to go out" in waiting


def test_one_waiting_registration_is_said_in_the_singular(app, client, login_as):
    with app.app_context():
        make_team(make_event(), "Nova", status="pending")
        db.session.commit()
    login_as(client)
    html = client.get("/moderation/").get_data(as_text=True)
    assert "1 PTG team registration waits for review" in html


def test_the_queue_counts_failed_mails_and_links_to_them(app, client, login_as):
    with app.app_context():
        now = clock.now()
        for status in ("failed", "sent", "failed", "failed"):
            db.session.add(
                OutboxMail(
                    recipient="lead@example.org",
                    subject="Hello",
                    template="mail/ptg_approved.txt",
                    status=status,
                    queued_at=now,
                )
            )
        db.session.commit()
    login_as(client)
    html = client.get("/moderation/").get_data(as_text=True)
    assert '<a href="/moderation/outbox?status=failed">3 mails could not be sent</a>' in html
    assert "No PTG team registration waits for review" in html


def test_the_audit_log_names_actions_in_words(client, login_as, app):
    with app.app_context():
        audit.record("ptg_team_registered", object_type="ptg_team", object_id="4")
        db.session.commit()
    login_as(client)
    html = client.get("/moderation/audit").get_data(as_text=True)

    assert '<td data-label="Action">PTG team registered</td>' in html
    assert ">PTG team registered</option>" in html
    assert "ptg_team_registered" not in html.split("<tbody>", 1)[1]
