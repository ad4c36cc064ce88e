"""The audit log, read-only: who did what, when, from where."""

from flask import Response, request

from openinfra_live.audit import AuditEntry
from openinfra_live.auth.permissions import moderator_required
from openinfra_live.extensions import db
from openinfra_live.moderation import bp, page, paginate

ENTRIES_PER_PAGE = 50


@bp.get("/audit")
@moderator_required
def audit_log() -> Response:
    """Audit entries, newest first; ``?action=`` filters, ``?page=`` pages."""
    action = request.args.get("action", "").strip()
    query = db.select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    actions = db.session.scalars(
        db.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    ).all()
    return page(
        "moderation/audit.html",
        entries=paginate(query, ENTRIES_PER_PAGE),
        actions=actions,
        selected_action=action,
    )
