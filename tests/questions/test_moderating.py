"""Moderators approve, reject, merge and order questions; the hosts' page and the public list
show the right ones in the right order; askers are told once, by mail, with the recording."""

import pytest

from openinfra_live import workflow
from openinfra_live.audit import AuditEntry
from openinfra_live.caching import version
from openinfra_live.episodes.models import EpisodeLink
from openinfra_live.extensions import db
from openinfra_live.maintenance import export_data
from openinfra_live.outbox import OutboxMail
from openinfra_live.questions import services
from openinfra_live.questions.models import Question
from tests.conftest import csrf_token_from
from tests.moderation.test_episodes import form_data
from tests.proposals.test_mail import body_of, header
from tests.proposals.test_mail import inbox as inbox  # noqa: F401  (a fixture)
from tests.questions.builders import YOUTUBE, make_question, upcoming_episode

pytestmark = pytest.mark.usefixtures("move_clock")


@pytest.fixture
def episode(app_ctx):
    return upcoming_episode()


@pytest.fixture
def moderator(client, login_as):
    login_as(client)
    return client


def act(client, path: str, **data):
    """POST a moderator's button from the questions page, with the page's token."""
    token = csrf_token_from(client.get("/moderation/questions/").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def save_episode(client, episode, edit_url: str, **overrides):
    """Save the episode's edit form with its YouTube recording as the first link."""
    token = csrf_token_from(client.get(edit_url).get_data(as_text=True))
    fields = {"title": episode.title, "starts_at": episode.starts_at.strftime("%Y-%m-%dT%H:%M")}
    fields |= {"links-0-url": YOUTUBE[1], "links-2-platform": "", "links-2-url": ""}
    data = form_data(**(fields | overrides))
    return client.post(edit_url, data={"csrf_token": token, **data})


def visit(app, path: str):
    """A visitor's GET, in an app context of its own: the test's context holds the signed-in
    moderator's user in ``g``, which a request in it would reuse."""
    with app.app_context():
        return app.test_client().get(path)


def status_of(question_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Question, question_id).status


def test_only_moderators_see_the_questions(client, episode):
    question = make_question(episode)
    response = client.get("/moderation/questions/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    token = csrf_token_from(client.get(f"/episodes/{episode.slug}/questions").get_data(True))
    refused = client.post(
        f"/moderation/questions/{question.id}/approve", data={"csrf_token": token}
    )
    assert refused.status_code in {302, 400}
    assert status_of(question.id) == "submitted"


def test_waiting_questions_are_listed_by_episode_oldest_first(moderator, episode):
    later = upcoming_episode("Later episode", starts_at=episode.starts_at.replace(day=20))
    make_question(later, "On the later one")
    first = make_question(episode, "First asked", sender="192.0.2.1")
    second = make_question(episode, "Second asked", sender="192.0.2.2")
    make_question(episode, "Already approved", status="approved")
    page = moderator.get("/moderation/questions/").get_data(as_text=True)
    waiting = page.split("Episodes with questions")[0]
    assert waiting.index("On the later one") < waiting.index("First asked")
    assert waiting.index("First asked") < waiting.index("Second asked")
    assert "Already approved" not in waiting.split(f'id="question-{first.id}"')[0]
    assert f'id="question-{second.id}"' in waiting


def test_approve_reject_and_answer_go_through_the_workflow(moderator, episode):
    kept = make_question(episode, "Kept")
    dropped = make_question(episode, "Dropped", email="drop@example.org", sender="192.0.2.9")
    assert act(moderator, f"/moderation/questions/{kept.id}/approve").status_code == 303
    assert act(moderator, f"/moderation/questions/{dropped.id}/reject").status_code == 303
    assert (status_of(kept.id), status_of(dropped.id)) == ("approved", "rejected")
    # A rejected question's address is of no more use.
    assert db.session.get(Question, dropped.id).asker_email == ""
    assert act(moderator, f"/moderation/questions/{kept.id}/answer").status_code == 303
    assert status_of(kept.id) == "answered"
    actions = [entry.action for entry in db.session.get(Question, kept.id).history]
    assert actions == ["ask", "approve", "answer"]
    audited = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert {"question.approve", "question.reject", "question.answer"} <= set(audited)


@pytest.mark.parametrize(
    "state, action",
    [
        ("submitted", "answer"),
        ("approved", "approve"),
        ("approved", "reject"),
        ("rejected", "approve"),
        ("answered", "reject"),
    ],
)
def test_the_table_refuses_what_it_does_not_allow(moderator, episode, state, action):
    question = make_question(episode, status=state)
    response = act(moderator, f"/moderation/questions/{question.id}/{action}")
    assert response.status_code == 303
    assert status_of(question.id) == state
    flashes = moderator.get("/moderation/questions/").get_data(as_text=True)
    assert "cannot be" in flashes


def test_a_duplicate_is_merged_into_the_question_it_repeats(moderator, episode):
    original = make_question(episode, "How do upgrades work?", status="approved")
    duplicate = make_question(episode, "How do you upgrade?", sender="192.0.2.7")
    page = moderator.get("/moderation/questions/").get_data(as_text=True)
    assert f'<option value="{original.id}">' in page
    response = act(moderator, f"/moderation/questions/{duplicate.id}/merge", into=original.id)
    assert response.status_code == 303
    assert status_of(duplicate.id) == "rejected"
    assert db.session.get(Question, duplicate.id).duplicate_of_id == original.id
    run = moderator.get(f"/moderation/questions/episodes/{episode.id}").get_data(as_text=True)
    assert "also asked by 1 other" in run


def test_a_question_cannot_be_merged_into_itself_or_another_episode(moderator, episode):
    other_episode = upcoming_episode("Other", starts_at=episode.starts_at.replace(day=25))
    elsewhere = make_question(other_episode, "Elsewhere")
    question = make_question(episode, "Here")
    for into in (question.id, elsewhere.id, 999999):
        act(moderator, f"/moderation/questions/{question.id}/merge", into=into)
        assert status_of(question.id) == "submitted"


def test_the_hosts_order_is_set_with_up_and_down_buttons(moderator, episode):
    first, second, third = (
        make_question(episode, text, status="approved", sender=text)
        for text in ("Alpha question", "Bravo question", "Charlie question")
    )
    run_url = f"/moderation/questions/episodes/{episode.id}"

    def order() -> list[str]:
        page = moderator.get(run_url).get_data(as_text=True)
        found = [(page.index(t), t) for t in ("Alpha", "Bravo", "Charlie")]
        return [t for _, t in sorted(found)]

    assert order() == ["Alpha", "Bravo", "Charlie"]
    token = csrf_token_from(moderator.get(run_url).get_data(as_text=True))
    move = f"/moderation/questions/{third.id}/move"
    assert moderator.post(move, data={"csrf_token": token, "step": "-1"}).status_code == 303
    assert order() == ["Alpha", "Charlie", "Bravo"]
    moderator.post(
        f"/moderation/questions/{first.id}/move", data={"csrf_token": token, "step": "1"}
    )
    assert order() == ["Charlie", "Alpha", "Bravo"]
    # Already first: nothing moves, and the moderator is told.
    moderator.post(move, data={"csrf_token": token, "step": "-1"})
    assert order() == ["Charlie", "Alpha", "Bravo"]
    bad = moderator.post(move, data={"csrf_token": token, "step": "5"})
    assert bad.status_code == 400
    # A question approved later goes last.
    late = make_question(episode, "Delta question", sender="late")
    act(moderator, f"/moderation/questions/{late.id}/approve")
    page = moderator.get(run_url).get_data(as_text=True)
    assert page.index("Bravo question") < page.index("Delta question")
    assert second.status == "approved"


def test_the_run_of_show_page_prints_and_reloads_only_while_live(moderator, episode, move_clock):
    make_question(episode, "On the list", status="approved")
    make_question(episode, "Not approved", sender="x")
    run_url = f"/moderation/questions/episodes/{episode.id}"
    page = moderator.get(run_url).get_data(as_text=True)
    assert "On the list" in page and "Not approved" not in page
    assert 'http-equiv="refresh"' not in page
    move_clock(episode.starts_at.replace(minute=10))
    live = moderator.get(run_url).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="30">' in live
    assert "<script>" not in live


def test_the_public_list_is_the_moderators_choice_newest_first(moderator, client, episode):
    make_question(episode, "Older approved", status="approved", name="Ana", sender="1")
    make_question(episode, "Newer answered", status="answered", sender="2")
    make_question(episode, "Still waiting", sender="3")
    make_question(episode, "Was rejected", status="rejected", sender="4")
    slug = episode.slug
    app = client.application
    assert "Older approved" not in visit(app, f"/episodes/{slug}/").get_data(as_text=True)
    run_url = f"/moderation/questions/episodes/{episode.id}"
    token = csrf_token_from(moderator.get(run_url).get_data(as_text=True))
    listing = f"/moderation/questions/episodes/{episode.id}/listing"
    assert moderator.post(listing, data={"csrf_token": token, "shown": "yes"}).status_code == 303
    page = visit(app, f"/episodes/{slug}/").get_data(as_text=True)
    assert page.index("Newer answered") < page.index("Older approved")
    assert "Still waiting" not in page and "Was rejected" not in page
    assert "2 questions, 1 answered on air" in page
    assert "Ana" in page and "Anonymous" in page
    moderator.post(listing, data={"csrf_token": token, "shown": "no"})
    assert "Older approved" not in visit(app, f"/episodes/{slug}/").get_data(as_text=True)


XSS = '<script>alert(1)</script> https://evil.example/x "><img src=x onerror=alert(2)>'


def test_markup_in_a_question_is_escaped_everywhere_it_shows(moderator, client, episode, inbox):
    episode.show_questions = True
    db.session.commit()
    shown = make_question(
        episode, XSS, status="approved", name="<b>Bold</b>", email="a@example.org"
    )
    make_question(episode, XSS + " waiting", name="<i>It</i>", sender="other")
    pages = [
        visit(client.application, f"/episodes/{episode.slug}/"),
        visit(client.application, f"/episodes/{episode.slug}/questions"),
        moderator.get("/moderation/questions/"),
        moderator.get(f"/moderation/questions/episodes/{episode.id}"),
    ]
    for response in pages:
        body = response.get_data(as_text=True)
        assert "a@example.org" not in body, "an asker's address is never shown"
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, response.request.path
        for raw in ("<script>alert", "<img src=x", "<b>Bold", "<i>It"):
            assert raw not in body, (raw, response.request.path)
        assert 'href="https://evil.example' not in body
    episode.links.append(EpisodeLink(platform=YOUTUBE[0], url=YOUTUBE[1], position=0))
    services.answer(shown, actor=None)
    workflow.commit()
    [message] = inbox.wait_for(1)
    assert XSS in body_of(message)  # plain text: the words as sent


def test_the_asker_is_told_once_when_the_recording_exists(moderator, episode, inbox, app):
    question = make_question(episode, "Will it scale?", status="approved", email="ana@example.org")
    merged = make_question(episode, "Does it scale?", email="ben@example.org", sender="b")
    act(moderator, f"/moderation/questions/{merged.id}/merge", into=question.id)
    act(moderator, f"/moderation/questions/{question.id}/answer")
    # No recording yet: nobody is told.
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMail)) == 0
    # A moderator adds the recording on the episode's edit page: both askers are told.
    edit_url = f"/moderation/episodes/{episode.id}/edit"
    assert save_episode(moderator, episode, edit_url).status_code == 303
    messages = inbox.wait_for(2)
    recipients = sorted(message["To"] for message in messages)
    assert recipients == ["ana@example.org", "ben@example.org"]
    for message in messages:
        assert header(message, "Subject").startswith("Your question was answered on OpenInfra Live")
        assert YOUTUBE[1] in body_of(message)
        assert f"http://live.test/episodes/{episode.slug}/" in body_of(message)
    # Addresses are erased once told: saving again tells nobody twice.
    db.session.expire_all()
    assert {q.asker_email for q in db.session.scalars(db.select(Question))} == {""}
    save_episode(moderator, episode, edit_url, title="Saved again")
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMail)) == 2


