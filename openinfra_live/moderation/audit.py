"""The audit log, read-only: who did what, when, from where; searched by actor, action or target."""

import re

from flask import Response, request
from sqlalchemy import ColumnElement, and_, or_

from openinfra_live.audit import AuditEntry
from openinfra_live.auth.permissions import moderator_required
from openinfra_live.extensions import db
from openinfra_live.moderation import bp, page, paginate
from openinfra_live.moderation.queue import search_text

ENTRIES_PER_PAGE = 50
# A target as the log shows it: ``proposal #12`` (or ``proposal 12``).
TARGET = re.compile(r"^(?P<type>[A-Za-z_.-]+)\s*(?:#\s*|\s+)(?P<id>\w+)$")


def matching(search: str) -> ColumnElement[bool]:
    """Entries whose actor, action or target contains ``search``; ``type #id`` names one target."""
    columns = (AuditEntry.actor_label, AuditEntry.action, AuditEntry.object_type)
    found = [column.icontains(search, autoescape=True) for column in columns]
    found.append(AuditEntry.object_id == search.lstrip("#"))
    target = TARGET.match(search)
    if target:
        found.append(
            and_(
                AuditEntry.object_type.icontains(target["type"], autoescape=True),
                AuditEntry.object_id == target["id"],
            )
        )
    return or_(*found)


# Words the log's action names abbreviate.
ACRONYMS = {"ptg": "PTG", "csrf": "CSRF"}


@bp.app_template_filter("audit_action")
def action_label(action: str) -> str:
    """An action name in words: ``ptg_team_approved`` → "PTG team approved"."""
    words = [ACRONYMS.get(word, word) for word in re.split(r"[._]+", action) if word]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@bp.get("/audit")
@moderator_required
def audit_log() -> Response:
    """Audit entries, newest first; ``?q=`` searches actor, action and target, ``?action=``
    filters, ``?page=`` pages."""
    action = request.args.get("action", "").strip()
    search = search_text()
    query = db.select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if search:
        query = query.where(matching(search))
    actions = db.session.scalars(
        db.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    ).all()
    return page(
        "moderation/audit.html",
        entries=paginate(query, ENTRIES_PER_PAGE),
        actions=actions,
        selected_action=action,
        search=search,
    )
