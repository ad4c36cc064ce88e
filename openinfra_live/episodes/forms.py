"""The moderators' episode form: when, what, who, and where to watch, listen and read."""

from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from openinfra_live import urls
from openinfra_live.episodes import editing, queries
from openinfra_live.episodes.models import Episode
from openinfra_live.episodes.specials import SegmentFields

MAX_DESCRIPTION = 10_000
MAX_GUEST_ROWS = 12
# Rows the form shows beyond what is stored, so a row can be added without JavaScript.
SPARE_ROWS = 2
MIN_GUEST_ROWS = 3
MIN_LINK_ROWS = 3
# Suggested platform names; any other name may be typed.
PLATFORM_SUGGESTIONS = tuple(
    ["youtube", "linkedin", "facebook", "spotify", "apple-podcasts", "twitch", "podcast"]
)
# What a datetime-local input sends: minutes, or seconds when the browser adds them.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
URL_INPUT = {"type": "url", "inputmode": "url", "placeholder": "https://"}


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class GuestRowForm(Form):
    """One guest. A plain ``Form``: the enclosing form carries the CSRF token."""

    name = StringField(lazy_gettext("Name"), filters=[_strip], validators=[Length(max=200)])
    affiliation = StringField(
        lazy_gettext("Affiliation"), filters=[_strip], validators=[Length(max=200)]
    )

    def validate_name(self, field: StringField) -> None:
        if self.affiliation.data and not field.data:
            raise ValidationError(gettext("A guest with an affiliation also needs a name."))


class LinkRowForm(Form):
    """One watch/listen link: the platform's name and the address."""

    platform = StringField(
        lazy_gettext("Platform"),
        filters=[_strip],
        validators=[Length(max=editing.MAX_PLATFORM)],
        render_kw={"list": "platform-suggestions", "autocomplete": "off"},
    )
    url = StringField(
        lazy_gettext("Address"),
        filters=[_strip],
        validators=[Length(max=urls.MAX_URL)],
        render_kw=URL_INPUT,
    )

    def validate_platform(self, field: StringField) -> None:
        if self.url.data and not field.data:
            raise ValidationError(gettext("Name the platform of this link (for example youtube)."))

    def validate_url(self, field: StringField) -> None:
        if not field.data:
            if self.platform.data:
                raise ValidationError(gettext("Give the address of this link, or empty the row."))
            return
        if urls.web_address(field.data) is None:
            raise ValidationError(gettext("Give a web address starting with https:// or http://."))


class CountField(IntegerField):
    """A count of people, optional: a whole number, 0 or more; "12,345" is read as 12345."""

    def process_formdata(self, valuelist: list) -> None:
        raw = " ".join(valuelist or []).replace(",", "").replace(" ", "").strip()
        self.data = None
        if raw and not raw.isdigit():
            raise ValueError(
                gettext("Give a whole number, 0 or more (for example 1200), or leave it empty.")
            )
        if raw:
            self.data = int(raw)


COUNT_INPUT = {"inputmode": "numeric", "autocomplete": "off"}


