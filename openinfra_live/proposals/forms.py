"""Forms of the proposal workflow: the public form, the submitter's edit, moderator actions."""

import re
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from openinfra_live import clock
from openinfra_live.episodes import editing
from openinfra_live.episodes.models import Episode
from openinfra_live.episodes.queries import FIRST_YEAR, LAST_YEAR
from openinfra_live.forms import PublicForm, strip
from openinfra_live.preferences import human_time
from openinfra_live.proposals.services import MAX_TAGS, ProposalContent
from openinfra_live.timezones import human_utc

GUEST_ROWS = 3
MAX_GUEST_ROWS = 8
MAX_LINKS = 10
MAX_DESCRIPTION = 10_000
MAX_MESSAGE = 5_000
_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CUSTOM_SLOT = "custom"
SLOT_FORMAT = "%Y-%m-%dT%H:%M"
# What a datetime-local input sends (minutes, or seconds when a browser adds them), and what
# a person types where the browser shows a plain text box.
TYPED_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


class GuestForm(Form):
    """One guest row. A plain ``Form``: the enclosing form carries the CSRF token."""

    name = StringField(lazy_gettext("Name"), filters=[strip], validators=[Length(max=200)])
    affiliation = StringField(
        lazy_gettext("Affiliation"), filters=[strip], validators=[Length(max=200)]
    )


def _guest_rows(form: FlaskForm) -> list[tuple[str, str]]:
    return [
        (row.form.name.data or "", row.form.affiliation.data or "")
        for row in form.guests
        if (row.form.name.data or "").strip()
    ]


def parse_links(text: str | None) -> list[str]:
    """One link a line; blank lines dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ProposalContentForm(FlaskForm):
    """The idea itself: shared by the public form and the edit on the status page."""

    title = StringField(
        lazy_gettext("Title of the episode"),
        filters=[strip],
        validators=[DataRequired(), Length(min=5, max=200)],
    )
    description = TextAreaField(
        lazy_gettext("What is the episode about?"),
        filters=[strip],
        validators=[DataRequired(), Length(min=20, max=MAX_DESCRIPTION)],
    )
    guests = FieldList(FormField(GuestForm), min_entries=GUEST_ROWS, max_entries=MAX_GUEST_ROWS)
    organization = StringField(
        lazy_gettext("Organization"), filters=[strip], validators=[Length(max=200)]
    )
    preferred_month = StringField(
        lazy_gettext("Preferred month"),
        filters=[strip],
        # No maxlength or placeholder: HTML does not allow them on a month input (the hint
        # gives the format where a browser falls back to text; the pattern check bounds it).
        validators=[Optional()],
        render_kw={"type": "month"},
    )
    links = TextAreaField(
        lazy_gettext("Links"), filters=[strip], validators=[Length(max=MAX_LINKS * 500)]
    )

    def validate_preferred_month(self, field: StringField) -> None:
        if not _MONTH_RE.match(field.data or ""):
            raise ValidationError(gettext("Write the month as YYYY-MM, for example 2026-03."))
        if field.data < clock.now().strftime("%Y-%m"):
            raise ValidationError(gettext("Pick this month or a later one."))

    def validate_links(self, field: TextAreaField) -> None:
        links = parse_links(field.data)
        if len(links) > MAX_LINKS:
            raise ValidationError(gettext("Give at most %(max)d links.", max=MAX_LINKS))
        for link in links:
            parts = urlsplit(link)
            if len(link) > 500 or parts.scheme not in {"http", "https"} or not parts.netloc:
                raise ValidationError(
                    gettext(
                        "“%(link)s” is not a web address: each line must start with https://"
                        " or http://.",
                        link=link[:80],
                    )
                )

    def validate_guests(self, field: FieldList) -> None:
        for row in field:
            if (row.form.affiliation.data or "").strip() and not (row.form.name.data or "").strip():
                raise ValidationError(gettext("Each guest with an affiliation also needs a name."))

    def content(self) -> ProposalContent:
        """The validated content for the services."""
        return ProposalContent(
            title=self.title.data or "",
            description=self.description.data or "",
            guests=_guest_rows(self),
            organization=self.organization.data or "",
            preferred_month=self.preferred_month.data or "",
            links=parse_links(self.links.data),
        )


class ProposeForm(PublicForm, ProposalContentForm):
    """The public *propose an episode* form."""

    submitter_name = StringField(
        lazy_gettext("Your name"), filters=[strip], validators=[DataRequired(), Length(max=120)]
    )
    submitter_email = StringField(
        lazy_gettext("Your e-mail address"),
        filters=[strip],
        validators=[
            DataRequired(),
            Length(max=254),
            Email(message=lazy_gettext("Enter a valid e-mail address.")),
        ],
        render_kw={"type": "email", "autocomplete": "email"},
    )


def _message(label: Any, required: bool = False) -> TextAreaField:
    validators = [DataRequired()] if required else []
    return TextAreaField(label, filters=[strip], validators=[*validators, Length(max=MAX_MESSAGE)])


class EditProposalForm(ProposalContentForm):
    """The submitter's edit while changes are requested."""

    message = _message(lazy_gettext("Note for the moderators (optional)"))


