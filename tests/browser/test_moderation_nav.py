"""The moderation navigation by keyboard on a phone, and a moderator's way from a public page to
its edit page: Tab to the link, Enter, and the next page marks where the moderator is."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.site_pages import moderator_context
from tests.browser.support import assert_no_horizontal_overflow, press_and_wait, tab_to

NAV = 'nav[aria-label="Moderation"]'


@pytest.fixture(scope="module")
def phone(chromium, demo_site) -> Iterator[BrowserContext]:
    """A signed-in moderator's browser, 360 px wide."""
    context = moderator_context(chromium, demo_site, width=360)
    yield context
    context.close()


@pytest.fixture
def page(phone) -> Iterator[Page]:
    opened = phone.new_page()
    yield opened
    opened.close()


def follow(page: Page, selector: str) -> None:
    """Tab from the top of the page to ``selector`` and press Enter on it."""
    page.locator("body").focus()
    tab_to(page, selector)
    press_and_wait(page)


def test_the_moderation_navigation_is_walked_with_the_keyboard_on_a_phone(page, demo_site):
    page.goto(demo_site.base_url + "/moderation/")
    nav = page.locator(NAV)
    expect(nav).to_have_count(1)
    expect(nav.get_by_role("link", name="Queue")).to_have_attribute("aria-current", "page")
    assert_no_horizontal_overflow(page, "the queue with its navigation at 360px")

    for label, path in [
        ("Episodes", "/moderation/episodes/"),
        ("PTG", "/moderation/ptg/"),
        ("Audit", "/moderation/audit"),
        ("Queue", "/moderation/"),
    ]:
        follow(page, f'{NAV} a[href="{path}"]')
        assert page.url == demo_site.base_url + path
        current = page.locator(f"{NAV} a[aria-current]")
        expect(current).to_have_count(1)
        expect(current).to_have_text(label)
        expect(current).to_have_attribute("aria-current", "page")
        assert_no_horizontal_overflow(page, f"{label} at 360px")


def test_the_navigation_wraps_rather_than_scrolls_on_a_phone(page, demo_site):
    page.goto(demo_site.base_url + "/moderation/audit")
    links = page.locator(f"{NAV} a")
    boxes = [links.nth(i).bounding_box() for i in range(links.count())]
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= 360 for box in boxes)
    scroll = page.locator(NAV).evaluate("nav => nav.scrollWidth <= nav.clientWidth")
    assert scroll, "the moderation navigation scrolls sideways"


def test_a_moderator_goes_from_an_episode_page_to_its_edit_page_by_keyboard(page, demo_site):
    page.goto(f"{demo_site.base_url}/episodes/{demo_site.past_episode}/")
    follow(page, "main .moderator-edit a")
    assert page.url.endswith(f"/moderation/episodes/{demo_site.past_episode_id}/edit")
    expect(page.locator(f"{NAV} a[aria-current]")).to_have_text("Episodes")


def test_a_moderator_goes_from_a_ptg_page_to_its_moderation_page_by_keyboard(page, demo_site):
    page.goto(f"{demo_site.base_url}/ptg/{demo_site.event}/")
    follow(page, "main .moderator-edit a")
    assert page.url.endswith(f"/moderation/ptg/{demo_site.event}/")
    expect(page.locator(f"{NAV} a[aria-current]")).to_have_text("PTG")
