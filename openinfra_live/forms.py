"""Pieces shared by the public forms: a honeypot, a once-only submission nonce, limits, and
the token of a form on a page that every visitor shares."""

import secrets
from urllib.parse import urlsplit

from flask import current_app, request
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.csrf import validate_csrf
from itsdangerous import BadData, URLSafeTimedSerializer
from wtforms import HiddenField, StringField
from wtforms.csrf.core import CSRF
from wtforms.validators import ValidationError

from openinfra_live.urls import site_url, web_address

# How long the form of a shared page may stay open in a browser before it is sent.
SHARED_FORM_TOKEN_MAX_AGE = 12 * 3600


def strip(value: str | None) -> str | None:
    """The filter of text fields: surrounding whitespace removed."""
    return value.strip() if isinstance(value, str) else value


def web_url(form: FlaskForm, field: StringField) -> None:
    """Only http and https addresses: anything else could run script or leave the web."""
    value = (field.data or "").strip()
    if value and web_address(value) is None:
        raise ValidationError(gettext("Give an address starting with http:// or https://."))


def public_form_limit() -> str:
    """The per-address rate limit of public form submissions, from the configuration."""
    return current_app.config["RATELIMIT_PUBLIC_FORMS"]


class HoneypotForm(FlaskForm):
    """A public form with a field people never see (bots fill it)."""

    website = StringField(
        lazy_gettext("Leave this field empty"),
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )

    def validate_website(self, field: StringField) -> None:
        if field.data:
            raise ValidationError(gettext("This field must be left empty."))

    @property
    def is_spam(self) -> bool:
        return bool(self.website.data)


class PublicForm(HoneypotForm):
    """A public form with a nonce per rendering.

    The nonce is stored with what the form creates; a second POST of the same rendering
    (a double click) finds the first row instead of creating another.
    """

    nonce = HiddenField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.nonce.data:
            self.nonce.data = secrets.token_urlsafe(24)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class SharedPageCSRF(CSRF):
    """The CSRF token of a form on a page served from the shared cache (an episode's page).

    A per-session token cannot be in a page every visitor receives, so this token is signed
    for the form's scope (``meta.csrf_context``: the page it belongs to) and time, the same for
    everyone; what stops another site from making a visitor's browser send the form is the
    browser's own word on where a request comes from: a cross-site ``Sec-Fetch-Site`` or a
    foreign ``Origin`` is refused. A POST without a valid token is refused as any other; the
    page that asks to send it again carries the visitor's session token, accepted here too.
    """

    def setup_form(self, form):
        self.scope = str(form.meta.csrf_context)
        self.serializer = URLSafeTimedSerializer(form.meta.csrf_secret, salt="shared-page-form")
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field) -> str:
        return self.serializer.dumps(self.scope)

    def validate_csrf_token(self, form, field) -> None:
        try:
            scope = self.serializer.loads(field.data or "", max_age=SHARED_FORM_TOKEN_MAX_AGE)
        except BadData:
            scope = None
        if scope != self.scope:
            try:
                validate_csrf(field.data)
            except ValidationError:
                raise ValidationError(
                    gettext("This form has expired. Check what you wrote and send it again.")
                ) from None
        if request.headers.get("Sec-Fetch-Site") == "cross-site":
            raise ValidationError(gettext("This form can only be sent from this site."))
        origin = request.headers.get("Origin")
        if origin and origin.lower() not in {_origin(site_url()), _origin(request.host_url)}:
            raise ValidationError(gettext("This form can only be sent from this site."))
