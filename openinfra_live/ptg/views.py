"""Public PTG pages: events, team list, schedule, invites, PTGbot export, registration."""

import json
from datetime import date
from functools import partial
from itertools import groupby

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext

from openinfra_live import caching, cards, clock, security, timezones
from openinfra_live.extensions import db, limiter
from openinfra_live.forms import public_form_limit
from openinfra_live.ptg import calendar, registrations, rules
from openinfra_live.ptg import schedule as sched
from openinfra_live.ptg.events import event_or_404
from openinfra_live.ptg.forms import FAIRNESS_HINT, TeamRegistrationForm
from openinfra_live.ptg.models import FORMATS, TEAM_KIND_NAMES, TEAM_KINDS, PtgEvent, PtgTeam
from openinfra_live.ptg.states import LABELS, PUBLIC, REGISTRATIONS, TeamAction
from openinfra_live.workflow import commit, commit_or_refuse

bp = Blueprint("ptg", __name__, url_prefix="/ptg")


def events_around(today: date) -> tuple[list[PtgEvent], list[PtgEvent]]:
    """Events under way or coming (soonest first) and past events (latest first), read in one
    query: there are two PTGs a year."""
    events = db.session.scalars(db.select(PtgEvent).order_by(PtgEvent.starts_on, PtgEvent.id))
    coming, past = [], []
    for event in events:
        (coming if event.ends_on >= today else past).append(event)
    return coming, past[::-1]


def teams_by_kind(event: PtgEvent) -> list[tuple[str, list[PtgTeam]]]:
    """Approved teams grouped by kind, in the order of ``TEAM_KINDS``, names sorted."""
    public = [status.value for status in PUBLIC]
    teams = db.session.scalars(
        db.select(PtgTeam).where(PtgTeam.event_id == event.id, PtgTeam.status.in_(public))
    ).all()
    order = list(TEAM_KINDS)
    teams = sorted(
        teams,
        key=lambda t: (order.index(t.kind) if t.kind in order else len(order), t.name.lower()),
    )
    return [
        (TEAM_KINDS.get(kind, TEAM_KINDS["other"]), list(group))
        for kind, group in groupby(teams, key=lambda t: t.kind if t.kind in order else "other")
    ]


def _event_page(event: PtgEvent | None, coming: list[PtgEvent], past: list[PtgEvent]) -> Response:
    """The page of ``event`` with the other PTGs under way or coming and the past ones linked,
    answered 304 when the visitor holds it."""
    now = clock.now()

    def build() -> str:
        today = now.date()
        others = [e for e in coming if event is None or e.id != event.id]
        return render_template(
            "ptg/event.html",
            event=event,
            groups=teams_by_kind(event) if event else [],
            coming_events=others,
            past_events=[e for e in past if event is None or e.id != event.id],
            formats=FORMATS,
            registration_open=bool(event and event.takes_registrations(now)),
            is_past=bool(event and event.ends_on < today),
            is_current=bool(event and event.starts_on <= today <= event.ends_on),
        )

    return caching.respond(caching.page_validators(now), build, private=True)


@bp.get("/")
@caching.page
def index():
    """The PTG under way or coming next (the latest one when none is planned) with its teams,
    every other PTG under way or coming, and the past ones."""
    coming, past = events_around(clock.now().date())
    featured = coming[0] if coming else (past[0] if past else None)
    return _event_page(featured, coming, past)


@bp.get("/<event>/")
@caching.page
def event(event: str):
    """One PTG, past ones included: dates, format, registration, approved teams by kind."""
    ptg_event = event_or_404(event)
    return _event_page(ptg_event, *events_around(clock.now().date()))


@bp.get("/<event>/card.png")
@caching.data
def card(event: str):
    """The PTG's share card: its name, days, format and place."""
    ptg_event = event_or_404(event)
    where = str(FORMATS.get(ptg_event.format, ""))
    where += f" · {ptg_event.location}" if ptg_event.location.strip() else ""
    details = (cards.event_dates(ptg_event), where) if where else (cards.event_dates(ptg_event),)
    foot = cards.site_domain()
    return cards.png(cards.Card("Project Teams Gathering", ptg_event.name, details, foot))


@bp.route("/<event>/register", methods=["GET", "POST"])
@limiter.limit(public_form_limit, methods=["POST"])
def register(event: str):
    """The team registration form, while the event's registration is open and it has not
    started.

    A closed registration answers 403 with a page that says so and points to the event.
    """
    ptg_event = event_or_404(event)
    if not ptg_event.takes_registrations(clock.now()):
        return render_template("ptg/registration_closed.html", event=ptg_event), 403
    form = TeamRegistrationForm(ptg_event)
    if form.validate_on_submit():
        try:
            _team, token = registrations.register_team(
                ptg_event, form.to_data(), form.nonce.data or ""
            )
        except rules.DuplicateTeam as error:
            form.name.errors = [*form.name.errors, error.message]
        except rules.RegistrationClosed:
            return render_template("ptg/registration_closed.html", event=ptg_event), 403
        except rules.PtgError as error:
            form.form_errors.append(error.message)
        else:
            commit()
            flash(
                gettext("Thank you: your registration was received. Keep this page's address."),
                "success",
            )
            return redirect(url_for("ptg.registration_status", token=token), 303)
    status = 400 if form.errors or form.form_errors else 200
    return (
        render_template(
            "ptg/register.html",
            event=ptg_event,
            form=form,
            windows=rules.TIME_WINDOWS,
            window_day=rules.day_start(ptg_event.starts_on),
            fairness_hint=FAIRNESS_HINT,
        ),
        status,
    )


