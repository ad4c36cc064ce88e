"""Audience questions in Chromium: visitors ask (with the keyboard only, and without
JavaScript), a moderator approves two, rejects one, reorders them and marks one answered; the
hosts' page and the public list show the right ones in the right order, and the asker's mail
arrives on a real SMTP server once the recording is added."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from openinfra_live import clock
from openinfra_live.episodes import editing
from openinfra_live.extensions import db
from openinfra_live.questions.models import Question
from tests.browser.conftest import in_app
from tests.browser.support import press_and_wait, screenshot, sign_in, tab_to, type_into
from tests.conftest import make_moderator
from tests.proposals.test_mail import body_of

TITLE = "Storage at the Edge, Live"
RECORDING = "https://www.youtube.com/watch?v=pHHCIGkpNzs"
FIRST = "How do you keep replicas in sync over a slow link?"
SECOND = "What breaks first when a site goes offline?"
THIRD = "Buy cheap followers at spam.example"


def _episode() -> int:
    day = (clock.now() + timedelta(days=10)).date()
    starts = datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC)
    episode = editing.create_episode(title=TITLE, starts_at=starts, duration_minutes=60)
    db.session.commit()
    make_moderator()
    return episode.id


def _stored(live) -> list[tuple[str, str, str]]:
    def read():
        rows = db.session.scalars(db.select(Question).order_by(Question.id))
        return [(q.text, q.asker_name, q.status) for q in rows]

    return in_app(live.app, read)


def _ask_with_the_keyboard(page: Page, url: str) -> None:
    page.goto(url)
    type_into(page, "#text", FIRST)
    type_into(page, "#name", "Ana Keys")
    type_into(page, "#email", "ana@example.org")
    tab_to(page, "form.question-form button[type=submit]")
    press_and_wait(page)
    expect(page.locator(".flash-success")).to_contain_text("your question was received")


def _ask_without_javascript(page: Page, url: str, text: str) -> None:
    page.goto(url)
    page.get_by_label("Your question").fill(text)
    page.get_by_role("button", name="Send the question").click()
    expect(page.locator(".flash-success")).to_contain_text("your question was received")


def test_questions_from_the_audience_to_the_hosts_and_back(live, new_page, mail_server):
    mail_server.start()
    episode_id = in_app(live.app, _episode)
    slug = in_app(live.app, lambda: db.session.get(editing.Episode, episode_id).slug)
    episode_url = f"{live.url}/episodes/{slug}/"

    _ask_with_the_keyboard(new_page(), episode_url)
    no_js = new_page(javascript=False)
    _ask_without_javascript(no_js, episode_url, SECOND)
    _ask_without_javascript(no_js, episode_url, THIRD)
    # Sent empty without JavaScript: the error, and nothing stored.
    no_js.goto(episode_url)
    no_js.get_by_role("button", name="Send the question").click()
    expect(no_js.locator("#text-error")).to_have_text("Write your question.")
    assert [row[2] for row in _stored(live)] == ["submitted"] * 3

    page = new_page()
    sign_in(page, live.url)
    expect(page.locator(".also-waiting")).to_contain_text("3 audience questions wait for review")
    page.get_by_role("link", name="3 audience questions wait for review").click()
    ids = in_app(
        live.app, lambda: db.session.scalars(db.select(Question.id).order_by(Question.id)).all()
    )
    first, second, third = ids
    page.get_by_role("button", name=f"Approve question #{first}").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Question #{first} approved")
    page.get_by_role("button", name=f"Approve question #{second}").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Question #{second} approved")
    page.get_by_role("button", name=f"Reject question #{third}").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Question #{third} rejected")
    expect(page.get_by_text("No question waits for review.")).to_be_visible()
    screenshot(page, "questions-moderation-done")

    # The hosts' list: the second question moved up, the first marked answered on air.
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("h1")).to_have_text("Questions for the hosts")
    page.get_by_role("button", name="Up question 2").click()
    texts = page.locator(".host-question .question-text")
    expect(texts).to_have_text([SECOND, FIRST])
    page.get_by_role("button", name="Answered on air question 2").click()
    expect(page.locator(".host-question.is-answered .question-text")).to_have_text(FIRST)
    page.get_by_role("button", name="List the approved questions there").click()
    expect(page.locator(".flash-success")).to_contain_text("listed on the episode's page")
    screenshot(page, "questions-run-of-show")
    # Printed: the questions alone, in large type; no navigation, no buttons.
    page.emulate_media(media="print")
    expect(page.locator(".moderation-nav")).to_be_hidden()
    expect(page.get_by_role("button", name="Down question 1")).to_be_hidden()
    size = page.locator(".host-question .question-text").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert size >= 24, size  # 18pt
    page.emulate_media(media="screen")
    assert _stored(live) == [
        (FIRST, "Ana Keys", "answered"),
        (SECOND, "", "approved"),
        (THIRD, "", "rejected"),
    ]

    # The public list: newest first, the rejected one nowhere, the answer counted.
    visitor = new_page(javascript=False)
    visitor.goto(episode_url)
    expect(visitor.locator(".question-list .question-text")).to_have_text([SECOND, FIRST])
    expect(visitor.locator(".question-tally")).to_have_text("2 questions, 1 answered on air.")
    expect(visitor.get_by_text(THIRD)).to_have_count(0)

    # No recording yet, so no mail; adding it on the episode's edit page sends the one mail.
    assert mail_server.inbox.messages == []
    page.goto(f"{live.url}/moderation/episodes/{episode_id}/edit")
    page.locator("input[name='links-0-platform']").fill("YouTube")
    page.locator("input[name='links-0-url']").fill(RECORDING)
    page.get_by_role("button", name="Save").first.click()
    [message] = mail_server.inbox.wait_for(1)
    assert message["To"] == "ana@example.org"
    assert RECORDING in body_of(message) and FIRST in body_of(message)
