"""The schema comes from the migrations alone, and they match the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from openinfra_live.extensions import db


def test_migrations_produce_exactly_the_models_schema(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_upgrading_gives_existing_episodes_their_search_text(tmp_path, monkeypatch):
    from datetime import UTC, datetime

    from flask_migrate import upgrade
    from sqlalchemy import text

    from openinfra_live import create_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/old.sqlite", "SECRET_KEY": "x" * 32}
    )
    with app.app_context():
        upgrade(revision="0001")
        db.session.execute(
            text(
                "INSERT INTO episodes (id, slug, title, description, starts_at, duration_minutes,"
                " hidden, sequence, created_at, updated_at) VALUES (1, 'old', 'Old title',"
                " '<p>Old <em>text</em></p>', :at, 60, 0, 0, :at, :at)"
            ),
            {"at": datetime(2021, 1, 7, 14, tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")},
        )
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