def test_approving_changes_the_public_content_version(moderator, episode):
    question = make_question(episode)
    before = version.read().token
    act(moderator, f"/moderation/questions/{question.id}/approve")
    assert version.read().token != before


def test_the_queue_counts_waiting_questions_and_the_navigation_leads_there(moderator, episode):
    make_question(episode, "One", sender="1")
    make_question(episode, "Two", sender="2")
    page = moderator.get("/moderation/").get_data(as_text=True)
    assert "2 audience questions wait for review" in page
    assert 'href="/moderation/questions/">Questions</a>' in page


def test_the_json_export_keeps_questions_without_addresses(episode):
    make_question(episode, "Exported", email="secret@example.org")
    exported = export_data()["tables"]["questions"]
    assert [row["text"] for row in exported] == ["Exported"]
    assert "asker_email" not in exported[0] and "fingerprint" not in exported[0]
    assert "secret@example.org" not in str(export_data())


def test_deleting_an_episode_deletes_its_questions(moderator, episode):
    from openinfra_live.proposals import scheduling

    make_question(episode, "Gone with it")
    scheduling.delete_episode(episode, actor=None)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0


def content_file_recording(episode) -> str:
    """A content file that gives ``episode`` its YouTube recording."""
    when = episode.starts_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return (
        "---\ntemplateKey: openinfra-live\nepisodes:\n"
        f'  - episodeTitle: "{episode.title}"\n    date: {when}\n'
        f"    youtubeLink: {YOUTUBE[1]}\n---\n"
    )


def test_a_recording_brought_by_an_imported_content_file_tells_the_askers(
    client, login_as, episode, inbox
):
    from tests.moderation.test_imports import _import_content

    make_question(episode, "Told after the import", status="answered", email="ana@example.org")
    assert inbox.messages == []
    login_as(client, email="admin@example.org", role="admin")
    assert _import_content(client, content_file_recording(episode).encode()).status_code == 200
    [message] = inbox.wait_for(1)
    assert message["To"] == "ana@example.org" and YOUTUBE[1] in body_of(message)


def test_a_recording_brought_by_the_import_command_tells_the_askers(
    episode, inbox, runner, tmp_path
):
    make_question(episode, "Told after the command", status="answered", email="ana@example.org")
    content = tmp_path / "openinfra-live.md"
    content.write_text(content_file_recording(episode), encoding="utf-8")
    result = runner.invoke(args=["import-episodes", str(content)])
    assert result.exit_code == 0, result.output
    [message] = inbox.wait_for(1)
    assert message["To"] == "ana@example.org" and YOUTUBE[1] in body_of(message)
    # Told once: importing again sends nothing more.
    assert runner.invoke(args=["import-episodes", str(content)]).exit_code == 0
    assert len(inbox.messages) == 1
