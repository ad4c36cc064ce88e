"""Each episode's calendar event, stored with it: built when it is written, filled and folded
into the subscription calendar, the same bytes as an event built anew."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import upgrade
from icalendar import Calendar
from icalendar.parser import Contentline
from sqlalchemy import select, update

from openinfra_live import caching, clock
from openinfra_live.episodes import calendar, card_format, cards, search, stored_events
from openinfra_live.episodes.importer import import_episodes
from openinfra_live.episodes.models import Episode, EpisodeGuest, EpisodeLink
from openinfra_live.extensions import db
from tests.episodes.builders import imported_entries, make_episode
from tests.statements import statements_of
from tests.test_migrations import insert_old_episode, old_database

STARTS = datetime(2024, 5, 9, 14, 0, tzinfo=UTC)
PAGE = "https://live.example.org/episodes/a-slug/"
DOMAIN = "live.example.org"


def stored(slug: str) -> Episode:
    db.session.expire_all()
    return db.session.scalars(select(Episode).where(Episode.slug == slug)).one()


def built_anew(episode: Episode, page_url: str = PAGE, domain: str = DOMAIN) -> bytes:
    entry = calendar.CalendarEntry.from_rows(episode, episode.guests, episode.links)
    return calendar.episode_event(entry, page_url, domain).to_ical()


def filled(episode: Episode, page_url: str = PAGE, domain: str = DOMAIN) -> bytes:
    return calendar.filled_event(episode.ics_event, page_url, domain)


def unfolded(raw: bytes) -> str:
    return raw.decode().replace("\r\n ", "")


def summaries(raw: bytes) -> list[str]:
    return [str(e["SUMMARY"]) for e in Calendar.from_ical(raw).walk("VEVENT")]


@pytest.mark.parametrize(
    "line",
    [
        "",
        "SUMMARY:short",
        "X:" + "a" * 72,  # 74 octets: one line
        "X:" + "a" * 73,  # 75 octets: folded
        "DESCRIPTION:" + "word " * 80,
        "DESCRIPTION:" + "a" * 60 + "\\n" + "b" * 200,
        "DESCRIPTION:" + "a" * 71 + "\\,next" + "c" * 100,  # an escape across the fold
        "DESCRIPTION:" + "a" * 72 + "\\;" + "d" * 74 + "\\\\" + "e" * 80,
        "X;PARAM=a" + "^" * 120,
        "SUMMARY:" + "é" * 50,  # two octets each
        "SUMMARY:" + "a" * 65 + "日本語テキスト" * 12,  # three octets each
        "SUMMARY:" + "a" * 64 + "🎙️ live " * 20,  # four octets, and a joiner
        "DESCRIPTION:" + "é" * 33 + "\\n" + "ü\\," * 40,
    ],
)
def test_lines_are_folded_exactly_as_icalendar_folds_them(line):
    assert calendar.fold_line(line) + "\r\n" == Contentline(line).to_ical().decode() + "\r\n"


def test_an_event_is_stored_when_its_episode_guests_or_links_change(app):
    with app.app_context():
        episode = make_episode(
            "Stored",
            STARTS,
            slug="stored",
            description="<p>Operators; share, what \\ they run.</p>",
            guests=[("Ana", "CERN"), "Bo"],
            links=[("youtube", "https://www.youtube.com/watch?v=abc")],
            recap_url="https://example.org/recap",
        )
        episode = stored("stored")
        assert episode.ics_format == stored_events.EVENT_FORMAT
        assert calendar.PAGE_SLOT in episode.ics_event
        assert filled(episode) == built_anew(episode)

        episode.guests[0].affiliation = "OpenInfra"
        db.session.commit()
        episode = stored("stored")
        assert "Speakers: Ana (OpenInfra)\\, Bo" in unfolded(filled(episode))
        assert filled(episode) == built_anew(episode)

        db.session.delete(episode.guests[1])
        episode.links.append(EpisodeLink(position=1, platform="linkedin", url="https://l/1"))
        db.session.commit()
        episode = stored("stored")
        text = unfolded(filled(episode))
        assert "Speakers: Ana (OpenInfra)\\n" in text and "Bo" not in text
        assert "https://l/1" in text
        assert filled(episode) == built_anew(episode)

        db.session.delete(db.session.scalars(select(EpisodeGuest)).one())
        episode.starts_at = STARTS + timedelta(days=1)
        episode.sequence += 1
        db.session.commit()
        episode = stored("stored")
        assert "Speakers" not in filled(episode).decode()
        assert b"SEQUENCE:1" in filled(episode)
        assert filled(episode) == built_anew(episode)


def test_storing_what_is_derived_from_an_episode_is_not_an_edit_of_it(app, monkeypatch):
    ticks = itertools.count()
    # Every reading of the clock is a minute later than the one before.
    monkeypatch.setattr(clock, "now", lambda: STARTS + timedelta(minutes=next(ticks)))
    with app.app_context():
        episode = make_episode("Ticking", STARTS, slug="ticking", guests=["Kim"])
        episode.guests[0].name = "Kim Lee"
        db.session.commit()
        episode = stored("ticking")
        updated_at = episode.updated_at
        assert filled(episode) == built_anew(episode)

        # As an earlier version of the site left them.
        stale = {"ics_format": "", "card_format": "", "updated_at": Episode.updated_at}
        db.session.execute(update(Episode).values(**stale))
        db.session.commit()
        assert stored("ticking").updated_at == updated_at
        assert stored_events.refresh_events() == 1
        assert cards.refresh_cards() == 1
        assert search.refresh_search_text() >= 0
        db.session.commit()

        episode = stored("ticking")
        assert episode.updated_at == updated_at
        assert filled(episode) == built_anew(episode)


def test_an_event_is_stored_in_the_transaction_that_writes_its_episode(app):
    with app.app_context():
        episode = make_episode("Never committed", STARTS, slug="never", commit=False)
        assert episode.ics_event is not None
        db.session.rollback()
        assert db.session.scalars(select(Episode)).all() == []
        make_episode("Committed", STARTS, slug="committed")
        assert stored("committed").ics_event is not None


def test_slots_are_filled_with_the_address_and_domain_of_the_request(app, client):
    with app.app_context():
        make_episode("Anywhere", STARTS, slug="anywhere")

    # The tests' SERVER_NAME is live.test; the site is mounted under /site here.
    raw = client.get("/calendar.ics", base_url="https://live.test/site").get_data()

    text = unfolded(raw)
    assert "UID:episode-" in text and "@live.test\r\n" in text
    assert "URL:https://live.test/site/episodes/anywhere/\r\n" in text
    assert "Episode page: https://live.test/site/episodes/anywhere/" in text
    assert calendar.SLOT_MARK not in text


@pytest.mark.parametrize("mark", [calendar.PAGE_SLOT, calendar.LINE_MARK])
def test_text_holding_a_mark_is_not_stored_and_still_exact(app, client, mark):
    with app.app_context():
        make_episode(f"Marked {mark} title", STARTS, slug="marked", guests=[f"A {mark}"])
        assert stored("marked").ics_event is None
    raw = client.get("/calendar.ics").get_data()

    assert summaries(raw) == [f"Marked {mark} title"]
    assert f"Speakers: A {mark}" in unfolded(raw)


def test_an_address_that_cannot_fill_a_slot_gets_an_event_built_anew(app):
    assert calendar.can_fill(PAGE, DOMAIN)
    assert not calendar.can_fill("https://x.example/a,b/", DOMAIN)
    assert not calendar.can_fill(PAGE, "we;ird")
    with app.app_context():
        episode = make_episode("Odd address", STARTS, slug="odd")
        with app.test_request_context("/calendar.ics"):
            [event_bytes] = stored_events.feed_events(lambda slug: f"https://x/{slug},1/", DOMAIN)
        assert event_bytes == built_anew(episode, "https://x/odd,1/")
        assert "Episode page: https://x/odd\\,1/" in unfolded(event_bytes)


def test_a_calendar_of_stored_events_reads_no_guests_or_links(app, client):
    with app.app_context():
        for week in range(3):
            make_episode(f"Week {week}", STARTS + timedelta(weeks=week), guests=["Kim"])

    seen = statements_of(app, lambda: client.get("/calendar.ics").get_data())

    assert [s for s in seen if "ics_event" in s]
    assert not [s for s in seen if "episode_guests" in s or "episode_links" in s]


def test_events_of_another_format_are_built_anew_until_refreshed(app, client):
    with app.app_context():
        for week in range(3):
            make_episode(f"Week {week}", STARTS + timedelta(weeks=week), guests=["Kim"])
        fresh = client.get("/calendar.ics").get_data()
        db.session.execute(
            update(Episode)
            .where(Episode.title != "Week 1")
            .values(ics_format="old", updated_at=Episode.updated_at)
        )
        db.session.commit()
        caching.clear(app)

        seen = statements_of(app, lambda: client.get("/calendar.ics").get_data())
        caching.clear(app)
        assert client.get("/calendar.ics").get_data() == fresh
        assert [s for s in seen if "episode_guests" in s]

        assert stored_events.refresh_events() == 2
        db.session.commit()
        assert stored_events.refresh_events() == 0
        assert {e.ics_format for e in db.session.scalars(select(Episode))} == {
            stored_events.EVENT_FORMAT
        }
        caching.clear(app)
        assert client.get("/calendar.ics").get_data() == fresh


def test_hidden_episodes_keep_their_event_and_stay_out_of_the_calendar(app, client):
    with app.app_context():
        make_episode("Shown", STARTS)
        make_episode("Hidden", STARTS + timedelta(weeks=1), hidden=True, slug="hidden")
        assert stored("hidden").ics_event is not None

    assert summaries(client.get("/calendar.ics").get_data()) == ["Shown"]


def test_imported_episodes_come_with_their_events(app, client):
    with app.app_context():
        import_episodes(imported_entries(3))
        db.session.commit()
        episodes = db.session.scalars(select(Episode).order_by(Episode.starts_at)).all()
        assert [e.ics_format for e in episodes] == [stored_events.EVENT_FORMAT] * 3
        assert all(filled(e) == built_anew(e) for e in episodes)

    raw = client.get("/calendar.ics").get_data()
    assert summaries(raw) == ["Imported 0", "Imported 1", "Imported 2"]


def test_upgrading_the_database_renders_the_cards_and_builds_the_events(tmp_path, monkeypatch):
    app = old_database(tmp_path, monkeypatch, "0004")  # before cards and events were stored
    with app.app_context():
        insert_old_episode(1, "Old; <title>", "<p>From before cards were stored</p>")
        db.session.commit()

        upgrade()

        episode = stored("old-1")
        assert episode.card_format == card_format.stored_card_format()
        assert "Old; &lt;title&gt;" in episode.card_html
        assert "From before cards were stored" in episode.card_html
        assert episode.ics_format == stored_events.EVENT_FORMAT
        assert "SUMMARY:Old\\; <title>" in episode.ics_event
        assert filled(episode) == built_anew(episode)
        db.engine.dispose()
