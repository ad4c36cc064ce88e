"""The audit log, read-only: who did what, when, from where."""

from flask import Response, abort, make_response, render_template, request

from openinfra_live import security
from openinfra_live.audit import AuditEntry
from openinfra_live.auth.permissions import moderator_required
from openinfra_live.extensions import db
from openinfra_live.moderation import bp

ENTRIES_PER_PAGE = 50


@bp.get("/audit")
@moderator_required
def audit_log() -> Response:
    """Audit entries, newest first; ``?action=`` filters, ``?page=`` pages."""
    action = request.args.get("action", "").strip()
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    query = db.select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    entries = db.paginate(query, page=page, per_page=ENTRIES_PER_PAGE, error_out=False)
    if page > 1 and not entries.items:
        abort(404)
    actions = db.session.scalars(
        db.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    ).all()
    response = make_response(
        render_template(
            "moderation/audit.html",
            entries=entries,
            actions=actions,
            selected_action=action,
        )
    )
    return security.no_store(response)
