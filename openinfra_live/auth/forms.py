"""The sign-in form."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from openinfra_live.auth.passwords import MAX_LENGTH


class LoginForm(FlaskForm):
    """E-mail and password; ``next`` carries the page to return to (checked before use)."""

    email = EmailField(
        "E-mail address",
        validators=[DataRequired(message="Enter your e-mail address."), Length(max=254)],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(message="Enter your password."), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
