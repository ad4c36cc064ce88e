"""The browser harness itself: Debian's Chromium loads a page from the live server."""

from tests.browser.conftest import ARTIFACTS


def test_chromium_renders_the_not_found_page_in_the_site_layout(live, new_page):
    page = new_page()
    response = page.goto(live.url + "/no-such-page")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "not-found-1280.png"))
    assert (ARTIFACTS / "not-found-1280.png").stat().st_size > 1000
