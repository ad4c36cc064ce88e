"""Forms of the password pages (reset, invitation, change) and of the accounts page."""

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from openinfra_live.auth.models import ROLE_LABELS
from openinfra_live.auth.passwords import MAX_LENGTH, MIN_LENGTH

PASSWORD_HINT = lazy_gettext(
    "At least %(num)d characters. A few unrelated words make a good one; "
    "common passwords are refused.",
    num=MIN_LENGTH,
)


def _email_field(label: str | None = None) -> EmailField:
    return EmailField(
        label or lazy_gettext("E-mail address"),
        validators=[
            DataRequired(message=lazy_gettext("Enter an e-mail address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


class ResetRequestForm(FlaskForm):
    """The address to send a reset link to."""

    email = _email_field(lazy_gettext("Your e-mail address"))


class NewPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(
        lazy_gettext("New password"),
        validators=[
            DataRequired(message=lazy_gettext("Choose a password.")),
            Length(max=MAX_LENGTH),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        lazy_gettext("New password again"),
        validators=[
            DataRequired(message=lazy_gettext("Type the new password again.")),
            EqualTo("password", message=lazy_gettext("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class InvitationForm(NewPasswordForm):
    """The invitee's name and password."""

    display_name = StringField(
        lazy_gettext("Your name"),
        validators=[DataRequired(message=lazy_gettext("Enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )


class ChangePasswordForm(NewPasswordForm):
    """The current password, then the new one twice."""

    current_password = PasswordField(
        lazy_gettext("Current password"),
        validators=[
            DataRequired(message=lazy_gettext("Enter your current password.")),
            Length(max=MAX_LENGTH),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class InviteForm(FlaskForm):
    """The address of a new moderator."""

    email = _email_field(lazy_gettext("E-mail address of the new moderator"))


class RoleForm(FlaskForm):
    """The role an account should have."""

    role = SelectField(
        lazy_gettext("Role"),
        choices=[SelectChoice(value, label) for value, label in ROLE_LABELS.items()],
    )


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
