"""Times are UTC in the HTML; the visitor also sees them in their own zone, with or without script.

The episodes sit where the local date is not the UTC date: 02:30 UTC on a Thursday is still
Wednesday evening in Chicago, and 20:00 UTC is already Friday morning in Shanghai and Auckland.
"""

import re
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from openinfra_live.extensions import db
from tests.browser.conftest import in_app
from tests.episodes.builders import make_episode
from tests.ptg.builders import at, make_event, make_room, make_session, make_team

ZONES = ["America/Chicago", "Asia/Shanghai", "Pacific/Auckland"]
EARLY = datetime(2026, 1, 8, 2, 30, tzinfo=UTC)
LATE = datetime(2026, 1, 8, 20, 0, tzinfo=UTC)


def _episodes(app) -> dict[str, str]:
    def build() -> dict[str, str]:
        early = make_episode("Early bird: Swift at dawn", EARLY)
        late = make_episode("Night owl: Zuul after hours", LATE)
        return {"early": early.slug, "late": late.slug}

    return in_app(app, build)


# What each page must say, written out by hand: 02:30 UTC is the evening before in Chicago,
# 20:00 UTC the next morning in Shanghai and Auckland (summer time there in January).
EXPECTED = {
    "America/Chicago": ("20:30 in Chicago (Wed 7 Jan)", "14:00 in Chicago (Thu 8 Jan)"),
    "Asia/Shanghai": ("10:30 in Shanghai (Thu 8 Jan)", "04:00 in Shanghai (Fri 9 Jan)"),
    "Pacific/Auckland": ("15:30 in Auckland (Thu 8 Jan)", "09:00 in Auckland (Fri 9 Jan)"),
}
# A PTG session 22:00–01:00 UTC from Tuesday 19 March 2030: the local day is named when it is
# not the UTC day.
EXPECTED_RANGE = {
    "America/Chicago": "17:00–20:00 in Chicago",
    "Asia/Shanghai": "06:00–09:00 in Shanghai (Wed 20 Mar)",
    "Pacific/Auckland": "11:00–14:00 in Auckland (Wed 20 Mar)",
}


def _ptg_session(app) -> None:
    def build() -> None:
        event = make_event(starts_on=date(2030, 3, 18), ends_on=date(2030, 3, 22))
        make_session(make_team(event, "Nova"), make_room(event, "Bexar"), at(19, 22), at(20, 1))
        db.session.commit()

    in_app(app, build)


def _local_texts(page) -> list[str]:
    """Every local time the page shows in its text, in order (not the grid's hour column)."""
    return page.eval_on_selector_all(
        "main .local-time:not(td)", "nodes => nodes.map(n => n.textContent)"
    )


def _pages(slugs: dict[str, str]) -> list[str]:
    return [
        "/episodes/",
        f"/episodes/{slugs['early']}/",
        f"/episodes/{slugs['late']}/",
        "/ptg/2030-march/schedule",
    ]


@pytest.mark.parametrize("zone_name", ZONES)
def test_the_script_writes_what_the_server_writes_character_for_character(
    live, new_page, zone_name
):
    slugs = _episodes(live.app)
    _ptg_session(live.app)
    with_script = new_page(timezone_id=zone_name)
    from_server = new_page(timezone_id="UTC", javascript=False)
    from_server.context.add_cookies([{"name": "tz", "value": zone_name, "url": live.url}])
    for path in _pages(slugs):
        from_server.goto(live.url + path)
        written = _local_texts(from_server)
        assert written, path
        with_script.goto(live.url + path)
        expect(with_script.locator("main .local-time:not(td)")).to_have_count(len(written))
        assert _local_texts(with_script) == written, path
    early, late = EXPECTED[zone_name]
    with_script.goto(live.url + f"/episodes/{slugs['early']}/")
    expect(with_script.locator("main")).to_contain_text(f"Thu 8 Jan 2026, 02:30 UTC · {early}")
    with_script.goto(live.url + f"/episodes/{slugs['late']}/")
    expect(with_script.locator("main")).to_contain_text(f"Thu 8 Jan 2026, 20:00 UTC · {late}")
    with_script.goto(live.url + "/ptg/2030-march/schedule")
    expect(with_script.locator(".schedule-list li").first).to_contain_text(
        f"22:00–01:00 UTC · {EXPECTED_RANGE[zone_name]}"
    )


def test_the_script_adds_nothing_when_the_browser_is_on_utc(live, new_page):
    slugs = _episodes(live.app)
    page = new_page(timezone_id="UTC")
    page.goto(live.url + f"/episodes/{slugs['late']}/")
    page.wait_for_load_state("networkidle")
    assert page.locator("time[data-local-time]").count() > 0
    assert page.locator(".local-time").count() == 0


def test_the_script_adds_nothing_where_the_server_already_wrote_the_chosen_zone(live, new_page):
    slugs = _episodes(live.app)
    page = new_page(timezone_id="America/Chicago")
    page.context.add_cookies([{"name": "tz", "value": "Asia/Shanghai", "url": live.url}])
    page.goto(live.url + f"/episodes/{slugs['late']}/")
    page.wait_for_load_state("networkidle")
    assert " · 04:00 in Shanghai (Fri 9 Jan)" in _local_texts(page)
    assert not any("Chicago" in text for text in _local_texts(page))


