"""Backups and the JSON export/import round trip."""

import json
import sqlite3
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from werkzeug.security import generate_password_hash

from openinfra_live.auth.models import User
from openinfra_live.episodes import search
from openinfra_live.episodes.models import Episode, EpisodeGuest, EpisodeLink
from openinfra_live.extensions import db
from openinfra_live.maintenance import ImportRefused, export_data, import_data
from openinfra_live.proposals.models import Proposal
from openinfra_live.ptg.models import PtgEvent, PtgTeam, Room
from openinfra_live.tokens import new_token
from tests.conftest import empty_all_tables

START = datetime(2026, 1, 8, 14, tzinfo=UTC)


def fill_some_content() -> dict[str, str]:
    """Rows in every kind of table; returns the secrets that must not leak."""
    token, token_hash = new_token()
    password_hash = generate_password_hash("a long moderator passphrase", method="scrypt")
    for n in range(3):
        episode = Episode(
            slug=f"episode-{n}",
            title=f"Episode {n} — Zuul & Kata",
            description="<p>About <em>things</em></p>",
            starts_at=START + timedelta(weeks=n),
        )
        episode.links.append(EpisodeLink(position=0, platform="youtube", url=f"https://y/{n}"))
        episode.guests.append(EpisodeGuest(position=0, name="Ada", affiliation="Org"))
        search.refresh(episode)  # as the services write it
        db.session.add(episode)
    db.session.add(User(email="mod@example.org", password_hash=password_hash))
    db.session.add(
        Proposal(
            title="An idea",
            submitter_name="Sam",
            submitter_email="sam@example.org",
            token_hash=token_hash,
            submission_nonce="nonce-123",
        )
    )
    event = PtgEvent(
        slug="ptg-2027-04",
        name="PTG April 2027",
        starts_on=date(2027, 4, 5),
        ends_on=date(2027, 4, 9),
    )
    event.rooms.append(Room(name="Bexar"))
    event.teams.append(PtgTeam(name="Nova", name_key="nova", status="approved"))
    db.session.add(event)
    db.session.commit()
    return {"token": token, "token_hash": token_hash, "password_hash": password_hash}


def comparable(document: dict) -> str:
    return json.dumps(document["tables"], sort_keys=True)


def test_export_has_every_table_and_no_secrets(app_ctx):
    secrets = fill_some_content()
    document = export_data()
    text = json.dumps(document)
    for secret in secrets.values():
        assert secret not in text
    assert "nonce-123" not in text
    assert len(document["tables"]["episodes"]) == 3
    assert document["tables"]["episode_links"][0]["url"] == "https://y/0"
    assert "password_hash" not in document["tables"]["users"][0]


def test_export_then_import_into_an_empty_database_restores_the_same_content(app):
    with app.app_context():
        fill_some_content()
        before = export_data()
    empty_all_tables(app)
    with app.app_context():
        counts = import_data(json.loads(json.dumps(before)))
        db.session.commit()
        after = export_data()
        assert counts["episodes"] == 3
        assert comparable(after) == comparable(before)
        # Ids continue after the imported ones.
        db.session.add(Episode(slug="new", title="New", starts_at=START + timedelta(weeks=10)))
        db.session.commit()
        assert db.session.scalar(db.select(Episode.id).filter_by(slug="new")) == 4


def test_import_refuses_a_database_that_has_content(app_ctx):
    fill_some_content()
    with pytest.raises(ImportRefused):
        import_data(export_data())


def test_export_and_import_commands_round_trip(app, tmp_path):
    runner = app.test_cli_runner()
    with app.app_context():
        fill_some_content()
    target = tmp_path / "export.json"
    result = runner.invoke(args=["export-json", str(target)])
    assert result.exit_code == 0, result.output
    refused = runner.invoke(args=["import-json", str(target)])
    assert refused.exit_code != 0
    assert "not empty" in refused.output
    empty_all_tables(app)
    result = runner.invoke(args=["import-json", str(target)])
    assert result.exit_code == 0, result.output
    assert "episodes=3" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Episode.id))) == 3


def test_backup_taken_while_a_writer_inserts_is_consistent(app, tmp_path):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("backup copies SQLite; PostgreSQL uses pg_dump")
        database = db.engine.url.database
    stop = threading.Event()
    written = []

    def writer():
        conn = sqlite3.connect(database, timeout=5)
        n = 0
        while not stop.is_set() and n < 2000:
            with conn:
                cursor = conn.execute(
                    "INSERT INTO episodes (slug, title, description, starts_at, duration_minutes,"
                    " hidden, sequence, created_at, updated_at) VALUES (?, ?, '', ?, 60, 1, 0,"
                    " ?, ?)",
                    (
                        f"w-{n}",
                        f"W {n}",
                        f"2030-01-01 00:{n // 60 % 60:02d}:{n % 60:02d}",
                        "2026-01-01 00:00:00",
                        "2026-01-01 00:00:00",
                    ),
                )
                conn.execute(
                    "INSERT INTO episode_links (episode_id, position, platform, url)"
                    " VALUES (?, 0, 'youtube', 'https://y')",
                    (cursor.lastrowid,),
                )
            written.append(n)
            n += 1
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(written) < 50 and time.monotonic() < deadline:
            time.sleep(0.001)
        target = tmp_path / "backup.sqlite"
        result = app.test_cli_runner().invoke(args=["backup", str(target)])
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    episodes = copy.execute("SELECT COUNT(*) FROM episodes").fetchone()[0]
    links = copy.execute("SELECT COUNT(*) FROM episode_links").fetchone()[0]
    copy.close()
    # Each writer transaction adds one episode and its link: a torn copy would differ.
    assert episodes == links >= 50
    assert episodes <= len(written)


def test_backup_refuses_to_overwrite(app, tmp_path):
    target = tmp_path / "exists.sqlite"
    target.write_text("x")
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0
