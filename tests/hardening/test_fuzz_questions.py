"""Fuzzing the audience's question form: for any input, never a 500; a refused question
stores nothing; a taken one is stored as sent (line ends made one kind, surrounding spaces
trimmed) and shows on the public list as text, never as markup."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openinfra_live.extensions import db
from openinfra_live.questions import services
from openinfra_live.questions.models import Question
from tests.conftest import csrf_token_from
from tests.episodes.builders import make_episode
from tests.hardening.strategies import FUZZ, form
from tests.hardening.support import SSTI, html_problems, snapshot
from tests.hardening.test_fuzz_forms import fresh_client

QUESTION_TABLES = ("questions", "question_history")
QUESTION_FIELDS = {
    "text": st.sampled_from(["How do you upgrade?", "Any advice\r\nfor new operators?"]),
    "name": st.sampled_from(["", "Ana"]),
    "email": st.sampled_from(["", "ana@example.org"]),
    "website": st.just(""),
}


@pytest.fixture
def slug(app) -> str:
    """An episode far ahead (it takes questions), whose page lists approved ones."""
    from datetime import UTC, datetime

    with app.app_context():
        episode = make_episode("Fuzzed questions", datetime(2099, 1, 1, 14, tzinfo=UTC))
        episode.show_questions = True
        db.session.commit()
        return episode.slug


def sent_as_stored(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


@given(data=form(QUESTION_FIELDS))
@FUZZ
def test_fuzzed_questions_never_fail_and_keep_what_was_sent(app, slug, data):
    client = fresh_client(app)
    with app.app_context():
        before = snapshot(QUESTION_TABLES)
    page = client.get(f"/episodes/{slug}/").get_data(as_text=True)
    response = client.post(
        f"/episodes/{slug}/questions", data={"csrf_token": csrf_token_from(page), **data}
    )

    assert response.status_code < 500
    with app.app_context():
        if response.status_code != 303 or data["website"]:
            assert snapshot(QUESTION_TABLES) == before
            return
        # The same words from the same address are one question (a resend), whoever signs them.
        stored = db.session.scalar(
            db.select(Question).where(Question.text == sent_as_stored(str(data["text"])))
        )
        assert stored is not None
        if stored.status == "submitted":
            services.approve(stored, actor=None)
            db.session.commit()
    listed = client.get(f"/episodes/{slug}/").get_data(as_text=True)
    assert html_problems(listed) == []
    if SSTI in str(data["text"]):
        assert SSTI in listed, "template syntax typed by a visitor must stay literal"
