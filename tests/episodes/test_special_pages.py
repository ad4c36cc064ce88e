"""A special's page (the run of the show by day, on air now and next), and how home and the
archive show a special."""

from datetime import UTC, datetime

import pytest

from tests.episodes.builders import make_episode, make_special

pytestmark = pytest.mark.usefixtures("frozen_now")

# NOW is Thursday 16 May 2024, 15:00 UTC.
SEGMENTS = [
    ("Keynotes", datetime(2024, 5, 15, 13, 0, tzinfo=UTC), 90, [("Ann Lee", "ACME")]),
    ("Operators panel", datetime(2024, 5, 15, 15, 0, tzinfo=UTC), 60, []),
    ("Live demo", datetime(2024, 5, 16, 14, 30, tzinfo=UTC), 60, [("Bo Chen", "")]),
    ("Closing", datetime(2024, 5, 16, 16, 0, tzinfo=UTC), 60, []),
]


@pytest.fixture
def special(app):
    with app.app_context():
        special = make_special("OpenInfra Days", SEGMENTS)
        return special.slug


def test_the_page_shows_the_run_of_the_show_by_day_in_utc(client, special):
    html = client.get(f"/episodes/{special}/").get_data(as_text=True)
    assert "Run of the show" in html
    assert "Day 1: Wednesday 15 May 2024 (UTC)" in html
    assert "Day 2: Thursday 16 May 2024 (UTC)" in html
    run = html[html.index("Run of the show") :]
    assert run.index("Keynotes") < run.index("Operators panel") < run.index("Day 2:")
    assert run.index("Day 2:") < run.index("Live demo") < run.index("Closing")
    # Each segment's times through the shared macro, which adds the visitor's zone.
    assert '<time datetime="2024-05-15T13:00:00Z">13:00</time>' in html
    assert '<time datetime="2024-05-15T14:30:00Z">14:30</time>' in html
    assert html.count("data-local-range") == 4
    assert "Ann Lee" in html and "ACME" in html and "Bo Chen" in html
    assert "2 days · 4 segments" in html


def test_the_page_says_which_segment_is_on_air_and_which_comes_next(client, special):
    html = client.get(f"/episodes/{special}/").get_data(as_text=True)
    assert "On air now: “Live demo”" in html
    assert "Next: “Closing”" in html
    assert html.count("Live now") >= 1


def test_in_a_gap_between_segments_only_the_next_one_is_named(client, special, frozen_now):
    frozen_now(datetime(2024, 5, 15, 20, 0, tzinfo=UTC))
    html = client.get(f"/episodes/{special}/").get_data(as_text=True)
    assert "On air now" not in html
    assert "Next: “Live demo”" in html


def test_a_segment_recording_shows_once_the_segment_is_over(app, client):
    with app.app_context():
        segments = [list(s) for s in SEGMENTS]
        slug = make_special("Recorded special", [tuple(s) for s in segments]).slug
        from openinfra_live.episodes.models import Episode
        from openinfra_live.extensions import db

        episode = db.session.scalars(db.select(Episode).filter_by(slug=slug)).one()
        episode.segments[0].recording_url = "https://www.youtube.com/watch?v=pHHCIGkpNzs"
        episode.segments[3].recording_url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
        db.session.commit()
    html = client.get(f"/episodes/{slug}/").get_data(as_text=True)
    assert "pHHCIGkpNzs" in html
    assert "dQw4w9WgXcQ" not in html


def test_home_and_archive_show_a_special_with_its_dates_and_size(app, client, special):
    with app.app_context():
        make_episode("A weekly episode", datetime(2024, 5, 9, 14, 0, tzinfo=UTC))
    for url in ("/", "/episodes/"):
        html = client.get(url).get_data(as_text=True)
        assert "2 days · 4 segments" in html, url
        assert "Wed 15 May 2024, 13:00 UTC" in html and "Thu 16 May 2024, 17:00 UTC" in html
        assert html.count("segments") == 1, url


def test_an_episode_page_shows_no_run_of_the_show(app, client):
    with app.app_context():
        slug = make_episode("Plain", datetime(2024, 5, 9, 14, 0, tzinfo=UTC)).slug
    html = client.get(f"/episodes/{slug}/").get_data(as_text=True)
    assert "Run of the show" not in html and "segment" not in html
