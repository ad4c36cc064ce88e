"""Asking the guests a question from an episode's page: the rules of the public form."""

from datetime import timedelta

import pytest

from openinfra_live import clock
from openinfra_live.caching import version
from openinfra_live.extensions import db
from openinfra_live.questions.models import Question
from tests.conftest import csrf_token_from
from tests.questions.builders import upcoming_episode

pytestmark = pytest.mark.usefixtures("move_clock")


def questions() -> list[Question]:
    return list(db.session.scalars(db.select(Question).order_by(Question.id)))


def ask(client, slug: str, headers: dict | None = None, **fields):
    """Read the episode's page as a visitor, then send its form with ``fields``."""
    page = client.get(f"/episodes/{slug}/").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "text": "How do you upgrade?", **fields}
    return client.post(f"/episodes/{slug}/questions", data=data, headers=headers or {})


@pytest.fixture
def slug(app_ctx) -> str:
    return upcoming_episode().slug


def test_a_question_sent_from_the_episode_page_is_stored_and_acknowledged(client, slug):
    page = client.get(f"/episodes/{slug}/").get_data(as_text=True)
    assert f'action="/episodes/{slug}/questions"' in page
    assert 'name="website"' in page  # the honeypot
    response = ask(
        client, slug, text="  What is next\r\nfor the edge?  ", name="Ana", email="ana@example.org"
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/episodes/{slug}/#questions")
    [question] = questions()
    assert (question.text, question.asker_name, question.asker_email) == (
        "What is next\nfor the edge?",
        "Ana",
        "ana@example.org",
    )
    assert question.status == "submitted"
    assert [entry.action for entry in question.history] == ["ask"]
    shown = client.get(f"/episodes/{slug}/").get_data(as_text=True)
    assert "your question was received" in shown


def test_the_question_page_takes_the_same_form(client, slug):
    page = client.get(f"/episodes/{slug}/questions")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    data = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), "text": "Any news?"}
    assert client.post(f"/episodes/{slug}/questions", data=data).status_code == 303
    assert [q.text for q in questions()] == ["Any news?"]


def test_the_form_token_is_the_same_for_every_visitor_so_the_page_can_be_cached(app, slug):
    first, second = app.test_client(), app.test_client()
    token = csrf_token_from(first.get(f"/episodes/{slug}/").get_data(as_text=True))
    assert token == csrf_token_from(second.get(f"/episodes/{slug}/").get_data(as_text=True))
    data = {"csrf_token": token, "text": "Sent by a second visitor"}
    assert second.post(f"/episodes/{slug}/questions", data=data).status_code == 303


@pytest.mark.parametrize(
    "token, headers",
    [
        (None, {}),
        ("forged", {}),
        ("other-episode", {}),
        ("good", {"Origin": "https://evil.example"}),
        ("good", {"Sec-Fetch-Site": "cross-site"}),
    ],
)
def test_a_post_without_this_page_s_token_or_from_another_site_is_refused(
    client, slug, token, headers
):
    other = upcoming_episode("Another episode", starts_at=clock.now() + timedelta(days=9))
    tokens = {
        "good": csrf_token_from(client.get(f"/episodes/{slug}/").get_data(as_text=True)),
        "other-episode": csrf_token_from(
            client.get(f"/episodes/{other.slug}/").get_data(as_text=True)
        ),
        "forged": "abc.def.ghi",
    }
    data = {"text": "A forged question"}
    if token:
        data["csrf_token"] = tokens[token]
    response = client.post(f"/episodes/{slug}/questions", data=data, headers=headers)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Please submit the form again" in body
    assert "A forged question" in body  # nothing typed is lost
    assert questions() == []


def test_the_form_of_this_site_is_accepted_with_its_own_origin(client, slug):
    headers = {"Origin": "http://live.test", "Sec-Fetch-Site": "same-origin"}
    assert ask(client, slug, headers=headers).status_code == 303


def test_an_expired_form_comes_back_with_what_was_typed(client, slug, monkeypatch):
    import time

    from openinfra_live.forms import SHARED_FORM_TOKEN_MAX_AGE

    real_time = time.time
    # The page was read long ago (its token is dated by the real clock, not the site's).
    with monkeypatch.context() as past:
        past.setattr(time, "time", lambda: real_time() - SHARED_FORM_TOKEN_MAX_AGE - 60)
        old = csrf_token_from(client.get(f"/episodes/{slug}/questions").get_data(as_text=True))
    data = {"csrf_token": old, "text": "Written slowly"}
    response = client.post(f"/episodes/{slug}/questions", data=data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Please submit the form again" in body and "Written slowly" in body
    assert questions() == []
    # The page sent back carries a fresh token (the visitor's own): sending it again works.
    data["csrf_token"] = csrf_token_from(body)
    assert client.post(f"/episodes/{slug}/questions", data=data).status_code == 303
    assert [q.text for q in questions()] == ["Written slowly"]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"text": ""}, "Write your question."),
        ({"text": "   "}, "Write your question."),
        ({"text": "x" * 501}, "Keep your question under 500 characters."),
        ({"name": "n" * 81}, "Keep the name under 80 characters."),
        ({"email": "not-an-address"}, "Give an e-mail address like name@example.org"),
    ],
)
def test_bad_input_gets_its_error_and_keeps_what_was_typed(client, slug, fields, message):
    response = ask(client, slug, **{"name": "Kept name", **fields})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body
    assert "Kept name" in body or "name" in fields
    assert questions() == []


