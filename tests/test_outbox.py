"""The outbox: every mail is a row queued with the change that sends it, sent after the commit
and recorded as sent or failed; moderators read it and retry. A real SMTP server on 127.0.0.1."""

import re
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from openinfra_live import audit, clock, mail, workflow
from openinfra_live.extensions import db
from openinfra_live.maintenance import export_data
from openinfra_live.outbox import OutboxMail
from openinfra_live.proposals import services
from openinfra_live.proposals.models import Proposal
from openinfra_live.ptg import registrations
from openinfra_live.ptg.models import PtgEvent, PtgTeam
from tests.conftest import csrf_token_from, post_form
from tests.proposals.builders import VALID_FORM, make_proposal
from tests.proposals.test_mail import Inbox, body_of
from tests.ptg.builders import make_event, make_team
from tests.servers import free_port


class MailServer:
    """A real SMTP server on a fixed port that the test can stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> "MailServer":
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mail_server(app):
    """The site mails through this server; it starts down (``.start()`` brings it up)."""
    server = MailServer()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    server.stop()


def rows() -> list[OutboxMail]:
    return db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id)).all()


def approve_a_pending_team() -> int:
    """Approve a pending PTG team (a mail without a private link); returns the team's id."""
    team = make_team(make_event(), status="pending", contact_email="lead@example.org")
    db.session.commit()
    registrations.approve_team(team, actor=None, message="See you there")
    workflow.commit()
    return team.id


def test_a_sent_mail_is_recorded_as_sent(app_ctx, mail_server):
    mail_server.start()

    approve_a_pending_team()

    [message] = mail_server.inbox.wait_for(1)
    assert message["To"] == "lead@example.org"
    db.session.remove()
    [row] = rows()
    assert (row.recipient, row.template, row.status) == (
        "lead@example.org",
        "mail/ptg_approved.txt",
        "sent",
    )
    assert row.sent_by == "smtp" and row.attempts == 1 and row.failure == ""
    assert row.sent_at is not None and row.queued_at <= row.sent_at
    assert "See you there" in row.body
    assert row.body.split() == body_of(message).split()  # line endings aside


def test_a_mail_server_that_is_down_keeps_the_change_and_records_why(app_ctx, mail_server):
    team_id = approve_a_pending_team()

    db.session.remove()
    assert db.session.get(PtgTeam, team_id).status == "approved"
    [row] = rows()
    assert row.status == "failed" and row.attempts == 1 and row.sent_at is None
    assert f"127.0.0.1:{mail_server.port} could not be reached" in row.failure
    assert "See you there" in row.body  # kept for a retry


def test_retry_after_the_server_is_back_sends_the_mail(app, client, login_as, mail_server):
    with app.app_context():
        approve_a_pending_team()
    login_as(client)
    page = client.get("/moderation/outbox").get_data(as_text=True)
    assert "could not be reached" in page
    [action] = re.findall(r'action="(/moderation/outbox/\d+/retry)"', page)
    mail_server.start()

    response = client.post(action, data={"csrf_token": csrf_token_from(page)})

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/moderation/outbox")
    [message] = mail_server.inbox.wait_for(1)
    assert "See you there" in body_of(message)
    with app.app_context():
        [row] = rows()
        assert (row.status, row.attempts, row.failure, row.sent_by) == ("sent", 2, "", "smtp")
        entry = db.session.scalars(db.select(audit.AuditEntry)).all()[-1]
        assert entry.action == "mail.retry" and entry.detail["result"] == "sent"
    after = client.get("/moderation/outbox").get_data(as_text=True)
    assert "was sent" in after
    assert "/retry" not in after


def test_retry_while_the_server_is_still_down_records_a_second_failure(
    app, client, login_as, mail_server
):
    with app.app_context():
        approve_a_pending_team()
        mail_id = rows()[0].id
    login_as(client)

    response = post_form(
        client, "/moderation/outbox", {}, post_url=f"/moderation/outbox/{mail_id}/retry"
    )

    assert response.status_code == 303
    with app.app_context():
        [row] = rows()
        assert row.status == "failed" and row.attempts == 2
    assert "could not be sent" in client.get("/moderation/outbox").get_data(as_text=True)


def test_a_sent_mail_is_not_sent_again_by_a_retry(app, client, login_as, mail_server):
    mail_server.start()
    with app.app_context():
        approve_a_pending_team()
        mail_id = rows()[0].id
    mail_server.inbox.wait_for(1)
    login_as(client)

    post_form(client, "/moderation/outbox", {}, post_url=f"/moderation/outbox/{mail_id}/retry")

    assert "not waiting for a retry" in client.get("/moderation/outbox").get_data(as_text=True)
    assert len(mail_server.inbox.messages) == 1
    with app.app_context():
        assert rows()[0].attempts == 1


def test_two_retries_at_once_send_the_mail_once(app_ctx, mail_server):
    approve_a_pending_team()
    mail_id = rows()[0].id
    mail_server.start()
    # The first retry has claimed the row (and committed the claim) when the second comes.
    assert mail.claim_for_retry(mail_id)
    db.session.commit()

    assert mail.retry(mail_id) is None

    assert mail_server.inbox.messages == []


def test_a_rolled_back_change_records_and_sends_nothing(app_ctx, mail_server):
    mail_server.start()
    proposal, _ = make_proposal(email="first@example.org")
    db.session.commit()
    before = [row.id for row in rows()]  # the builder's own "received" mail, never sent

    services.withdraw_proposal(proposal)
    assert len(workflow.pending()) == 1
    db.session.rollback()
    workflow.commit()

    assert [row.id for row in rows()] == before
    assert db.session.get(Proposal, proposal.id).status == "submitted"
    assert mail_server.inbox.messages == []


