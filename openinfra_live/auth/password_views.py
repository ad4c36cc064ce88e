"""Password pages: a forgotten password, an invitation to moderate, a change of password.

Registered on the ``auth`` blueprint (``views`` imports this module).
"""

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import TooManyRequests

from openinfra_live import security, workflow
from openinfra_live.auth import accounts, links, services
from openinfra_live.auth.forms import (
    PASSWORD_HINT,
    ChangePasswordForm,
    InvitationForm,
    NewPasswordForm,
    ResetRequestForm,
)
from openinfra_live.auth.models import User
from openinfra_live.auth.passwords import WeakPassword
from openinfra_live.auth.permissions import moderator_required
from openinfra_live.auth.views import DEFAULT_LANDING, bp
from openinfra_live.extensions import db, limiter

# Reset requests from one client address, whichever addresses they name.
RESET_ADDRESS_LIMIT = "5 per minute;20 per hour"


def reset_address_limit() -> str:
    """The per-address limit of reset requests (``PASSWORD_RESET_ADDRESS_LIMIT`` overrides)."""
    return current_app.config.get("PASSWORD_RESET_ADDRESS_LIMIT", RESET_ADDRESS_LIMIT)


def _page(template: str, status: int = 200, **context) -> Response:
    """Password pages are never stored by a cache (their addresses carry the token)."""
    context.setdefault("password_hint", PASSWORD_HINT)
    return security.no_store(
        current_app.make_response((render_template(template, **context), status))
    )


def _sign_in_anew(user: User, message: str) -> Response:
    """A fresh session for ``user`` (nothing of the one before survives), then the queue."""
    services.record_login(user)
    workflow.commit()
    session.clear()
    login_user(user, remember=False)
    session.permanent = True
    flash(message, "success")  # after the clearing, which would drop it
    return security.no_store(redirect(DEFAULT_LANDING, 303))


def _invalid_link(purpose: str) -> Response:
    return _page("auth/link_invalid.html", 404, purpose=purpose)


@bp.route("/login/reset", methods=["GET", "POST"])
@limiter.limit(reset_address_limit, methods=["POST"])
def reset_request() -> Response:
    """Ask for a password reset link; the answer is the same whether the address is known."""
    if request.method == "GET" and request.args.get("sent"):
        return _page("auth/reset_sent.html")
    form = ResetRequestForm()
    if not form.validate_on_submit():
        return _page("auth/reset_request.html", 422 if form.errors else 200, form=form)
    links.request_reset(form.email.data)
    workflow.commit(send_after_answer=True)
    return security.no_store(redirect(url_for("auth.reset_request", sent=1), 303))


@bp.route("/login/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response:
    """Choose a new password with a reset link; every session of the account ends."""
    try:
        row = links.find_usable(token, links.PURPOSE_RESET)
    except links.InvalidLink:
        return _invalid_link("reset")
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = links.complete_reset(token, form.password.data)
        except WeakPassword as error:
            db.session.rollback()
            form.password.errors = [str(error)]
        except links.InvalidLink:
            db.session.rollback()
            return _invalid_link("reset")
        else:
            return _sign_in_anew(user, gettext("Your password is changed, and you are signed in."))
    status = 422 if form.errors else 200
    return _page("auth/reset_password.html", status, form=form, email=row.user.email)


@bp.route("/login/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Response:
    """Accept an invitation: choose a name and a password, then be signed in."""
    try:
        row = links.find_usable(token, links.PURPOSE_INVITE)
    except links.InvalidLink:
        return _invalid_link("invite")
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(token, form.display_name.data, form.password.data)
            db.session.flush()
        except WeakPassword as error:
            db.session.rollback()
            form.password.errors = [str(error)]
        except links.InvalidLink:
            db.session.rollback()
            return _invalid_link("invite")
        except (services.AccountError, IntegrityError) as error:
            db.session.rollback()
            message = str(error) if isinstance(error, services.AccountError) else ""
            form.form_errors.append(
                message or gettext("An account for this address exists already.")
            )
        else:
            return _sign_in_anew(
                user, gettext("Welcome! Your account is ready, and you are signed in.")
            )
    status = 422 if form.errors else 200
    return _page("auth/invitation.html", status, form=form, email=row.email)


@bp.route("/account/password", methods=["GET", "POST"])
@moderator_required
def change_password() -> Response:
    """Change one's own password; other sessions end, this one stays signed in."""
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    address = request.remote_addr or "unknown"
    if form.validate_on_submit():
        # The sign-in throttle guards the current password too: a session left open is not a
        # way to guess it.
        retry_after = services.login_retry_after(address, user.email)
        if retry_after is not None:
            raise TooManyRequests(
                description=gettext("Too many wrong passwords. Wait a while before trying again."),
                retry_after=retry_after,
            )
        try:
            links.change_password(user, form.current_password.data, form.password.data)
        except links.WrongPassword as error:
            db.session.rollback()
            lockout = services.count_failed_login(address, user.email)
            services.record_failed_login(user.email, lockout)
            db.session.commit()
            form.current_password.errors = [str(error)]
        except WeakPassword as error:
            db.session.rollback()
            form.password.errors = [str(error)]
        else:
            workflow.commit()
            # This session carries the new version; every other one names the old.
            login_user(user, remember=False)
            flash(
                gettext("Your password is changed. Your other sessions are signed out."), "success"
            )
            return security.no_store(redirect(url_for("auth.change_password"), 303))
    status = 422 if form.errors else 200
    return _page("auth/change_password.html", status, form=form)
