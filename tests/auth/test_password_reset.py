"""A forgotten password: a one-time link by mail, valid one hour, the same answer for anyone.

The mails are read from a real SMTP server on 127.0.0.1 (``inbox``).
"""

import threading
import time
from datetime import UTC, datetime, timedelta

from aiosmtpd.controller import Controller

from openinfra_live.audit import AuditEntry
from openinfra_live.auth import services
from openinfra_live.auth.models import AccountToken, User
from openinfra_live.extensions import db
from openinfra_live.outbox import OutboxMail
from tests.auth.conftest import (
    MODERATOR_EMAIL,
    ask_for_reset,
    is_sent_to_sign_in,
    link_in,
    send_form,
    sign_in,
)
from tests.conftest import MODERATOR_PASSWORD, csrf_token_from
from tests.proposals.builders import freeze_clock
from tests.proposals.test_mail import Inbox
from tests.servers import free_port

NEW_PASSWORD = "a fresh pass phrase for 2027"
PROTECTED = "/moderation/audit"
NOW = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)


def _new_password(client, path: str, password: str = NEW_PASSWORD, **kw):
    data = {"password": password, "confirm_password": password}
    return send_form(client, path, data, **kw)


def _actions(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()


def test_the_sign_in_page_links_to_the_reset_form(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/login/reset"' in page
    assert "Forgot your password?" in page


def test_a_reset_mails_a_link_that_sets_the_password_and_signs_in(app, client, moderator, inbox):
    response = ask_for_reset(client, " Mod@Example.org ")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login/reset?sent=1"
    [message] = inbox.wait_for(1)
    assert message["To"] == MODERATOR_EMAIL
    path = link_in(message)
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert MODERATOR_EMAIL in page.get_data(as_text=True)
    done = _new_password(client, path)
    assert done.status_code == 303
    assert done.headers["Location"] == "/moderation/"
    assert client.get(PROTECTED).status_code == 200
    assert sign_in(app.test_client(), password=NEW_PASSWORD).status_code == 303
    assert sign_in(app.test_client(), password=MODERATOR_PASSWORD).status_code == 200
    assert _actions(app)[:3] == ["password_reset_requested", "password_reset", "login_success"]


def test_only_the_hash_of_the_token_is_stored(app, client, moderator, inbox):
    ask_for_reset(client)
    token = link_in(inbox.wait_for(1)[0]).rsplit("/", 1)[1]
    with app.app_context():
        row = db.session.scalar(db.select(AccountToken))
        assert row.token_hash != token and len(row.token_hash) == 64
        assert token not in repr(db.session.execute(db.select(AccountToken.__table__)).all())


def test_unknown_and_known_addresses_get_the_same_answer(app, client, moderator, inbox):
    known = ask_for_reset(client, MODERATOR_EMAIL)
    unknown = ask_for_reset(app.test_client(), "nobody@example.org")
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    assert (
        client.get(known.headers["Location"]).get_data()
        == app.test_client().get(unknown.headers["Location"]).get_data()
    )
    assert len(inbox.wait_for(1)) == 1
    assert inbox.messages[0]["To"] == MODERATOR_EMAIL
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AccountToken)) == 1


def test_an_unknown_address_does_the_work_of_a_known_one(app, client, moderator, monkeypatch):
    """The answer must not take visibly less time for an address that has no account."""
    from openinfra_live import tokens

    made = []
    real = tokens.new_token
    monkeypatch.setattr(tokens, "new_token", lambda: made.append(1) or real())
    ask_for_reset(client, "nobody@example.org")
    assert len(made) == 1
    ask_for_reset(client, MODERATOR_EMAIL)
    assert len(made) == 2


def test_a_deactivated_account_gets_no_link_and_the_same_answer(app, client, moderator, inbox):
    with app.app_context():
        db.session.get(User, moderator).active = False
        db.session.commit()
    response = ask_for_reset(client)
    assert response.headers["Location"] == "/login/reset?sent=1"
    assert inbox.messages == []


def test_the_link_expires_after_one_hour(app, client, moderator, inbox, monkeypatch):
    move_to = freeze_clock(monkeypatch, NOW)
    ask_for_reset(client)
    path = link_in(inbox.wait_for(1)[0])
    move_to(NOW + timedelta(minutes=59))
    assert client.get(path).status_code == 200
    move_to(NOW + timedelta(hours=1, seconds=1))
    expired = client.get(path)
    assert expired.status_code == 404
    assert "expired or was used already" in expired.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, moderator).session_version == 1


