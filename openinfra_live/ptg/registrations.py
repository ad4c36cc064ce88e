"""PTG team registrations: register, find by status link, approve, decline, withdraw.

The verbs flush and queue the contact's e-mail; the view commits with ``workflow.commit``.
"""

import re

from flask_babel import gettext, lazy_gettext
from sqlalchemy.exc import IntegrityError

from openinfra_live import audit, clock, tokens, workflow
from openinfra_live.extensions import db
from openinfra_live.ptg.models import PtgEvent, PtgSession, PtgTeam, PtgTeamHistory
from openinfra_live.ptg.rules import (
    TIME_WINDOWS,
    DuplicateTeam,
    FormAlreadySent,
    InvalidRegistration,
    RegistrationClosed,
    RegistrationData,
    registration_errors,
)
from openinfra_live.ptg.states import LIVE, REGISTRATIONS, TeamAction, TeamStatus
from openinfra_live.ptg.teamlist import team_name_key
from openinfra_live.urls import site_url_for

NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
TOKEN_PURPOSE = b"ptg-registration:"


def _subject(kind: str, team: PtgTeam):
    """The subject of the ``kind`` mail to the team's contact (written in the team's language)."""
    name = team.name
    subjects = {
        "registered": lazy_gettext("PTG registration received: %(team)s", team=name),
        "approved": lazy_gettext("PTG registration approved: %(team)s", team=name),
        "declined": lazy_gettext("PTG registration declined: %(team)s", team=name),
        "withdrawn": lazy_gettext("PTG registration withdrawn: %(team)s", team=name),
        "removed": lazy_gettext("PTG registration removed by the organisers: %(team)s", team=name),
    }
    return subjects[kind]


def registration_token(nonce: str) -> str:
    """The status-link token of the registration sent with form ``nonce`` (derived, so a double
    click finds the same status page; the database keeps only hashes of nonce and token)."""
    return tokens.derive(TOKEN_PURPOSE, nonce)


def find_registration(token: str) -> PtgTeam | None:
    """The registration a status-link token opens, or None (the same for every wrong token)."""
    return tokens.find(PtgTeam, token)


def _queue_mail(kind: str, team: PtgTeam, *, secret: bool = False, **extra: object) -> None:
    """Queue ``templates/mail/ptg_<kind>.txt`` to the team's contact (``secret``: it holds
    the status link, see ``workflow.queue``), in the language the team registered in."""
    workflow.queue(
        team.contact_email,
        _subject(kind, team),
        f"mail/ptg_{kind}.txt",
        language=team.language,
        team_name=team.name,
        contact_name=team.contact_name,
        event_name=team.event.name,
        event_slug=team.event.slug,
        hours_wanted=team.hours_wanted,
        secret=secret,
        **extra,
    )


def _live_team_named(event: PtgEvent, name_key: str) -> PtgTeam | None:
    return db.session.scalar(
        db.select(PtgTeam).where(
            PtgTeam.event_id == event.id,
            PtgTeam.name_key == name_key,
            PtgTeam.status.in_([s.value for s in LIVE]),
        )
    )


def _replayed(nonce_hash: str | None, data: RegistrationData) -> PtgTeam | None:
    """The registration made from the same form rendering, if this POST repeats it."""
    if nonce_hash is None:
        return None
    team = db.session.scalar(db.select(PtgTeam).filter_by(submission_nonce=nonce_hash))
    if team is None:
        return None
    same = team.name_key == team_name_key(data.name) and (
        team.contact_email.lower() == data.contact_email.strip().lower()
    )
    if not same:
        raise FormAlreadySent(
            gettext("This form was already sent. Reload the page and fill it in again.")
        )
    return team


