"""E-mails to a registration's contact, sent only once the change they report is committed.

Services queue a message on the database session; it goes out after a successful commit and
is dropped on rollback, so nobody is told about a change that was never stored.
"""

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from openinfra_live import mail
from openinfra_live.extensions import db

log = logging.getLogger(__name__)

OUTBOX_KEY = "ptg_outbox"

SUBJECTS = {
    "registered": "PTG registration received: {team}",
    "approved": "PTG registration approved: {team}",
    "declined": "PTG registration declined: {team}",
    "withdrawn": "PTG registration withdrawn: {team}",
}


def queue(kind: str, to: str, **context: Any) -> None:
    """Queue the ``templates/mail/ptg_<kind>.txt`` mail for after the commit.

    ``context`` must hold plain values: after a commit the ORM objects are expired and may not
    be loaded again while the session finishes committing.
    """
    if not to:
        return
    subject = SUBJECTS[kind].format(team=context.get("team_name", ""))
    outbox = db.session.info.setdefault(OUTBOX_KEY, [])
    outbox.append((to, subject, f"mail/ptg_{kind}.txt", context))


def pending() -> list[tuple[str, str, str, dict]]:
    """Mails queued in the current transaction (for tests and debugging)."""
    return list(db.session.info.get(OUTBOX_KEY, []))


@event.listens_for(Session, "after_commit")
def _send_outbox(session: Session) -> None:
    for to, subject, template, context in session.info.pop(OUTBOX_KEY, []):
        try:
            mail.send(to, subject, template, **context)
        except Exception:  # a broken mail must not turn a stored change into an error page
            log.exception("could not prepare the mail %r to %r", subject, to)


@event.listens_for(Session, "after_soft_rollback")
def _drop_outbox(session: Session, previous_transaction: Any) -> None:
    session.info.pop(OUTBOX_KEY, None)
