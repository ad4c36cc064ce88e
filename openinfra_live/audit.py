"""The append-only audit log: who did what, when, to which object, from where."""

import json
import logging
from datetime import datetime
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openinfra_live import clock
from openinfra_live.database import UTCDateTime
from openinfra_live.extensions import db

# One JSON document per line: newlines and brackets in titles or e-mails typed by visitors
# are escaped by json.dumps, so nobody can forge a log line.
logger = logging.getLogger("openinfra_live.audit")


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=lambda: clock.now(), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The actor as known when the entry was written (e-mail of a moderator, "anonymous").
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict | None] = mapped_column(JSON)

    actor: Mapped["User | None"] = relationship()  # noqa: F821


def record(
    action: str,
    obj: Any = None,
    *,
    actor: Any = None,
    object_type: str = "",
    object_id: Any = "",
    detail: dict | None = None,
) -> AuditEntry:
    """Add one audit entry to the session (the caller's transaction commits it).

    ``actor`` defaults to the signed-in user; the entry never holds passwords or tokens.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if obj is not None:
        object_type = object_type or type(obj).__name__.lower()
        object_id = getattr(obj, "id", object_id)
    entry = AuditEntry(
        created_at=clock.now(),
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", "") or "anonymous",
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        ip=(request.remote_addr or "") if has_request_context() else "",
        detail=detail,
    )
    db.session.add(entry)
    logger.info(log_line(entry))
    return entry


def log_line(entry: AuditEntry) -> str:
    """The entry as one line of JSON for the application log."""
    return json.dumps(
        {
            "event": "audit",
            "time": entry.created_at.isoformat(),
            "actor_id": entry.actor_id,
            "actor": entry.actor_label,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "ip": entry.ip,
            "detail": entry.detail,
        },
        default=str,
        ensure_ascii=True,
    )
