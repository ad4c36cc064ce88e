"""Moderator accounts."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from openinfra_live import clock
from openinfra_live.database import UTCDateTime
from openinfra_live.extensions import db

ROLE_MODERATOR = "moderator"


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
        return self.active and self.role == ROLE_MODERATOR

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"
