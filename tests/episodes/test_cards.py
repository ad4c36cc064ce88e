"""A listing's cards print what the featured episode and the episode page print: the time (with
the visitor's zone when chosen), the state badge, the speakers, and the title escaped."""

from datetime import UTC, datetime, timedelta

import pytest

from openinfra_live.episodes import queries
from tests.episodes.builders import make_episode

NOW = datetime(2024, 5, 9, 14, 30, tzinfo=UTC)
YOUTUBE = ("youtube", "https://www.youtube.com/watch?v=pHHCIGkpNzs")

# (start relative to now, links): live, upcoming, aired with a recording, aired without.
STATES = {
    "live": (timedelta(minutes=-30), [YOUTUBE]),
    "upcoming": (timedelta(days=7), []),
    "recording": (timedelta(days=-7), [YOUTUBE]),
    "aired": (timedelta(days=-14), [("linkedin", "https://www.linkedin.com/x")]),
}


@pytest.mark.parametrize("zone", ["", "America/Chicago"])
@pytest.mark.parametrize("state", list(STATES))
def test_a_card_prints_what_the_shared_macros_print(app, frozen_now, state, zone):
    frozen_now(NOW)
    offset, links = STATES[state]
    with app.app_context():
        make_episode(
            "Card <&> markup",
            NOW + offset,
            slug="card",
            links=links,
            guests=[("Ana Díaz", "Org & Co"), "Solo Speaker"],
        )
    headers = {"Cookie": f"tz={zone}"} if zone else {}
    client = app.test_client()
    if zone:
        client.set_cookie("tz", zone, domain="live.test")
    listing = client.get("/episodes/").get_data(as_text=True)
    with app.test_request_context("/episodes/", headers=headers):
        episode = queries.visible_episode("card")
        partials = app.jinja_env.get_template("_partials/episodes.html").module
        times = app.jinja_env.get_template("_macros/time.html").module
        badge = str(partials.state_badges(episode, NOW))
        speakers = str(partials.speakers(episode))
        when = str(times.utc_time(episode.starts_at))

    assert when in listing
    assert speakers in listing
    assert "Card &lt;&amp;&gt; markup" in listing
    assert '<a href="/episodes/card/">' in listing
    assert (" in Chicago (" in when) == bool(zone)
    if state == "aired":
        assert badge == "" and "badge" not in listing
    else:
        assert badge and badge in listing
