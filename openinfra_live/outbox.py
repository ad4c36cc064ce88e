"""The outbox: one row per mail the site queued, with what became of it.

A row is added in the transaction of the change that queues the mail (``workflow.queue``), so a
rolled-back change leaves no row; ``workflow.commit`` sends the rows after the commit and
records ``sent`` or ``failed`` (with the reason) in a second commit. Moderators read the rows on
``/moderation/outbox`` and send a failed one again.

A mail that carries a one-time secret link (a status link, a password reset, an invitation) is
queued with ``secret=True``: its text is never shown on the page, and it is erased once the mail
has left, so nothing in the outbox opens someone else's private page.
"""

from datetime import datetime, timedelta

from sqlalchemy import String, Text, and_, func, or_, update
from sqlalchemy.orm import Mapped, mapped_column

from openinfra_live import clock
from openinfra_live.database import UTCDateTime
from openinfra_live.extensions import db

QUEUED = "queued"
SENT = "sent"
FAILED = "failed"
STATUSES = (QUEUED, SENT, FAILED)

# How a sent mail left: over SMTP, or printed on the console of a site without MAIL_SERVER.
BY_SMTP = "smtp"
BY_CONSOLE = "console"

# A mail still queued this long after its commit (or its last try) was left behind by a
# process that stopped; sooner, its own request may still be sending it.
STUCK_AFTER = timedelta(minutes=5)


class OutboxMail(db.Model):
    __tablename__ = "outbox_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(120))
    # The text as sent; None when it is not kept (a secret mail once sent, or an imported row).
    body: Mapped[str | None] = mapped_column(Text)
    secret: Mapped[bool] = mapped_column(default=False)
    # The language the mail is written in: the recipient's, as stored with what they sent.
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    status: Mapped[str] = mapped_column(String(16), default=QUEUED, index=True)
    queued_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=lambda: clock.now(), index=True
    )
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    # Why the last attempt failed, in words a moderator can act on; empty once sent.
    failure: Mapped[str] = mapped_column(Text, default="")
    sent_by: Mapped[str] = mapped_column(String(16), default="")

    @property
    def can_retry(self) -> bool:
        """A failed mail whose text is kept can be sent again; so can one left queued long ago
        (its process stopped between the commit and the send)."""
        if self.body is None:
            return False
        if self.status == FAILED:
            return True
        last = self.last_attempt_at or self.queued_at
        return self.status == QUEUED and last < clock.now() - STUCK_AFTER

    def record_sent(self, sent_by: str) -> None:
        """The mail left: note when and how; a secret mail's text is erased now."""
        now = clock.now()
        self.status, self.sent_at, self.last_attempt_at = SENT, now, now
        self.attempts = (self.attempts or 0) + 1
        self.failure, self.sent_by = "", sent_by
        if self.secret:
            self.body = None

    def record_failure(self, reason: str) -> None:
        """The attempt failed: keep the text for a retry and say why."""
        self.status, self.last_attempt_at = FAILED, clock.now()
        self.attempts = (self.attempts or 0) + 1
        self.failure = reason


def claim_for_retry(mail_id: int) -> bool:
    """Mark a retryable mail as being sent again, with a conditional UPDATE: when two
    moderators press Retry at once, only one claim matches and the mail leaves once. Flushes;
    the caller commits before sending."""
    now = clock.now()
    row = OutboxMail
    result = db.session.execute(
        update(row)
        .where(
            row.id == mail_id,
            row.body.is_not(None),
            or_(
                row.status == FAILED,
                and_(
                    row.status == QUEUED,
                    func.coalesce(row.last_attempt_at, row.queued_at) < now - STUCK_AFTER,
                ),
            ),
        )
        .values(status=QUEUED, last_attempt_at=now),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1