class MessageForm(FlaskForm):
    """Approve or decline with an optional message to the submitter."""

    message = _message(lazy_gettext("Message to the submitter (optional)"))


class RequiredMessageForm(FlaskForm):
    """Request changes: the message says what to change."""

    message = _message(lazy_gettext("What should the submitter change?"), required=True)


class NoteForm(FlaskForm):
    """An internal note, never shown to the submitter."""

    message = _message(lazy_gettext("Internal note"), required=True)


class TagsForm(FlaskForm):
    """Tags, separated by commas."""

    tags = StringField(
        lazy_gettext("Tags (comma separated)"), filters=[strip], validators=[Length(max=500)]
    )

    def validate_tags(self, field: StringField) -> None:
        if len([t for t in (field.data or "").split(",") if t.strip()]) > MAX_TAGS:
            raise ValidationError(gettext("Use at most %(max)d tags.", max=MAX_TAGS))

    def tag_list(self) -> list[str]:
        return (self.tags.data or "").split(",")


def _segment_of(special: Episode) -> str:
    """How the schedule form offers a segment of ``special``."""
    when = human_utc(special.starts_at)
    if special.hidden:
        return gettext(
            "A segment of the special “%(title)s” (%(when)s, hidden)",
            title=special.title,
            when=when,
        )
    return gettext(
        "A segment of the special “%(title)s” (%(when)s)", title=special.title, when=when
    )


