"""Descriptions are cleaned on the way in and printed through the one HTML helper, which gives
the stored HTML back for a clean description and cleans any row written behind the services."""

from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
from sqlalchemy import text

from openinfra_live import sanitize, templating
from openinfra_live.episodes import editing
from openinfra_live.extensions import db
from tests.episodes.builders import make_episode
from tests.episodes.test_feeds import ATOM
from tests.test_sanitize import XSS_CORPUS

START = datetime(2023, 3, 2, 14, 0, tzinfo=UTC)
CLEAN = (
    '<p>Operators <em>share</em> <a href="https://x.example/"'
    ' rel="nofollow noopener noreferrer">notes</a></p>'
)


def page_of(client, slug: str) -> str:
    return client.get(f"/episodes/{slug}/").get_data(as_text=True)


def test_a_clean_description_is_printed_as_stored(app, client):
    with app.app_context():
        make_episode("Clean", START, description=CLEAN, slug="clean")

    assert CLEAN in page_of(client, "clean")


def test_the_editing_service_stores_the_cleaned_description(app, frozen_now):
    raw = '<p>Hello</p><script>alert("in")</script><img src=x onerror=alert(1)>'
    with app.app_context():
        editing.create_episode(
            title="Cleaned on the way in",
            starts_at=START.replace(year=2030),
            description=raw,
        )
        db.session.commit()
        stored = db.session.scalar(text("SELECT description FROM episodes"))

    assert stored == sanitize.clean_html(raw) == "<p>Hello</p>"  # the script goes with its content


def test_a_description_written_behind_the_services_is_cleaned_at_render(app, client):
    with app.app_context():
        episode = make_episode("Tampered", START, description=CLEAN, slug="tampered")
        db.session.execute(
            text("UPDATE episodes SET description = :d WHERE id = :id"),
            {"d": CLEAN + "<script>alert('sql')</script>", "id": episode.id},
        )
        db.session.commit()

    html = page_of(client, "tampered")
    assert "<script>alert('sql')" not in html
    assert CLEAN in html


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_every_payload_prints_as_the_cleaner_makes_it(app, payload):
    with app.test_request_context():
        cleaned = sanitize.clean_html(payload)
        assert str(templating.clean_html(cleaned)) == cleaned
        assert str(templating.clean_html(payload)) == cleaned


def test_the_atom_feed_prints_clean_descriptions_and_cleans_the_others(app, client):
    with app.app_context():
        make_episode("Feed clean", START, description=CLEAN)
        tampered = make_episode("Feed tampered", description=CLEAN)
        db.session.execute(
            text("UPDATE episodes SET description = :d WHERE id = :id"),
            {"d": "<p>Tampered</p><script>alert('feed')</script>", "id": tampered.id},
        )
        db.session.commit()

    feed = ElementTree.fromstring(client.get("/feed.xml").get_data())
    contents = {
        entry.findtext(f"{ATOM}title"): entry.findtext(f"{ATOM}content")
        for entry in feed.iter(f"{ATOM}entry")
    }

    assert contents["Feed clean"] == CLEAN
    assert contents["Feed tampered"] == "<p>Tampered</p>"
