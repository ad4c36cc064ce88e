"""The pages and the mail about questions, in every state, read in words: no state or action
name, no Python value, no plural for one thing."""

import pytest

from openinfra_live import workflow
from openinfra_live.episodes.models import EpisodeLink
from openinfra_live.questions import services
from tests.questions.builders import YOUTUBE, make_question, upcoming_episode
from tests.test_plain_words import problems_in, read, report

pytestmark = pytest.mark.usefixtures("move_clock")


def test_every_page_and_the_mail_about_questions_read_in_words(app, client, login_as, monkeypatch):
    sent = []
    monkeypatch.setattr(
        "openinfra_live.mail.send",
        lambda to, subject, template, body="", **ctx: sent.append((subject, body)),
    )
    with app.app_context():
        episode = upcoming_episode(show_questions=True)
        one = make_question(episode, "One answered", status="answered", email="a@example.org")
        make_question(episode, "One approved", status="approved", sender="2")
        make_question(episode, "One waiting", sender="3", name="Ana")
        make_question(episode, "One rejected", status="rejected", sender="4")
        duplicate = make_question(episode, "One merged", sender="5", email="b@example.org")
        services.merge(duplicate, one, actor=None)
        episode.links.append(EpisodeLink(platform=YOUTUBE[0], url=YOUTUBE[1], position=0))
        services.tell_askers(episode)
        workflow.commit()
        slug, episode_id = episode.slug, episode.id
    visitor = app.test_client()
    pages = {
        f"/episodes/{slug}/": visitor,
        f"/episodes/{slug}/questions": visitor,
    }
    login_as(client)
    pages |= {
        "/moderation/questions/": client,
        f"/moderation/questions/episodes/{episode_id}": client,
        "/moderation/audit": client,
        "/moderation/": client,
    }
    found = {}
    for address, reader in pages.items():
        response = reader.get(address)
        assert response.status_code == 200, address
        page = read(response.get_data(as_text=True))
        if problems := problems_in(page.text, page.details):
            found[address] = problems
    assert len(sent) == 2
    for subject, body in sent:
        if problems := problems_in(f"{subject}\n{body}"):
            found[subject] = problems
    assert not found, report(found)
