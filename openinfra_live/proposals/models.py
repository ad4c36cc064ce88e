"""Episode ideas proposed by the community, their guests and their history."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openinfra_live import clock, i18n
from openinfra_live.database import UTCDateTime
from openinfra_live.episodes.models import GuestColumns
from openinfra_live.extensions import db
from openinfra_live.workflow import HistoryEntryMixin


class Proposal(db.Model):
    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    submitter_name: Mapped[str] = mapped_column(String(120))
    submitter_email: Mapped[str] = mapped_column(String(254))
    organization: Mapped[str] = mapped_column(String(200), default="")
    # "YYYY-MM", or empty when the submitter has no preference.
    preferred_month: Mapped[str] = mapped_column(String(7), default="")
    # One URL a line, as typed; shown escaped.
    links: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32), default="submitted", index=True)
    # SHA-256 of the private status link's token: a leaked database gives no working links.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Sent with the form once, so a double click stores one proposal.
    submission_nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    tags: Mapped[str] = mapped_column(String(500), default="")
    # The language the person wrote in: the mails they get are written in it.
    language: Mapped[str] = mapped_column(
        String(16), default=lambda: i18n.current_language(), server_default="en"
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=lambda: clock.now(), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=lambda: clock.now(), onupdate=lambda: clock.now()
    )

    guests: Mapped[list["ProposalGuest"]] = relationship(
        back_populates="proposal",
        order_by="ProposalGuest.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    history: Mapped[list["ProposalHistory"]] = relationship(
        back_populates="proposal",
        order_by="ProposalHistory.id",
        cascade="all, delete-orphan",
    )
    episode: Mapped["Episode | None"] = relationship(  # noqa: F821
        back_populates="proposal", uselist=False, foreign_keys="Episode.proposal_id"
    )
    segment: Mapped["EpisodeSegment | None"] = relationship(  # noqa: F821
        back_populates="proposal", uselist=False, foreign_keys="EpisodeSegment.proposal_id"
    )
    claimed_by: Mapped["User | None"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.status}>"


class ProposalGuest(GuestColumns, db.Model):
    __tablename__ = "proposal_guests"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )

    proposal: Mapped[Proposal] = relationship(back_populates="guests")


class ProposalHistory(HistoryEntryMixin, db.Model):
    __tablename__ = "proposal_history"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    proposal: Mapped[Proposal] = relationship(back_populates="history")
    actor: Mapped["User | None"] = relationship()  # noqa: F821