def test_a_question_of_500_characters_is_taken(client, slug):
    assert ask(client, slug, text="é" * 500).status_code == 303
    assert len(questions()[0].text) == 500


def test_the_honeypot_looks_like_success_and_stores_nothing(client, slug):
    response = ask(client, slug, website="https://spam.example")
    assert response.status_code == 303
    assert questions() == []


def test_a_double_click_stores_one_question(client, slug):
    page = client.get(f"/episodes/{slug}/").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "text": "Only once, please"}
    assert client.post(f"/episodes/{slug}/questions", data=data).status_code == 303
    assert client.post(f"/episodes/{slug}/questions", data=data).status_code == 303
    assert len(questions()) == 1
    assert "already received" in client.get(f"/episodes/{slug}/").get_data(as_text=True)


def test_two_people_asking_the_same_words_are_two_questions(app, slug):
    for address in ("192.0.2.10", "192.0.2.11"):
        client = app.test_client()
        page = client.get(f"/episodes/{slug}/").get_data(as_text=True)
        data = {"csrf_token": csrf_token_from(page), "text": "Same words"}
        response = client.post(
            f"/episodes/{slug}/questions", data=data, environ_base={"REMOTE_ADDR": address}
        )
        assert response.status_code == 303
    assert len(questions()) == 2


def test_submissions_are_rate_limited_per_address(app, client, slug):
    app.config["RATELIMIT_PUBLIC_FORMS"] = "2 per minute"
    for n in range(2):
        assert ask(client, slug, text=f"Question {n}").status_code == 303
    response = ask(client, slug, text="One too many")
    assert response.status_code == 429
    assert client.get(f"/episodes/{slug}/questions").status_code == 200
    assert len(questions()) == 2


def test_an_oversized_request_is_refused(app, client, slug):
    page = client.get(f"/episodes/{slug}/").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(page),
        "text": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
    }
    response = client.post(f"/episodes/{slug}/questions", data=data)
    assert response.status_code == 413
    assert questions() == []


def test_questions_are_taken_until_the_episode_ends_then_refused_clearly(client, slug, move_clock):
    page = client.get(f"/episodes/{slug}/").get_data(as_text=True)
    token = csrf_token_from(page)
    # On air: still open.
    move_clock(clock.now() + timedelta(days=2, minutes=30))
    data = {"csrf_token": token, "text": "Asked while on air"}
    assert client.post(f"/episodes/{slug}/questions", data=data).status_code == 303
    # Over: the page no longer offers the form, and a late POST is refused with its text shown.
    move_clock(clock.now() + timedelta(minutes=31))
    page = client.get(f"/episodes/{slug}/").get_data(as_text=True)
    assert "/questions" not in page
    late = client.post(f"/episodes/{slug}/questions", data={**data, "text": "Too late"})
    assert late.status_code == 409
    body = late.get_data(as_text=True)
    assert "takes no more questions" in body and "Too late" in body
    assert client.get(f"/episodes/{slug}/questions").status_code == 200
    assert [q.text for q in questions()] == ["Asked while on air"]


def test_hidden_and_unknown_episodes_take_no_question(client, app_ctx):
    hidden = upcoming_episode("Hidden one", hidden=True)
    for slug in (hidden.slug, "no-such-episode"):
        assert client.get(f"/episodes/{slug}/questions").status_code == 404
        response = client.post(f"/episodes/{slug}/questions", data={"text": "Hello?"})
        assert response.status_code == 404
    assert questions() == []


def test_a_new_question_changes_no_public_page(client, slug):
    before = version.read().token
    assert ask(client, slug).status_code == 303
    assert version.read().token == before


XSS = '<script>alert(1)</script> see https://evil.example/x "><img src=x onerror=alert(2)>'


def test_a_question_with_markup_or_a_link_is_stored_as_sent(client, slug):
    assert ask(client, slug, text=XSS, name="<b>Bold</b>").status_code == 303
    [question] = questions()
    assert question.text == XSS and question.asker_name == "<b>Bold</b>"


def test_markup_sent_back_with_an_error_is_escaped(client, slug):
    response = ask(client, slug, text=XSS, name="<b>Bold</b>", email="bad")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "<script>alert(1)" not in body and "<img src=x" not in body and "<b>Bold" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert 'href="https://evil.example' not in body