def test_a_form_sent_after_expiry_changes_nothing(app, client, moderator, inbox, monkeypatch):
    move_to = freeze_clock(monkeypatch, NOW)
    ask_for_reset(client)
    path = link_in(inbox.wait_for(1)[0])
    page = client.get(path)
    token = csrf_token_from(page.get_data(as_text=True))
    move_to(NOW + timedelta(hours=2))
    data = {"csrf_token": token, "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert client.post(path, data=data).status_code == 404
    assert sign_in(app.test_client(), password=NEW_PASSWORD).status_code == 200


def test_the_link_works_once(app, client, moderator, inbox):
    ask_for_reset(client)
    path = link_in(inbox.wait_for(1)[0])
    assert _new_password(client, path).status_code == 303
    assert client.get(path).status_code == 404
    other = app.test_client()
    assert other.post(path, data={"password": "x", "confirm_password": "x"}).status_code in (
        400,
        404,
    )
    assert sign_in(app.test_client(), password=NEW_PASSWORD).status_code == 303


def test_using_one_link_voids_the_other_links_of_the_account(app, client, moderator, inbox):
    ask_for_reset(client)
    ask_for_reset(client)
    first, second = (link_in(message) for message in inbox.wait_for(2))
    assert _new_password(client, second).status_code == 303
    assert client.get(first).status_code == 404


def test_a_weak_or_mismatched_password_is_refused_and_the_link_still_works(
    app, client, moderator, inbox
):
    ask_for_reset(client)
    path = link_in(inbox.wait_for(1)[0])
    weak = _new_password(client, path, "qwerty123456")
    assert weak.status_code == 422
    assert "too common" in weak.get_data(as_text=True)
    mismatch = send_form(
        client, path, {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "!"}
    )
    assert mismatch.status_code == 422
    assert "not the same" in mismatch.get_data(as_text=True)
    assert _new_password(client, path).status_code == 303


def test_a_reset_signs_out_every_session_of_the_account(app, client, moderator, inbox):
    elsewhere = app.test_client()
    assert sign_in(elsewhere).status_code == 303
    assert elsewhere.get(PROTECTED).status_code == 200
    ask_for_reset(client)
    assert _new_password(client, link_in(inbox.wait_for(1)[0])).status_code == 303
    assert is_sent_to_sign_in(elsewhere.get(PROTECTED))
    assert client.get(PROTECTED).status_code == 200
    with app.app_context():
        assert db.session.get(User, moderator).session_version == 2


def test_a_deactivation_voids_a_link_sent_before(app, client, moderator, inbox):
    ask_for_reset(client)
    path = link_in(inbox.wait_for(1)[0])
    with app.app_context():
        services.deactivate_user(MODERATOR_EMAIL)
        db.session.commit()
    assert client.get(path).status_code == 404


def test_malformed_and_unknown_tokens_are_not_found(client):
    assert client.get("/login/reset/short").status_code == 404
    assert client.get("/login/reset/" + "A" * 43).status_code == 404


# Rate limits ----------------------------------------------------------------------------------


def test_requests_for_one_account_are_limited_whatever_the_address(app, client, moderator, inbox):
    app.config["PASSWORD_RESET_ACCOUNT_LIMIT"] = "2 per hour"
    for number in range(3):
        address = {"environ_base": {"REMOTE_ADDR": f"198.51.100.{number}"}}
        response = ask_for_reset(client, **address)
        assert response.status_code == 303
        assert response.headers["Location"] == "/login/reset?sent=1"
    assert len(inbox.wait_for(2)) == 2
    assert len(inbox.messages) == 2  # the third request sent nothing, and said the same
    assert "password_reset_limited" in _actions(app)


def test_the_account_limit_lifts_after_its_window(app, client, moderator, inbox, limiter_clock):
    app.config["PASSWORD_RESET_ACCOUNT_LIMIT"] = "1 per hour"
    ask_for_reset(client)
    ask_for_reset(client)
    assert len(inbox.wait_for(1)) == 1
    limiter_clock.advance(3601)
    ask_for_reset(client)
    assert len(inbox.wait_for(2)) == 2


def test_one_client_address_is_limited_across_addresses(app, client, moderator, inbox):
    app.config["PASSWORD_RESET_ADDRESS_LIMIT"] = "2 per minute"
    assert ask_for_reset(client, "one@example.org").status_code == 303
    assert ask_for_reset(client, "two@example.org").status_code == 303
    refused = ask_for_reset(client, MODERATOR_EMAIL)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert inbox.messages == []
    assert client.get("/login/reset").status_code == 200  # reading the form is never limited


class HeldInbox(Inbox):
    """An SMTP server that takes no mail until the test releases it."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.release.wait(10)
        return await super().handle_DATA(server, session, envelope)


def _reset_mail_status(app) -> str:
    with app.app_context():
        return db.session.scalars(db.select(OutboxMail.status)).one()


def test_the_answer_does_not_wait_for_the_mail_server(app, client, moderator):
    """A known address gets its answer before its mail has reached the mail server, as an
    unknown one does: how long the answer takes does not tell which addresses have accounts."""
    held = HeldInbox()
    controller = Controller(held, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        response = ask_for_reset(client, MODERATOR_EMAIL)
        assert response.status_code == 303
        assert _reset_mail_status(app) == "queued"  # the server has not taken it yet

        held.release.set()
        [message] = held.wait_for(1)
        assert message["To"] == MODERATOR_EMAIL
        deadline = time.monotonic() + 10
        while _reset_mail_status(app) == "queued" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _reset_mail_status(app) == "sent"
    finally:
        held.release.set()
        controller.stop()
