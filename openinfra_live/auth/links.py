"""One-time links (password resets and invitations) and the password changes they lead to.

A link's token is 256 random bits, given to the person in a mail; the database keeps only its
SHA-256 (``tokens``). A link works once: using it is a conditional UPDATE that matches only an
unused, unexpired row, so two requests with the same link cannot both succeed.
Services flush; the caller commits once (``workflow.commit`` sends the queued mails).
"""

from datetime import timedelta

from flask import current_app
from flask_babel import gettext, lazy_gettext
from limits import parse_many
from sqlalchemy import update

from openinfra_live import audit, clock, tokens, workflow
from openinfra_live.auth.models import PURPOSE_INVITE, PURPOSE_RESET, AccountToken, User
from openinfra_live.auth.passwords import check_strength, hash_password, verify_password
from openinfra_live.auth.services import AccountError, find_user, normalize_email
from openinfra_live.extensions import db, limiter
from openinfra_live.urls import site_url_for

RESET_LIFETIME = timedelta(hours=1)
# Reset mails to one account, whoever asks, from wherever (settings may override it).
RESET_ACCOUNT_LIMIT = "3 per hour;10 per day"
RESET_ACCOUNT_LIMIT_KEY = "PASSWORD_RESET_ACCOUNT_LIMIT"
ENDPOINTS = {PURPOSE_RESET: "auth.reset_password", PURPOSE_INVITE: "auth.accept_invitation"}


class InvalidLink(Exception):
    """The link is unknown, expired, used already, or its account is deactivated."""


class WrongPassword(Exception):
    """The current password given to change it is not the account's password."""


def issue(
    purpose: str, lifetime: timedelta, *, user: User | None = None, email: str = ""
) -> tuple[AccountToken, str]:
    """Store a new one-time link; return its row and its absolute address (for the mail)."""
    token, digest = tokens.new_token()
    now = clock.now()
    row = AccountToken(
        purpose=purpose,
        token_hash=digest,
        user_id=user.id if user is not None else None,
        email=email,
        created_at=now,
        expires_at=now + lifetime,
    )
    db.session.add(row)
    db.session.flush()
    return row, site_url_for(ENDPOINTS[purpose], token=token)


def find_usable(token: str, purpose: str) -> AccountToken:
    """The unused, unexpired link of ``purpose`` that ``token`` opens; InvalidLink otherwise
    (the same for every reason, so a guess learns nothing)."""
    row = tokens.find(AccountToken, token)
    if row is None or row.purpose != purpose or not row.is_usable(clock.now()):
        raise InvalidLink()
    if purpose == PURPOSE_RESET and (row.user is None or not row.user.active):
        raise InvalidLink()
    return row


def use(row: AccountToken) -> None:
    """Mark the link used; InvalidLink when another request used it first or it expired."""
    now = clock.now()
    result = db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.id == row.id,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(used_at=now),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        raise InvalidLink()
    db.session.expire(row, ["used_at"])


def revoke(*, user_id: int | None = None, email: str = "", purpose: str | None = None) -> None:
    """Make the unused links of an account (or of an invited address) stop working."""
    query = update(AccountToken).where(AccountToken.used_at.is_(None))
    if user_id is not None:
        query = query.where(AccountToken.user_id == user_id)
    else:
        query = query.where(AccountToken.email == email)
    if purpose is not None:
        query = query.where(AccountToken.purpose == purpose)
    db.session.execute(
        query.values(used_at=clock.now()), execution_options={"synchronize_session": False}
    )


def _within_account_limit(email: str) -> bool:
    """Count one reset request for ``email`` (known or not); False once over its limit."""
    limits = current_app.config.get(RESET_ACCOUNT_LIMIT_KEY, RESET_ACCOUNT_LIMIT)
    allowed = True
    for item in parse_many(limits):
        allowed = limiter.limiter.hit(item, "password-reset", "account", email) and allowed
    return allowed


def request_reset(email: str) -> bool:
    """Mail a one-hour reset link to the active account of ``email``, within its limit.

    Unknown addresses do the same work up to the point of storing the link, and the caller
    answers the same either way. Returns whether a mail was queued. Side effects: the link
    (its hash) is stored, the mail queued, an audit entry written for a known account.
    """
    email = normalize_email(email)[:254]
    allowed = _within_account_limit(email)
    user = find_user(email)
    if user is None or not user.active:
        tokens.new_token()  # the work of a real request, so the answer takes as long
        return False
    if not allowed:
        audit.record("password_reset_limited", user)
        return False
    send_reset(user)
    return True


def send_reset(user: User, *, actor: User | None = None) -> AccountToken:
    """Mail a one-hour reset link to ``user`` (asked from the sign-in page, or by an admin).

    Side effects: the link (its hash) is stored, the mail queued; audit entry.
    """
    if not user.active:
        raise AccountError(
            gettext(
                "The account of %(email)s is deactivated: reactivate it first.", email=user.email
            )
        )
    row, link = issue(PURPOSE_RESET, RESET_LIFETIME, user=user)
    audit.record("password_reset_requested", user, actor=actor)
    workflow.queue(
        user.email,
        lazy_gettext("Choose a new password for OpenInfra Live & PTG"),
        "mail/account_reset.txt",
        user=user,
        link=link,
        secret=True,
    )
    return row


def _set_password(user: User, password: str) -> None:
    check_strength(password, email=user.email)
    user.password_hash = hash_password(password)
    # Every cookie issued so far names the old version: each of those sessions ends.
    user.session_version += 1


def complete_reset(token: str, password: str) -> User:
    """Give the account of a reset link a new password.

    Side effects: the link is used up, with the account's other reset links; every session of
    the account ends; audit entry. InvalidLink, WeakPassword.
    """
    row = find_usable(token, PURPOSE_RESET)
    user = row.user
    check_strength(password, email=user.email)
    use(row)
    _set_password(user, password)
    revoke(user_id=user.id, purpose=PURPOSE_RESET)
    audit.record("password_reset", user, actor=user)
    db.session.flush()
    return user


def change_password(user: User, current: str, password: str) -> User:
    """A signed-in moderator's new password, given the current one.

    Side effects: every session of the account ends (the caller signs this one in again);
    unused reset links stop working; audit entry. WrongPassword, WeakPassword.
    """
    if not verify_password(user.password_hash, current):
        raise WrongPassword(gettext("The current password is not right."))
    _set_password(user, password)
    revoke(user_id=user.id, purpose=PURPOSE_RESET)
    audit.record("password_changed", user, actor=user)
    db.session.flush()
    return user
