"""An upcoming episode taking questions, and questions in any state, for the tests."""

from datetime import UTC, datetime, timedelta

from openinfra_live import clock
from openinfra_live.extensions import db
from openinfra_live.questions import services
from openinfra_live.questions.models import Question
from tests.episodes.builders import make_episode

NOW = datetime(2031, 5, 6, 12, 0, tzinfo=UTC)
YOUTUBE = ("YouTube", "https://www.youtube.com/watch?v=pHHCIGkpNzs")


def upcoming_episode(title: str = "Operators on the edge", starts_at=None, **fields):
    """An episode two days after ``clock.now()`` (freeze it first) unless told otherwise."""
    return make_episode(title, starts_at or clock.now() + timedelta(days=2), **fields)


def make_question(
    episode, text: str = "How do you upgrade?", *, status: str = "submitted", **fields
) -> Question:
    """A question stored as the form stores it, then moved to ``status`` as a moderator would."""
    asked = services.ask(
        episode,
        text,
        name=fields.pop("name", ""),
        email=fields.pop("email", ""),
        sender=fields.pop("sender", "192.0.2.1"),
    )
    question = asked.question
    if status in {"approved", "answered"}:
        services.approve(question, actor=None)
    if status == "answered":
        services.answer(question, actor=None)
    if status == "rejected":
        services.reject(question, actor=None)
    db.session.commit()
    return question
