"""One small workflow engine for proposals, PTG registrations and (later) audience questions.

``Workflow.apply`` is the only way a status changes; services queue their mails in the
session's outbox and ``commit`` sends them after the commit, so a rolled-back change mails
nobody and a mail server that is down never undoes a change.
"""

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from flask import current_app, flash
from flask_babel import gettext
from sqlalchemy import JSON, ForeignKey, String, Text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from openinfra_live import audit, clock, i18n, mail
from openinfra_live.database import UTCDateTime
from openinfra_live.extensions import db

log = logging.getLogger(__name__)

OUTBOX_KEY = "workflow_outbox"


class TransitionNotAllowed(Exception):
    """The table does not allow this action from the object's state (or it changed meanwhile)."""


class HistoryEntryMixin:
    """One transition or note: who, when, from which state to which, and an optional message.

    ``is_public`` entries are shown to the submitter; the others are moderators' notes.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text, default="")
    is_public: Mapped[bool] = mapped_column(default=False)
    changes: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())

    @declared_attr
    def actor_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


@dataclass(frozen=True)
class Workflow:
    """A declared workflow: what may happen to ``model`` rows, and how it is recorded."""

    states: type[StrEnum]
    actions: type[StrEnum]
    transitions: Mapping[tuple[StrEnum, StrEnum], StrEnum]
    groups: Mapping[str, frozenset]
    model: Any
    history_model: Any
    # The history model's relationship to ``model`` ("proposal", "team").
    history_owner: str
    # Formatted with ``action`` and ``to``: "proposal.{action}", "ptg_team_{to}".
    audit_action: str
    # The sentence a refused ``(state, action)`` shows to the person who asked.
    refusal: Callable[[str, str], str]

    def group(self, name: str) -> frozenset:
        """The states of a named group (``open``, ``final``, ``public``...)."""
        return self.groups[name]

    def allowed_actions(self, obj: Any) -> list:
        """Every action the table allows from ``obj``'s state: what views and pages offer."""
        return [action for state, action in self.transitions if state == obj.status]

    def check(self, obj: Any, action: str) -> StrEnum:
        """The state ``action`` leads ``obj`` to; raises ``TransitionNotAllowed``."""
        target = self.transitions.get((obj.status, action))
        if target is None:
            raise TransitionNotAllowed(self.refusal(obj.status, action))
        return target

    def apply(
        self,
        obj: Any,
        action: StrEnum,
        *,
        actor: Any,
        message: str = "",
        public: bool = True,
        changes: dict | None = None,
    ) -> Any:
        """Move ``obj`` along the table and return the history entry that records it.

        Side effects: the conditional UPDATE of the status, a history entry, an audit entry;
        flushes. A row changed since this request read it raises ``TransitionNotAllowed``.
        """
        current = obj.status
        target = self.check(obj, action)
        # Matches only while the row is still in the state this request saw.
        result = db.session.execute(
            update(self.model)
            .where(self.model.id == obj.id, self.model.status == current)
            .values(status=target.value, updated_at=clock.now()),
            execution_options={"synchronize_session": False},
        )
        if result.rowcount != 1:
            db.session.refresh(obj)
            raise TransitionNotAllowed(self.refusal(obj.status, action))
        db.session.expire(obj, ["status", "updated_at"])
        entry = self.record(
            obj,
            action.value,
            actor=actor,
            from_status=current,
            to_status=target.value,
            message=message,
            public=public,
            changes=changes,
        )
        detail: dict[str, Any] = {"from": current, "to": target.value}
        if changes:
            detail["changed"] = sorted(changes)
        name = self.audit_action.format(action=action.value, to=target.value)
        audit.record(name, obj, actor=actor, detail=detail)
        db.session.flush()
        return entry

    def record(
        self,
        obj: Any,
        action: str,
        *,
        actor: Any = None,
        from_status: str | None = None,
        to_status: str | None = None,
        message: str = "",
        public: bool = False,
        changes: dict | None = None,
    ) -> Any:
        """Add one history entry (a transition, or a note that changes no state)."""
        signed_in = getattr(actor, "is_authenticated", True)
        entry = self.history_model(
            **{self.history_owner: obj},
            action=action,
            actor_id=getattr(actor, "id", None) if signed_in else None,
            from_status=from_status,
            to_status=to_status,
            message=(message or "").strip(),
            is_public=public,
            changes=changes,
            created_at=clock.now(),
        )
        db.session.add(entry)
        return entry


