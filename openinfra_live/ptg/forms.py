"""PTG forms: team registration (public), and the moderators' event, room and session forms."""

from flask_babel import gettext, lazy_gettext, pgettext
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from openinfra_live import timezones
from openinfra_live.forms import PublicForm, strip, web_url
from openinfra_live.ptg.models import FORMATS, PtgEvent
from openinfra_live.ptg.rules import (
    MAX_HOURS_PER_DAY,
    MAX_HOURS_TOTAL,
    TIME_WINDOWS,
    RegistrationData,
    event_days,
    registration_hours_errors,
)

KIND_CHOICES = [
    SelectChoice("project_team", lazy_gettext("Project team")),
    SelectChoice("sig", lazy_gettext("Special interest group (SIG)")),
    SelectChoice("working_group", lazy_gettext("Working group")),
    SelectChoice("other", lazy_gettext("Other group")),
]


class WholeHoursField(IntegerField):
    """An integer field whose error speaks of whole hours instead of integers."""

    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(gettext("Ask for a whole number of hours, such as 4.")) from None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TeamRegistrationForm(PublicForm):
    """A team's registration for one PTG, checked against the organisers' fairness rules."""

    name = StringField(
        lazy_gettext("Team name"), validators=[InputRequired(), Length(max=200)], filters=[strip]
    )
    kind = SelectField(lazy_gettext("Kind of group"), choices=KIND_CHOICES, default="project_team")
    contact_name = StringField(
        lazy_gettext("Contact name"), validators=[InputRequired(), Length(max=120)], filters=[strip]
    )
    contact_email = EmailField(
        lazy_gettext("Contact e-mail"),
        validators=[InputRequired(), Length(max=254), Email()],
        filters=[strip],
    )
    expected_attendees = IntegerField(
        lazy_gettext("Expected attendees"), validators=[Optional(), NumberRange(min=1, max=10000)]
    )
    hours_wanted = WholeHoursField(
        lazy_gettext("Hours wanted"),
        validators=[InputRequired(message=lazy_gettext("Say how many hours the team needs."))],
        render_kw={"min": 1, "max": MAX_HOURS_TOTAL, "step": 1, "inputmode": "numeric"},
    )
    preferred_days = MultiCheckboxField(lazy_gettext("Preferred days"))
    time_windows = MultiCheckboxField(
        lazy_gettext("Time windows"), choices=[SelectChoice(w.key, w.label) for w in TIME_WINDOWS]
    )
    runs_onboarding = BooleanField(
        lazy_gettext("The team will run an onboarding session for newcomers")
    )
    etherpad_url = URLField(
        lazy_gettext("Etherpad address"),
        validators=[Optional(), Length(max=2000), web_url],
        filters=[strip],
    )
    video_url = URLField(
        lazy_gettext("Video meeting address"),
        validators=[Optional(), Length(max=2000), web_url],
        filters=[strip],
    )

    def __init__(self, event: PtgEvent, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.preferred_days.choices = [
            SelectChoice(day.isoformat(), timezones.write_day(day, "long_day"))
            for day in event_days(event)
        ]

    def validate_preferred_days(self, field) -> None:
        if not field.data:
            raise ValidationError(gettext("Choose at least one day."))

    def validate_time_windows(self, field) -> None:
        if not field.data:
            raise ValidationError(gettext("Choose at least one time window."))

    def validate_hours_wanted(self, field) -> None:
        # The same rule the service enforces, so the form explains it next to the field.
        errors = registration_hours_errors(field.data, len(set(self.preferred_days.data or [])))
        if errors:
            raise ValidationError(errors[0])

    def to_data(self) -> RegistrationData:
        return RegistrationData(
            name=self.name.data or "",
            kind=self.kind.data,
            contact_name=self.contact_name.data or "",
            contact_email=self.contact_email.data or "",
            hours_wanted=self.hours_wanted.data,
            preferred_days=list(self.preferred_days.data or []),
            time_windows=list(self.time_windows.data or []),
            expected_attendees=self.expected_attendees.data,
            runs_onboarding=bool(self.runs_onboarding.data),
            etherpad_url=self.etherpad_url.data or "",
            video_url=self.video_url.data or "",
        )


FAIRNESS_HINT = lazy_gettext(
    "Whole hours only: at most %(per_day)d hours per day (UTC) and %(total)d hours in total.",
    per_day=MAX_HOURS_PER_DAY,
    total=MAX_HOURS_TOTAL,
)


def _event_name_label() -> str:
    # "Name" alone is a person's name elsewhere; an event's is another word in some languages.
    return pgettext("PTG event", "Name")


# The same limit as an episode's description.
MAX_TEXT = 10_000


class EventForm(FlaskForm):
    """A PTG event's details."""

    name = StringField(
        LazyString(_event_name_label),
        validators=[InputRequired(), Length(max=200)],
        filters=[strip],
    )
    slug = StringField(
        lazy_gettext("Slug (in addresses)"),
        validators=[InputRequired(), Length(max=100)],
        filters=[strip],
    )
    starts_on = DateField(lazy_gettext("First day"), validators=[InputRequired()])
    ends_on = DateField(lazy_gettext("Last day"), validators=[InputRequired()])
    format = SelectField(
        lazy_gettext("Format"), choices=[SelectChoice(k, v) for k, v in FORMATS.items()]
    )
    location = StringField(
        lazy_gettext("Location"), validators=[Optional(), Length(max=200)], filters=[strip]
    )
    registration_open = BooleanField(lazy_gettext("Team registration is open"))
    description = TextAreaField(
        lazy_gettext("Description"), validators=[Optional(), Length(max=MAX_TEXT)], filters=[strip]
    )
    faq = TextAreaField(
        lazy_gettext("Frequently asked questions"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        filters=[strip],
    )


class RoomForm(FlaskForm):
    """A room (virtual or physical) teams meet in."""

    name = StringField(
        lazy_gettext("Room name"), validators=[InputRequired(), Length(max=100)], filters=[strip]
    )
    capacity = IntegerField(
        lazy_gettext("Capacity"), validators=[Optional(), NumberRange(min=1, max=100000)]
    )
    video_url = URLField(
        lazy_gettext("Video address"),
        validators=[Optional(), Length(max=2000), web_url],
        filters=[strip],
    )


class SessionForm(FlaskForm):
    """A block of whole hours for one team in one room."""

    # These selects always hold a value; HTML forbids ``required`` on a select whose first
    # option is a real choice, so the check stays on the server only.
    team_id = SelectField(
        lazy_gettext("Team"),
        coerce=int,
        validators=[InputRequired()],
        render_kw={"required": False},
    )
    room_id = SelectField(
        lazy_gettext("Room"),
        coerce=int,
        validators=[InputRequired()],
        render_kw={"required": False},
    )
    day = SelectField(
        lazy_gettext("Day"), validators=[InputRequired()], render_kw={"required": False}
    )
    start_hour = SelectField(
        lazy_gettext("Start (UTC)"),
        coerce=int,
        choices=[SelectChoice(h, f"{h:02d}:00") for h in range(24)],
    )
    end_hour = SelectField(
        lazy_gettext("End (UTC)"),
        coerce=int,
        choices=[SelectChoice(h, f"{h:02d}:00") for h in range(1, 25)],
    )


class DecisionForm(FlaskForm):
    """Approve or decline, with a message the contact sees."""

    message = TextAreaField(
        lazy_gettext("Message to the contact (optional)"), validators=[Optional(), Length(max=5000)]
    )


class ConfirmForm(FlaskForm):
    """A confirmation: nothing but the CSRF token."""


class RemovalForm(FlaskForm):
    """Why the organisers remove a registration: the team reads it in a mail and on its page."""

    message = TextAreaField(
        lazy_gettext("Why the registration is removed (sent to the team)"),
        validators=[
            DataRequired(
                message=lazy_gettext("Say why the registration is removed: the team reads it.")
            ),
            Length(max=5000),
        ],
        filters=[strip],
    )
