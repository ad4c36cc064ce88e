"""E-mails to the submitter, read from a real SMTP server on 127.0.0.1."""

import email
import email.policy
import re
import time

import pytest
from aiosmtpd.controller import Controller

from openinfra_live.extensions import db
from openinfra_live.proposals.models import Proposal
from tests.conftest import post_form
from tests.proposals.builders import VALID_FORM
from tests.servers import free_port


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 5.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"{len(self.messages)} mails arrived, not {count}"
        return self.messages


@pytest.fixture
def inbox(app):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield handler
    controller.stop()


def header(message, name: str) -> str:
    """A header's text with folding undone."""
    return " ".join(str(message[name]).split())


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_submission_mails_the_private_status_link(client, inbox):
    response = post_form(client, "/propose", VALID_FORM)
    assert response.status_code == 303
    status_path = response.headers["Location"]
    [message] = inbox.wait_for(1)
    assert message["To"] == "sam@example.org"
    assert message["From"] == "OpenInfra Live <live@openinfra.example>"
    assert header(message, "Subject") == f"We received your episode idea: {VALID_FORM['title']}"
    assert f"http://live.test{status_path}" in body_of(message)


def test_each_public_state_change_mails_the_submitter_with_the_link(app, client, inbox, login_as):
    status_path = post_form(client, "/propose", VALID_FORM).headers["Location"]
    with app.app_context():
        proposal_id = db.session.scalar(db.select(Proposal.id))
    moderator = app.test_client()
    login_as(moderator)
    page = f"/moderation/proposals/{proposal_id}"
    response = post_form(
        moderator,
        page,
        {"changes-message": "Please add a guest from an operator."},
        post_url=f"{page}/request-changes",
    )
    assert response.status_code == 303
    post_form(moderator, page, {"note-message": "Secret internal note"}, post_url=f"{page}/notes")
    messages = inbox.wait_for(2)
    time.sleep(0.2)
    assert len(inbox.messages) == 2, "an internal note sends no mail"
    change = messages[1]
    assert change["To"] == "sam@example.org"
    assert header(change, "Subject").startswith("Changes requested to your episode idea")
    body = body_of(change)
    assert "Please add a guest from an operator." in body
    assert f"http://live.test{status_path}" in body
    assert "Secret internal note" not in body
    assert "mod@example.org" not in body


def test_a_mail_server_that_is_down_does_not_undo_the_submission(app, client):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    response = post_form(client, "/propose", VALID_FORM)
    assert response.status_code == 303
    assert re.match(r"^/proposals/", response.headers["Location"])
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 1