# --- the outbox ------------------------------------------------------------------------------


def queue(
    to: str,
    subject: str,
    template: str,
    *,
    secret: bool = False,
    language: str | None = None,
    **context: Any,
) -> None:
    """Queue the mail ``templates/<template>`` to ``to``; ``commit`` sends it after committing.

    The subject (a ``lazy_gettext`` string) and the text are written in ``language``, the one
    stored with what the recipient sent; without one, in the language of the current request.

    Side effect: an ``OutboxMail`` row in the current transaction, so a rolled-back change
    records and sends nothing. ``secret=True`` for a mail carrying a one-time secret link: its
    text is never shown to moderators and is erased once sent.
    """
    if not to:
        return
    session = db.session()
    transaction = session.get_transaction() or session.begin()
    language = i18n.stored_language(language or i18n.current_language())
    with i18n.written_in(language):
        subject = str(subject)
    row = mail.OutboxMail(
        recipient=to,
        subject=subject,
        template=template,
        secret=secret,
        language=language,
        status=mail.QUEUED,
        queued_at=clock.now(),
        attempts=0,
        failure="",
        sent_by="",
    )
    db.session.add(row)
    session.info.setdefault(OUTBOX_KEY, []).append((transaction, row, context))


def pending() -> list[tuple[str, str, str, dict]]:
    """The mails queued in the current transaction (for tests and debugging)."""
    current = db.session().get_transaction()
    queued = db.session.info.get(OUTBOX_KEY, [])
    return [
        (row.recipient, row.subject, row.template, context)
        for transaction, row, context in queued
        if current is not None and transaction is current
    ]


def commit(*, send_after_answer: bool = False) -> None:
    """Commit the session with the mails its transaction queued, then send them and record
    each one sent or failed (with the reason) in a second commit.

    The text is written just before the commit, so the outbox keeps it whatever happens next. A
    mail that cannot be written or sent is recorded as failed: the change stays committed.
    ``send_after_answer=True`` sends from a thread of its own, so the answer does not wait for
    the mail server: the password-reset page answers as fast whether or not a mail goes out.
    """
    session = db.session()
    committed = session.get_transaction()
    queued = session.info.pop(OUTBOX_KEY, [])
    # A mail queued in a transaction that was rolled back has left the session with it.
    fresh = [(row, ctx) for txn, row, ctx in queued if committed is not None and txn is committed]
    for row, context in fresh:
        try:
            with i18n.written_in(row.language):
                row.body = mail.render(row.template, **context)
        except Exception:  # a broken template must not undo the change the mail reports
            log.exception("could not write the mail %r to %r", row.subject, row.recipient)
            row.record_failure(gettext("The site could not write this mail (its log says why)."))
    db.session.commit()
    if not fresh:
        return
    if send_after_answer:
        app = current_app._get_current_object()
        ids = [(row.id, context) for row, context in fresh if row.status == mail.QUEUED]
        threading.Thread(target=_send_later, args=(app, ids), daemon=True).start()
        return
    _send(fresh)


def _send(rows: list[tuple[Any, dict]]) -> None:
    """Send the queued ``rows`` (with their template contexts) and commit what happened."""
    for row, context in rows:
        if row.status == mail.QUEUED:
            mail.deliver(row, **context)
    try:
        db.session.commit()
    except SQLAlchemyError:  # the mails left; only their record is lost, never the change
        log.exception("could not record the result of sending %d mails", len(rows))
        db.session.rollback()


def _send_later(app: Any, ids: list[tuple[int, dict]]) -> None:
    """``_send`` in a thread with its own app context (and so its own database session). A
    worker that stops first leaves the mail queued; the outbox lets a moderator retry it."""
    with app.app_context():
        try:
            rows = [(db.session.get(mail.OutboxMail, row_id), ctx) for row_id, ctx in ids]
            _send([(row, ctx) for row, ctx in rows if row is not None])
        except Exception:  # nobody is left to tell but the log; the rows stay queued
            log.exception("could not send %d mails after the answer", len(ids))
        finally:
            db.session.remove()


def commit_or_refuse(change: Callable[[], Any], done: str) -> bool:
    """Make ``change``, commit and flash ``done``; when the table refuses it, roll back and
    flash why instead. Returns whether the change was made."""
    try:
        change()
    except TransitionNotAllowed as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    commit()
    flash(done, "success")
    return True
