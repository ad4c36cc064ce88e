"""Questions the audience sends the guests of an episode, and their history."""

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openinfra_live import clock, i18n
from openinfra_live.database import UTCDateTime
from openinfra_live.extensions import db
from openinfra_live.workflow import HistoryEntryMixin


class Question(db.Model):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    # Plain text as sent (line ends made one kind); never cleaned into HTML, always escaped.
    text: Mapped[str] = mapped_column(Text)
    # The name to read out; empty is "anonymous".
    asker_name: Mapped[str] = mapped_column(String(80), default="")
    # Only to tell the asker the question was answered; erased once told or rejected.
    asker_email: Mapped[str] = mapped_column(String(254), default="")
    status: Mapped[str] = mapped_column(String(32), default="submitted", index=True)
    # The hosts' reading order among the approved questions of the episode.
    position: Mapped[int] = mapped_column(Integer, default=0)
    # A duplicate merged into another question points at it.
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="SET NULL")
    )
    # A keyed hash of the episode, the sender's address and the text: the same question sent
    # twice (a double click, a reload) is stored once. Not reversible without the secret key.
    fingerprint: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The language the person wrote in: the mails they get are written in it.
    language: Mapped[str] = mapped_column(
        String(16), default=lambda: i18n.current_language(), server_default="en"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=lambda: clock.now(), onupdate=lambda: clock.now()
    )

    # One way: an episode never loads its questions (the database deletes them with it).
    episode: Mapped["Episode"] = relationship()  # noqa: F821
    duplicate_of: Mapped["Question | None"] = relationship(remote_side=[id])
    history: Mapped[list["QuestionHistory"]] = relationship(
        back_populates="question",
        order_by="QuestionHistory.id",
        cascade="all, delete-orphan",
    )

    @property
    def shown_name(self) -> str:
        return self.asker_name or gettext("Anonymous")

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.status}>"


class QuestionHistory(HistoryEntryMixin, db.Model):
    __tablename__ = "question_history"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[Question] = relationship(back_populates="history")
    actor: Mapped["User | None"] = relationship()  # noqa: F821
