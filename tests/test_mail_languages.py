"""A mail is written in the language of the person it goes to: the one stored with the
proposal, PTG registration or audience question they sent, whatever the language of the
moderator whose action sends it."""

import pytest
from flask_babel import gettext

from openinfra_live import i18n, workflow
from openinfra_live.episodes.models import EpisodeLink
from openinfra_live.extensions import db
from openinfra_live.outbox import OutboxMail
from openinfra_live.proposals.models import Proposal
from openinfra_live.ptg import registrations
from openinfra_live.questions import services as questions
from tests.conftest import post_form
from tests.proposals.builders import VALID_FORM, freeze_clock
from tests.ptg.builders import make_event, make_team
from tests.questions.builders import NOW, YOUTUBE, make_question, upcoming_episode

LANGUAGES = ["en", "zh_Hans_CN", "pt_BR"]


@pytest.fixture
def move_clock(monkeypatch):
    return freeze_clock(monkeypatch, NOW)


def in_language(language: str, message: str, **values) -> str:
    with i18n.written_in(language):
        return gettext(message, **values)


def sent_mails() -> list[OutboxMail]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id)))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_team_is_told_in_the_language_it_registered_in(app_ctx, language):
    event = make_event()
    team = make_team(event, "Nova", status="pending", language=language)
    db.session.commit()

    # The moderator's own page is in English.
    with app_ctx.test_request_context(headers={"Accept-Language": "en"}):
        registrations.approve_team(team, actor=None)
        workflow.commit()

    (mail,) = sent_mails()
    assert mail.language == language
    assert mail.subject == in_language(language, "PTG registration approved: %(team)s", team="Nova")
    if language != "en":
        assert "approved" not in mail.subject


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_asker_is_told_in_the_language_of_the_question(app_ctx, move_clock, language):
    episode = upcoming_episode("Operators on the edge")
    question = make_question(episode, status="answered", email="ana@example.org")
    question.language = language
    db.session.add(EpisodeLink(episode_id=episode.id, platform=YOUTUBE[0], url=YOUTUBE[1]))
    db.session.commit()

    with app_ctx.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert questions.tell_askers(episode) == 1
        workflow.commit()

    (mail,) = sent_mails()
    subject = "Your question was answered on OpenInfra Live: %(title)s"
    assert mail.language == language
    assert mail.subject == in_language(language, subject, title="Operators on the edge")
    assert YOUTUBE[1] in mail.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_submitter_is_told_in_the_language_the_idea_was_sent_in(client, language):
    headers = {"Accept-Language": i18n.html_lang(language)}
    response = post_form(client, "/propose", VALID_FORM, headers=headers)
    assert response.status_code == 303

    with client.application.app_context():
        (mail,) = sent_mails()
        (proposal,) = db.session.scalars(db.select(Proposal))
        assert proposal.language == mail.language == language
        subject = "We received your episode idea: %(title)s"
        assert mail.subject == in_language(language, subject, title=VALID_FORM["title"])
    if language != "en":
        assert "We received" not in mail.subject
