"""The schema comes from the migrations alone, and they match the models exactly; upgrades fill
the columns they add for the rows already there."""

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from openinfra_live import clean_stamps, create_app
from openinfra_live.episodes.card_format import stored_card_format
from openinfra_live.episodes.models import Episode, EpisodeCount
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


def test_upgrading_stamps_existing_descriptions_the_cleaner_would_not_change(tmp_path, monkeypatch):
    app = old_database(tmp_path, monkeypatch, "0002")
    with app.app_context():
        insert_old_episode(1, "Clean", "<p>Clean <em>text</em></p>")
        insert_old_episode(2, "Unclean", "<script>x</script>")
        db.session.commit()

        upgrade()

        rows = db.session.execute(
            text("SELECT description, description_stamp FROM episodes ORDER BY id")
        ).all()
        verdicts = [clean_stamps.is_stamped(*row) for row in rows]
        db.engine.dispose()
    assert verdicts == [True, False]
    assert rows[1].description_stamp == ""


@pytest.mark.parametrize("backend", BACKENDS)
def test_going_down_to_0003_and_up_again_keeps_the_episodes_and_remakes_what_derives(
    backend, request, tmp_path
):
    """What the README advises to add the search index later, on either database: the
    episodes stay, and their stored cards and the count of visible ones are made again."""
    if backend == "sqlite":
        uri = f"sqlite:///{tmp_path}/down-and-up.sqlite"
    else:
        uri = request.getfixturevalue("postgres_server").create_database("down_and_up")
    app = build_migrated_app(uri)
    with app.app_context():
        make_episode("Kept <through> migrations", OLD_START, slug="kept")
        make_episode("Hidden one", OLD_START + timedelta(weeks=1), hidden=True)

        downgrade(revision="0003")
        db.session.remove()
        upgrade()

        episode = db.session.scalars(select(Episode).where(Episode.slug == "kept")).one()
        assert episode.card_format == stored_card_format()
        assert "Kept &lt;through&gt; migrations" in episode.card_html
        assert db.session.scalar(select(EpisodeCount.visible)) == 1
        db.session.remove()
        db.engine.dispose()
