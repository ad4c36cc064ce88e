"""Moderator sign-in and sign-out."""

import re
from urllib.parse import unquote, urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
)
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import TooManyRequests
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from openinfra_live import security
from openinfra_live.auth import services
from openinfra_live.auth.passwords import MAX_LENGTH
from openinfra_live.extensions import db, limiter

bp = Blueprint("auth", __name__)

DEFAULT_LANDING = "/moderation/"
# In English, as tests compare it; the flash says it in the visitor's language.
LOGIN_FAILED = "Email or password is incorrect."
# Whitespace, control characters and backslashes: browsers drop or reinterpret them in a
# Location header (``/\evil.com`` and ``/\t/evil.com`` both lead off-site).
_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f\\]")


class LoginForm(FlaskForm):
    """E-mail and password; ``next`` carries the page to return to (checked before use)."""

    email = EmailField(
        lazy_gettext("E-mail address"),
        validators=[
            DataRequired(message=lazy_gettext("Enter your e-mail address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        lazy_gettext("Password"),
        validators=[
            DataRequired(message=lazy_gettext("Enter your password.")),
            Length(max=MAX_LENGTH),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


def _is_local_path(target: str) -> bool:
    if not target.startswith("/") or target.startswith("//"):
        return False
    if _UNSAFE_CHARS.search(target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next_path(target: str | None) -> str:
    """``target`` when it is a path on this site, else the moderators' landing page.

    The percent-decoded path must be local too: ``/%09/evil.com`` or ``/%2F%2Fevil.com``
    may be decoded once more by a browser or a proxy. (The query cannot change the host.)
    """
    if not target or len(target) > 2048 or not _is_local_path(target):
        return DEFAULT_LANDING
    path = target.split("?", 1)[0].split("#", 1)[0]
    for _ in range(3):
        decoded = unquote(path)
        if decoded == path:
            return target
        if not _is_local_path(decoded):
            return DEFAULT_LANDING
        path = decoded
    return DEFAULT_LANDING


def login_address_limit() -> str:
    """The per-address limit of sign-in attempts, from the configuration."""
    return current_app.config["LOGIN_ADDRESS_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_address_limit, methods=["POST"])
def login() -> Response:
    """Sign a moderator in with e-mail and password."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        address = request.remote_addr or "unknown"
        email = services.normalize_email(form.email.data)
        # The hidden field carries it; a form posted to ``/login?next=…`` may carry it there.
        target = safe_next_path(form.next.data or request.args.get("next"))
        # Checked before the password, so a locked-out pair learns nothing, right or wrong.
        retry_after = services.login_retry_after(address, email)
        if retry_after is not None:
            raise TooManyRequests(
                description=gettext("Too many failed sign-ins. Wait a while before trying again."),
                retry_after=retry_after,
            )
        user = services.authenticate(email, form.password.data)
        if user is None:
            lockout = services.count_failed_login(address, email)
            services.record_failed_login(email, lockout)
            db.session.commit()
            flash(gettext("Email or password is incorrect."), "error")
            form.password.data = ""
        else:
            services.forget_failed_logins(address, email)
            services.record_login(user)
            db.session.commit()
            # A new session: nothing from before sign-in (planted keys, the old CSRF secret,
            # another account's id) survives into the signed-in one.
            session.clear()
            login_user(user, remember=False)
            session.permanent = True
            return redirect(target, 303)
    response = make_response(render_template("auth/login.html", form=form))
    return security.no_store(response)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Sign out, and void every session cookie issued to this account so far."""
    if current_user.is_authenticated:
        services.sign_out(current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()
    flash(gettext("You are signed out."), "info")
    return redirect("/", 303)


@bp.record_once
def _host_only_session_cookie(state) -> None:
    """Served over HTTPS, the session cookie takes the ``__Host-`` prefix.

    Browsers then refuse it unless it is Secure, for the whole site and for this host only,
    so a sibling subdomain cannot plant or overwrite a moderator's session.
    """
    config = state.app.config
    if config.get("SESSION_COOKIE_SECURE") and config.get("SESSION_COOKIE_NAME") == "session":
        config["SESSION_COOKIE_NAME"] = "__Host-session"
        config["SESSION_COOKIE_DOMAIN"] = None
        config["SESSION_COOKIE_PATH"] = "/"


# The password pages register their routes on ``bp``; imported last because they import it.
from openinfra_live.auth import password_views  # noqa: E402, F401
