"""The visitor's chosen time zone and language, kept in cookies so pages show local times and
the chosen language without script."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from wtforms import HiddenField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice

from openinfra_live import i18n, timezones
from openinfra_live.extensions import csrf
from openinfra_live.forms import SharedPageCSRF

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
    return gettext(
        "Not in your zone, %(city)s (%(offset)s today).",
        city=timezones.city(zone),
        offset=timezones.offset_label(zone),
    )


# Pages reached by a private token: their path must not travel in links, even to this site.
PRIVATE_ENDPOINTS = frozenset({"proposals.status", "ptg.registration_status"})


def return_address() -> str:
    """Where a preference page sends the visitor back: the current page, unless it is private
    or a preference page itself (which passes on the return address it was given)."""
    if request.endpoint in PRIVATE_ENDPOINTS or request.endpoint is None:
        return ""
    if request.blueprint == bp.name:
        # Never a preference page's own address nested inside: a crawler would follow that
        # chain without end.
        target = request.args.get("next", "")
        own = (url_for("preferences.timezone"), url_for("preferences.language"))
        return "" if not target or target.startswith(own) else target
    return request.full_path.rstrip("?")


def timezone_page_url() -> str:
    """The time-zone page, coming back to the current page unless that page is private."""
    target = return_address()
    return (
        url_for("preferences.timezone", next=target) if target else url_for("preferences.timezone")
    )


def safe_local_target(target: str | None) -> str:
    """A path on this site to go back to; anything else goes home."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return url_for("episodes.index")
    if any(ch in target for ch in "\\\r\n\t") or ":" in target.split("?", 1)[0]:
        return url_for("episodes.index")
    return target


class TimeZoneForm(FlaskForm):
    zone = SelectField(
        lazy_gettext("Your time zone"),
        choices=[],
        invalid_choice_message=lazy_gettext("Pick a place from the list."),
        render_kw={"data-zone-chooser": ""},
    )
    next = HiddenField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.zone.choices = {gettext("Universal time"): [("", gettext("UTC only (no local time)"))]}
        self.zone.choices.update(timezones.choices())


class LanguageForm(FlaskForm):
    """The language chooser: in every page's footer (a page every visitor shares, hence the
    shared token) and on the language page."""

    language = RadioField(
        lazy_gettext("Language"),
        choices=[SelectChoice(code, name) for code, name in i18n.LANGUAGES.items()],
        invalid_choice_message=lazy_gettext("Pick a language from the list."),
    )
    next = HiddenField()

    class Meta:
        csrf_class = SharedPageCSRF


def language_form() -> LanguageForm:
    """The chooser, set to the language of the page and to come back to it."""
    form = LanguageForm(meta={"csrf_context": "language"}, formdata=None)
    form.language.data = i18n.current_language()
    form.next.data = return_address()
    return form


@bp.route("/timezone", methods=["GET", "POST"])
def timezone():
    """Let a visitor choose the zone in which pages also show times, kept in a cookie."""
    form = TimeZoneForm()
    if request.method == "GET":
        form.zone.data = request.cookies.get(COOKIE, "")
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        response = make_response(redirect(safe_local_target(form.next.data), code=303))
        return _remember(response, COOKIE, form.zone.data, COOKIE_MAX_AGE)
    return render_template("preferences/timezone.html", form=form)


def _remember(response: Response, name: str, value: str | None, max_age: int) -> Response:
    if value:
        response.set_cookie(
            name, value, max_age=max_age, samesite="Lax", httponly=True, secure=request.is_secure
        )
    else:
        response.delete_cookie(name)
    return response


@bp.route("/language", methods=["GET", "POST"])
@csrf.exempt  # the form's own token (``SharedPageCSRF``) is checked by ``validate``
def language():
    """Let a visitor choose the language of the pages, kept in a cookie; without a choice the
    browser's ``Accept-Language`` decides."""
    form = LanguageForm(meta={"csrf_context": "language"})
    if request.method == "GET":
        form.language.data = i18n.current_language()
        form.next.data = request.args.get("next", "")
    if request.method == "POST":
        valid = form.validate()
        token = getattr(form, "csrf_token", None)  # none where the setting turns tokens off
        if token is not None and token.errors:
            # As every POST without its token: the page that asks to send the form again.
            raise CSRFError(form.csrf_token.errors[0])
        if valid:
            response = make_response(redirect(safe_local_target(form.next.data), code=303))
            return _remember(response, i18n.COOKIE, form.language.data, i18n.COOKIE_MAX_AGE)
    return render_template("preferences/language.html", form=form)


@bp.route("/timezone/places.json")
def places():
    """The city of every zone, the older names browsers report, and how the language of
    ``?lang=`` writes a local time, for the site script (the address alone decides the answer)."""
    with i18n.written_in(request.args.get("lang")):
        language = i18n.current_language()
        response = jsonify(
            cities={zone: place.city for zone, place in timezones.places().items()},
            links=timezones.links(),
            words={
                "time": gettext("%(time)s in %(city)s (%(day)s)"),
                "range": gettext("%(start)s–%(end)s in %(city)s"),
                "range_day": gettext("%(start)s–%(end)s in %(city)s (%(day)s)"),
            },
            day=timezones.day_pattern("day", language),
            weekdays=timezones.day_names(language),
            months=timezones.month_names(language),
        )
    response.cache_control.public = True
    response.cache_control.max_age = 24 * 3600
    return response
