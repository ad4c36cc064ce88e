"""Pieces shared by the public forms: a honeypot, a once-only submission nonce, limits."""

import secrets

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

from openinfra_live.urls import web_address


def strip(value: str | None) -> str | None:
    """The filter of text fields: surrounding whitespace removed."""
    return value.strip() if isinstance(value, str) else value


def web_url(form: FlaskForm, field: StringField) -> None:
    """Only http and https addresses: anything else could run script or leave the web."""
    value = (field.data or "").strip()
    if value and web_address(value) is None:
        raise ValidationError("Give an address starting with http:// or https://.")


def public_form_limit() -> str:
    """The per-address rate limit of public form submissions, from the configuration."""
    return current_app.config["RATELIMIT_PUBLIC_FORMS"]


class PublicForm(FlaskForm):
    """A public form: a field people never see (bots fill it) and a nonce per rendering.

    The nonce is stored with what the form creates; a second POST of the same rendering
    (a double click) finds the first row instead of creating another.
    """

    website = StringField(
        "Leave this field empty",
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )
    nonce = HiddenField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.nonce.data:
            self.nonce.data = secrets.token_urlsafe(24)

    def validate_website(self, field: StringField) -> None:
        if field.data:
            raise ValidationError("This field must be left empty.")

    @property
    def is_spam(self) -> bool:
        return bool(self.website.data)
