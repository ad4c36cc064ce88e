"""Outgoing e-mail: over SMTP when ``MAIL_SERVER`` is set, otherwise written to the log."""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, render_template

log = logging.getLogger(__name__)


def send(to: str, subject: str, template: str, **context) -> EmailMessage:
    """Render ``templates/<template>`` as the plain-text body and send it to ``to``.

    A mail that cannot be sent is logged, never raised: the state change it reports is already
    committed and must not be undone by a mail server being down.
    """
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(render_template(template, **context))
    server = current_app.config.get("MAIL_SERVER")
    if not server:
        log.info(
            "mail not sent (no MAIL_SERVER): to=%r subject=%r\n%s",
            to,
            subject,
            message.get_content(),
        )
        return message
    try:
        with smtplib.SMTP(server, current_app.config["MAIL_PORT"], timeout=10) as smtp:
            if current_app.config["MAIL_USE_TLS"]:
                smtp.starttls()
            if current_app.config["MAIL_USERNAME"]:
                smtp.login(current_app.config["MAIL_USERNAME"], current_app.config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send mail to %r (subject %r)", to, subject)
    return message
