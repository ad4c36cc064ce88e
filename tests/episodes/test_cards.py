"""A listing prints stored cards whose time, badge and visitor's zone are slots filled when the
card is listed: what it prints is the markup of the macros the featured episode and the
episode page use (time, state badge, speakers)."""

from datetime import UTC, datetime, timedelta

import pytest

from openinfra_live.episodes import cards, queries
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
def test_a_card_prints_what_the_shared_macros_print(app, state, zone):
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
    with app.test_request_context("/episodes/", headers=headers):
        episode = queries.visible_episode_summary("card")
        partials = app.jinja_env.get_template("_partials/episodes.html").module
        times = app.jinja_env.get_template("_macros/time.html").module

        listing = str(partials.episode_list(cards.listing_html([episode], NOW, level=2)))
        badge = str(partials.state_badges(episode, NOW))
        speakers = str(partials.speakers(episode))
        when = str(times.utc_time(episode.starts_at))

    assert when in listing
    assert speakers in listing
    assert "Card &lt;&amp;&gt; markup" in listing
    assert ("America/Chicago: " in when) == bool(zone)
    if state == "aired":
        assert badge == "" and "badge" not in listing
    else:
        assert badge and badge in listing
