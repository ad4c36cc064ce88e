"""Outgoing e-mail: over SMTP when ``MAIL_SERVER`` is set, otherwise printed in full on the
console of the running site (the terminal of ``flask run``, gunicorn's standard error), so a
local run shows every link it would have mailed.

Every mail is recorded in the outbox (``outbox.OutboxMail``, re-exported here): the workflow
engine queues and sends it, ``/moderation/outbox`` shows it.
"""

import logging
import smtplib
import sys
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import gettext

from openinfra_live import audit
from openinfra_live.extensions import db
from openinfra_live.outbox import (
    BY_CONSOLE,
    BY_SMTP,
    FAILED,
    QUEUED,
    SENT,
    OutboxMail,
    claim_for_retry,
)

__all__ = [
    "FAILED",
    "QUEUED",
    "SENT",
    "MailNotSent",
    "OutboxMail",
    "compose",
    "deliver",
    "render",
    "retry",
    "send",
]

SMTP_TIMEOUT = 10

log = logging.getLogger(__name__)


class MailNotSent(Exception):
    """The mail did not leave; the message says why, in words a moderator can act on."""


def render(template: str, **context: object) -> str:
    """The plain-text body: ``templates/<template>`` rendered with ``context``."""
    return render_template(template, **context)


def compose(to: str, subject: str, body: str) -> EmailMessage:
    """The message as it leaves: the site's sender, ``to``, ``subject``, a plain-text body."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def send(to: str, subject: str, template: str, *, body: str | None = None, **context) -> str:
    """Send one mail now: ``body`` when given (the outbox keeps it), else ``template`` rendered
    with ``context``. Returns how it left (``"smtp"`` or ``"console"``); raises
    :class:`MailNotSent` with the reason when the mail server refuses it or cannot be reached.
    """
    text = render(template, **context) if body is None else body
    message = compose(to, subject, text)
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        print_on_console(message, text)
        return BY_CONSOLE
    server, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    try:
        with smtplib.SMTP(server, port, timeout=SMTP_TIMEOUT) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused:
        raise MailNotSent(
            gettext("The mail server refused the address %(address)s.", address=to)
        ) from None
    except smtplib.SMTPAuthenticationError:
        raise MailNotSent(
            gettext("The mail server refused the site's user name or password.")
        ) from None
    except smtplib.SMTPResponseException as error:
        said = error.smtp_error.decode("utf-8", "replace") if error.smtp_error else ""
        raise MailNotSent(
            gettext(
                "The mail server refused the mail (%(code)s %(said)s).",
                code=error.smtp_code,
                said=said,
            )
        ) from None
    except (OSError, smtplib.SMTPException) as error:
        why = getattr(error, "strerror", None) or str(error) or type(error).__name__
        where = f"{server}:{port}"
        raise MailNotSent(
            gettext(
                "The mail server %(server)s could not be reached (%(why)s).", server=where, why=why
            )
        ) from None
    return BY_SMTP


def print_on_console(message: EmailMessage, body: str) -> None:
    """Write the whole mail, links included, to standard error, where ``flask run`` and
    gunicorn show it: a site without a mail server still tells its operator what it sent."""
    headers = "".join(f"{name}: {message[name]}\n" for name in ("From", "To", "Subject"))
    print(
        f"----- mail (no MAIL_SERVER: printed here, not sent) -----\n{headers}\n{body.rstrip()}\n"
        "----- end of mail -----",
        file=sys.stderr,
        flush=True,
    )


def deliver(row: OutboxMail, **context: object) -> bool:
    """Send an outbox row now and record on it what happened (the caller commits).

    ``context`` is the template's, when the row was queued in this process (for the record;
    the kept text is what is sent). Returns whether the mail left; never raises for a mail
    that did not: the change it reports is already stored.
    """
    try:
        sent_by = send(row.recipient, row.subject, row.template, body=row.body, **context)
    except MailNotSent as error:
        reason = str(error)
    except Exception:  # a bug must not turn a stored change into an error page
        log.exception("could not send the mail %r to %r", row.subject, row.recipient)
        reason = gettext("The site could not send this mail (its log says why).")
    else:
        row.record_sent(sent_by if sent_by in (BY_SMTP, BY_CONSOLE) else BY_SMTP)
        return True
    log.warning("could not send the mail %r to %r: %s", row.subject, row.recipient, reason)
    row.record_failure(reason)
    return False


def retry(mail_id: int) -> OutboxMail | None:
    """Send a failed mail again and record the result; None when it cannot be retried (gone,
    sent meanwhile, or already being retried by someone else).

    Side effects: claims the row (``outbox.claim_for_retry``) and commits, sends, then commits
    the result: a claimed mail is never sent twice by two moderators at once.
    """
    claimed = claim_for_retry(mail_id)
    db.session.commit()
    if not claimed:
        return None
    row = db.session.get(OutboxMail, mail_id)
    if row is None:
        return None
    deliver(row)
    audit.record("mail.retry", row, detail={"to": row.recipient, "result": row.status})
    db.session.commit()
    return row