def test_a_mail_whose_template_fails_is_recorded_failed_and_the_change_kept(app_ctx, mail_server):
    mail_server.start()
    event = make_event()
    db.session.commit()
    event_id = event.id
    workflow.queue("x@example.org", "Broken", "mail/no_such_template.txt")
    event.name = "Renamed"

    workflow.commit()

    db.session.remove()
    [row] = rows()
    assert row.status == "failed" and "could not write" in row.failure and row.body is None
    assert not row.can_retry
    assert db.session.get(PtgEvent, event_id).name == "Renamed"
    assert mail_server.inbox.messages == []


def test_a_mail_with_a_private_link_is_never_shown_and_its_text_erased_once_sent(
    app, client, login_as, mail_server
):
    location = post_form(client, "/propose", VALID_FORM).headers["Location"]
    token = location.rsplit("/", 1)[1]
    with app.app_context():
        [row] = rows()
        assert row.secret and row.status == "failed"
        assert token in row.body  # kept for the retry, on the server only
        mail_id = row.id
    moderator = app.test_client()
    login_as(moderator)
    page = moderator.get("/moderation/outbox").get_data(as_text=True)
    assert token not in page
    assert "Text not shown: it holds a private link." in page
    mail_server.start()

    post_form(moderator, "/moderation/outbox", {}, post_url=f"/moderation/outbox/{mail_id}/retry")

    [message] = mail_server.inbox.wait_for(1)
    assert f"http://live.test/proposals/{token}" in body_of(message)
    with app.app_context():
        [row] = rows()
        assert row.status == "sent" and row.body is None
    assert token not in moderator.get("/moderation/outbox").get_data(as_text=True)


def test_a_plain_mail_shows_its_text_to_moderators(app, client, login_as, mail_server):
    mail_server.start()
    with app.app_context():
        approve_a_pending_team()
    login_as(client)

    page = client.get("/moderation/outbox").get_data(as_text=True)

    assert "See you there" in page
    assert "lead@example.org" in page and "PTG registration approved: Nova" in page


def test_the_outbox_is_newest_first_paged_and_filtered_by_status(app, client, login_as):
    with app.app_context():
        for n in range(52):
            workflow.queue(
                f"p{n:02d}@example.org",
                f"Mail {n:02d}",
                "mail/ptg_withdrawn.txt",
                contact_name="A",
                team_name="T",
                event_name="E",
            )
        workflow.commit()  # no MAIL_SERVER: printed on the console, recorded as sent
        failed = db.session.scalars(db.select(OutboxMail).filter_by(subject="Mail 02")).one()
        failed.status, failed.failure = "failed", "The mail server refused the mail."
        db.session.commit()
    login_as(client)

    first = client.get("/moderation/outbox").get_data(as_text=True)
    second = client.get("/moderation/outbox?page=2").get_data(as_text=True)
    only_failed = client.get("/moderation/outbox?status=failed").get_data(as_text=True)

    subjects = re.findall(r"Mail (\d\d)", first)
    assert subjects[0] == "51" and subjects[-1] == "02" and "Mail 01" not in first
    assert "Mail 01" in second and "Mail 00" in second
    assert "Printed on the console (no mail server is set)" in first
    assert set(re.findall(r"Mail (\d\d)", only_failed)) == {"02"}
    assert "The mail server refused the mail." in only_failed
    assert client.get("/moderation/outbox?status=bogus").status_code == 400
    assert client.get("/moderation/outbox?page=9").status_code == 404


def test_only_moderators_see_the_outbox_and_retry_needs_csrf(app, client, login_as):
    response = client.get("/moderation/outbox")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    assert client.post("/moderation/outbox/1/retry").status_code in (302, 303, 400)
    login_as(client)
    assert client.get("/moderation/outbox").status_code == 200
    assert client.post("/moderation/outbox/1/retry").status_code == 400  # no CSRF token
    missing = post_form(client, "/moderation/outbox", {}, post_url="/moderation/outbox/999/retry")
    assert missing.status_code == 404


def test_the_json_export_keeps_the_outbox_but_never_a_mail_text(app, client):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # down: the text is kept
    location = post_form(client, "/propose", VALID_FORM).headers["Location"]
    token = location.rsplit("/", 1)[1]
    with app.app_context():
        document = export_data()

    [row] = document["tables"]["outbox_mails"]
    assert row["recipient"] == "sam@example.org" and row["status"] == "failed"
    assert "body" not in row
    assert token not in str(document)


def test_a_mail_left_queued_by_a_stopped_process_can_be_sent_later(app_ctx, mail_server):
    mail_server.start()
    # Queued and committed, but never sent: the process stopped before ``workflow.commit``
    # could send it.
    workflow.queue("late@example.org", "Late", "mail/ptg_withdrawn.txt", contact_name="A")
    db.session.flush()
    [row] = rows()
    row.body = "Hello A"
    db.session.commit()
    assert not row.can_retry  # its own request may still be sending it
    assert mail.retry(row.id) is None

    row.queued_at = clock.now() - timedelta(minutes=6)
    db.session.commit()
    assert row.can_retry

    sent = mail.retry(row.id)

    assert sent is not None and sent.status == "sent"
    [message] = mail_server.inbox.wait_for(1)
    assert message["To"] == "late@example.org"