def _choose_zone(page, base_url: str, start: str, zone_name: str) -> None:
    """Pick a zone with the form linked from every page's footer; it sends the visitor back."""
    page.goto(base_url + start)
    page.get_by_role("contentinfo").get_by_role("link", name="Time zone").click()
    page.get_by_label("Your time zone").select_option(zone_name)
    page.get_by_role("button", name="Save").click()
    assert page.url == base_url + start
    city = zone_name.rsplit("/", 1)[1]
    expect(page.get_by_role("contentinfo")).to_contain_text(f"Time zone: {city}")


@pytest.mark.parametrize("zone_name", ZONES)
def test_a_chosen_zone_shows_on_the_pages_without_script(live, new_page, zone_name):
    slugs = _episodes(live.app)
    # The browser's own zone differs, so what shows can only come from the cookie.
    page = new_page(timezone_id="Europe/Lisbon", javascript=False)
    _choose_zone(page, live.url, "/episodes/", zone_name)
    early, late = EXPECTED[zone_name]
    page.goto(live.url + f"/episodes/{slugs['early']}/")
    assert page.locator("time[data-local-time]").count() == 0
    expect(page.locator("main")).to_contain_text(f"Thu 8 Jan 2026, 02:30 UTC · {early}")
    page.goto(live.url + f"/episodes/{slugs['late']}/")
    expect(page.locator("main")).to_contain_text(f"Thu 8 Jan 2026, 20:00 UTC · {late}")


@pytest.mark.parametrize("width", [1280, 360])
def test_a_chosen_zone_shows_on_the_ptg_grid_without_script(live, new_page, width):
    _ptg_session(live.app)
    page = new_page(javascript=False, width=width, timezone_id="UTC")
    _choose_zone(page, live.url, "/ptg/2030-march/schedule", "Asia/Shanghai")
    day = page.locator("section.schedule-day", has=page.locator("#day-2030-03-19"))
    if width > 640:
        grid = day.locator(".schedule-grid")
        expect(grid.locator("thead th")).to_have_text(["UTC", "Shanghai", "Bexar"])
        row = grid.locator("tbody tr", has=page.locator("td.session-cell"))
        expect(row.locator("th[scope=row]")).to_have_text("22:00")
        # 22:00 UTC on Tuesday is 06:00 on Wednesday in Shanghai.
        expect(row.locator("td.local-hour")).to_have_text("Wed 06:00")
        _assert_headers_apart(grid)
    else:
        item = day.locator(".schedule-list li")
        expect(item).to_contain_text("22:00–01:00 UTC · 06:00–09:00 in Shanghai (Wed 20 Mar)")


def _assert_headers_apart(grid) -> None:
    """No column header runs into the next one: each one's text fits inside its own cell."""
    overlaps = grid.evaluate(
        """grid => Array.from(grid.querySelectorAll("thead th")).filter(th => {
             const range = document.createRange();
             range.selectNodeContents(th);
             const text = range.getBoundingClientRect(), cell = th.getBoundingClientRect();
             return text.right > cell.right + 0.5 || text.left < cell.left - 0.5;
           }).map(th => th.textContent)"""
    )
    assert overlaps == []


@pytest.mark.parametrize("zone_name", ["America/Argentina/Buenos_Aires", "Asia/Ho_Chi_Minh"])
def test_a_long_place_name_keeps_the_grid_headers_apart(live, new_page, zone_name):
    _ptg_session(live.app)
    page = new_page(javascript=False, width=1280, timezone_id="UTC")
    page.context.add_cookies([{"name": "tz", "value": zone_name, "url": live.url}])
    page.goto(live.url + "/ptg/2030-march/schedule")
    grid = page.locator("section.schedule-day", has=page.locator("#day-2030-03-19"))
    _assert_headers_apart(grid.locator(".schedule-grid"))


def test_the_zone_chooser_is_searchable_and_suggests_the_device_zone(live, new_page):
    page = new_page(timezone_id="Asia/Calcutta")
    page.goto(live.url + "/timezone")
    chooser = page.get_by_label("Your time zone")
    # The device's zone is offered under today's name, and not chosen for the visitor.
    suggestion = page.locator("#zone-suggestion")
    expect(suggestion).to_be_visible()
    expect(suggestion).to_contain_text("Kolkata, India (UTC+05:30)")
    assert chooser.input_value() == ""
    suggestion.get_by_role("button", name="Use this zone").click()
    assert chooser.input_value() == "Asia/Kolkata"
    page.get_by_label("Find a city or country").fill("new zealand")
    visible = chooser.locator("option:not([hidden])")
    # The offsets are today's: summer time or not, depending on when this runs.
    expect(visible).to_have_text(
        [
            re.compile(r"Auckland, New Zealand \(UTC\+1[23]:00\)"),
            re.compile(r"Chatham Islands, New Zealand .*"),
        ]
    )


def test_the_zone_chooser_works_without_script(live, new_page):
    page = new_page(javascript=False)
    page.goto(live.url + "/timezone")
    expect(page.get_by_label("Find a city or country")).to_be_hidden()
    expect(page.locator("#zone-suggestion")).to_be_hidden()
    chooser = page.get_by_label("Your time zone")
    expect(chooser.locator("option[value='America/Chicago']")).to_have_text(
        re.compile(r"Chicago, United States \(UTC−0[56]:00\)")
    )
    assert chooser.locator("option[value='Africa/Asmera']").count() == 0
    chooser.select_option("America/Chicago")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("contentinfo")).to_contain_text("Time zone: Chicago")
