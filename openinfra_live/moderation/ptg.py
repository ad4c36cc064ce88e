"""Moderation of the PTG: events (with their page's texts) and the registrations queue.

Rooms and team sessions are in ``moderation.ptg_schedule``. The views only call the verbs of the
``openinfra_live.ptg`` services; each POST commits once, flashes and redirects (303), or shows
the form again with its errors (400). Deleting and removing ask for confirmation on a page of
their own (no script needed).
"""

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Response, abort, flash, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import case, func
from wtforms.fields.choices import SelectChoice

from openinfra_live import timezones, workflow
from openinfra_live.auth.permissions import moderator_required
from openinfra_live.extensions import db
from openinfra_live.moderation import bp, page, see_other
from openinfra_live.ptg import events, registrations, rules
from openinfra_live.ptg import schedule as sched
from openinfra_live.ptg.events import event_or_404
from openinfra_live.ptg.forms import (
    ConfirmForm,
    DecisionForm,
    EventForm,
    RemovalForm,
    RoomForm,
    SessionForm,
)
from openinfra_live.ptg.models import FORMATS, TEAM_KIND_NAMES, PtgEvent, PtgTeam
from openinfra_live.ptg.states import LABELS, REGISTRATIONS, TeamAction, TeamStatus


def of_event_or_404(model: type, row_id: int, event: PtgEvent) -> Any:
    """The ``model`` row ``row_id`` when it belongs to ``event``."""
    row = db.session.get(model, row_id)
    if row is None or row.event_id != event.id:
        abort(404)
    return row


def form_status(form) -> int:
    """400 when the form shows errors, else 200."""
    return 400 if form.errors or form.form_errors else 200


# --- events ----------------------------------------------------------------------------------


