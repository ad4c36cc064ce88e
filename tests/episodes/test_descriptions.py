"""Descriptions are printed as stored only when their stamp proves the cleaner made them
(``clean_stamps``, ``episodes/descriptions.py``)."""

from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
from sqlalchemy import text

from openinfra_live import clean_stamps, sanitize, templating
from openinfra_live.episodes import descriptions
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from tests.episodes.builders import make_episode
from tests.episodes.test_feeds import ATOM
from tests.test_sanitize import XSS_CORPUS

START = datetime(2023, 3, 2, 14, 0, tzinfo=UTC)
CLEAN = (
    '<p>Operators <em>share</em> <a href="https://x.example/"'
    ' rel="nofollow noopener noreferrer">notes</a></p>'
)


def stored(episode_id: int) -> tuple[str, str]:
    return db.session.execute(
        text("SELECT description, description_stamp FROM episodes WHERE id = :id"),
        {"id": episode_id},
    ).one()


def page_of(client, episode: Episode) -> str:
    return client.get(f"/episodes/{episode.slug}/").get_data(as_text=True)


def test_a_clean_description_written_through_the_orm_is_stamped_and_printed_as_stored(app, client):
    with app.app_context():
        episode = make_episode("Stamped", START, description=CLEAN)
        description, stamp = stored(episode.id)
        assert description == CLEAN
        assert clean_stamps.is_stamped(description, stamp)

    assert CLEAN in page_of(client, episode)


def test_a_description_the_cleaner_would_change_gets_no_stamp_and_is_cleaned_at_render(app, client):
    raw = '<p>Hello</p><script>alert("stamp")</script><img src=x onerror=alert(1)>'
    with app.app_context():
        episode = make_episode("Unclean", START, description=raw)
        description, stamp = stored(episode.id)
        assert (description, stamp) == (raw, "")

    html = page_of(client, episode)
    assert '<script>alert("stamp")' not in html
    assert "onerror" not in html
    assert "<p>Hello</p>" in html


def test_a_description_changed_behind_the_orm_is_cleaned_whatever_its_stamp(app, client):
    with app.app_context():
        episode = make_episode("Tampered", START, description=CLEAN)
        db.session.execute(
            text("UPDATE episodes SET description = :d WHERE id = :id"),
            {"d": CLEAN + "<script>alert('sql')</script>", "id": episode.id},
        )
        db.session.commit()
        assert stored(episode.id)[1] != ""  # the old stamp is still there

    html = page_of(client, episode)
    assert "<script>alert('sql')" not in html
    assert CLEAN in html


def test_an_orm_edit_of_the_description_stamps_it_again(app):
    with app.app_context():
        episode = make_episode("Edited", START, description=CLEAN)
        episode.description = "<p>Now <strong>this</strong>.</p>"
        db.session.commit()
        assert clean_stamps.is_stamped(*stored(episode.id))

        episode.description = "<p>Unclosed <em>tag</p>"
        db.session.commit()
        assert stored(episode.id)[1] == ""

        episode.title = "Only the title"
        db.session.commit()
        assert stored(episode.id)[1] == ""


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_every_payload_prints_as_the_cleaner_makes_it_stamped_or_not(app, payload):
    with app.test_request_context():
        cleaned = sanitize.clean_html(payload)
        stamp = clean_stamps.stamp_for(cleaned)
        assert stamp and clean_stamps.is_stamped(cleaned, stamp)
        assert str(templating.clean_html(cleaned, stamp)) == cleaned
        assert str(templating.clean_html(cleaned)) == cleaned
        if cleaned != payload:
            assert clean_stamps.stamp_for(payload) == ""
        # A genuine stamp moved onto the raw payload proves nothing.
        assert str(templating.clean_html(payload, stamp)) == cleaned
        assert str(templating.clean_html(payload, "0" * 32)) == cleaned


def test_another_secret_key_or_cleaner_policy_voids_every_stamp(app, monkeypatch):
    with app.test_request_context():
        stamp = clean_stamps.stamp_for(CLEAN)
        assert clean_stamps.is_stamped(CLEAN, stamp)

        monkeypatch.setitem(app.config, "SECRET_KEY", "another site's key " * 2)
        assert not clean_stamps.is_stamped(CLEAN, stamp)
        monkeypatch.undo()
        assert clean_stamps.is_stamped(CLEAN, stamp)

        monkeypatch.setattr(sanitize, "POLICY", sanitize.POLICY + "; tags changed")
        assert not clean_stamps.is_stamped(CLEAN, stamp)


def test_restamp_fixes_rows_written_in_bulk_and_the_command_reports_them(app):
    with app.app_context():
        clean = make_episode("Bulk clean", START, description=CLEAN).id
        unclean = make_episode("Bulk unclean", description="<p>x</p><script>1</script>").id
        db.session.execute(text("UPDATE episodes SET description_stamp = 'forged'"))
        db.session.commit()

        # One stamped again, one forged stamp removed.
        assert descriptions.restamp() == 2
        db.session.commit()
        assert clean_stamps.is_stamped(*stored(clean))
        assert stored(unclean)[1] == ""
        assert descriptions.restamp() == 0

        db.session.execute(text("UPDATE episodes SET description_stamp = ''"))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["stamp-descriptions"])
    assert result.exit_code == 0, result.output
    assert "1 stamps changed" in result.output
    with app.app_context():
        assert clean_stamps.is_stamped(*stored(clean))


def test_the_atom_feed_prints_stamped_descriptions_and_cleans_the_others(app, client):
    with app.app_context():
        stamped = make_episode("Feed stamped", START, description=CLEAN)
        tampered = make_episode("Feed tampered", description=CLEAN)
        db.session.execute(
            text("UPDATE episodes SET description = :d WHERE id = :id"),
            {"d": "<p>Tampered</p><script>alert('feed')</script>", "id": tampered.id},
        )
        db.session.commit()
        assert clean_stamps.is_stamped(*stored(stamped.id))

    feed = ElementTree.fromstring(client.get("/feed.xml").get_data())
    contents = {
        entry.findtext(f"{ATOM}title"): entry.findtext(f"{ATOM}content")
        for entry in feed.iter(f"{ATOM}entry")
    }

    assert contents["Feed stamped"] == CLEAN
    assert contents["Feed tampered"] == "<p>Tampered</p>alert('feed')"
