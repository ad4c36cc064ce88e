"""Listings print each episode's stored card (episodes/cards.py): rendered when the episode is
written, its slots filled when it is listed, rendered again when the site's cards change."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from openinfra_live.episodes import card_format, cards, queries
from openinfra_live.episodes.importer import import_episodes
from openinfra_live.episodes.models import Episode, EpisodeGuest, EpisodeLink
from openinfra_live.extensions import db
from tests.episodes.builders import imported_entries, make_episode
from tests.episodes.conftest import NOW
from tests.statements import statements_of

YOUTUBE = ("youtube", "https://www.youtube.com/watch?v=pHHCIGkpNzs")


def stored(slug: str) -> Episode:
    db.session.expire_all()
    return db.session.scalars(select(Episode).where(Episode.slug == slug)).one()


def listed(app, path: str = "/episodes/", **context) -> str:
    """The archive's first page of cards as a visitor at ``path`` gets it."""
    with app.test_request_context(path, **context):
        page = queries.archive_page(1, 50)
        return str(cards.listing_html(page.items, NOW, level=2))


def make_stale(*slugs: str) -> None:
    """Cards as an earlier version of the site rendered them."""
    db.session.execute(
        update(Episode).where(Episode.slug.in_(slugs)).values(card_format="old", card_html="old")
    )
    db.session.commit()


def test_a_card_is_rendered_whenever_its_episode_guests_or_links_change(app):
    with app.app_context():
        make_episode(
            "Zuul <gates>",
            NOW - timedelta(days=7),
            slug="zuul",
            description="<p>How <strong>gating</strong> works.</p>",
            guests=[("Ana Díaz", "Org & Co")],
        )
        episode = stored("zuul")
        assert episode.card_format == card_format.stored_card_format()
        assert "Zuul &lt;gates&gt;" in episode.card_html
        assert "Ana Díaz" in episode.card_html and "(Org &amp; Co)" in episode.card_html
        assert "How gating works." in episode.card_html
        assert not episode.has_recording

        episode.title = "Zuul in depth"
        episode.description = "<p>Speculative merging.</p>"
        episode.guests[0].name = "Ana Diaz-Ruiz"
        episode.guests.append(EpisodeGuest(position=1, name="Second Speaker"))
        episode.links.append(EpisodeLink(position=0, platform=YOUTUBE[0], url=YOUTUBE[1]))
        db.session.commit()
        episode = stored("zuul")
        assert "Zuul in depth" in episode.card_html and "gates" not in episode.card_html
        assert "Speculative merging." in episode.card_html
        assert "Ana Diaz-Ruiz" in episode.card_html and "Second Speaker" in episode.card_html
        assert episode.has_recording

        # A guest or link changed on its own touches its episode's card too.
        episode.guests[1].affiliation = "Late Org"
        db.session.commit()
        assert "(Late Org)" in stored("zuul").card_html
        db.session.delete(stored("zuul").links[0])
        db.session.commit()
        assert not stored("zuul").has_recording
        # So does a guest deleted on its own, for the card and for the search text alike.
        db.session.delete(stored("zuul").guests[1])
        db.session.commit()
        assert "Second Speaker" not in stored("zuul").card_html
        assert "second speaker" not in stored("zuul").search_text


@pytest.mark.parametrize("zone", ["", "America/Chicago"])
def test_slots_are_filled_for_the_page_and_the_visitor(app, zone):
    with app.app_context():
        make_episode("Live one", NOW - timedelta(minutes=10), links=[YOUTUBE])
        make_episode("Next one", NOW + timedelta(days=7))
        make_episode("Aired with a recording", NOW - timedelta(days=7), links=[YOUTUBE])
        make_episode("Aired without", NOW - timedelta(days=14))
    headers = {"Cookie": f"tz={zone}"} if zone else {}

    html = listed(app, headers=headers)

    assert "<!--" not in html
    assert html.count("<h2 ") == 4 and html.count("</h2>") == 4
    assert html.count('class="badge badge-live"') == 1
    assert html.count('class="badge badge-upcoming"') == 1
    assert html.count('class="badge badge-recording"') == 1
    if zone:
        assert html.count("(America/Chicago: ") == 4 and "data-local-time" not in html
    else:
        assert html.count(" data-local-time>") == 4 and "local-time" not in html.replace(
            "data-local-time", ""
        )


