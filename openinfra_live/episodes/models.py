"""Episodes of the show, their watch/listen links and their guests."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openinfra_live import clock
from openinfra_live.database import UTCDateTime
from openinfra_live.extensions import db


class Episode(db.Model):
    __tablename__ = "episodes"
    __table_args__ = (
        # Two visible episodes never share a start: the database settles scheduling races.
        Index(
            "uq_episodes_visible_start",
            "starts_at",
            unique=True,
            sqlite_where=text("hidden = 0"),
            postgresql_where=text("hidden = false"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # What a search of the archive looks at, written by the services that write the episode
    # (``search.refresh``).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    hidden: Mapped[bool] = mapped_column(default=False)
    # A special runs for hours or days as segments; its start and length span them all.
    special: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The moderators' choice: approved audience questions are listed on the episode's page.
    show_questions: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Grows each time the episode moves, so calendar clients replace the old invite.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    recap_url: Mapped[str | None] = mapped_column(String(2000))
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL"), unique=True
    )
    # The audience, unknown until a moderator enters it or ``flask import-views`` reads it.
    views: Mapped[int | None] = mapped_column(Integer)
    peak_live_viewers: Mapped[int | None] = mapped_column(Integer)
    views_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=lambda: clock.now(), onupdate=lambda: clock.now(), index=True
    )

    links: Mapped[list["EpisodeLink"]] = relationship(
        back_populates="episode",
        order_by="EpisodeLink.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    guests: Mapped[list["EpisodeGuest"]] = relationship(
        back_populates="episode",
        order_by="EpisodeGuest.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    segments: Mapped[list["EpisodeSegment"]] = relationship(
        back_populates="episode",
        order_by="(EpisodeSegment.starts_at, EpisodeSegment.id)",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    proposal: Mapped["Proposal | None"] = relationship(  # noqa: F821
        back_populates="episode", foreign_keys=[proposal_id]
    )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def guest_pairs(self) -> list[tuple[str, str]]:
        """The guests as (name, affiliation), in order; assigning replaces them."""
        return [(guest.name, guest.affiliation) for guest in self.guests]

    @guest_pairs.setter
    def guest_pairs(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.guests = [
            EpisodeGuest(position=i, name=name, affiliation=affiliation)
            for i, (name, affiliation) in enumerate(pairs)
        ]

    @property
    def link_pairs(self) -> list[tuple[str, str]]:
        """The watch/listen links as (platform, url), in order; assigning replaces them."""
        return [(link.platform, link.url) for link in self.links]

    @link_pairs.setter
    def link_pairs(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.links = [
            EpisodeLink(position=i, platform=platform, url=url)
            for i, (platform, url) in enumerate(pairs)
        ]

    def __repr__(self) -> str:
        return f"<Episode {self.slug}>"


class EpisodeLink(db.Model):
    """Where an episode can be watched or heard (YouTube, LinkedIn, a podcast, …), in order."""

    __tablename__ = "episode_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    platform: Mapped[str] = mapped_column(String(50))
    url: Mapped[str] = mapped_column(String(2000))

    episode: Mapped[Episode] = relationship(back_populates="links")


class GuestColumns:
    """A guest of an episode or of a proposal: a name and an affiliation, in order."""

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    affiliation: Mapped[str] = mapped_column(String(200), default="")


class EpisodeGuest(GuestColumns, db.Model):
    __tablename__ = "episode_guests"

    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )

    episode: Mapped[Episode] = relationship(back_populates="guests")


class EpisodeSegment(db.Model):
    """A part of a special: its own title, time and speakers, and its own invite event."""

    __tablename__ = "episode_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    # Names the segment's calendar event for good, whatever is edited or imported again.
    key: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    # Grows each time the segment moves, so calendar clients replace its old event.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # The segment's own recording, when the special has one video per segment.
    recording_url: Mapped[str | None] = mapped_column(String(2000))
    # The proposal this segment was scheduled from, if any (as an episode's).
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL"), unique=True
    )

    episode: Mapped[Episode] = relationship(back_populates="segments")
    proposal: Mapped["Proposal | None"] = relationship(  # noqa: F821
        back_populates="segment", foreign_keys=[proposal_id]
    )
    speakers: Mapped[list["SegmentSpeaker"]] = relationship(
        back_populates="segment",
        order_by="SegmentSpeaker.position",
        cascade="all, delete-orphan",
        # Joined to the segments' own statement: a page reads them in one statement.
        lazy="joined",
    )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def speaker_pairs(self) -> list[tuple[str, str]]:
        """The speakers as (name, affiliation), in order; assigning replaces them."""
        return [(speaker.name, speaker.affiliation) for speaker in self.speakers]

    @speaker_pairs.setter
    def speaker_pairs(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.speakers = [
            SegmentSpeaker(position=i, name=name, affiliation=affiliation)
            for i, (name, affiliation) in enumerate(pairs)
        ]


class SegmentSpeaker(GuestColumns, db.Model):
    __tablename__ = "episode_segment_speakers"

    segment_id: Mapped[int] = mapped_column(
        ForeignKey("episode_segments.id", ondelete="CASCADE"), index=True
    )

    segment: Mapped[EpisodeSegment] = relationship(back_populates="speakers")
