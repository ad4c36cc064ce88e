"""What the audience, the moderators and the hosts read of the questions."""

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from openinfra_live.questions.models import Question
from openinfra_live.questions.states import MERGE_TARGETS, PUBLIC, WAITING, QuestionState

_PUBLIC = [state.value for state in PUBLIC]
_WAITING = [state.value for state in WAITING]


@dataclass(frozen=True)
class PublicList:
    """The approved questions of an episode, newest first, and how many were answered."""

    questions: list[Question]
    answered: int


def public_list(episode: Episode) -> PublicList:
    """What the episode's page lists (in one query), when the moderators chose to list it."""
    questions = list(
        db.session.scalars(
            select(Question)
            .where(Question.episode_id == episode.id, Question.status.in_(_PUBLIC))
            .order_by(Question.created_at.desc(), Question.id.desc())
        )
    )
    answered = sum(1 for q in questions if q.status == QuestionState.ANSWERED.value)
    return PublicList(questions, answered)


def waiting_count() -> int:
    """Questions waiting for a moderator, every episode together."""
    count = select(func.count()).select_from(Question).where(Question.status.in_(_WAITING))
    return db.session.scalar(count) or 0


@dataclass
class EpisodeQuestions:
    """One episode's part of the moderators' list."""

    episode: Episode
    waiting: list[Question] = field(default_factory=list)
    # What a waiting question may be merged into: the episode's questions not set aside.
    targets: list[Question] = field(default_factory=list)


def waiting_by_episode() -> list[EpisodeQuestions]:
    """Waiting questions by episode, oldest first; the episode with the oldest one first."""
    rows = db.session.scalars(
        select(Question)
        .where(Question.status.in_(_WAITING))
        .options(selectinload(Question.episode))
        .order_by(Question.created_at, Question.id)
    )
    groups: dict[int, EpisodeQuestions] = {}
    for question in rows:
        group = groups.setdefault(question.episode_id, EpisodeQuestions(question.episode))
        group.waiting.append(question)
    if groups:
        targets = db.session.scalars(
            select(Question)
            .where(
                Question.episode_id.in_(list(groups)),
                Question.status.in_([state.value for state in MERGE_TARGETS]),
            )
            .order_by(Question.created_at, Question.id)
        )
        for target in targets:
            groups[target.episode_id].targets.append(target)
    return list(groups.values())


@dataclass(frozen=True)
class EpisodeTally:
    episode: Episode
    waiting: int
    listed: int
    answered: int


def episodes_with_questions(limit: int = 30) -> list[EpisodeTally]:
    """The episodes that received questions, latest first, with their counts by kind."""
    counts = (
        select(
            Question.episode_id,
            func.count().filter(Question.status.in_(_WAITING)).label("waiting"),
            func.count().filter(Question.status.in_(_PUBLIC)).label("listed"),
            func.count().filter(Question.status == QuestionState.ANSWERED.value).label("answered"),
        )
        .group_by(Question.episode_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Episode, counts.c.waiting, counts.c.listed, counts.c.answered)
        .join(counts, counts.c.episode_id == Episode.id)
        .order_by(Episode.starts_at.desc())
        .limit(limit)
    )
    return [EpisodeTally(*row) for row in rows]


@dataclass(frozen=True)
class Reading:
    """A question on the hosts' list, with how many others asked it too."""

    question: Question
    also_asked: int


def run_of_show(episode: Episode) -> list[Reading]:
    """The approved questions in the moderators' order, answered ones included (and marked)."""
    questions = list(
        db.session.scalars(
            select(Question)
            .where(Question.episode_id == episode.id, Question.status.in_(_PUBLIC))
            .order_by(Question.position, Question.id)
        )
    )
    merged = dict(
        db.session.execute(
            select(Question.duplicate_of_id, func.count())
            .where(Question.episode_id == episode.id, Question.duplicate_of_id.is_not(None))
            .group_by(Question.duplicate_of_id)
        ).all()
    )
    return [Reading(q, merged.get(q.id, 0)) for q in questions]


def merge_choices(question: Question) -> list[Question]:
    """The questions of the same episode that ``question`` may be merged into."""
    return list(
        db.session.scalars(
            select(Question)
            .where(
                Question.episode_id == question.episode_id,
                Question.id != question.id,
                Question.status.in_([state.value for state in MERGE_TARGETS]),
            )
            .order_by(Question.created_at, Question.id)
        )
    )
