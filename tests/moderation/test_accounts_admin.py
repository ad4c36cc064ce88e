"""The accounts pages, for admins: invitations (48 hours, once), deactivation, roles, resets.

Mails are read from a real SMTP server on 127.0.0.1 (``inbox``).
"""

from datetime import UTC, datetime, timedelta

import pytest

from openinfra_live.audit import AuditEntry
from openinfra_live.auth.models import ROLE_ADMIN, ROLE_MODERATOR, AccountToken, User
from openinfra_live.extensions import db
from tests.auth.conftest import body_of, is_sent_to_sign_in, link_in, send_form, sign_in
from tests.conftest import csrf_token_from, make_moderator
from tests.proposals.builders import freeze_clock

LIST = "/moderation/accounts/"
ADMIN = "admin@example.org"
NEW_PASSWORD = "a pass phrase of my own 88"
NOW = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def admin(app, client, login_as):
    """``client`` signed in as an admin; returns its id."""
    return login_as(client, email=ADMIN, role=ROLE_ADMIN, display_name="Ada Admin")


def _user(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email=email))
        if user is not None:
            db.session.expunge(user)
        return user


def _actions(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()


def _press(client, action_url: str):
    """Press a button of the accounts page (the page's CSRF token)."""
    token = csrf_token_from(client.get(LIST).get_data(as_text=True))
    return client.post(action_url, data={"csrf_token": token})


def _invite(client, email: str):
    token = csrf_token_from(client.get(LIST).get_data(as_text=True))
    return client.post("/moderation/accounts/invite", data={"csrf_token": token, "email": email})


def _accept(client, path: str, name: str = "Nia Newcomer", password: str = NEW_PASSWORD):
    data = {"display_name": name, "password": password, "confirm_password": password}
    return send_form(client, path, data)


# Who may enter ---------------------------------------------------------------------------------

ADMIN_PAGES = ["/moderation/accounts/", "/moderation/imports/"]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_a_moderator_who_is_not_an_admin_gets_403(client, login_as, url):
    login_as(client)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/moderation/accounts/invite",
        "/moderation/accounts/1/deactivate",
        "/moderation/accounts/1/role",
        "/moderation/accounts/1/reset",
        "/moderation/imports/episodes",
        "/moderation/imports/ptg-teams",
    ],
)
def test_a_moderator_cannot_post_to_admin_actions(app, client, login_as, url):
    login_as(client)
    token = csrf_token_from(client.get("/moderation/audit").get_data(as_text=True))
    data = {"csrf_token": token, "email": "x@example.org", "role": "admin"}
    assert client.post(url, data=data).status_code == 403
    assert _user(app, "mod@example.org").role == ROLE_MODERATOR


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert is_sent_to_sign_in(client.get(LIST))


def test_the_list_shows_every_account(app, client, admin):
    with app.app_context():
        make_moderator("sam@example.org", display_name="Sam Moderator", active=False)
    page = client.get(LIST)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    for word in (ADMIN, "Ada Admin", "sam@example.org", "Sam Moderator", "Deactivated", "Never"):
        assert word in text
    assert "None" not in text


# Invitations -----------------------------------------------------------------------------------


def test_an_invitee_follows_the_link_sets_a_password_and_is_signed_in(app, client, admin, inbox):
    response = _invite(client, "New.One@Example.org")
    assert response.status_code == 303
    assert "new.one@example.org" in client.get(LIST).get_data(as_text=True)  # pending
    assert _user(app, "new.one@example.org") is None  # no account until accepted
    [message] = inbox.wait_for(1)
    assert message["To"] == "new.one@example.org"
    assert "Ada Admin" in body_of(message)
    path = link_in(message)
    assert path.startswith("/login/invite/")
    invitee = app.test_client()
    done = _accept(invitee, path)
    assert done.status_code == 303
    assert done.headers["Location"] == "/moderation/"
    assert invitee.get("/moderation/").status_code == 200
    user = _user(app, "new.one@example.org")
    assert (user.display_name, user.role, user.active) == ("Nia Newcomer", ROLE_MODERATOR, True)
    assert sign_in(app.test_client(), "new.one@example.org", NEW_PASSWORD).status_code == 303
    actions = _actions(app)
    assert "account_invited" in actions and "invitation_accepted" in actions


def test_an_invitation_expires_after_48_hours(app, client, admin, inbox, monkeypatch):
    move_to = freeze_clock(monkeypatch, NOW)
    _invite(client, "late@example.org")
    assert "late@example.org" in client.get(LIST).get_data(as_text=True)  # the flash, and pending
    path = link_in(inbox.wait_for(1)[0])
    move_to(NOW + timedelta(hours=47, minutes=59))
    assert app.test_client().get(path).status_code == 200
    move_to(NOW + timedelta(hours=48, seconds=1))
    expired = app.test_client().get(path)
    assert expired.status_code == 404
    assert "Invitations work once, within 48 hours" in expired.get_data(as_text=True)
    assert "late@example.org" not in client.get(LIST).get_data(as_text=True)