class ScheduleForm(FlaskForm):
    """Promote an approved proposal: one explicit choice of start, what the episode shows.

    The start is either one of the free slots offered or “another time” typed in UTC; a typed
    time is never dropped for a slot: a slot picked with a different typed time is an error.
    """

    # "" is a new episode; otherwise the id of an upcoming special that gains a segment.
    special = SelectField(lazy_gettext("Schedule as"), default="", validate_choice=False)
    # Choices are the free slots offered when the page was drawn; by the time it is posted a
    # slot may have been taken, which the service reports, so any time in ISO form is accepted.
    slot = RadioField(lazy_gettext("When"), validate_choice=False)
    custom_start = StringField(
        lazy_gettext("Another time: start (UTC)"),
        filters=[strip],
        # No maxlength: HTML does not allow it on a datetime-local input; parsing bounds it.
        render_kw={"type": "datetime-local"},
    )
    title = StringField(
        lazy_gettext("Title"), filters=[strip], validators=[DataRequired(), Length(max=300)]
    )
    description = TextAreaField(
        lazy_gettext("Description"), filters=[strip], validators=[Length(max=MAX_DESCRIPTION)]
    )
    guests = FieldList(FormField(GuestForm), min_entries=GUEST_ROWS, max_entries=MAX_GUEST_ROWS)
    duration_minutes = IntegerField(
        lazy_gettext("Duration (minutes)"),
        validators=[
            InputRequired(lazy_gettext("Give the duration in minutes.")),
            NumberRange(min=editing.MIN_EPISODE_MINUTES, max=8 * 60),
        ],
    )

    def set_slot_choices(self, slots: list[datetime], preferred: Collection[datetime] = ()) -> None:
        """Offer ``slots`` (those of the preferred month marked), then “another time”."""
        self.slot.choices = [
            (
                slot.strftime(SLOT_FORMAT),
                gettext("%(time)s (in the preferred month)", time=human_time(slot))
                if slot in preferred
                else human_time(slot),
            )
            for slot in slots
        ] + [(CUSTOM_SLOT, gettext("Another time (below)"))]

    def set_special_choices(self, specials: Collection[Episode]) -> None:
        """Offer a new episode, then a segment of each special in ``specials``."""
        self.special.choices = [("", gettext("A new episode"))] + [
            (str(special.id), _segment_of(special)) for special in specials
        ]

    def special_id(self) -> int | None:
        """The special chosen, or None for a new episode."""
        value = (self.special.data or "").strip()
        return int(value) if value.isdigit() else None

    def validate_special(self, field: SelectField) -> None:
        offered = {value for value, _ in field.choices}
        if (field.data or "") not in offered:
            raise ValidationError(gettext("Pick a new episode or one of the specials offered."))

    def typed_start(self) -> datetime | None:
        """The typed start as an aware UTC datetime; ValueError when it is not a time."""
        text = (self.custom_start.data or "").strip()
        if not text:
            return None
        for layout in TYPED_FORMATS:
            try:
                moment = datetime.strptime(text, layout)
            except ValueError:
                continue
            if not FIRST_YEAR <= moment.year <= LAST_YEAR:
                break
            return moment.replace(tzinfo=UTC)
        raise ValueError(text)

    def validate_custom_start(self, field: StringField) -> None:
        try:
            self.typed_start()
        except ValueError:
            raise ValidationError(
                gettext(
                    "“%(typed)s” is not a date and time: write it as YYYY-MM-DD HH:MM (UTC),"
                    " between %(first)d and %(last)d.",
                    typed=field.data[:40],
                    first=FIRST_YEAR,
                    last=LAST_YEAR,
                )
            ) from None

    def validate_slot(self, field: RadioField) -> None:
        try:
            typed = self.typed_start()
        except ValueError:
            return  # the typed time's own error says it
        choice = field.data or ""
        if choice in ("", CUSTOM_SLOT):
            if typed is None:
                raise ValidationError(
                    gettext(
                        "Pick one of the free slots, or choose “Another time” and type the start."
                    )
                )
            return
        try:
            picked = datetime.strptime(choice, SLOT_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            raise ValidationError(gettext("Pick one of the slots offered.")) from None
        if typed is not None and typed != picked:
            raise ValidationError(
                gettext(
                    "You picked %(picked)s but typed %(typed)s as another time: choose “Another"
                    " time” to use the typed time, or empty it to use the slot.",
                    picked=human_utc(picked),
                    typed=human_utc(typed),
                )
            )

    def starts_at(self) -> datetime:
        """The chosen start, as an aware UTC datetime (call after validating)."""
        choice = self.slot.data or ""
        if choice in ("", CUSTOM_SLOT):
            return self.typed_start()
        return datetime.strptime(choice, SLOT_FORMAT).replace(tzinfo=UTC)

    def guest_rows(self) -> list[tuple[str, str]]:
        return _guest_rows(self)


class AssignForm(FlaskForm):
    """Give the proposal to a moderator (oneself: take it over), with a note."""

    # The first choice, "", is a prompt (coerced to 0): nothing is picked for the moderator.
    assignee = SelectField(
        lazy_gettext("Moderator"),
        coerce=lambda value: int(value) if str(value).isdigit() else 0,
        invalid_choice_message=lazy_gettext("Pick one of the active moderators."),
    )
    note = _message(lazy_gettext("Note (required when you take it from another moderator)"))
    # The claim as the page showed it ("" when unclaimed): a claim changed since is refused.
    seen_claimer = HiddenField()

    def validate_assignee(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError(gettext("Pick a moderator."))

    def seen_claimer_id(self) -> int | None:
        value = (self.seen_claimer.data or "").strip()
        return int(value) if value.isdigit() else None
