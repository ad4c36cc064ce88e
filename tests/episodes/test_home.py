"""The home page: the live or next episode first, then what is coming and what aired."""

from datetime import UTC, date, datetime, timedelta

from openinfra_live.extensions import db
from openinfra_live.ptg.models import PtgEvent
from tests.episodes.builders import make_episode
from tests.episodes.conftest import NOW

YOUTUBE = ("youtube", "https://www.youtube.com/watch?v=pHHCIGkpNzs")


def featured_section(html: str) -> str:
    start = html.index('id="featured-heading"')
    return html[start : html.index("</section>", start)]


def test_next_upcoming_episode_is_featured_with_an_invite(app, client, frozen_now):
    with app.app_context():
        make_episode("Last week", NOW - timedelta(days=7))
        make_episode("Next week", NOW + timedelta(days=7))
        make_episode("In two weeks", NOW + timedelta(days=14))

    html = client.get("/").get_data(as_text=True)

    featured = featured_section(html)
    assert "Next episode" in featured
    assert "Next week" in featured
    assert "In two weeks" not in featured
    assert "/episodes/2024-05-23-next-week.ics" in featured
    assert html.index("Next week") < html.index("In two weeks") < html.index("Last week")


def test_episode_is_marked_live_now_only_during_its_hour(app, client, frozen_now):
    starts = datetime(2024, 5, 23, 14, 0, tzinfo=UTC)
    with app.app_context():
        make_episode("The live one", starts, links=[YOUTUBE])
        make_episode("The one after", starts + timedelta(days=7))

    frozen_now(starts - timedelta(minutes=1))
    before = featured_section(client.get("/").get_data(as_text=True))
    frozen_now(starts + timedelta(minutes=30))
    during = featured_section(client.get("/").get_data(as_text=True))
    frozen_now(starts + timedelta(minutes=60))
    after_html = client.get("/").get_data(as_text=True)

    assert "Live now" not in before and "The live one" in before
    assert "Live now" in during and "badge-live" in during
    assert "Watch live on YouTube" in during
    assert "The live one" not in featured_section(after_html)
    assert "The one after" in featured_section(after_html)
    assert "Recording available" in after_html


def test_hidden_episodes_never_show_on_the_home_page(app, client, frozen_now):
    with app.app_context():
        make_episode("Secret upcoming", NOW + timedelta(days=7), hidden=True)
        make_episode("Secret past", NOW - timedelta(days=7), hidden=True)

    html = client.get("/").get_data(as_text=True)

    assert "Secret" not in html
    assert "not scheduled yet" in html


def test_home_page_calls_to_propose_and_to_the_ptg_with_the_next_event(app, client, frozen_now):
    with app.app_context():
        db.session.add_all(
            [
                PtgEvent(
                    slug="ptg-2023-10",
                    name="October 2023 PTG",
                    starts_on=date(2023, 10, 23),
                    ends_on=date(2023, 10, 27),
                ),
                PtgEvent(
                    slug="ptg-2024-10",
                    name="October 2024 PTG",
                    starts_on=date(2024, 10, 21),
                    ends_on=date(2024, 10, 25),
                    registration_open=True,
                ),
            ]
        )
        db.session.commit()

    html = client.get("/").get_data(as_text=True)

    assert 'href="/propose"' in html
    assert 'href="/ptg/"' in html
    assert "October 2024 PTG" in html
    assert "October 2023 PTG" not in html
    assert '<time datetime="2024-10-21">21 October 2024</time>' in html
    assert "registration is open" in html


def test_recent_past_episodes_are_listed_newest_first(app, client, frozen_now):
    with app.app_context():
        for weeks in range(1, 4):
            make_episode(f"Aired {weeks} weeks ago", NOW - timedelta(weeks=weeks))

    html = client.get("/").get_data(as_text=True)
    recent = html[html.index('id="recent-heading"') :]

    assert recent.index("Aired 1 weeks ago") < recent.index("Aired 2 weeks ago")
    assert recent.index("Aired 2 weeks ago") < recent.index("Aired 3 weeks ago")
