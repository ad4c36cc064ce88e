"""axe-core on every page, errors announced on every failed form, skip link, focus, language.

Pages are checked at a phone's width (360 px), where they must not overflow either, in English
and again in each of the site's other languages (chosen with the chooser's cookie).

axe is injected as an inline script, which the site's Content-Security-Policy refuses; its
pages are opened in contexts that bypass the policy (only here: the journeys keep it).
"""

from collections.abc import Callable, Iterator
from functools import partial

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.languages import (
    ENGLISH,
    HTML_LANG,
    OTHER_LANGUAGES,
    choose_language,
    in_language,
)
from tests.browser.site_pages import PAGE_IDS, PAGES, moderator_context, open_context, visit
from tests.browser.support import (
    assert_accessible,
    assert_no_horizontal_overflow,
    error_problems,
    focus_state,
)

ERROR_PAGES = [target for target in PAGES if target.name.endswith("-errors")]
# Pages whose every Tab stop is checked for a visible focus ring.
FOCUS_PAGES = [
    "home",
    "propose-errors",
    "ptg-schedule",
    "moderation-ptg-event",
    "moderation-proposal",
]


@pytest.fixture(scope="module")
def contexts(chromium, demo_site) -> Iterator[Callable[[bool, str], BrowserContext]]:
    """A visitor's or a signed-in moderator's browser (``Visit.moderator``) in a language
    (the chooser's cookie), each opened once for the module when first asked for."""
    opened: dict[tuple[bool, str], BrowserContext] = {}

    def context_for(moderator: bool, language: str = ENGLISH) -> BrowserContext:
        if (moderator, language) not in opened:
            open_one = partial(moderator_context, site=demo_site) if moderator else open_context
            context = open_one(chromium, width=360, bypass_csp=True)
            choose_language(context, demo_site.base_url, language)
            opened[moderator, language] = context
        return opened[moderator, language]

    yield context_for
    for context in opened.values():
        context.close()


@pytest.fixture
def open_page(contexts):
    pages = []

    def opener(target, language: str = ENGLISH):
        page = contexts(target.moderator, language).new_page()
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.close()


# Every page in English (ids as ``home``), then in each other language (``home-pt_BR``).
LANGUAGE_CASES = [pytest.param(target, ENGLISH, id=target.name) for target in PAGES] + [
    pytest.param(target, language, id=f"{target.name}-{language}")
    for language in OTHER_LANGUAGES
    for target in PAGES
]


@pytest.mark.parametrize(("target", "language"), LANGUAGE_CASES)
def test_page_is_accessible_and_fits_a_phone(open_page, demo_site, target, language):
    page = open_page(target, language)
    visit(in_language(page, language), demo_site, target)
    assert page.locator("html").get_attribute("lang") == HTML_LANG[language]
    expect(page.locator("main#main")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)
    # Every field has a label of its own (the honeypot is hidden from everyone).
    unlabelled = page.evaluate(
        """() => Array.from(document.querySelectorAll(
              "input:not([type=hidden]), select, textarea"))
            .filter(el => !el.closest("[aria-hidden=true]"))
            .filter(el => !(el.labels && el.labels.length))
            .map(el => el.name || el.id)"""
    )
    assert unlabelled == []
    label = target.name if language == ENGLISH else f"{target.name} in {language}"
    assert_no_horizontal_overflow(page, label)
    assert_accessible(page, label)


@pytest.mark.parametrize("target", ERROR_PAGES, ids=[t.name for t in ERROR_PAGES])
def test_failed_form_announces_its_errors(open_page, demo_site, target):
    page = open_page(target)
    visit(page, demo_site, target)
    assert error_problems(page) == []
    # The site script brings the summary into focus, so it is read first.
    expect(page.locator("#error-summary")).to_be_focused()


def test_skip_link_is_the_first_tab_stop_and_jumps_to_the_content(open_page, demo_site):
    target = PAGES[PAGE_IDS.index("archive")]
    page = open_page(target)
    visit(page, demo_site, target)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0, "the skip link stays off screen when focused"
    assert focus_state(page)["visible"]
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # The next stop is inside the main content, not the header's navigation.
    assert page.evaluate("() => document.activeElement.closest('main') !== null")


@pytest.mark.parametrize("name", FOCUS_PAGES)
def test_every_tab_stop_shows_its_focus(open_page, demo_site, name):
    target = PAGES[PAGE_IDS.index(name)]
    page = open_page(target)
    visit(page, demo_site, target)
    page.locator("body").focus()
    hidden, seen = [], set()
    for _ in range(300):
        page.keyboard.press("Tab")
        state = focus_state(page)
        if state is None or state["name"] in seen:
            break
        seen.add(state["name"])
        if not state["visible"]:
            hidden.append(state["name"])
    assert len(seen) > 5
    assert hidden == [], f"{name}: focus not visible on {hidden}"
