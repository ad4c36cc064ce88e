"""The visitor's chosen time zone, kept in a cookie so pages show local times without script."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, jsonify, make_response, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField

from openinfra_live import timezones

bp = Blueprint("preferences", __name__)

COOKIE = "tz"
COOKIE_MAX_AGE = 365 * 24 * 3600


def visitor_zone() -> ZoneInfo | None:
    """The zone named by the visitor's cookie, or None when unset or unknown."""
    name = timezones.canonical(request.cookies.get(COOKIE))
    return ZoneInfo(name) if name else None


def human_time(value: datetime) -> str:
    """A moment in UTC, then in the visitor's chosen zone if any, as the pages write it
    (for texts outside templates: a form's choices, a flashed message)."""
    zone = visitor_zone()
    text = timezones.human_utc(value)
    return f"{text} · {timezones.local_time_label(value, zone)}" if zone else text


def zone_note() -> str:
    """What a form that takes UTC times adds for a visitor who chose a zone."""
    zone = visitor_zone()
    if zone is None:
        return ""
    return f"Not in your zone, {timezones.city(zone)} ({timezones.offset_label(zone)} today)."


# Pages reached by a private token: their path must not travel in links, even to this site.
PRIVATE_ENDPOINTS = frozenset({"proposals.status", "ptg.registration_status"})


def timezone_page_url() -> str:
    """The time-zone page, coming back to the current page unless that page is private."""
    if request.endpoint in PRIVATE_ENDPOINTS or request.endpoint is None:
        return url_for("preferences.timezone")
    if request.endpoint == "preferences.timezone":
        # The zone page links to itself with the return address it already has, never with
        # its own address nested inside (a crawler would follow that chain without end).
        target = request.args.get("next", "")
        if not target or target.startswith(url_for("preferences.timezone")):
            return url_for("preferences.timezone")
        return url_for("preferences.timezone", next=target)
    return url_for("preferences.timezone", next=request.full_path.rstrip("?"))


def safe_local_target(target: str | None) -> str:
    """A path on this site to go back to; anything else goes home."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return url_for("episodes.index")
    if any(ch in target for ch in "\\\r\n\t") or ":" in target.split("?", 1)[0]:
        return url_for("episodes.index")
    return target


class TimeZoneForm(FlaskForm):
    zone = SelectField(
        "Your time zone",
        choices=[],
        invalid_choice_message="Pick a place from the list.",
        render_kw={"data-zone-chooser": ""},
    )
    next = HiddenField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.zone.choices = {"Universal time": [("", "UTC only (no local time)")]}
        self.zone.choices.update(timezones.choices())


@bp.route("/timezone", methods=["GET", "POST"])
def timezone():
    """Let a visitor choose the zone in which pages also show times, kept in a cookie."""
    form = TimeZoneForm()
    if request.method == "GET":
        form.zone.data = request.cookies.get(COOKIE, "")
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        response = make_response(redirect(safe_local_target(form.next.data), code=303))
        if form.zone.data:
            response.set_cookie(
                COOKIE,
                form.zone.data,
                max_age=COOKIE_MAX_AGE,
                samesite="Lax",
                httponly=True,
                secure=request.is_secure,
            )
        else:
            response.delete_cookie(COOKIE)
        return response
    return render_template("preferences/timezone.html", form=form)


@bp.route("/timezone/places.json")
def places():
    """The city of every zone, and the older names browsers report, for the site script."""
    response = jsonify(
        cities={zone: place.city for zone, place in timezones.places().items()},
        links=timezones.links(),
    )
    response.cache_control.public = True
    response.cache_control.max_age = 24 * 3600
    return response
