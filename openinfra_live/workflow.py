"""One small workflow engine for proposals, PTG registrations and (later) audience questions.

A ``Workflow`` declares its states, actions, the one transition table ``{(state, action): new
state}``, named groups of states, its model and history model. ``apply`` is the only way a
status changes: it checks the table, moves the row with a conditional UPDATE (so a change made
meanwhile by another request is never overwritten), records the history and audit entries,
and flushes. Services queue their mails in the session's outbox; ``commit`` commits and then
sends them, so a rolled-back change mails nobody and a mail server that is down never undoes
a change.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import update

from openinfra_live import audit, clock, mail
from openinfra_live.extensions import db

log = logging.getLogger(__name__)

OUTBOX_KEY = "workflow_outbox"


class TransitionNotAllowed(Exception):
    """The table does not allow this action from the object's state (or it changed meanwhile)."""

    def __init__(self, message: str, *, current: str = "", action: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.current = current
        self.action = action


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
    status_column: str = "status"
    _by_state: dict = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        for (state, action), _target in self.transitions.items():
            self._by_state.setdefault(state, []).append(action)

    def group(self, name: str) -> frozenset:
        """The states of a named group (``open``, ``final``, ``public``...)."""
        return self.groups[name]

    def allowed_actions(self, obj: Any) -> list:
        """Every action the table allows from ``obj``'s state: what views and pages offer."""
        return list(self._by_state.get(getattr(obj, self.status_column), []))

    def target(self, current: str, action: str) -> StrEnum:
        """The state ``action`` leads to from ``current``; raises ``TransitionNotAllowed``."""
        try:
            key = (self.states(current), self.actions(action))
        except ValueError:
            key = None
        if key not in self.transitions:
            raise TransitionNotAllowed(
                self.refusal(current, action), current=current, action=action
            )
        return self.transitions[key]

    def check(self, obj: Any, action: str) -> StrEnum:
        """Raise ``TransitionNotAllowed`` unless ``action`` is allowed on ``obj`` now."""
        return self.target(getattr(obj, self.status_column), action)

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
        current = getattr(obj, self.status_column)
        target = self.check(obj, action)
        column = getattr(self.model, self.status_column)
        # Matches only while the row is still in the state this request saw.
        result = db.session.execute(
            update(self.model)
            .where(self.model.id == obj.id, column == current)
            .values({self.status_column: target.value, "updated_at": clock.now()}),
            execution_options={"synchronize_session": False},
        )
        if result.rowcount != 1:
            db.session.refresh(obj)
            now = getattr(obj, self.status_column)
            raise TransitionNotAllowed(self.refusal(now, action), current=now, action=action)
        db.session.expire(obj, [self.status_column, "updated_at"])
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


def _transaction() -> Any:
    session = db.session()
    return session.get_transaction() or session.begin()


def queue(to: str, subject: str, template: str, **context: Any) -> None:
    """Queue the mail ``templates/<template>`` to ``to``; ``commit`` sends it after committing.

    The mail belongs to the current transaction: when that is rolled back, it is never sent.
    """
    if to:
        outbox = db.session.info.setdefault(OUTBOX_KEY, [])
        outbox.append((_transaction(), to, subject, template, context))


def pending() -> list[tuple[str, str, str, dict]]:
    """The mails queued in the current transaction (for tests and debugging)."""
    current = db.session().get_transaction()
    queued = db.session.info.get(OUTBOX_KEY, [])
    return [item[1:] for item in queued if current is not None and item[0] is current]


def commit() -> None:
    """Commit the session, then send the mails its transaction queued.

    A mail that cannot be rendered or sent is logged: the change it reports stays committed.
    """
    committed = db.session().get_transaction()
    queued = db.session.info.pop(OUTBOX_KEY, [])
    db.session.commit()
    for transaction, to, subject, template, context in queued:
        if transaction is not committed:
            continue  # queued in a transaction that was rolled back
        try:
            mail.send(to, subject, template, **context)
        except Exception:  # a broken mail must not turn a stored change into an error page
            log.exception("could not send the mail %r to %r", subject, to)