def register_team(event: PtgEvent, data: RegistrationData, nonce: str = "") -> tuple[PtgTeam, str]:
    """Register a team for an event; return the registration and its status-link token.

    Side effects: a pending ``PtgTeam`` row, a history entry, an audit entry, and the
    confirmation mail with the private link (queued, sent after the commit). Posting the same
    form again returns the first registration instead of creating another. Refused once the
    event has started, whatever its "registration open" setting says.
    """
    if not event.takes_registrations(clock.now()):
        raise RegistrationClosed(gettext("Registration for this PTG is closed."))
    errors = registration_errors(event, data)
    if errors:
        raise InvalidRegistration(
            gettext("The registration has errors."), [e for msgs in errors.values() for e in msgs]
        )
    name = " ".join(data.name.split())
    name_key = team_name_key(name)
    has_nonce = bool(NONCE_RE.match(nonce or ""))
    nonce_hash = tokens.hash_token(nonce) if has_nonce else None

    existing = _replayed(nonce_hash, data)
    if existing is not None:
        return existing, registration_token(nonce)
    if _live_team_named(event, name_key) is not None:
        raise DuplicateTeam(
            gettext("%(team)s is already registered for %(event)s.", team=name, event=event.name)
        )

    token = registration_token(nonce) if has_nonce else tokens.new_token()[0]
    team = PtgTeam(
        event_id=event.id,
        name=name,
        name_key=name_key,
        kind=data.kind,
        status=TeamStatus.PENDING.value,
        contact_name=data.contact_name.strip(),
        contact_email=data.contact_email.strip(),
        expected_attendees=data.expected_attendees,
        hours_wanted=data.hours_wanted,
        preferred_days=sorted(set(data.preferred_days)),
        time_windows=[w.key for w in TIME_WINDOWS if w.key in set(data.time_windows)],
        runs_onboarding=bool(data.runs_onboarding),
        etherpad_url=data.etherpad_url.strip(),
        video_url=data.video_url.strip(),
        token_hash=tokens.hash_token(token),
        submission_nonce=nonce_hash,
    )
    db.session.add(team)
    event_id, event_name = event.id, event.name
    try:
        db.session.flush()
    except IntegrityError:
        # Another request won the race: the same form posted twice, or the same team.
        db.session.rollback()
        existing = _replayed(nonce_hash, data)
        if existing is not None:
            return existing, registration_token(nonce)
        event = db.session.get(PtgEvent, event_id)
        if event is not None and _live_team_named(event, name_key) is not None:
            raise DuplicateTeam(
                gettext(
                    "%(team)s is already registered for %(event)s.", team=name, event=event_name
                )
            ) from None
        raise
    REGISTRATIONS.record(
        team,
        "register",
        to_status=TeamStatus.PENDING,
        message="Registration received.",
        public=True,
    )
    audit.record("ptg_team_registered", team, detail={"event": event.slug, "name": name})
    status_url = site_url_for("ptg.registration_status", token=token)
    _queue_mail("registered", team, secret=True, status_url=status_url)
    db.session.flush()
    return team, token


def approve_team(team: PtgTeam, *, actor, message: str = "") -> PtgTeamHistory:
    """Approve a pending registration. Side effects: history, audit, a mail to the contact."""
    return _decide(team, TeamAction.APPROVE, actor, message)


def decline_team(team: PtgTeam, *, actor, message: str = "") -> PtgTeamHistory:
    """Decline a pending registration. Side effects: history, audit, a mail to the contact."""
    return _decide(team, TeamAction.DECLINE, actor, message)


def _decide(team: PtgTeam, action: TeamAction, actor, message: str) -> PtgTeamHistory:
    entry = REGISTRATIONS.apply(team, action, actor=actor, message=message)
    _queue_mail(entry.to_status, team, message=entry.message)
    return entry


def withdraw_team(team: PtgTeam, *, actor=None, message: str = "") -> PtgTeamHistory:
    """Withdraw a registration that is not final; its sessions free their rooms.

    Side effects: the team's sessions are deleted, history, audit, a mail to the contact.
    """
    entry = REGISTRATIONS.apply(
        team, TeamAction.WITHDRAW, actor=actor, message=message or "Withdrawn."
    )
    _free_rooms(team)
    _queue_mail("withdrawn", team)
    return entry


def remove_team(team: PtgTeam, *, actor, message: str) -> PtgTeamHistory:
    """The organisers take a live registration off the event, saying why in ``message``.

    Side effects: the team's sessions are deleted, history (the note is shown to the team on
    its status page), audit, and a mail to the contact with the note.
    """
    message = (message or "").strip()
    if not message:
        raise InvalidRegistration(
            gettext("Say why the registration is removed: the team reads it.")
        )
    entry = REGISTRATIONS.apply(team, TeamAction.REMOVE, actor=actor, message=message)
    _free_rooms(team)
    _queue_mail("removed", team, message=entry.message)
    return entry


def _free_rooms(team: PtgTeam) -> None:
    """Delete the team's sessions: a registration that is no longer live holds no room."""
    db.session.execute(db.delete(PtgSession).where(PtgSession.team_id == team.id))
    db.session.expire(team, ["sessions"])
