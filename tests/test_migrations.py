"""The schema comes from the migrations alone, and they match the models exactly; upgrades fill
the columns they add for the rows already there."""

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from openinfra_live import create_app
from openinfra_live.episodes import queries
from openinfra_live.episodes.models import Episode
from openinfra_live.episodes.search import is_index_part
from openinfra_live.extensions import db
from tests.conftest import BACKENDS, build_migrated_app
from tests.episodes.builders import make_episode

OLD_START = datetime(2021, 1, 7, 14, tzinfo=UTC)


def include_name(name, type_, parent_names) -> bool:
    """What the comparison looks at: all but the search index's tables (see migrations/env.py)."""
    return not (type_ in {"table", "index"} and is_index_part(name))


def test_migrations_produce_exactly_the_models_schema(app):
    with app.app_context(), db.engine.connect() as connection:
        options = {"compare_type": True, "include_name": include_name}
        context = MigrationContext.configure(connection, opts=options)
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def old_database(tmp_path, monkeypatch, revision: str) -> Flask:
    """An app on a new SQLite database migrated up to ``revision`` only."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/old.sqlite", "SECRET_KEY": "x" * 32}
    )
    with app.app_context():
        upgrade(revision=revision)
    return app


def sqlite_schema_names(prefix: str, kind: str | None = None) -> list[str]:
    """Names in SQLite's schema starting with ``prefix`` (only ``kind``: "trigger", …),
    sorted; inside an app context."""
    statement = "SELECT name FROM sqlite_master WHERE name LIKE :pattern"
    if kind is not None:
        statement += " AND type = :kind"
    found = db.session.scalars(
        text(statement + " ORDER BY name"), {"pattern": prefix + "%", "kind": kind}
    )
    return list(found)


def insert_old_episode(number: int, title: str, description: str) -> None:
    """An episode row as a database of an older revision holds it (written by SQL)."""
    db.session.execute(
        text(
            "INSERT INTO episodes (id, slug, title, description, starts_at, duration_minutes,"
            " hidden, sequence, created_at, updated_at) VALUES (:id, :slug, :title,"
            " :description, :at, 60, 0, 0, :at, :at)"
        ),
        {
            "id": number,
            "slug": f"old-{number}",
            "title": title,
            "description": description,
            "at": (OLD_START + timedelta(weeks=number)).strftime("%Y-%m-%d %H:%M:%S.%f"),
        },
    )


def migrated_app_on(backend: str, name: str, request, tmp_path) -> Flask:
    """An app migrated to the newest revision on a database of its own, on either backend."""
    if backend == "sqlite":
        uri = f"sqlite:///{tmp_path}/{name}.sqlite"
    else:
        uri = request.getfixturevalue("postgres_server").create_database(name)
    return build_migrated_app(uri)


def test_upgrading_gives_existing_episodes_their_search_text(tmp_path, monkeypatch):
    app = old_database(tmp_path, monkeypatch, "0001")
    with app.app_context():
        insert_old_episode(1, "Old title", "<p>Old <em>text</em></p>")
        db.session.execute(
            text(
                "INSERT INTO episode_guests (episode_id, position, name, affiliation)"
                " VALUES (1, 0, 'Ann Guest', 'Org')"
            )
        )
        db.session.commit()

        upgrade()

        stored = db.session.execute(text("SELECT search_text FROM episodes")).scalar_one()
        db.engine.dispose()
    assert stored == "old title\nold text\nann guest org"


@pytest.mark.parametrize("backend", BACKENDS)
def test_going_down_to_0003_and_up_again_keeps_the_episodes_and_their_search(
    backend, request, tmp_path
):
    """What the README advises to add the search index later, on either database: the
    episodes stay, and the search index (0004) finds them after the derived columns were
    dropped again (0009)."""
    app = migrated_app_on(backend, "down_and_up", request, tmp_path)
    with app.app_context():
        make_episode("Kept <through> migrations", OLD_START, slug="kept")
        make_episode("Hidden one", OLD_START + timedelta(weeks=1), hidden=True)

        downgrade(revision="0003")
        db.session.remove()
        upgrade()

        episode = db.session.scalars(select(Episode).where(Episode.slug == "kept")).one()
        assert episode.search_text == "kept <through> migrations\noperators share what they run."
        with app.test_request_context():
            found = queries.archive_page(1, 10, search="through")
        assert [e.slug for e in found.items] == ["kept"]
        if backend == "sqlite":
            assert sqlite_schema_names("episodes_search_", "trigger") == [
                "episodes_search_delete",
                "episodes_search_insert",
                "episodes_search_update",
            ]
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_0009_goes_down_to_the_stored_renderings_and_up_again(backend, request, tmp_path):
    """The downgrade makes the dropped columns and the count of visible episodes again (the
    count filled), and the upgrade drops them again, on either database."""
    app = migrated_app_on(backend, "down_0009", request, tmp_path)
    with app.app_context():
        make_episode("Shown", OLD_START)
        make_episode("Hidden", OLD_START + timedelta(weeks=1), hidden=True)

        downgrade(revision="0008")
        assert db.session.scalar(text("SELECT visible FROM episode_counts")) == 1
        assert db.session.scalar(text("SELECT count(card_html) FROM episodes")) == 2
        db.session.remove()
        upgrade()

        tables = inspect(db.engine).get_table_names()
        columns = {column["name"] for column in inspect(db.engine).get_columns("episodes")}
        db.session.remove()
        db.engine.dispose()
    assert "episode_counts" not in tables
    assert {"card_html", "ics_event", "description_stamp", "has_recording"} & columns == set()
    assert "search_text" in columns
