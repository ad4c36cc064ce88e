"""The application factory, configuration and the pieces every page shares."""

import multiprocessing
from pathlib import Path

import pytest
from flask import render_template

from openinfra_live import create_app
from openinfra_live.config import load_or_create_secret_key


def test_base_template_renders_from_the_single_template_root(app):
    with app.test_request_context("/"):
        html = render_template("base.html")
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key_file = Path(tmp_path) / "secret_key"
    assert key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) >= 64


def _secret_key_of(instance_path: str, start, keys) -> None:
    start.wait()
    keys.put(load_or_create_secret_key(instance_path))


@pytest.mark.parametrize("attempt", range(4))
def test_processes_starting_together_on_a_new_instance_agree_on_one_secret_key(tmp_path, attempt):
    """Workers that start at once each see no key yet; all must end with the same one, and
    none may fail or read a file half written. (A race: each attempt is a new chance to lose
    it.)"""
    context = multiprocessing.get_context("fork")
    start, keys = context.Event(), context.Queue()
    processes = [
        context.Process(target=_secret_key_of, args=(str(tmp_path), start, keys)) for _ in range(8)
    ]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(timeout=30)
    assert [process.exitcode for process in processes] == [0] * 8
    found = {keys.get(timeout=5) for _ in processes}
    key_file = tmp_path / "secret_key"
    assert found == {key_file.read_text()}
    assert len(key_file.read_text()) == 64
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["secret_key"]


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/openinfra_live.sqlite"


def test_database_url_from_the_environment_uses_psycopg(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example/live")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example/live"


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app):
    """And a page cache of SQLITE_CACHE_KIB, which a search for a common word fills."""
    from sqlalchemy import text

    from openinfra_live.database import SQLITE_CACHE_KIB
    from openinfra_live.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's connection settings")
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
            assert conn.execute(text("PRAGMA cache_size")).scalar() == -SQLITE_CACHE_KIB