def test_an_invitation_works_once(app, client, admin, inbox):
    _invite(client, "once@example.org")
    path = link_in(inbox.wait_for(1)[0])
    assert _accept(app.test_client(), path).status_code == 303
    assert app.test_client().get(path).status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 2


def test_a_new_invitation_voids_the_earlier_one(app, client, admin, inbox):
    _invite(client, "twice@example.org")
    _invite(client, "twice@example.org")
    first, second = (link_in(message) for message in inbox.wait_for(2))
    assert app.test_client().get(first).status_code == 404
    assert _accept(app.test_client(), second).status_code == 303


def test_a_cancelled_invitation_stops_working(app, client, admin, inbox):
    _invite(client, "cancel@example.org")
    path = link_in(inbox.wait_for(1)[0])
    with app.app_context():
        invitation = db.session.scalar(db.select(AccountToken.id))
    assert (
        _press(client, f"/moderation/accounts/invitations/{invitation}/cancel").status_code == 303
    )
    assert app.test_client().get(path).status_code == 404
    assert "invitation_cancelled" in _actions(app)


def test_an_address_with_an_account_or_no_address_cannot_be_invited(app, client, admin, inbox):
    taken = _invite(client, ADMIN.upper())
    assert taken.status_code == 422
    assert "exists already" in taken.get_data(as_text=True)
    bad = _invite(client, "not an address")
    assert bad.status_code == 422
    assert "not a valid e-mail address" in bad.get_data(as_text=True)
    assert inbox.messages == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AccountToken)) == 0


def test_a_weak_password_keeps_the_invitation_usable(app, client, admin, inbox):
    _invite(client, "weak@example.org")
    path = link_in(inbox.wait_for(1)[0])
    invitee = app.test_client()
    refused = _accept(invitee, path, password="qwerty123456")
    assert refused.status_code == 422
    assert "too common" in refused.get_data(as_text=True)
    assert _user(app, "weak@example.org") is None
    assert _accept(invitee, path).status_code == 303


# Deactivation, roles, resets ------------------------------------------------------------------


def test_deactivating_signs_the_account_out_and_refuses_sign_in(app, client, admin):
    with app.app_context():
        sam = make_moderator("sam@example.org").id
    sams_browser = app.test_client()
    assert sign_in(sams_browser, "sam@example.org").status_code == 303
    assert _press(client, f"/moderation/accounts/{sam}/deactivate").status_code == 303
    assert is_sent_to_sign_in(sams_browser.get("/moderation/"))
    assert sign_in(app.test_client(), "sam@example.org").status_code == 200
    assert _press(client, f"/moderation/accounts/{sam}/reactivate").status_code == 303
    assert sign_in(app.test_client(), "sam@example.org").status_code == 303
    assert {"account_deactivated", "account_reactivated"} <= set(_actions(app))


def test_the_last_admin_cannot_deactivate_or_demote_itself(app, client, admin):
    response = _press(client, f"/moderation/accounts/{admin}/deactivate")
    assert response.status_code == 303
    page = client.get(LIST).get_data(as_text=True)
    assert "is the last active admin" in page
    token = csrf_token_from(page)
    demote = client.post(
        f"/moderation/accounts/{admin}/role", data={"csrf_token": token, "role": "moderator"}
    )
    assert demote.status_code == 303
    assert "is the last active admin" in client.get(LIST).get_data(as_text=True)
    assert (_user(app, ADMIN).role, _user(app, ADMIN).active) == (ROLE_ADMIN, True)


def test_an_admin_makes_a_moderator_an_admin_and_back(app, client, admin):
    with app.app_context():
        sam = make_moderator("sam@example.org").id
    token = csrf_token_from(client.get(LIST).get_data(as_text=True))
    url = f"/moderation/accounts/{sam}/role"
    assert client.post(url, data={"csrf_token": token, "role": "admin"}).status_code == 303
    assert _user(app, "sam@example.org").role == ROLE_ADMIN
    assert client.post(url, data={"csrf_token": token, "role": "moderator"}).status_code == 303
    assert _user(app, "sam@example.org").role == ROLE_MODERATOR
    assert client.post(url, data={"csrf_token": token, "role": "owner"}).status_code == 303
    assert _user(app, "sam@example.org").role == ROLE_MODERATOR
    with app.app_context():
        details = db.session.scalars(
            db.select(AuditEntry.detail).where(AuditEntry.action == "account_role_changed")
        ).all()
    assert details == [{"from": "moderator", "to": "admin"}, {"from": "admin", "to": "moderator"}]


def test_an_admin_sends_a_reset_link(app, client, admin, inbox):
    with app.app_context():
        sam = make_moderator("sam@example.org").id
    assert _press(client, f"/moderation/accounts/{sam}/reset").status_code == 303
    [message] = inbox.wait_for(1)
    assert message["To"] == "sam@example.org"
    path = link_in(message)
    data = {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert send_form(app.test_client(), path, data).status_code == 303
    assert sign_in(app.test_client(), "sam@example.org", NEW_PASSWORD).status_code == 303


def test_unknown_accounts_are_not_found(client, admin):
    assert _press(client, "/moderation/accounts/999/deactivate").status_code == 404
