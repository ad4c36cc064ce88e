"""The audit log, read-only: who did what, when, from where; searched by actor, action or target."""

import re

from flask import Response, request
from flask_babel import lazy_gettext
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


# Every action the code records, in words a translator can write. The workflows' transitions
# are named "proposal.{action}", "ptg_team_{to}" and "question.{action}" (``Workflow``).
# tests/moderation/test_audit_actions.py finds every action recorded and fails for one missing.
ACTION_LABELS = {
    # Accounts, sign-in and passwords (auth/).
    "account_created": lazy_gettext("Account created"),
    "account_deactivated": lazy_gettext("Account deactivated"),
    "account_reactivated": lazy_gettext("Account reactivated"),
    "account_role_changed": lazy_gettext("Account role changed"),
    "account_invited": lazy_gettext("Invitation sent"),
    "invitation_accepted": lazy_gettext("Invitation accepted"),
    "invitation_cancelled": lazy_gettext("Invitation cancelled"),
    "login_success": lazy_gettext("Login success"),
    "login_failure": lazy_gettext("Login failure"),
    "login_lockout": lazy_gettext("Login lockout"),
    "logout": lazy_gettext("Logout"),
    "password_changed": lazy_gettext("Password changed"),
    "password_reset_requested": lazy_gettext("Password reset requested"),
    "password_reset_limited": lazy_gettext("Password reset refused: too many requests"),
    "password_reset": lazy_gettext("Password reset"),
    "csrf_failure": lazy_gettext("CSRF failure"),
    "mail.retry": lazy_gettext("Mail sent again"),
    # Episodes, specials' segments, audience and questions.
    "episode.create": lazy_gettext("Episode created"),
    "episode.update": lazy_gettext("Episode updated"),
    "episode.hide": lazy_gettext("Episode hidden"),
    "episode.unhide": lazy_gettext("Episode shown again"),
    "episode.delete": lazy_gettext("Episode deleted"),
    "episode.segment_add": lazy_gettext("Episode segment added"),
    "episode.segment_update": lazy_gettext("Episode segment updated"),
    "episode.segment_move": lazy_gettext("Episode segment moved"),
    "episode.segment_delete": lazy_gettext("Episode segment deleted"),
    "episode.audience": lazy_gettext("Episode audience changed"),
    "episode.questions_listed": lazy_gettext("Episode questions shown on its page"),
    "episode.questions_unlisted": lazy_gettext("Episode questions taken off its page"),
    "episodes_imported": lazy_gettext("Episodes imported"),
    "views_imported": lazy_gettext("Views imported"),
    # Proposals: the workflow's transitions ("proposal.{action}") and the other changes.
    "proposal.submit": lazy_gettext("Proposal submitted"),
    "proposal.approve": lazy_gettext("Proposal approved"),
    "proposal.decline": lazy_gettext("Proposal declined"),
    "proposal.request_changes": lazy_gettext("Proposal changes requested"),
    "proposal.resubmit": lazy_gettext("Proposal resubmitted"),
    "proposal.withdraw": lazy_gettext("Proposal withdrawn"),
    "proposal.schedule": lazy_gettext("Proposal scheduled"),
    "proposal.reopen": lazy_gettext("Proposal reopened"),
    "proposal.cancel_episode": lazy_gettext("Proposal episode cancelled"),
    "proposal.claim": lazy_gettext("Proposal claimed"),
    "proposal.release": lazy_gettext("Proposal claim released"),
    "proposal.assign": lazy_gettext("Proposal assigned"),
    "proposal.note": lazy_gettext("Proposal note added"),
    "proposal.tags": lazy_gettext("Proposal tags changed"),
    "proposal.rotate_token": lazy_gettext("Proposal private link replaced"),
    # Audience questions: the workflow's transitions ("question.{action}") and the hosts' list.
    "question.approve": lazy_gettext("Question approved"),
    "question.reject": lazy_gettext("Question rejected"),
    "question.merge": lazy_gettext("Question merged"),
    "question.answer": lazy_gettext("Question answered"),
    "question.move": lazy_gettext("Question moved"),
    # PTG: registrations (the workflow's "ptg_team_{to}"), events, rooms and sessions.
    "ptg_team_registered": lazy_gettext("PTG team registered"),
    "ptg_team_approved": lazy_gettext("PTG team approved"),
    "ptg_team_declined": lazy_gettext("PTG team declined"),
    "ptg_team_withdrawn": lazy_gettext("PTG team withdrawn"),
    "ptg_teams_imported": lazy_gettext("PTG teams imported"),
    "ptg_event_created": lazy_gettext("PTG event created"),
    "ptg_event_updated": lazy_gettext("PTG event updated"),
    "ptg_event_deleted": lazy_gettext("PTG event deleted"),
    "ptg_room_added": lazy_gettext("PTG room added"),
    "ptg_room_updated": lazy_gettext("PTG room updated"),
    "ptg_room_deleted": lazy_gettext("PTG room deleted"),
    "ptg_session_placed": lazy_gettext("PTG session placed"),
    "ptg_session_changed": lazy_gettext("PTG session changed"),
    "ptg_session_deleted": lazy_gettext("PTG session deleted"),
}

# Words the log's action names abbreviate (for an action no longer recorded, in old rows).
ACRONYMS = {"ptg": "PTG", "csrf": "CSRF"}


@bp.app_template_filter("audit_action")
def action_label(action: str) -> str:
    """An action name in the reader's words: ``ptg_team_approved`` → "PTG team approved".

    An action the table does not know (an old row's) is spelled out from its name, in English.
    """
    label = ACTION_LABELS.get(action)
    if label is not None:
        return str(label)
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
