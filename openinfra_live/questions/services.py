"""The verbs of audience questions: asking, the moderators' decisions, the hosts' order, and
telling askers their question was answered. Every state change goes through ``QUESTIONS``."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from openinfra_live import audit, clock, tokens, workflow
from openinfra_live.caching import version
from openinfra_live.episodes import importer
from openinfra_live.episodes.models import Episode
from openinfra_live.episodes.recordings import recording_of
from openinfra_live.extensions import db
from openinfra_live.questions.models import Question
from openinfra_live.questions.states import (
    MERGE_TARGETS,
    PUBLIC,
    QUESTIONS,
    QuestionAction,
    QuestionState,
)
from openinfra_live.urls import site_url_for
from openinfra_live.workflow import TransitionNotAllowed

MAX_TEXT = 500
MAX_NAME = 80


class QuestionsClosed(Exception):
    """The episode takes no more questions: it has ended."""


def takes_questions(episode: Episode, now: datetime) -> bool:
    """Questions are taken from the moment a visible episode is scheduled until it ends."""
    return not episode.hidden and now < episode.ends_at


@dataclass(frozen=True)
class Asked:
    question: Question
    # False when the same question from the same sender was already stored (a double click).
    created: bool


def _fingerprint(episode: Episode, sender: str, text: str) -> str:
    return tokens.derive(b"question\n", f"{episode.id}\n{sender}\n{text}")


def ask(episode: Episode, text: str, *, name: str, email: str, sender: str) -> Asked:
    """Store a question sent from the episode's page, once however often it is sent.

    ``sender`` is the address it came from: with the text it tells a resend from a new
    question. Raises ``QuestionsClosed`` when the episode has ended or is hidden.
    """
    if not takes_questions(episode, clock.now()):
        raise QuestionsClosed(episode.slug)
    fingerprint = _fingerprint(episode, sender, text)
    existing = db.session.scalar(select(Question).where(Question.fingerprint == fingerprint))
    if existing is not None:
        return Asked(existing, created=False)
    question = Question(
        episode=episode,
        text=text,
        asker_name=name,
        asker_email=email,
        status=QuestionState.SUBMITTED.value,
        fingerprint=fingerprint,
        created_at=clock.now(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(question)
            QUESTIONS.record(question, "ask", to_status=QuestionState.SUBMITTED.value)
    except IntegrityError:  # the same question, sent twice at the same moment
        existing = db.session.scalar(select(Question).where(Question.fingerprint == fingerprint))
        return Asked(existing, created=False)
    return Asked(question, created=True)


def _public_list_changed() -> None:
    # Questions are not a public table (a new one shows nowhere); approved ones may be listed
    # on the episode's page, so their changes are content changes.
    version.mark_changed(db.session())


def approve(question: Question, *, actor: Any) -> Any:
    """Put the question on the hosts' list, last. Side effect: a content change."""
    entry = QUESTIONS.apply(question, QuestionAction.APPROVE, actor=actor, public=False)
    last = db.session.scalar(
        select(func.max(Question.position)).where(
            Question.episode_id == question.episode_id,
            Question.status.in_([state.value for state in PUBLIC]),
            Question.id != question.id,
        )
    )
    question.position = (last or 0) + 1
    _public_list_changed()
    return entry


def reject(question: Question, *, actor: Any) -> Any:
    """Set the question aside; its e-mail address, of no more use, is erased."""
    entry = QUESTIONS.apply(question, QuestionAction.REJECT, actor=actor, public=False)
    question.asker_email = ""
    return entry


def merge(question: Question, into: Question, *, actor: Any) -> Any:
    """Set a duplicate aside in favour of ``into``; its asker is told when ``into`` is answered."""
    if into.id == question.id or into.episode_id != question.episode_id:
        raise TransitionNotAllowed(
            gettext("A question can only be merged into another of its episode.")
        )
    if into.status not in MERGE_TARGETS:
        raise TransitionNotAllowed(gettext("That question was rejected: merge into another one."))
    was_public = question.status in PUBLIC
    entry = QUESTIONS.apply(
        question,
        QuestionAction.MERGE,
        actor=actor,
        public=False,
        changes={"duplicate_of": [None, into.id]},
    )
    question.duplicate_of = into
    if was_public:
        _public_list_changed()
    tell_askers(question.episode)
    return entry


def answer(question: Question, *, actor: Any) -> Any:
    """Mark the question answered on air; its askers are told once the recording exists."""
    entry = QUESTIONS.apply(question, QuestionAction.ANSWER, actor=actor, public=False)
    _public_list_changed()
    tell_askers(question.episode)
    return entry


def move(question: Question, step: int, *, actor: Any) -> bool:
    """Move an approved question ``step`` places (-1 up, +1 down) in the hosts' order.

    Returns False when it is already first or last. The order is the moderators' only.
    """
    listed = list(
        db.session.scalars(
            select(Question)
            .where(
                Question.episode_id == question.episode_id,
                Question.status.in_([state.value for state in PUBLIC]),
            )
            .order_by(Question.position, Question.id)
        )
    )
    if question not in listed:
        raise TransitionNotAllowed(
            gettext("Only approved questions have a place in the hosts' list.")
        )
    index = listed.index(question)
    target = index + step
    if not 0 <= target < len(listed):
        return False
    listed[index], listed[target] = listed[target], listed[index]
    for position, item in enumerate(listed, start=1):
        item.position = position
    audit.record("question.move", question, actor=actor, detail={"to": target + 1})
    return True


def show_on_episode_page(episode: Episode, shown: bool, *, actor: Any) -> None:
    """The moderators' choice to list the episode's approved questions on its page."""
    episode.show_questions = shown
    audit.record("episode.questions_listed" if shown else "episode.questions_unlisted", episode)


def tell_waiting_askers() -> int:
    """``tell_askers`` for every episode with an answered question whose asker waits to be
    told (after an import, which may bring many recordings at once)."""
    waiting = select(Question.episode_id).where(
        Question.asker_email != "",
        Question.status.in_([QuestionState.ANSWERED.value, QuestionState.REJECTED.value]),
    )
    episodes = db.session.scalars(select(Episode).where(Episode.id.in_(waiting.distinct())))
    return sum(tell_askers(episode) for episode in episodes)


def _after_import(report: Any) -> None:
    tell_waiting_askers()


# A module-level receiver: the signal keeps a weak reference, which a module function outlives.
importer.imported.connect(_after_import)


def tell_askers(episode: Episode) -> int:
    """Mail every asker of an answered question of ``episode`` (duplicates merged into it
    included) who left an address, once the recording exists; each address is then erased,
    so nobody is told twice. Returns how many mails were queued (sent by ``workflow.commit``).
    """
    recording = recording_of(episode)
    if recording is None:
        return 0
    answered = QuestionState.ANSWERED.value
    waiting = db.session.scalars(
        select(Question).where(Question.episode_id == episode.id, Question.asker_email != "")
    )
    told = 0
    for question in waiting:
        read_out = question.duplicate_of if question.duplicate_of_id else question
        if read_out is None or read_out.status != answered:
            continue
        workflow.queue(
            question.asker_email,
            lazy_gettext(
                "Your question was answered on OpenInfra Live: %(title)s", title=episode.title
            ),
            "mail/question_answered.txt",
            language=question.language,
            question=question,
            read_out=read_out,
            episode=episode,
            recording_url=recording.watch_url,
            episode_url=site_url_for("episodes.detail", slug=episode.slug),
        )
        question.asker_email = ""
        told += 1
    return told
