"""The main pages at a phone's and a laptop's width: screenshots to look at, and nothing wider
than the screen (a wide table scrolls inside its own container instead)."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext

from tests.browser.site_pages import (
    PAGE_IDS,
    PAGES,
    SCREENSHOT_PAGES,
    moderator_context,
    open_context,
    visit,
)
from tests.browser.support import assert_no_horizontal_overflow, screenshot

WIDTHS = [360, 1280]


@pytest.fixture(scope="module")
def contexts(chromium, demo_site) -> Iterator[dict[tuple[int, bool], BrowserContext]]:
    """A visitor's and a moderator's browser at each width, keyed by (width, moderator)."""
    opened = {}
    for width in WIDTHS:
        opened[width, False] = open_context(chromium, width=width)
        opened[width, True] = moderator_context(chromium, demo_site, width=width)
    yield opened
    for context in opened.values():
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", SCREENSHOT_PAGES)
def test_page_fits_the_screen_and_is_captured(contexts, demo_site, name, width):
    target = PAGES[PAGE_IDS.index(name)]
    page = contexts[width, target.moderator].new_page()
    try:
        visit(page, demo_site, target)
        path = screenshot(page, f"{name}-{width}")
        assert path.stat().st_size > 5_000
        assert_no_horizontal_overflow(page, f"{name} at {width}px")
    finally:
        page.close()


def test_the_overflow_check_names_what_sticks_out_and_spares_scroll_containers(contexts, demo_site):
    page = contexts[360, False].new_page()
    try:
        visit(page, demo_site, PAGES[PAGE_IDS.index("home")])
        page.evaluate(
            """() => {
              const scroller = document.createElement("div");
              scroller.className = "table-scroll";
              scroller.innerHTML = "<table><tr><td>x</td></tr></table>";
              scroller.querySelector("td").style.minWidth = "900px";
              document.querySelector("main").append(scroller);
            }"""
        )
        assert_no_horizontal_overflow(page, "home with a wide table that scrolls")
        page.evaluate(
            """() => {
              const wide = document.createElement("p");
              wide.id = "too-wide";
              wide.style.width = "600px";
              document.querySelector("main").append(wide);
            }"""
        )
        with pytest.raises(AssertionError, match="p#too-wide"):
            assert_no_horizontal_overflow(page, "home with a wide paragraph")
    finally:
        page.close()
