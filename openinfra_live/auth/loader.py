"""Turns the login cookie's id back into a user; where anonymous visitors of moderator pages go."""

from openinfra_live.auth.models import User
from openinfra_live.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Accept ``"<id>:<session_version>"`` only while the account is active and the version
    still matches: logging out or changing the password bumps it and voids old cookies."""
    user_pk, _, version = user_id.partition(":")
    if not user_pk.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_pk))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


@login_manager.unauthorized_handler
def send_to_login():
    """Anonymous visitors of a moderator page go to the login form, then come back."""
    from flask import redirect, request, url_for

    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=target))