class EpisodeForm(FlaskForm):
    """Create or edit an episode. Times are UTC; blank guest and link rows are ignored."""

    title = StringField(
        lazy_gettext("Title"), filters=[_strip], validators=[DataRequired(), Length(max=300)]
    )
    starts_at = DateTimeLocalField(
        lazy_gettext("Start (UTC)"),
        format=LOCAL_FORMATS,
        validators=[InputRequired(lazy_gettext("Give the start date and time, in UTC."))],
    )
    duration_minutes = IntegerField(
        lazy_gettext("Duration (minutes)"),
        validators=[
            InputRequired(lazy_gettext("Give the duration in minutes.")),
            NumberRange(min=editing.MIN_EPISODE_MINUTES, max=editing.MAX_EPISODE_MINUTES),
        ],
    )
    description = TextAreaField(
        lazy_gettext("Description"), filters=[_strip], validators=[Length(max=MAX_DESCRIPTION)]
    )
    guests = FieldList(FormField(GuestRowForm), max_entries=MAX_GUEST_ROWS)
    links = FieldList(FormField(LinkRowForm), max_entries=editing.MAX_LINKS)
    recap_url = StringField(
        lazy_gettext("Recap article"),
        filters=[_strip],
        validators=[Length(max=urls.MAX_URL)],
        render_kw=URL_INPUT,
    )
    # The audience, entered after the show (or imported with ``flask import-views``).
    views = CountField(
        lazy_gettext("Views"),
        validators=[Optional(), NumberRange(min=0, max=10**12)],
        render_kw=COUNT_INPUT,
    )
    peak_live_viewers = CountField(
        lazy_gettext("Peak live viewers"),
        validators=[Optional(), NumberRange(min=0, max=10**12)],
        render_kw=COUNT_INPUT,
    )
    # Shown for an episode that already started: its time changes only with this ticked.
    confirm_past = BooleanField(
        lazy_gettext("Yes, change the time of an episode that already happened")
    )
    # Only on the new-episode form: a special then gets its segments one by one.
    special = BooleanField(
        lazy_gettext("This is a special: it runs for hours or days, in segments")
    )

    def validate_starts_at(self, field: DateTimeLocalField) -> None:
        if field.data is None:  # unparsable: the field already says so
            return
        # Years the show cannot have; they also keep date arithmetic away from its limits.
        if not queries.FIRST_YEAR <= field.data.year <= queries.LAST_YEAR:
            raise ValidationError(
                gettext(
                    "Pick a year between %(first)d and %(last)d.",
                    first=queries.FIRST_YEAR,
                    last=queries.LAST_YEAR,
                )
            )

    @classmethod
    def for_episode(cls, episode: Episode) -> "EpisodeForm":
        """The form filled with what is stored, plus spare blank rows."""
        return cls._filled(
            title=episode.title,
            starts_at=episode.starts_at.replace(tzinfo=None),
            duration_minutes=episode.duration_minutes,
            description=episode.description,
            guests=[{"name": name, "affiliation": a} for name, a in episode.guest_pairs],
            links=[{"platform": platform, "url": url} for platform, url in episode.link_pairs],
            recap_url=episode.recap_url or "",
            views=episode.views,
            peak_live_viewers=episode.peak_live_viewers,
        )

    @classmethod
    def blank(cls, starts_at: datetime | None, duration_minutes: int) -> "EpisodeForm":
        """An empty form, its start set to ``starts_at`` (the next free default slot)."""
        start = starts_at.replace(tzinfo=None) if starts_at else None
        return cls._filled(starts_at=start, duration_minutes=duration_minutes)

    @classmethod
    def _filled(cls, **data: Any) -> "EpisodeForm":
        form = cls(formdata=None, data=data)
        form.add_spare_rows()
        return form

    def add_spare_rows(self, guests: int = SPARE_ROWS, links: int = SPARE_ROWS) -> None:
        """Blank rows after the filled ones, within the limits."""
        self._pad(self.guests, guests, MIN_GUEST_ROWS, MAX_GUEST_ROWS)
        self._pad(self.links, links, MIN_LINK_ROWS, editing.MAX_LINKS)

    @staticmethod
    def _pad(rows: FieldList, spare: int, minimum: int, maximum: int) -> None:
        filled = sum(1 for row in rows if any((f.data or "").strip() for f in row.form))
        wanted = min(maximum, max(minimum, filled + spare, len(rows.entries)))
        while len(rows.entries) < wanted:
            rows.append_entry()

    def start_utc(self) -> datetime:
        """The start as an aware UTC datetime (the form is in UTC)."""
        return self.starts_at.data.replace(tzinfo=UTC)

    def content(self) -> dict[str, Any]:
        """What creating and updating an episode take from the form, but for its start; the
        services drop blank guest and link rows."""
        # A special's start and length come from its segments: its form has neither field.
        minutes = self.duration_minutes.data if "duration_minutes" in self else None
        return {
            "title": self.title.data,
            "duration_minutes": minutes,
            "description": self.description.data or "",
            "guests": [(row.form.name.data, row.form.affiliation.data) for row in self.guests],
            "links": [(row.form.platform.data, row.form.url.data) for row in self.links],
            "recap_url": self.recap_url.data or "",
        }

    def audience(self) -> dict[str, int | None]:
        """The views and peak of live viewers typed (None where left empty)."""
        return {"views": self.views.data, "peak_live_viewers": self.peak_live_viewers.data}


class SegmentForm(FlaskForm):
    """Add or edit a segment of a special: its title, time (UTC), speakers and recording."""

    title = StringField(
        lazy_gettext("Title"), filters=[_strip], validators=[DataRequired(), Length(max=300)]
    )
    starts_at = EpisodeForm.starts_at
    duration_minutes = EpisodeForm.duration_minutes
    guests = FieldList(FormField(GuestRowForm), max_entries=MAX_GUEST_ROWS)
    recording_url = StringField(
        lazy_gettext("Recording of this segment"),
        filters=[_strip],
        validators=[Length(max=urls.MAX_URL)],
        render_kw=URL_INPUT,
    )
    validate_starts_at = EpisodeForm.validate_starts_at
    start_utc = EpisodeForm.start_utc

    @classmethod
    def for_segment(cls, segment: Any) -> "SegmentForm":
        form = cls(
            formdata=None,
            data={
                "title": segment.title,
                "starts_at": segment.starts_at.replace(tzinfo=None),
                "duration_minutes": segment.duration_minutes,
                "guests": [{"name": n, "affiliation": a} for n, a in segment.speaker_pairs],
                "recording_url": segment.recording_url or "",
            },
        )
        form.add_spare_rows()
        return form

    @classmethod
    def blank(cls, starts_at: datetime | None, duration_minutes: int) -> "SegmentForm":
        start = starts_at.replace(tzinfo=None) if starts_at else None
        form = cls(formdata=None, data={"starts_at": start, "duration_minutes": duration_minutes})
        form.add_spare_rows()
        return form

    def add_spare_rows(self) -> None:
        EpisodeForm._pad(self.guests, SPARE_ROWS, MIN_GUEST_ROWS, MAX_GUEST_ROWS)

    def fields(self) -> SegmentFields:
        """The segment as the specials service takes it; blank speaker rows are dropped."""
        speakers = [
            (row.form.name.data or "", row.form.affiliation.data or "") for row in self.guests
        ]
        return SegmentFields(
            title=self.title.data or "",
            starts_at=self.start_utc(),
            duration_minutes=self.duration_minutes.data,
            speakers=speakers,
            recording_url=self.recording_url.data or "",
        )


class DeleteEpisodeForm(FlaskForm):
    """Delete an episode for good: a ticked confirmation, and a word for the submitter."""

    confirm = BooleanField(
        lazy_gettext("Yes, delete this episode for good"),
        validators=[
            InputRequired(
                lazy_gettext("Tick the box to confirm that the episode is to be deleted.")
            )
        ],
    )
    message = TextAreaField(
        lazy_gettext("Message to the submitter of its proposal (optional)"),
        filters=[_strip],
        validators=[Length(max=5_000)],
    )


class DeleteSegmentForm(FlaskForm):
    """Remove a segment from its special, with a word for the submitter of its proposal."""

    message = TextAreaField(
        lazy_gettext("Message to the submitter of its proposal (optional)"),
        filters=[_strip],
        validators=[Length(max=5_000)],
    )
