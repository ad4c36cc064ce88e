"""Verbs an admin uses on accounts: invite, deactivate, reactivate, change role.

The last active admin can be neither deactivated nor demoted. The rule is kept by the database,
not by a count read earlier in Python: the UPDATE that takes an account out of the admins
matches only while another active admin remains, after the admins' rows are locked
(PostgreSQL), so two admins demoting each other at the same moment cannot both succeed.
Services flush; the caller commits once (``workflow.commit`` sends the queued mails).
"""

from datetime import timedelta

from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, or_, select, update

from openinfra_live import audit, clock, workflow
from openinfra_live.auth import links
from openinfra_live.auth.models import (
    PURPOSE_INVITE,
    ROLE_ADMIN,
    ROLE_MODERATOR,
    ROLES,
    AccountToken,
    User,
)
from openinfra_live.auth.passwords import check_strength, hash_password
from openinfra_live.auth.services import AccountError, find_user, valid_address
from openinfra_live.extensions import db

INVITE_LIFETIME = timedelta(hours=48)


class LastAdminError(AccountError):
    """The change would leave the site without an active admin."""


def _leave_admins_guarded(user: User, **values: object) -> None:
    """UPDATE ``user`` with ``values`` unless it is the last active admin (LastAdminError).

    Side effects: locks the active admins' rows until the transaction ends (PostgreSQL);
    refreshes ``user``.
    """
    is_admin = (User.role == ROLE_ADMIN) & User.active.is_(True)
    # Taken in id order, so two such transactions wait for one another and never deadlock;
    # the one that waits then sees the other's change. SQLite runs one writer at a time and
    # ignores FOR UPDATE: there the single UPDATE below is the whole check.
    db.session.execute(select(User.id).where(is_admin).order_by(User.id).with_for_update())
    other_admins = (
        select(func.count()).select_from(User).where(is_admin, User.id != user.id)
    ).scalar_subquery()
    result = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.role != ROLE_ADMIN, User.active.is_(False), other_admins >= 1),
        )
        .values(**values),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        db.session.refresh(user)
        raise LastAdminError(
            gettext(
                "%(email)s is the last active admin: make another account an admin first, so "
                "that someone can still manage the accounts.",
                email=user.email,
            )
        )
    db.session.refresh(user)


def deactivate(user: User, *, actor: User) -> User:
    """Refuse ``user`` any further sign-in. Side effects: every session ends; unused one-time
    links stop working; audit entry. LastAdminError for the last active admin."""
    if not user.active:
        raise AccountError(
            gettext("The account of %(email)s is deactivated already.", email=user.email)
        )
    _leave_admins_guarded(user, active=False, session_version=User.session_version + 1)
    links.revoke(user_id=user.id)
    audit.record("account_deactivated", user, actor=actor)
    db.session.flush()
    return user


def reactivate(user: User, *, actor: User) -> User:
    """Let ``user`` sign in again with its password. Side effects: audit entry."""
    if user.active:
        raise AccountError(gettext("The account of %(email)s is active already.", email=user.email))
    user.active = True
    audit.record("account_reactivated", user, actor=actor)
    db.session.flush()
    return user


def change_role(user: User, role: str, *, actor: User) -> User:
    """Make ``user`` a moderator or an admin. Side effects: audit entry. LastAdminError when
    it would demote the last active admin."""
    if role not in ROLES:
        raise AccountError(gettext("Choose a role from the list."))
    if role == user.role:
        if role == ROLE_ADMIN:
            raise AccountError(gettext("%(email)s is admin already.", email=user.email))
        raise AccountError(gettext("%(email)s is moderator already.", email=user.email))
    before = user.role
    _leave_admins_guarded(user, role=role)
    audit.record("account_role_changed", user, actor=actor, detail={"from": before, "to": role})
    db.session.flush()
    return user


def invite(email: str, *, actor: User) -> AccountToken:
    """Invite ``email`` to become a moderator with a one-time link valid for 48 hours.

    Side effects: earlier unused invitations of the address stop working; the invitation
    (only its token's hash) is stored; the mail with the link is queued; audit entry.
    """
    address = valid_address(email)
    if find_user(address) is not None:
        raise AccountError(gettext("An account for %(email)s exists already.", email=address))
    links.revoke(email=address, purpose=PURPOSE_INVITE)
    row, link = links.issue(PURPOSE_INVITE, INVITE_LIFETIME, email=address)
    audit.record("account_invited", object_type="user", actor=actor, detail={"email": address})
    workflow.queue(
        address,
        lazy_gettext("You are invited to moderate OpenInfra Live & PTG"),
        "mail/account_invite.txt",
        link=link,
        inviter=actor.display_name or actor.email,
        expires_at=row.expires_at,
        secret=True,
    )
    return row


def cancel_invitation(row: AccountToken, *, actor: User) -> None:
    """Make an unused invitation's link stop working. Side effects: audit entry."""
    links.revoke(email=row.email, purpose=PURPOSE_INVITE)
    audit.record(
        "invitation_cancelled", object_type="user", actor=actor, detail={"email": row.email}
    )


def accept_invitation(token: str, display_name: str, password: str) -> User:
    """Create the invitee's active moderator account with the name and password chosen.

    Side effects: the invitation is used up (once only, even for two requests at the same
    moment); a new account; audit entry. ``links.InvalidLink`` when the link cannot be used.
    """
    row = links.find_usable(token, PURPOSE_INVITE)
    check_strength(password, email=row.email)
    links.use(row)
    if find_user(row.email) is not None:
        raise AccountError(
            gettext("An account for %(email)s exists already; sign in instead.", email=row.email)
        )
    user = User(
        email=row.email,
        display_name=display_name.strip() or row.email.split("@")[0],
        password_hash=hash_password(password),
        role=ROLE_MODERATOR,
        active=True,
        session_version=1,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("invitation_accepted", user, actor=user)
    return user


def all_accounts() -> list[User]:
    """Every account, admins first, then by e-mail address."""
    return list(db.session.scalars(select(User).order_by(User.role != ROLE_ADMIN, User.email)))


def pending_invitations() -> list[AccountToken]:
    """Invitations not used, cancelled or expired yet, newest first."""
    return list(
        db.session.scalars(
            select(AccountToken)
            .where(
                AccountToken.purpose == PURPOSE_INVITE,
                AccountToken.used_at.is_(None),
                AccountToken.expires_at > clock.now(),
            )
            .order_by(AccountToken.created_at.desc(), AccountToken.id.desc())
        )
    )
