"""The audience's question form and the moderators' small forms."""

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from openinfra_live.forms import HoneypotForm, SharedPageCSRF, strip
from openinfra_live.questions.services import MAX_NAME, MAX_TEXT


def one_kind_of_line_end(value: str | None) -> str | None:
    """Browsers send a text area's line ends as CRLF; a question keeps them as LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class QuestionForm(HoneypotForm):
    """Shown on the episode's (shared, cached) page: its token is the page's, not a session's.

    Create it with ``meta={"csrf_context": slug}``.
    """

    class Meta:
        csrf_class = SharedPageCSRF

    text = TextAreaField(
        lazy_gettext("Your question"),
        filters=[one_kind_of_line_end, strip],
        validators=[
            DataRequired(lazy_gettext("Write your question.")),
            # Length fills in %(max)d.
            Length(
                max=MAX_TEXT,
                message=lazy_gettext("Keep your question under %(max)d characters."),
            ),
        ],
        render_kw={"maxlength": MAX_TEXT, "rows": 4},
    )
    name = StringField(
        lazy_gettext("Name to read out (optional)"),
        filters=[strip],
        validators=[
            Length(max=MAX_NAME, message=lazy_gettext("Keep the name under %(max)d characters."))
        ],
        render_kw={"maxlength": MAX_NAME, "autocomplete": "name"},
    )
    email = StringField(
        lazy_gettext("E-mail (optional)"),
        description=lazy_gettext(
            "Only to tell you when your question was answered on air; never shown."
        ),
        filters=[strip],
        validators=[
            Optional(),
            Email(lazy_gettext("Give an e-mail address like name@example.org, or leave it empty.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )


class QuestionActionForm(FlaskForm):
    """Approve, reject or mark answered: the button names the action; only the token travels."""

    next = HiddenField()


class MergeForm(FlaskForm):
    into = SelectField(lazy_gettext("Same as"), coerce=int, validators=[DataRequired()])
    next = HiddenField()


class MoveForm(FlaskForm):
    step = HiddenField()


class ListingForm(FlaskForm):
    """Whether the episode's page lists its approved questions."""

    shown = HiddenField()
