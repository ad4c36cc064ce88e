"""Project Teams Gathering: events, rooms, team registrations and team sessions."""

from datetime import UTC, date, datetime, time

from flask_babel import lazy_gettext
from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openinfra_live import clock, i18n
from openinfra_live.database import UTCDateTime
from openinfra_live.extensions import db
from openinfra_live.workflow import HistoryEntryMixin

FORMAT_VIRTUAL = "virtual"
FORMAT_IN_PERSON = "in_person"
FORMAT_HYBRID = "hybrid"
FORMATS = {
    FORMAT_VIRTUAL: lazy_gettext("Virtual"),
    FORMAT_IN_PERSON: lazy_gettext("In person"),
    FORMAT_HYBRID: lazy_gettext("Hybrid"),
}

TEAM_KINDS = {
    "project_team": lazy_gettext("Project teams"),
    "sig": lazy_gettext("Special interest groups"),
    "working_group": lazy_gettext("Working groups"),
    "other": lazy_gettext("Other groups"),
}
# One team's kind, as its registration and the moderators' tables name it.
TEAM_KIND_NAMES = {
    "project_team": lazy_gettext("Project team"),
    "sig": lazy_gettext("Special interest group"),
    "working_group": lazy_gettext("Working group"),
    "other": lazy_gettext("Other group"),
}


class PtgEvent(db.Model):
    __tablename__ = "ptg_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    format: Mapped[str] = mapped_column(String(20), default=FORMAT_VIRTUAL)
    location: Mapped[str] = mapped_column(String(200), default="")
    registration_open: Mapped[bool] = mapped_column(default=False)
    # Sanitized HTML shown on the event page; when empty the page shows its standard text.
    description: Mapped[str] = mapped_column(Text, default="")
    faq: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=lambda: clock.now(), onupdate=lambda: clock.now()
    )

    rooms: Mapped[list["Room"]] = relationship(
        back_populates="event", order_by="Room.name", cascade="all, delete-orphan"
    )
    teams: Mapped[list["PtgTeam"]] = relationship(
        back_populates="event", order_by="PtgTeam.name", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<PtgEvent {self.slug}>"

    @property
    def starts_at(self) -> datetime:
        """The moment the event starts: midnight UTC of its first day."""
        return datetime.combine(self.starts_on, time(0), tzinfo=UTC)

    def takes_registrations(self, now: datetime) -> bool:
        """Whether teams may register at ``now``: the organisers opened registration and the
        event has not started (it closes by itself then, whatever the checkbox says)."""
        return self.registration_open and now < self.starts_at


class Room(db.Model):
    __tablename__ = "ptg_rooms"
    __table_args__ = (UniqueConstraint("event_id", "name", name="uq_ptg_rooms_event_id_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("ptg_events.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int | None] = mapped_column(Integer)
    video_url: Mapped[str] = mapped_column(String(2000), default="")

    event: Mapped[PtgEvent] = relationship(back_populates="rooms")


class PtgTeam(db.Model):
    """A team's registration for one event; approved ones form the official team list."""

    __tablename__ = "ptg_teams"
    __table_args__ = (
        # One live registration per team and event; a withdrawn or declined one may be redone.
        Index(
            "uq_ptg_teams_event_active_name",
            "event_id",
            "name_key",
            unique=True,
            sqlite_where=text("status IN ('pending', 'approved')"),
            postgresql_where=text("status IN ('pending', 'approved')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("ptg_events.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    # The name folded for comparison: lower case, spaces removed.
    name_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), default="project_team")
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    expected_attendees: Mapped[int | None] = mapped_column(Integer)
    hours_wanted: Mapped[int | None] = mapped_column(Integer)
    # ISO dates and time-window keys the team prefers.
    preferred_days: Mapped[list | None] = mapped_column(JSON)
    time_windows: Mapped[list | None] = mapped_column(JSON)
    runs_onboarding: Mapped[bool] = mapped_column(default=False)
    etherpad_url: Mapped[str] = mapped_column(String(2000), default="")
    video_url: Mapped[str] = mapped_column(String(2000), default="")
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    submission_nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The language the person wrote in: the mails they get are written in it.
    language: Mapped[str] = mapped_column(
        String(16), default=lambda: i18n.current_language(), server_default="en"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=lambda: clock.now(), onupdate=lambda: clock.now()
    )

    event: Mapped[PtgEvent] = relationship(back_populates="teams")
    sessions: Mapped[list["PtgSession"]] = relationship(
        back_populates="team", order_by="PtgSession.starts_at", cascade="all, delete-orphan"
    )
    history: Mapped[list["PtgTeamHistory"]] = relationship(
        back_populates="team", order_by="PtgTeamHistory.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<PtgTeam {self.name} {self.status}>"


class PtgTeamHistory(HistoryEntryMixin, db.Model):
    __tablename__ = "ptg_team_history"

    team_id: Mapped[int] = mapped_column(ForeignKey("ptg_teams.id", ondelete="CASCADE"), index=True)
    team: Mapped[PtgTeam] = relationship(back_populates="history")
    actor: Mapped["User | None"] = relationship()  # noqa: F821


class PtgSession(db.Model):
    """A block of time a team holds in a room."""

    __tablename__ = "ptg_sessions"
    __table_args__ = (
        UniqueConstraint("room_id", "starts_at", name="uq_ptg_sessions_room_id_starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("ptg_events.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("ptg_teams.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("ptg_rooms.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    team: Mapped[PtgTeam] = relationship(back_populates="sessions")
    room: Mapped[Room] = relationship()