def _private(response: Response) -> Response:
    """A page only its link's holder should see: never cached, never sent as a referrer."""
    response = security.no_store(response)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _registration_or_404(token: str) -> PtgTeam:
    team = registrations.find_registration(token)
    if team is None:
        abort(404)
    return team


@bp.get("/registrations/<token>")
def registration_status(token: str):
    """The registrant's private page: state, public messages, sessions once placed, withdraw."""
    team = _registration_or_404(token)
    listed = team.status in PUBLIC
    page = render_template(
        "ptg/registration_status.html",
        team=team,
        event=team.event,
        token=token,
        history=[entry for entry in team.history if entry.is_public],
        status_label=LABELS.get(team.status, team.status),
        can_withdraw=TeamAction.WITHDRAW in REGISTRATIONS.allowed_actions(team),
        listed=listed,
        sessions=team.sessions if listed else [],
        kinds=TEAM_KIND_NAMES,
        windows={w.key: w for w in rules.TIME_WINDOWS},
        day_names={
            day.isoformat(): timezones.write_day(day, "long_day")
            for day in rules.event_days(team.event)
        },
    )
    return _private(current_app.make_response(page))


@bp.route("/registrations/<token>/withdraw", methods=["GET", "POST"])
def withdraw_registration(token: str):
    """Ask to confirm (withdrawing is final), then withdraw the registration the link opens
    (POST with CSRF) while it is not final."""
    team = _registration_or_404(token)
    back = redirect(url_for("ptg.registration_status", token=token), 303)
    if request.method == "GET":
        if TeamAction.WITHDRAW not in REGISTRATIONS.allowed_actions(team):
            return _private(back)
        page = render_template(
            "ptg/registration_withdraw.html",
            team=team,
            event=team.event,
            token=token,
            listed=team.status in PUBLIC,
            sessions=team.sessions,
        )
        return _private(current_app.make_response(page))
    change = partial(registrations.withdraw_team, team, actor=None)
    commit_or_refuse(change, gettext("Your registration is withdrawn."))
    return _private(back)


# --- schedule, invites, export ---------------------------------------------------------------


@bp.get("/<event>/schedule")
@caching.page
def schedule(event: str):
    """The day × room grid of team sessions, a list per day, each team's sessions; now/next."""
    ptg_event = event_or_404(event)
    data = sched.load(ptg_event)
    now = clock.now()
    in_progress = sched.event_in_progress(ptg_event, now)
    now_ids, next_ids = sched.now_and_next(data.sessions, now) if in_progress else (set(), set())
    version = caching.Validators.from_parts(
        (*data.version_parts(), sorted(now_ids), sorted(next_ids), in_progress), None
    )

    def build() -> str:
        tracks = sched.track_names(data.teams)
        return render_template(
            "ptg/schedule.html",
            event=ptg_event,
            data=data,
            grids=sched.build_grid(data, now_ids, next_ids),
            now_ids=now_ids,
            next_ids=next_ids,
            in_progress=in_progress,
            tracks=tracks,
            hour_label=sched.hour_label,
        )

    return caching.respond(version, build, private=True)


def _calendar_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _sessions_calendar(
    ptg_event: PtgEvent, data: sched.ScheduleData, team: PtgTeam | None = None
) -> Response:
    """The event's sessions as a calendar download, or one team's when ``team`` is given."""
    if team is None:
        sessions, title, track, parts = data.sessions, ptg_event.name, None, data.version_parts()
    else:
        sessions = data.sessions_of(team.id)
        title = gettext("%(team)s at %(event)s", team=team.name, event=ptg_event.name)
        track, parts = calendar.team_track(data, team.id), (team.id, *data.version_parts())
    return caching.respond(
        caching.Validators.from_parts(parts, None),
        lambda: _calendar_response(
            calendar.build_calendar(data, sessions, title),
            calendar.calendar_filename(ptg_event, track),
        ),
    )


@bp.get("/<event>/schedule.ics")
@caching.data
def schedule_ics(event: str):
    """Every team session of the event as a calendar."""
    ptg_event = event_or_404(event)
    return _sessions_calendar(ptg_event, sched.load(ptg_event))


@bp.get("/<event>/teams/<int:team_id>.ics")
@caching.data
def team_ics(event: str, team_id: int):
    """One approved team's sessions as a calendar."""
    ptg_event = event_or_404(event)
    data = sched.load(ptg_event)
    team = next((t for t in data.teams if t.id == team_id), None)
    if team is None:
        abort(404)
    return _sessions_calendar(ptg_event, data, team)


@bp.get("/<event>/ptgbot.json")
@caching.data
def ptgbot_json(event: str):
    """The schedule in the JSON document the PTGbot IRC bot loads with ``~fetchdb``."""
    ptg_event = event_or_404(event)
    data = sched.load(ptg_event)
    version = caching.Validators.from_parts(data.version_parts(), None)

    def build() -> Response:
        # Key order matters to the bot's page (days in order), so no key sorting here.
        body = json.dumps(sched.ptgbot_document(data), ensure_ascii=False, indent=2)
        response = Response(body + "\n", mimetype="application/json")
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    return caching.respond(version, build)
