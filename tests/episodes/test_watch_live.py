"""Where to watch: the next and the live episode offer "Watch live on <platform>" for each of
their platforms, on the home page and on their own page; a past episode lists its recording
links, one per platform, and no invite of its own."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.episodes.builders import make_episode
from tests.episodes.conftest import NOW

STARTS = datetime(2024, 5, 23, 14, 0, tzinfo=UTC)
SLUG = "2024-05-23-the-show"
YOUTUBE = "https://www.youtube.com/watch?v=pHHCIGkpNzs"
LINKEDIN = "https://www.linkedin.com/feed/update/urn:li:ugcPost:1/"
FACEBOOK = "https://www.facebook.com/104139126308032/videos/1/"
LINKS = [("youtube", YOUTUBE), ("LinkedIn", LINKEDIN), ("facebook", FACEBOOK)]

# The clock before the show, during it and after it.
MOMENTS = {
    "upcoming": STARTS - timedelta(days=1),
    "live": STARTS + timedelta(minutes=30),
    "past": STARTS + timedelta(days=1),
}


def watch_live_links(html: str) -> list[tuple[str, str]]:
    """(address, platform) of each "Watch live on" link, in page order."""
    found = []
    for chunk in html.split("<a ")[1:]:
        tag, _, rest = chunk.partition(">")
        text = rest.split("</a>")[0]
        if text.startswith("Watch live on "):
            href = tag.split('href="')[1].split('"')[0]
            found.append((href, text.removeprefix("Watch live on ")))
    return found


def featured_section(html: str) -> str:
    start = html.index('id="featured-heading"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def the_show(app):
    with app.app_context():
        make_episode("The show", STARTS, links=LINKS, recap_url="https://blog.example/recap/")


EXPECTED = [(YOUTUBE, "YouTube"), (LINKEDIN, "LinkedIn"), (FACEBOOK, "Facebook")]


@pytest.mark.parametrize("state", ["upcoming", "live"])
def test_the_featured_episode_offers_each_platform_to_watch_it_live(
    app, client, frozen_now, the_show, state
):
    frozen_now(MOMENTS[state])

    featured = featured_section(client.get("/").get_data(as_text=True))

    assert watch_live_links(featured) == EXPECTED
    # The first platform is the main action, the others and the details are secondary.
    assert f'<a class="button" href="{YOUTUBE}">Watch live on YouTube</a>' in featured
    assert f'<a class="button button-secondary" href="{LINKEDIN}">' in featured
    assert 'class="button button-secondary" href="/episodes/2024-05-23-the-show/"' in featured


@pytest.mark.parametrize("state", ["upcoming", "live"])
def test_the_next_and_the_live_episode_page_offer_each_platform(
    app, client, frozen_now, the_show, state
):
    frozen_now(MOMENTS[state])

    html = client.get(f"/episodes/{SLUG}/").get_data(as_text=True)

    assert watch_live_links(html) == EXPECTED
    # Before the show there is no recording yet: no player, no "Recording" heading.
    assert "data-player-src" not in html
    assert "Recording" not in html
    assert 'href="https://blog.example/recap/">Read the recap</a>' in html


def test_a_past_episode_lists_its_recording_links_once_each_and_no_invite(
    app, client, frozen_now, the_show
):
    frozen_now(MOMENTS["past"])

    html = client.get(f"/episodes/{SLUG}/").get_data(as_text=True)

    assert watch_live_links(html) == []
    assert "data-player-src" in html
    for address in (YOUTUBE, LINKEDIN, FACEBOOK):
        assert html.count(f'href="{address}"') == 1, address
    assert f'<a href="{LINKEDIN}">LinkedIn</a>' in html
    assert "Add to your calendar" not in html
    assert f'href="/episodes/{SLUG}.ics"' not in html.split("</head>")[1]


def test_one_link_per_platform_however_its_name_is_written(app, client, frozen_now):
    other = "https://www.linkedin.com/events/2/"
    with app.app_context():
        make_episode(
            "The show",
            STARTS,
            links=[
                ("LinkedIn", LINKEDIN),
                ("linked in", other),
                ("Podcast", "https://pod.example/1"),
                ("podcast", "https://pod.example/2"),
            ],
        )

    frozen_now(MOMENTS["past"])
    past = client.get(f"/episodes/{SLUG}/").get_data(as_text=True)
    frozen_now(MOMENTS["live"])
    live = client.get(f"/episodes/{SLUG}/").get_data(as_text=True)

    assert f'<a href="{LINKEDIN}">LinkedIn</a>' in past and other not in past
    assert '<a href="https://pod.example/1">Podcast</a>' in past
    assert "pod.example/2" not in past
    assert watch_live_links(live) == [(LINKEDIN, "LinkedIn"), ("https://pod.example/1", "Podcast")]


def test_links_that_are_not_web_addresses_are_never_offered(app, client, frozen_now):
    with app.app_context():
        make_episode(
            "The show",
            STARTS,
            links=[("youtube", "javascript:alert(1)"), ("facebook", FACEBOOK)],
        )
    frozen_now(MOMENTS["live"])

    home = featured_section(client.get("/").get_data(as_text=True))
    page = client.get(f"/episodes/{SLUG}/").get_data(as_text=True)

    for html in (home, page):
        assert watch_live_links(html) == [(FACEBOOK, "Facebook")]
        assert "javascript:" not in html
        assert f'<a class="button" href="{FACEBOOK}">Watch live on Facebook</a>' in html


def test_without_a_stream_the_details_are_the_main_action(app, client, frozen_now):
    with app.app_context():
        make_episode("The show", NOW + timedelta(days=7))

    featured = featured_section(client.get("/").get_data(as_text=True))

    assert watch_live_links(featured) == []
    assert '<a class="button" href="/episodes/2024-05-23-the-show/">Episode details</a>' in featured
