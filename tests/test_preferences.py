"""A visitor's chosen time zone, kept in a cookie, shown without JavaScript."""

from datetime import UTC, datetime

import pytest

from tests.conftest import post_form

MACRO = '{% from "_macros/time.html" import utc_time %}{{ utc_time(value) }}'
WHEN = datetime(2026, 1, 8, 2, 30, tzinfo=UTC)


def render_time(app, cookie: str | None = None) -> str:
    headers = {"Cookie": f"tz={cookie}"} if cookie else {}
    with app.test_request_context("/", headers=headers):
        from flask import render_template_string

        return render_template_string(MACRO, value=WHEN)


def test_without_a_chosen_zone_the_script_adds_the_local_time(app):
    html = render_time(app)
    assert '<time datetime="2026-01-08T02:30:00Z" data-local-time>' in html
    assert "Thu 8 Jan 2026, 02:30 UTC" in html


def test_a_chosen_zone_is_rendered_on_the_server(app):
    html = render_time(app, "America/Chicago")
    assert "data-local-time" not in html
    # 02:30 UTC on the 8th is the evening of the 7th in Chicago.
    assert (
        'Thu 8 Jan 2026, 02:30 UTC</time><span class="local-time">'
        " · 20:30 in Chicago (Wed 7 Jan)</span>" in html
    )


def test_an_unknown_zone_in_the_cookie_is_ignored(app):
    assert "data-local-time" in render_time(app, "Mars/Olympus")


def test_choosing_a_zone_sets_the_cookie_and_goes_back(client):
    response = post_form(
        client, "/timezone?next=/episodes/", {"zone": "Pacific/Auckland", "next": "/episodes/"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/episodes/")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("tz=Pacific/Auckland")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_foreign_next_goes_home(client):
    response = post_form(client, "/timezone", {"zone": "Asia/Shanghai", "next": "//evil.com"})
    assert response.status_code == 303
    assert "evil.com" not in response.headers["Location"]


def test_an_unknown_zone_is_refused_with_an_error(client):
    response = post_form(client, "/timezone", {"zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "Pick a place from the list." in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers or "tz=" not in response.headers["Set-Cookie"]


def test_the_time_zone_link_comes_back_to_public_pages(client):
    html = client.get("/episodes/?q=zuul").get_data(as_text=True)
    assert 'href="/timezone?next=/episodes/?q%3Dzuul"' in html


def test_private_status_pages_do_not_put_their_token_in_the_time_zone_link(client):
    from tests.proposals.builders import make_proposal

    with client.application.app_context():
        _, token = make_proposal()
    html = client.get(f"/proposals/{token}").get_data(as_text=True)
    assert 'href="/timezone"' in html
    assert html.count(token) == html.count(f"/proposals/{token}")


@pytest.mark.parametrize(
    ("path", "link"),
    [
        ("/timezone", "/timezone"),
        ("/timezone?next=/episodes/", "/timezone?next=/episodes/"),
        ("/timezone?next=/timezone?next=/episodes/", "/timezone"),
    ],
)
def test_the_zone_page_never_nests_its_own_address_in_its_link(client, path, link):
    html = client.get(path).get_data(as_text=True)
    footer = html.split("<footer", 1)[1]
    assert f'href="{link}"' in footer
    assert "next=/timezone" not in footer
    assert "next=%2Ftimezone" not in footer


def test_the_zones_offered_are_todays_names_of_places_grouped_by_region():
    from openinfra_live import timezones

    moment = datetime(2026, 1, 8, tzinfo=UTC)
    groups = dict(timezones.choices(moment))
    assert list(groups) == sorted(groups)
    assert ("Asia/Shanghai", "Shanghai, China (UTC+08:00)") in groups["Asia"]
    assert ("America/Chicago", "Chicago, United States (UTC−06:00)") in groups["Americas"]
    assert ("Asia/Ho_Chi_Minh", "Ho Chi Minh City, Vietnam (UTC+07:00)") in groups["Asia"]
    offered = {zone for options in groups.values() for zone, _ in options}
    # Obsolete aliases are not offered; their zone is, under today's name.
    assert {"Africa/Asmera", "Asia/Calcutta", "US/Central", "Etc/GMT+5"}.isdisjoint(offered)
    assert {"Africa/Asmara", "Asia/Kolkata", "Europe/Kyiv"} <= offered
    assert timezones.canonical("Asia/Calcutta") == "Asia/Kolkata"
    assert timezones.canonical("Mars/Olympus") is None


def test_local_times_and_ranges_are_written_one_way():
    from zoneinfo import ZoneInfo

    from openinfra_live import timezones

    shanghai = ZoneInfo("Asia/Shanghai")
    start = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert timezones.local_time_label(start, shanghai) == "22:00 in Shanghai (Thu 3 Dec)"
    end = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
    # The local day is named only when it is not the UTC day the range sits under.
    assert timezones.local_range_label(start, end, shanghai) == "22:00–00:00 in Shanghai"
    late = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    assert (
        timezones.local_range_label(late, late.replace(hour=19), shanghai)
        == "01:00–03:00 in Shanghai (Fri 4 Dec)"
    )


def test_a_zone_chosen_under_an_older_name_shows_under_todays(app):
    assert "12:00 in Kolkata" not in render_time(app, "Asia/Calcutta")
    assert "08:00 in Kolkata (Thu 8 Jan)" in render_time(app, "Asia/Calcutta")


def test_the_script_gets_the_same_place_names_as_the_server(client):
    response = client.get("/timezone/places.json")
    assert response.status_code == 200
    assert "public" in response.headers["Cache-Control"]
    places = response.get_json()
    assert places["cities"]["Asia/Ho_Chi_Minh"] == "Ho Chi Minh City"
    assert places["links"]["Asia/Calcutta"] == "Asia/Kolkata"
    assert "Africa/Asmera" not in places["cities"]
