"""Times are UTC in the HTML; the visitor also sees them in their own zone, with or without script.

The episodes sit where the local date is not the UTC date: 02:30 UTC on a Thursday is still
Wednesday evening in Chicago, and 20:00 UTC is already Friday morning in Shanghai and Auckland.
"""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from openinfra_live.extensions import db
from openinfra_live.preferences import local_time_label
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


def script_label(moment: datetime, zone: ZoneInfo) -> tuple[str, set[str]]:
    """What Chromium's ``toLocaleString("en-US", …)`` writes for ``moment`` in ``zone``:
    the date and time, and the zone names it may use (ICU has short names for some zones
    only, and writes ``GMT+8`` for the others)."""
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    text = (
        f"{local:%a}, {local:%b} {local.day}, {local.year}, "
        f"{hour:02d}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"
    )
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    gmt = f"GMT{sign}{hours}" + (f":{rest:02d}" if rest else "")
    return text, {local.tzname(), gmt}


def _utc_times_and_local_labels(page) -> list[tuple[str, str, str]]:
    return page.eval_on_selector_all(
        "time[data-local-time]",
        """nodes => nodes.map(n => [n.getAttribute("datetime"), n.textContent,
             n.nextElementSibling && n.nextElementSibling.classList.contains("local-time")
               ? n.nextElementSibling.textContent : null])""",
    )


@pytest.mark.parametrize("zone_name", ZONES)
def test_the_script_adds_the_local_time_of_the_browser_zone(live, new_page, zone_name):
    slugs = _episodes(live.app)
    zone = ZoneInfo(zone_name)
    page = new_page(timezone_id=zone_name)
    dates_differ = 0
    for path in ("/episodes/", f"/episodes/{slugs['early']}/", f"/episodes/{slugs['late']}/"):
        page.goto(live.url + path)
        page.wait_for_load_state()
        times = _utc_times_and_local_labels(page)
        assert times, path
        for stamp, utc_text, local_text in times:
            moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            # The HTML itself says UTC, whatever the zone.
            assert utc_text.endswith("UTC") and f"{moment:%H:%M}" in utc_text
            expected, zone_names = script_label(moment, zone)
            match = re.fullmatch(r" \(your time: (.*) (\S+)\)", local_text or "")
            assert match, f"{path}: no local time after {stamp}: {local_text!r}"
            assert match.group(1) == expected, (path, stamp)
            assert match.group(2) in zone_names, (path, stamp, match.group(2))
            dates_differ += moment.astimezone(zone).date() != moment.date()
    assert dates_differ, "no time on these pages falls on another date in this zone"


def _choose_zone(page, base_url: str, start: str, zone_name: str) -> None:
    """Pick a zone with the form linked from every page's footer; it sends the visitor back."""
    page.goto(base_url + start)
    page.get_by_role("contentinfo").get_by_role("link", name="Time zone").click()
    page.get_by_label("Your time zone").select_option(zone_name)
    page.get_by_role("button", name="Save").click()
    assert page.url == base_url + start
    expect(page.get_by_role("contentinfo")).to_contain_text(f"Time zone: {zone_name}")


@pytest.mark.parametrize("zone_name", ZONES)
def test_a_chosen_zone_shows_on_the_pages_without_script(live, new_page, zone_name):
    slugs = _episodes(live.app)
    zone = ZoneInfo(zone_name)
    # The browser's own zone differs, so what shows can only come from the cookie.
    page = new_page(timezone_id="Europe/Lisbon", javascript=False)
    _choose_zone(page, live.url, "/episodes/", zone_name)
    for path in ("/episodes/", f"/episodes/{slugs['early']}/", f"/episodes/{slugs['late']}/"):
        page.goto(live.url + path)
        assert page.locator("time[data-local-time]").count() == 0
        stamps = page.eval_on_selector_all(
            "main time[datetime]",
            "nodes => nodes.map(n => [n.getAttribute('datetime'),"
            " n.nextElementSibling ? n.nextElementSibling.textContent : null])",
        )
        assert stamps, path
        for stamp, local_text in stamps:
            moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            assert local_text == f" ({zone_name}: {local_time_label(moment, zone)})", path
    early = local_time_label(EARLY, zone)
    late = local_time_label(LATE, zone)
    # Chicago is a day behind for the early one; Shanghai and Auckland a day ahead for the late.
    assert ("Wed 7 Jan" in early) if zone_name == "America/Chicago" else ("Fri 9 Jan" in late)


@pytest.mark.parametrize("width", [1280, 360])
def test_a_chosen_zone_shows_on_the_ptg_grid_without_script(live, new_page, width):
    def build() -> None:
        event = make_event(starts_on=date(2030, 3, 18), ends_on=date(2030, 3, 22))
        make_session(make_team(event, "Nova"), make_room(event, "Bexar"), at(19, 22), at(20, 0))
        db.session.commit()

    in_app(live.app, build)
    page = new_page(javascript=False, width=width, timezone_id="UTC")
    _choose_zone(page, live.url, "/ptg/2030-march/schedule", "Asia/Shanghai")
    day = page.locator("section.schedule-day", has=page.locator("#day-2030-03-19"))
    if width > 640:
        grid = day.locator(".schedule-grid")
        expect(grid.locator("thead th")).to_have_text(["UTC", "Asia/Shanghai", "Bexar"])
        row = grid.locator("tbody tr", has=page.locator("td.session-cell"))
        expect(row.locator("th[scope=row]")).to_have_text("22:00")
        # 22:00 UTC on Tuesday is 06:00 on Wednesday in Shanghai.
        expect(row.locator("td.local-hour")).to_have_text("Wed 06:00")
    else:
        item = day.locator(".schedule-list li")
        expect(item).to_contain_text("(Asia/Shanghai: Wed 20 Mar 2030, 06:00 CST)")
