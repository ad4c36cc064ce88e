"""Verbs on moderator accounts, and the sign-in throttle.

Services change rows and flush; the caller (a view or a CLI command) commits once.
"""

import time

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext
from limits import RateLimitItem, parse_many

from openinfra_live import audit, clock
from openinfra_live.auth.models import ROLE_ADMIN, ROLE_MODERATOR, User
from openinfra_live.auth.passwords import (
    check_strength,
    hash_password,
    verify_against_nothing,
    verify_password,
)
from openinfra_live.extensions import db, limiter


class AccountError(Exception):
    """A change to an account that cannot be made; the message is meant for the operator."""


def normalize_email(raw: str) -> str:
    """The form in which e-mail addresses are stored and compared: trimmed, lower-cased."""
    return (raw or "").strip().lower()


def find_user(email: str) -> User | None:
    """The account with this e-mail address, if any."""
    return db.session.scalar(db.select(User).filter_by(email=normalize_email(email)))


def _get_user(email: str) -> User:
    user = find_user(email)
    if user is None:
        raise AccountError(f"There is no account for {normalize_email(email)}.")
    return user


def valid_address(email: str) -> str:
    """``email`` checked and in its stored form; AccountError says what is wrong with it."""
    try:
        address = validate_email((email or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise AccountError(
            gettext(
                "%(email)s is not a valid e-mail address: %(reason)s",
                email=repr(email),
                reason=error,
            )
        ) from error
    return normalize_email(address)


def create_moderator(
    email: str, password: str, display_name: str = "", *, admin: bool = False
) -> User:
    """Create an active moderator account; the first account of the site, or one made with
    ``admin``, is an admin. Side effects: an audit entry."""
    address = valid_address(email)
    if find_user(address) is not None:
        raise AccountError(f"An account for {address} exists already.")
    check_strength(password, email=address)
    first = db.session.scalar(db.select(User.id).limit(1)) is None
    user = User(
        email=address,
        display_name=display_name.strip() or address.split("@")[0],
        password_hash=hash_password(password),
        role=ROLE_ADMIN if admin or first else ROLE_MODERATOR,
        active=True,
        session_version=1,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("account_created", user, actor=user, detail={"role": user.role})
    return user


def set_password(email: str, password: str) -> User:
    """Give an account a new password. Side effects: every existing session ends; audit entry."""
    user = _get_user(email)
    check_strength(password, email=user.email)
    user.password_hash = hash_password(password)
    user.session_version += 1
    db.session.flush()
    audit.record("password_changed", user, actor=user)
    return user


def deactivate_user(email: str) -> User:
    """Refuse an account any further sign-in (never the last active admin). Side effects:
    every session ends; its one-time links stop working; audit entry."""
    # Imported here: ``accounts`` builds on this module's verbs.
    from openinfra_live.auth import accounts

    user = _get_user(email)
    accounts.deactivate(user, actor=user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account that ``email`` and ``password`` sign in to, or None.

    Unknown addresses and inactive accounts cost a password verification too, so the time
    an answer takes does not tell which addresses have accounts.
    """
    user = find_user(email)
    if user is None:
        verify_against_nothing(password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    return user


def record_login(user: User) -> None:
    """Note a successful sign-in. Side effects: ``last_login_at``; audit entry."""
    user.last_login_at = clock.now()
    audit.record("login_success", user, actor=user)


def record_failed_login(email: str, lockout: int | None = None) -> None:
    """Note a refused sign-in under the e-mail that was tried (never the password), and the
    lockout it starts, if any."""
    actor = _Attempt(normalize_email(email))
    audit.record("login_failure", object_type="user", actor=actor)
    if lockout is not None:
        detail = {"retry_after_seconds": lockout}
        audit.record("login_lockout", object_type="user", actor=actor, detail=detail)


def sign_out(user: User) -> None:
    """End ``user``'s sessions. Side effects: every cookie issued so far is void; audit entry."""
    user.session_version += 1
    audit.record("logout", user, actor=user)


class _Attempt:
    """Stands for an actor known only by the e-mail address typed into the sign-in form."""

    id = None

    def __init__(self, email: str) -> None:
        # The column holds at most 254 characters; an attacker may type more.
        self.email = email[:254] or "anonymous"


# The sign-in throttle ------------------------------------------------------------------------
#
# Failures are counted in the limiter's storage (shared through Redis when configured, so every
# worker and host sees the same counts), under two keys: the client address with the account,
# and the account alone. Successful sign-ins count nothing.


def _failure_counters(address: str, email: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
    """Each limit on failed sign-ins with the key it counts under."""
    config = current_app.config
    email = normalize_email(email)
    by_address = ("login-failures", "address", address, email)
    counters = [(item, by_address) for item in parse_many(config["LOGIN_FAILURE_LIMIT"])]
    if config.get("LOGIN_ACCOUNT_FAILURE_LIMIT"):
        by_account = ("login-failures", "account", email)
        counters += [
            (item, by_account) for item in parse_many(config["LOGIN_ACCOUNT_FAILURE_LIMIT"])
        ]
    return counters


def login_retry_after(address: str, email: str) -> int | None:
    """Seconds to wait before this address may try this account again, or None if it may."""
    strategy = limiter.limiter
    waits = [
        max(1, int(strategy.get_window_stats(item, *key).reset_time - time.time()) + 1)
        for item, key in _failure_counters(address, email)
        if not strategy.test(item, *key)
    ]
    return max(waits, default=None)


def count_failed_login(address: str, email: str) -> int | None:
    """Count one failed sign-in; return the seconds of the lockout it starts, if it starts one."""
    for item, key in _failure_counters(address, email):
        limiter.limiter.hit(item, *key)
    return login_retry_after(address, email)


def forget_failed_logins(address: str, email: str) -> None:
    """A successful sign-in from this address clears its count for the account."""
    for item, key in _failure_counters(address, email):
        if key[1] == "address":
            limiter.limiter.clear(item, *key)
