"""Shared fixtures, after flaskr: ``app``, ``client``, ``runner`` and builders.

Database tests run twice, on SQLite and on a PostgreSQL server that the suite starts itself.
One app per database is migrated once per session; each test starts from empty tables.
"""

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from openinfra_live import caching, create_app
from openinfra_live.extensions import db, limiter
from tests.servers import PostgresServer
from tests.system_parts import require_postgres

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BACKENDS = ["sqlite", "postgresql"]
CATALOGS = Path(__file__).resolve().parents[1] / "openinfra_live" / "translations"


def pytest_configure(config) -> None:
    """Compile a catalog whose .mo is missing or older than its .po, as ``make translations``
    does, so that ``pytest`` run by hand reads the current translations too."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in CATALOGS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parts[-3])
        partial = mo.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as target:
            write_mo(target, catalog)
        partial.replace(mo)  # whole, whichever process of the run writes it last


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer(require_postgres()).start()
    yield server
    server.stop()


def base_test_config(database_uri: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "SERVER_NAME": "live.test",
        "SITE_URL": "http://live.test",
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": "",
    }


@contextmanager
def another_app(app: Flask, **config) -> Iterator[Flask]:
    """A second app on the same (already migrated) database, built with extra settings: as
    another worker or host would run, or with settings that take effect when the app is built
    (ProxyFix, the session cookie's name)."""
    other = create_app({**base_test_config(app.config["SQLALCHEMY_DATABASE_URI"]), **config})
    try:
        yield other
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def build_migrated_app(database_uri: str) -> Flask:
    """An app whose schema comes from the migrations, as in production."""
    from flask_migrate import upgrade

    app = create_app(base_test_config(database_uri))
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_app(request, tmp_path_factory) -> Iterator[Flask]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "test.sqlite"
        uri = f"sqlite:///{path}"
    else:
        server = request.getfixturevalue("postgres_server")
        uri = server.create_database("oil_test")
    app = build_migrated_app(uri)
    app.config["DATABASE_BACKEND"] = request.param
    yield app
    with app.app_context():
        db.engine.dispose()


def empty_all_tables(app: Flask) -> None:
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        if db.engine.dialect.name == "postgresql":
            joined = ", ".join(f'"{name}"' for name in tables)
            db.session.execute(text(f"TRUNCATE {joined} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                db.session.execute(text(f'DELETE FROM "{name}"'))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def app(migrated_app: Flask) -> Iterator[Flask]:
    """The app on a clean database; config changes made by a test are undone after it."""
    saved_config = dict(migrated_app.config)
    with migrated_app.app_context():
        limiter.reset()
    yield migrated_app
    migrated_app.config.clear()
    migrated_app.config.update(saved_config)
    empty_all_tables(migrated_app)
    # Cached responses and the memoized content version belong to the test that made them.
    caching.clear(migrated_app)


@pytest.fixture
def steady_statement_count(app: Flask, monkeypatch) -> None:
    """For tests that count a page's statements through the response cache: the content
    version read once stays trusted for the whole test, however slow the machine (its memo
    expiring would add a statement at random)."""
    monkeypatch.setattr(caching.cache_for(app).versions, "max_age", 3600.0)


@pytest.fixture
def open_event(app: Flask) -> None:
    """The PTG event of ``tests.ptg.builders.make_event``, open for registration."""
    from tests.ptg.builders import make_event

    with app.app_context():
        make_event(registration_open=True)
        db.session.commit()
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app
        db.session.remove()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def post_form(client: FlaskClient, page_url: str, data: dict, post_url: str | None = None, **kw):
    """Load the form page as a browser would, then post ``data`` with the page's CSRF token."""
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    payload = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), **data}
    return client.post(post_url or page_url, data=payload, **kw)


@pytest.fixture
def shared_data() -> Path:
    """The published content beside the project; tests that read it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("the published content in ../shared/data is not beside the project")
    return SHARED_DATA


MODERATOR_PASSWORD = "correct horse battery staple 42"


def make_moderator(email: str = "mod@example.org", password: str = MODERATOR_PASSWORD, **fields):
    """Create and commit a moderator account (call inside an app context)."""
    from werkzeug.security import generate_password_hash

    from openinfra_live.auth.models import User

    user = User(
        email=email,
        password_hash=generate_password_hash(password, method="scrypt"),
        display_name=fields.pop("display_name", email.split("@")[0]),
        **fields,
    )
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def login_as(app):
    """``login_as(client, email=...)`` signs a (new) moderator in on ``client``; returns it."""

    def login(client: FlaskClient, email: str = "mod@example.org", **fields):
        from openinfra_live.auth.models import User

        with app.app_context():
            user = db.session.scalar(db.select(User).filter_by(email=email))
            if user is None:
                user = make_moderator(email, **fields)
            user_id = user.get_id()
            pk = user.id
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        return pk

    return login
