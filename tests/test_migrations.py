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


def test_upgrading_stamps_existing_descriptions_the_cleaner_would_not_change(tmp_path, monkeypatch):
    from datetime import UTC, datetime

    from flask_migrate import upgrade
    from sqlalchemy import text

    from openinfra_live import clean_stamps, create_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/old.sqlite", "SECRET_KEY": "y" * 32}
    )
    at = datetime(2021, 1, 7, 14, tzinfo=UTC)
    with app.app_context():
        upgrade(revision="0002")
        for number, description in enumerate(["<p>Clean <em>text</em></p>", "<script>x</script>"]):
            db.session.execute(
                text(
                    "INSERT INTO episodes (id, slug, title, description, starts_at,"
                    " duration_minutes, hidden, sequence, created_at, updated_at) VALUES"
                    " (:id, :slug, 'Old', :description, :at, 60, 0, 0, :at, :at)"
                ),
                {
                    "id": number + 1,
                    "slug": f"old-{number}",
                    "description": description,
                    "at": (at.replace(day=7 + number)).strftime("%Y-%m-%d %H:%M:%S.%f"),
                },
            )
        db.session.commit()

        upgrade()

        rows = db.session.execute(
            text("SELECT description, description_stamp FROM episodes ORDER BY id")
        ).all()
        verdicts = [clean_stamps.is_stamped(*row) for row in rows]
        db.engine.dispose()
    assert verdicts == [True, False]
    assert rows[1].description_stamp == ""
