"""The number of visible episodes, kept by triggers on ``episodes`` (migration 0006): the
archive reads it instead of counting every episode."""

import threading
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, insert, select, text, update

from openinfra_live.episodes import editing, queries
from openinfra_live.episodes.cards import refresh_cards
from openinfra_live.episodes.importer import import_episodes
from openinfra_live.episodes.models import Episode, EpisodeCount
from openinfra_live.extensions import db
from tests.conftest import build_migrated_app
from tests.episodes.builders import make_episode
from tests.episodes.conftest import NOW
from tests.statements import statements_of
from tests.test_migrations import insert_old_episode, old_database, sqlite_schema_names


def kept() -> int | None:
    db.session.expire_all()
    return db.session.scalar(select(EpisodeCount.visible).where(EpisodeCount.id == 1))


def counted() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Episode).where(Episode.hidden.is_(False))
    )


def bulk_rows(first: int, total: int, hidden: bool = False) -> list[dict]:
    return [
        {
            "slug": f"bulk-{n}",
            "title": f"Bulk {n}",
            "description": "",
            "starts_at": NOW - timedelta(weeks=n),
            "duration_minutes": 60,
            "hidden": hidden or n % 4 == 0,
            "sequence": 0,
            "created_at": NOW,
            "updated_at": NOW,
        }
        for n in range(first, first + total)
    ]


def test_the_count_follows_every_kind_of_write(app):
    with app.app_context():
        make_episode("Shown", NOW, slug="shown")
        make_episode("Hidden", NOW + timedelta(days=1), hidden=True)
        assert kept() == counted() == 1

        db.session.execute(insert(Episode), bulk_rows(10, 40))  # 30 visible, 10 hidden
        db.session.commit()
        assert kept() == counted() == 31

        hidden = db.session.scalars(select(Episode).where(Episode.slug == "bulk-11")).one()
        editing.hide_episode(hidden)
        db.session.commit()
        assert kept() == counted() == 30
        shown = db.session.scalars(select(Episode).where(Episode.slug == "bulk-13")).one()
        shown.hidden = True
        shown.title = "Hidden and renamed"
        db.session.commit()
        assert kept() == counted() == 29

        # An update that hides nothing leaves the number as it is.
        db.session.execute(update(Episode).values(title=Episode.title + "!"))
        db.session.commit()
        assert kept() == counted() == 29

        db.session.execute(update(Episode).where(Episode.slug.like("bulk-%")).values(hidden=False))
        db.session.commit()
        assert kept() == counted() == 41

        db.session.execute(delete(Episode).where(Episode.slug.in_(["bulk-20", "bulk-21"])))
        db.session.delete(db.session.scalars(select(Episode).where(Episode.slug == "shown")).one())
        db.session.commit()
        assert kept() == counted() == 38

        import_episodes(
            [{"episodeTitle": f"Imported {n}", "date": f"2030-01-0{n}T14:00:00Z"} for n in (1, 2)]
        )
        db.session.commit()
        assert kept() == counted() == 40


def test_the_count_is_kept_by_its_three_triggers_at_the_head_revision(app, sqlite_only):
    """As the search index's: a later migration that rebuilds the episodes table on SQLite
    drops them, and must make them again."""
    with app.app_context():
        triggers = sqlite_schema_names("episode_counts", kind="trigger")
    assert triggers == ["episode_counts_delete", "episode_counts_insert", "episode_counts_update"]


def test_a_missing_row_is_counted_again_by_the_next_change(app):
    with app.app_context():
        db.session.execute(insert(Episode), bulk_rows(0, 8))  # 6 visible
        db.session.execute(delete(EpisodeCount))
        db.session.commit()
        assert kept() is None
        assert queries.visible_episode_count() == 6  # counted, meanwhile

        make_episode("One more", NOW + timedelta(days=3))
        assert kept() == counted() == 7


def test_the_archive_shows_the_kept_number_without_counting_every_episode(app, client):
    with app.app_context():
        db.session.execute(insert(Episode), bulk_rows(0, 12))  # 9 visible
        db.session.commit()
    app.config["EPISODES_PER_PAGE"] = 5
    responses = []
    seen = statements_of(app, lambda: responses.append(client.get("/episodes/")))
    first = responses[0]
    assert "9 episodes, page 1 of 2." in first.get_data(as_text=True)
    assert not [s for s in seen if "count(" in s.lower() and "FROM episodes" in s]
    assert client.get("/episodes/?page=2").status_code == 200
    assert client.get("/episodes/?page=3").status_code == 404


def test_the_archive_reads_its_count_and_its_years_in_one_statement(
    app, client, steady_statement_count
):
    with app.app_context():
        db.session.execute(insert(Episode), bulk_rows(0, 12))  # 9 visible
        refresh_cards()  # as after any bulk insert: the listing then reads no guests or links
        db.session.commit()
    app.config["EPISODES_PER_PAGE"] = 5
    responses = []

    seen = statements_of(app, lambda: responses.append(client.get("/episodes/")))

    # The content version, the count with the first and last visible start, the page.
    assert len(seen) == 3, seen
    [facts] = [s for s in seen if "episode_counts" in s]
    assert facts.count("ORDER BY episodes.starts_at") == 2
    assert "9 episodes, page 1 of 2." in responses[0].get_data(as_text=True)


def test_upgrading_counts_the_episodes_already_there_and_downgrading_removes_the_count(
    tmp_path, monkeypatch
):
    app = old_database(tmp_path, monkeypatch, "0005")
    with app.app_context():
        for number in (1, 2, 3):
            insert_old_episode(number, f"Old {number}", "<p>Before the count</p>")
        db.session.execute(text("UPDATE episodes SET hidden = 1 WHERE id = 3"))
        db.session.commit()

        upgrade()
        assert kept() == 2
        make_episode("After the upgrade", NOW)
        assert kept() == counted() == 3

        downgrade(revision="0005")
        leftovers = sqlite_schema_names("episode_counts")
        db.engine.dispose()
    assert leftovers == []


@pytest.mark.parametrize("row", ["kept", "missing"])
def test_concurrent_writers_on_postgresql_count_each_others_episodes(postgres_server, row):
    """Two transactions add visible episodes at once: the second waits for the first's lock
    on the count and adds to what the first committed; with no row, one of them makes it and
    the other adds to it."""
    app = build_migrated_app(postgres_server.create_database(f"count_race_{row}"))
    with app.app_context():
        if row == "missing":
            db.session.execute(delete(EpisodeCount))
            db.session.commit()
        engine = db.engine
    first, second = engine.connect(), engine.connect()
    try:
        first_transaction, second_transaction = first.begin(), second.begin()
        first.execute(insert(Episode), bulk_rows(0, 4))  # 3 visible
        errors: list[BaseException] = []

        def second_writer() -> None:
            try:
                second.execute(insert(Episode), bulk_rows(10, 4))  # 3 visible
                second_transaction.commit()
            except BaseException as error:  # reported by the main thread
                errors.append(error)

        writer = threading.Thread(target=second_writer)
        writer.start()
        writer.join(0.5)
        assert writer.is_alive(), "the second writer should wait for the first's lock"
        first_transaction.commit()
        writer.join(30)
        assert not writer.is_alive() and errors == []
    finally:
        first.close()
        second.close()
    with app.app_context():
        assert kept() == counted() == 6
        db.session.remove()
        db.engine.dispose()
