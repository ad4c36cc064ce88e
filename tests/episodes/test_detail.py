"""One episode's page: when, who, what, the recording facade, links and invites."""

from datetime import UTC, datetime, timedelta

from openinfra_live.episodes.models import EpisodeLink
from openinfra_live.extensions import db
from tests.episodes.builders import make_episode
from tests.episodes.conftest import NOW

STARTS = datetime(2024, 5, 9, 14, 0, tzinfo=UTC)
SLUG = "2024-05-09-edge-computing"


def make_full_episode(**overrides):
    fields = {
        "description": '<p>Results of the <a href="https://example.org/survey">survey</a>.</p>',
        "links": [
            ("youtube", "https://www.youtube.com/watch?v=pHHCIGkpNzs"),
            ("linkedin", "https://www.linkedin.com/feed/update/urn:li:ugcPost:1/"),
            ("facebook", "https://www.facebook.com/104139126308032/posts/1/"),
        ],
        "guests": [("Paul Miller", "Wind River"), ("Ildiko Vancsa", "")],
        "recap_url": "https://superuser.example.org/articles/edge-recap/",
    }
    fields.update(overrides)
    return make_episode("Edge computing", STARTS, **fields)


def test_episode_page_shows_time_speakers_description_and_links(app, client, frozen_now):
    with app.app_context():
        make_full_episode()

    response = client.get(f"/episodes/{SLUG}/")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "<h1>Edge computing</h1>" in html
    assert (
        '<time datetime="2024-05-09T14:00:00Z" data-local-time>Thu 9 May 2024, 14:00 UTC</time>'
        in html
    )
    assert '<span class="guest-name">Paul Miller</span>, ' in html
    assert '<span class="guest-affiliation">Wind River</span>' in html
    assert '<span class="guest-name">Ildiko Vancsa</span></li>' in html
    assert 'href="https://example.org/survey"' in html
    # The recording's own link stands for YouTube; the list holds the other platforms, in order.
    assert html.count('href="https://www.youtube.com/watch?v=pHHCIGkpNzs"') == 1
    assert html.index(">LinkedIn</a>") < html.index(">Facebook</a>")
    assert 'href="https://superuser.example.org/articles/edge-recap/">Read the recap</a>' in html
    assert "Recording available" in html


def test_recording_is_a_facade_for_the_nocookie_player_with_a_plain_link(app, client, frozen_now):
    with app.app_context():
        make_full_episode()

    html = client.get(f"/episodes/{SLUG}/").get_data(as_text=True)

    assert 'data-player-src="https://www.youtube-nocookie.com/embed/pHHCIGkpNzs"' in html
    assert 'data-player-title="Recording of Edge computing"' in html
    assert "<iframe" not in html
    assert 'href="https://www.youtube.com/watch?v=pHHCIGkpNzs">Watch' in html


def test_episode_without_a_youtube_link_has_no_player(app, client, frozen_now):
    with app.app_context():
        make_full_episode(links=[("podcast", "https://podcasts.example.org/ep1")])

    html = client.get(f"/episodes/{SLUG}/").get_data(as_text=True)

    assert "data-player-src" not in html
    assert "Recording available" not in html
    assert '<a href="https://podcasts.example.org/ep1">Podcast</a>' in html


def test_calendar_links_offer_the_invite_and_a_webcal_subscription(app, client, frozen_now):
    with app.app_context():
        make_full_episode()
    frozen_now(STARTS - timedelta(days=1))

    html = client.get(f"/episodes/{SLUG}/").get_data(as_text=True)

    assert f'href="/episodes/{SLUG}.ics"' in html
    assert "Add to your calendar" in html
    assert 'href="webcal://live.test/calendar.ics"' in html


def test_a_past_episode_offers_the_next_ones_not_its_own_invite(app, client, frozen_now):
    with app.app_context():
        make_full_episode()

    html = client.get(f"/episodes/{SLUG}/").get_data(as_text=True)

    assert "Download the invite for this episode" not in html
    assert "Add to your calendar" not in html
    assert "Never miss the next episode" in html
    assert 'href="webcal://live.test/calendar.ics"' in html


def test_live_and_upcoming_states_are_computed_from_the_clock(app, client, frozen_now):
    with app.app_context():
        make_full_episode()

    frozen_now(STARTS - timedelta(days=1))
    upcoming = client.get(f"/episodes/{SLUG}/").get_data(as_text=True)
    frozen_now(STARTS + timedelta(minutes=59))
    live = client.get(f"/episodes/{SLUG}/").get_data(as_text=True)

    assert "badge-upcoming" in upcoming and "badge-live" not in upcoming
    assert "badge-live" in live and "on air now" in live


def test_stored_description_is_cleaned_again_on_output(app, client, frozen_now):
    with app.app_context():
        make_full_episode(description='<p>Hi</p><script>alert(1)</script><img src=x onerror="y()">')

    html = client.get(f"/episodes/{SLUG}/").get_data(as_text=True)

    assert "<p>Hi</p>" in html
    assert "<script>alert" not in html
    assert "onerror" not in html


def test_links_that_are_not_http_are_never_rendered_as_links(app, client, frozen_now):
    with app.app_context():
        make_full_episode(
            links=[("youtube", "javascript:alert(1)")], recap_url="data:text/html,<b>x</b>"
        )

    html = client.get(f"/episodes/{SLUG}/").get_data(as_text=True)

    assert "javascript:" not in html
    assert "data:text" not in html


def test_title_and_guests_are_escaped(app, client, frozen_now):
    with app.app_context():
        make_episode(
            "<script>x</script>", STARTS, slug="xss", guests=[("<b>Eve</b>", "<i>Corp</i>")]
        )

    html = client.get("/episodes/xss/").get_data(as_text=True)

    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<b>Eve</b>" not in html and "<i>Corp</i>" not in html


def test_unknown_and_hidden_episodes_are_not_found(app, client, frozen_now):
    with app.app_context():
        make_episode("Hidden one", NOW, slug="hidden-one", hidden=True)

    assert client.get("/episodes/hidden-one/").status_code == 404
    assert client.get("/episodes/no-such-episode/").status_code == 404
    assert client.get("/episodes/%27%20OR%201=1--/").status_code == 404


def test_links_follow_their_stored_order(app, client, frozen_now):
    with app.app_context():
        episode = make_full_episode(links=[])
        db.session.add_all(
            [
                EpisodeLink(
                    episode_id=episode.id, position=2, platform="facebook", url="https://f.example/"
                ),
                EpisodeLink(
                    episode_id=episode.id, position=1, platform="linkedin", url="https://l.example/"
                ),
            ]
        )
        db.session.commit()

    html = client.get(f"/episodes/{SLUG}/").get_data(as_text=True)

    assert html.index(">LinkedIn</a>") < html.index(">Facebook</a>")