@bp.get("/ptg/")
@moderator_required
def ptg_events():
    """PTG events, newest first, with their registrations waiting for review."""
    pending = (
        db.select(PtgTeam.event_id, func.count().label("n"))
        .where(PtgTeam.status == TeamStatus.PENDING.value)
        .group_by(PtgTeam.event_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(PtgEvent, func.coalesce(pending.c.n, 0))
        .outerjoin(pending, pending.c.event_id == PtgEvent.id)
        .order_by(PtgEvent.starts_on.desc())
    ).all()
    return page("moderation/ptg_events.html", rows=rows, formats=FORMATS)


def _event_form(ptg_event: PtgEvent | None, done: str):
    """The event form: show it, or save the event and go to its page."""
    form = EventForm(obj=ptg_event)
    if form.validate_on_submit():
        try:
            ptg_event = events.save_event(
                ptg_event,
                name=form.name.data or "",
                slug=form.slug.data or "",
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                format=form.format.data,
                location=form.location.data or "",
                registration_open=bool(form.registration_open.data),
                description=form.description.data or "",
                faq=form.faq.data or "",
                actor=current_user,
            )
        except rules.InvalidEvent as error:
            form.form_errors.extend(error.errors)
        else:
            slug = ptg_event.slug
            db.session.commit()
            flash(done, "success")
            return see_other("moderation.ptg_event", event=slug)
    return page("moderation/ptg_event_form.html", form_status(form), form=form, event=ptg_event)


@bp.route("/ptg/events/new", methods=["GET", "POST"])
@moderator_required
def ptg_event_new():
    """Create a PTG event."""
    return _event_form(None, gettext("Event created."))


@bp.route("/ptg/<event>/edit", methods=["GET", "POST"])
@moderator_required
def ptg_event_edit(event: str):
    """Edit a PTG event's details, whether registration is open, and its page's texts."""
    return _event_form(event_or_404(event), gettext("Event saved."))


def delete_unless_in_use(delete: Any, done: str) -> bool:
    """Run ``delete`` and commit, flashing ``done``; a room or event still in use is refused,
    rolled back and flashed with what is in the way. Returns whether it was deleted."""
    try:
        delete()
    except rules.InUse as error:
        db.session.rollback()
        flash(error.message, "error")
        return False
    db.session.commit()
    flash(done, "success")
    return True


@bp.route("/ptg/<event>/delete", methods=["GET", "POST"])
@moderator_required
def ptg_event_delete(event: str):
    """Ask to confirm, then delete an event without sessions or live registrations; an event
    in use is refused with what is in the way."""
    ptg_event = event_or_404(event)
    form = ConfirmForm()
    if form.validate_on_submit():
        deleted = delete_unless_in_use(
            partial(events.delete_event, ptg_event, actor=current_user),
            gettext("%(name)s is deleted.", name=ptg_event.name),
        )
        if deleted:
            return see_other("moderation.ptg_events")
        return see_other("moderation.ptg_event", event=event)
    closed = db.session.scalar(
        db.select(func.count()).select_from(PtgTeam).where(PtgTeam.event_id == ptg_event.id)
    )
    return page(
        "moderation/ptg_confirm.html",
        title=gettext("Delete %(name)s?", name=ptg_event.name),
        event=ptg_event,
        form=form,
        blockers=events.event_blockers(ptg_event),
        consequences=[
            gettext("Rooms deleted with it: %(num)d.", num=len(ptg_event.rooms)),
            gettext("Declined or withdrawn registrations deleted with it: %(num)d.", num=closed),
            gettext("Its public page and schedule disappear."),
        ],
        button=gettext("Delete the event"),
    )


# --- one event: queue, rooms, sessions -------------------------------------------------------


def session_form_of(event: PtgEvent, schedule: sched.ScheduleData, **options: Any) -> SessionForm:
    """The session form with the event's approved teams, rooms and days to choose from
    (``options`` go to the form: ``prefix``, ``data`` for an existing session)."""
    form = SessionForm(**({"prefix": "session"} | options))
    form.team_id.choices = [SelectChoice(t.id, t.name) for t in schedule.teams]
    form.room_id.choices = [SelectChoice(r.id, r.name) for r in schedule.rooms]
    form.day.choices = [
        SelectChoice(d.isoformat(), timezones.write_day(d, "long_day"))
        for d in rules.event_days(event)
    ]
    return form


def event_page(
    event: PtgEvent, status: int = 200, *, room_form=None, session_form=None
) -> Response:
    """The moderators' page of one event, with the room and session forms (shown again with
    their errors when given)."""
    pending_first = case((PtgTeam.status == TeamStatus.PENDING.value, 0), else_=1)
    teams = db.session.scalars(
        db.select(PtgTeam)
        .where(PtgTeam.event_id == event.id)
        .order_by(pending_first, PtgTeam.created_at, PtgTeam.id)
    ).all()
    data = sched.load(event)
    return page(
        "moderation/ptg_event.html",
        status,
        event=event,
        registrations=teams,
        labels=LABELS,
        kinds=TEAM_KIND_NAMES,
        data=data,
        grids=sched.build_grid(data),
        hour_label=sched.hour_label,
        room_form=room_form or RoomForm(prefix="room"),
        session_form=session_form or session_form_of(event, data),
        hours_used={t.id: sum(sched.hours(s) for s in data.sessions_of(t.id)) for t in data.teams},
        allowed_hours=rules.allowed_hours,
        delete_url=lambda s: url_for(
            "moderation.ptg_session_delete", event=event.slug, session_id=s.id
        ),
        edit_url=lambda s: url_for(
            "moderation.ptg_session_edit", event=event.slug, session_id=s.id
        ),
    )


@bp.get("/ptg/<event>/")
@moderator_required
def ptg_event(event: str):
    """One event: registrations (pending first), rooms, and the session grid."""
    return event_page(event_or_404(event))


@bp.get("/ptg/<event>/registrations/<int:team_id>")
@moderator_required
def ptg_registration(event: str, team_id: int):
    """One registration with everything it asked for and its history."""
    ptg_event = event_or_404(event)
    team = of_event_or_404(PtgTeam, team_id, ptg_event)
    return page(
        "moderation/ptg_registration.html",
        event=ptg_event,
        team=team,
        labels=LABELS,
        kinds=TEAM_KIND_NAMES,
        windows={w.key: w for w in rules.TIME_WINDOWS},
        form=DecisionForm(),
        allowed=REGISTRATIONS.allowed_actions(team),
        sessions=len(team.sessions),
        actions=TeamAction,
    )


def _decide(event: str, team_id: int, verb, done: Callable[[str], str]):
    ptg_event = event_or_404(event)
    team = of_event_or_404(PtgTeam, team_id, ptg_event)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(gettext("The message is too long."), "error")
        return see_other("moderation.ptg_registration", event=ptg_event.slug, team_id=team.id)
    change = partial(verb, team, actor=current_user, message=form.message.data or "")
    if workflow.commit_or_refuse(change, done(team.name)):
        return see_other("moderation.ptg_event", event=event)
    return see_other("moderation.ptg_registration", event=event, team_id=team_id)


@bp.post("/ptg/<event>/registrations/<int:team_id>/approve")
@moderator_required
def ptg_registration_approve(event: str, team_id: int):
    """Approve a pending registration; the contact is told by e-mail."""
    return _decide(
        event,
        team_id,
        registrations.approve_team,
        lambda name: gettext("%(team)s: approved.", team=name),
    )


@bp.post("/ptg/<event>/registrations/<int:team_id>/decline")
@moderator_required
def ptg_registration_decline(event: str, team_id: int):
    """Decline a pending registration with an optional message; the contact is told by e-mail."""
    return _decide(
        event,
        team_id,
        registrations.decline_team,
        lambda name: gettext("%(team)s: declined.", team=name),
    )


@bp.route("/ptg/<event>/registrations/<int:team_id>/remove", methods=["GET", "POST"])
@moderator_required
def ptg_registration_remove(event: str, team_id: int):
    """Ask to confirm, with a note to the team, then take a live registration off the event:
    its sessions leave the schedule and the contact is told by e-mail."""
    ptg_event = event_or_404(event)
    team = of_event_or_404(PtgTeam, team_id, ptg_event)
    form = RemovalForm()
    if form.validate_on_submit():
        change = partial(
            registrations.remove_team, team, actor=current_user, message=form.message.data or ""
        )
        done = gettext("%(team)s: removed; the team is told by e-mail.", team=team.name)
        if workflow.commit_or_refuse(change, done):
            return see_other("moderation.ptg_event", event=event)
        return see_other("moderation.ptg_registration", event=event, team_id=team_id)
    if TeamAction.REMOVE not in REGISTRATIONS.allowed_actions(team):
        label = str(LABELS.get(team.status, gettext("closed"))).lower()
        flash(
            gettext(
                "%(team)s cannot be removed: its registration is %(state)s.",
                team=team.name,
                state=label,
            ),
            "error",
        )
        return see_other("moderation.ptg_registration", event=event, team_id=team_id)
    count = len(team.sessions)
    return page(
        "moderation/ptg_confirm.html",
        form_status(form),
        title=gettext("Remove %(team)s?", team=team.name),
        event=ptg_event,
        form=form,
        blockers=[],
        consequences=[
            gettext(
                "%(team)s leaves the official team list of %(event)s.",
                team=team.name,
                event=ptg_event.name,
            ),
            gettext("Sessions that leave the schedule: %(num)d.", num=count),
            gettext(
                "The contact gets an e-mail with your note, also shown on the team's status page."
            ),
        ],
        button=gettext("Remove the registration"),
        back=url_for("moderation.ptg_registration", event=event, team_id=team_id),
    )