def test_a_card_follows_the_clock_not_the_moment_it_was_stored(app):
    with app.app_context():
        make_episode("Soon", NOW + timedelta(minutes=30), links=[YOUTUBE])
    assert 'badge-upcoming">Upcoming' in listed(app)
    with app.test_request_context("/episodes/"):
        page = queries.archive_page(1, 50)
        during = str(cards.listing_html(page.items, NOW + timedelta(minutes=45), level=2))
        after = str(cards.listing_html(page.items, NOW + timedelta(days=1), level=2))
    assert "Live now" in during
    assert "Recording available" in after


def test_links_follow_the_mount_point(app):
    with app.app_context():
        make_episode("Mounted", NOW, slug="mounted-episode")
    at_root = listed(app)
    mounted = listed(app, base_url="http://localhost/community/")
    assert 'href="/episodes/mounted-episode/"' in at_root
    assert 'href="/community/episodes/mounted-episode/"' in mounted


def test_text_that_looks_like_a_slot_stays_text(app):
    with app.app_context():
        make_episode(
            "<!--badge--> and <!--root-->",
            NOW - timedelta(days=3),
            guests=[("<!--level-->", "<!--local-time-->")],
            description="<p>&lt;!--browser-local-time--&gt;</p>",
        )
    html = listed(app)
    assert "<!--" not in html
    assert "&lt;!--badge--&gt; and &lt;!--root--&gt;" in html
    assert "&lt;!--level--&gt;" in html and "&lt;!--local-time--&gt;" in html
    assert "&lt;!--browser-local-time--&gt;" in html
    assert 'class="badge' not in html


def test_a_listing_of_current_cards_reads_no_guests_or_links(app):
    with app.app_context():
        for week in range(3):
            make_episode(f"Listed {week}", NOW - timedelta(weeks=week), guests=["A Guest"])
        seen = statements_of(app, lambda: listed(app))
    assert not [s for s in seen if "episode_guests" in s or "episode_links" in s]


def test_a_card_of_another_format_is_rendered_again_until_refreshed(app):
    with app.app_context():
        make_episode(
            "Old format", NOW - timedelta(days=7), slug="old", links=[YOUTUBE], guests=["Guest"]
        )
        make_episode("Current format", NOW - timedelta(days=14), guests=["Guest B"])
        fresh = listed(app)
        make_stale("old")

        # Printed as before; its guests and links are read to render it.
        seen = statements_of(app, lambda: listed(app))
        assert listed(app) == fresh
        assert [s for s in seen if "episode_guests" in s]

        assert cards.refresh_cards() == 1
        db.session.commit()
        assert stored("old").card_format == card_format.stored_card_format()
        assert cards.refresh_cards() == 0
        assert listed(app) == fresh


def test_a_new_card_format_renders_every_card_again(app, monkeypatch):
    with app.app_context():
        make_episode("First", NOW - timedelta(days=7))
        make_episode("Second", NOW - timedelta(days=14))
        before = card_format.stored_card_format()
        fresh = listed(app)
        monkeypatch.setattr(card_format, "CARD_CODE_VERSION", "next")
        monkeypatch.delitem(app.extensions, "card_format")

        assert card_format.stored_card_format() != before
        assert listed(app) == fresh
        assert cards.refresh_cards() == 2
        db.session.commit()
    monkeypatch.undo()
    with app.app_context():
        app.extensions.pop("card_format", None)
        assert cards.refresh_cards() == 2  # and back, for the tests that follow
        db.session.commit()


def test_imported_episodes_come_with_their_cards(app):
    with app.app_context():
        import_episodes(imported_entries(3))
        db.session.commit()
        episodes = db.session.scalars(select(Episode).order_by(Episode.starts_at)).all()
        assert [e.card_format for e in episodes] == [card_format.stored_card_format()] * 3
        assert [e.has_recording for e in episodes] == [False, True, True]
        assert all("Ann Guest" in e.card_html for e in episodes)
