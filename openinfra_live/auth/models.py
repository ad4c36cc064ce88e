"""Moderator accounts, their roles, and the one-time links that set their passwords."""

from datetime import datetime

from flask_babel import lazy_gettext
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openinfra_live import clock
from openinfra_live.database import UTCDateTime
from openinfra_live.extensions import db

ROLE_MODERATOR = "moderator"
# Admins moderate too, and manage the accounts (invite, deactivate, change roles) and imports.
ROLE_ADMIN = "admin"
ROLES = (ROLE_MODERATOR, ROLE_ADMIN)
ROLE_LABELS = {ROLE_MODERATOR: lazy_gettext("Moderator"), ROLE_ADMIN: lazy_gettext("Admin")}

# What a one-time link is for: a forgotten password, or an invitation to become a moderator.
PURPOSE_RESET = "reset"
PURPOSE_INVITE = "invite"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=ROLE_MODERATOR)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login cookie's id: bumping it on logout or password change voids every
    # cookie issued before, which a signed client-side session cannot do by itself.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_moderator(self) -> bool:
        return self.active and self.role in ROLES

    @property
    def is_admin(self) -> bool:
        return self.active and self.role == ROLE_ADMIN

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, lazy_gettext("No role"))

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class AccountToken(db.Model):
    """A one-time link: only the SHA-256 of its token is stored (``tokens.hash_token``).

    A reset names its account (``user_id``). An invitation names only the address it was sent
    to (``email``): the account is created when the invitee accepts, so the users table holds
    no half-made account that could be activated or reset before the invitee chose a password.
    """

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at
