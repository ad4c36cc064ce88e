"""Public pages read outside a transaction on PostgreSQL; everything else keeps its transaction.

A transaction costs a reading request a ``BEGIN`` and a ``ROLLBACK`` round trip, and the
``ROLLBACK`` makes psycopg forget the statements it prepared (see
``database.read_without_transaction``).
"""

import pytest
from sqlalchemy import select

from openinfra_live import caching
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from tests.episodes.builders import make_episode
from tests.ptg.builders import at, make_event, make_room, make_session, make_team
from tests.statements import listening


def autocommit_of(dbapi_connection) -> bool:
    """Whether the driver's connection runs each statement on its own."""
    if hasattr(dbapi_connection, "autocommit"):  # psycopg
        return bool(dbapi_connection.autocommit)
    return dbapi_connection.isolation_level is None  # sqlite3


@pytest.fixture
def public_urls(app) -> list[str]:
    with app.app_context():
        episode = make_episode(
            "Reading without a transaction",
            links=[("youtube", "https://www.youtube.com/watch?v=pHHCIGkpNzs")],
            guests=[("Ada", "ACME")],
        )
        ptg = make_event()
        team = make_team(ptg)
        make_session(team, make_room(ptg), at(18, 14), at(18, 15))
        db.session.commit()
        slug, event_slug, team_id = episode.slug, ptg.slug, team.id
    return [
        "/",
        "/episodes/",
        "/episodes/?q=transaction",
        f"/episodes/{slug}/",
        f"/episodes/{slug}.ics",
        "/calendar.ics",
        "/feed.xml",
        "/api/episodes",
        "/ptg/",
        f"/ptg/{event_slug}/",
        f"/ptg/{event_slug}/schedule",
        f"/ptg/{event_slug}/schedule.ics",
        f"/ptg/{event_slug}/teams/{team_id}.ics",
        f"/ptg/{event_slug}/ptgbot.json",
    ]


def modes_of_statements(app, client, url: str) -> list[bool]:
    """For each statement ``client``'s GET of ``url`` runs: autocommit or not."""
    with app.app_context():
        engine = db.engine
    modes: list[bool] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        modes.append(autocommit_of(conn.connection.dbapi_connection))

    with listening(engine, "before_cursor_execute", record):
        response = client.get(url)
    assert response.status_code == 200, url
    assert modes, f"{url} ran no statement: the check below would prove nothing"
    return modes


def modes_of_cold_page(app, url: str) -> list[bool]:
    """:func:`modes_of_statements` of a first visit, with an empty response cache."""
    caching.clear(app)
    return modes_of_statements(app, app.test_client(), url)


# Streamed through a server-side cursor, which PostgreSQL keeps only inside a transaction.
STREAMING = "/calendar.ics"


def test_public_pages_read_outside_a_transaction_on_postgresql(app, public_urls):
    on_postgres = app.config["DATABASE_BACKEND"] == "postgresql"
    for url in public_urls:
        modes = modes_of_cold_page(app, url)
        # SQLite opens no transaction for a SELECT anyway; switching its mode costs PRAGMAs.
        outside = on_postgres and url != STREAMING
        assert modes == [outside] * len(modes), url


def test_a_write_after_a_public_page_is_one_transaction_again(app, public_urls):
    """The pooled connection a public page read through is back in transaction mode for the
    next request: a write that fails halfway leaves nothing behind."""
    for url in public_urls:
        modes_of_cold_page(app, url)
    with app.app_context():
        assert not autocommit_of(db.session.connection().connection.dbapi_connection)
        make_episode("Written, then rolled back", commit=False)
        db.session.flush()
        db.session.rollback()
        titles = db.session.scalars(select(Episode.title)).all()
    assert "Written, then rolled back" not in titles


def test_a_page_from_the_response_cache_takes_no_connection(app, public_urls, monkeypatch):
    """Reading without a transaction starts at the first statement: a page the response cache
    holds (asked with a cookie, so that the application's view layer answers it, not the
    front cache) runs none and takes no connection from the pool."""
    client = app.test_client()
    client.set_cookie("seen", "1", domain="live.test")
    with app.app_context():
        engine = db.engine
    # The version read for the first request stays young for the second, however slow the
    # machine: the second then reads nothing at all.
    monkeypatch.setattr(caching.cache_for(app).versions, "max_age", 3600)
    checkouts: list[object] = []

    def record(dbapi_connection, connection_record, connection_proxy) -> None:
        checkouts.append(connection_record)

    for url in public_urls:
        assert client.get(url).status_code == 200, url  # fills the cache
        with listening(engine, "checkout", record):
            response = client.get(url)
        assert response.status_code == 200, url
        assert checkouts == [], url


def test_a_moderator_page_keeps_its_transaction(app, client, login_as):
    login_as(client)
    assert not any(modes_of_statements(app, client, "/moderation/"))


def prepared_after_cold_visits(app, url: str, visits: int) -> list[tuple[str, int, int]]:
    """The statements psycopg prepared while ``url`` was visited ``visits`` times with an
    empty response cache, each with the number of generic and custom plans PostgreSQL made."""
    with app.app_context():
        engine = db.engine
    # An empty pool: the requests below, one after the other, all take the same connection.
    engine.dispose()
    used: set[object] = set()

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        used.add(conn.connection.dbapi_connection)

    with listening(engine, "before_cursor_execute", record):
        for _ in range(visits):
            modes_of_cold_page(app, url)
    assert len(used) == 1
    connection = used.pop()
    # Asked on that connection itself (idle in the pool): prepared statements are its own.
    prepared = connection.execute(
        "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
        " WHERE NOT from_sql"
    ).fetchall()
    connection.rollback()
    return prepared


def plans_of_archive_statement(app, marker: str) -> tuple[int, int]:
    """The generic and custom plans PostgreSQL made for the one statement containing
    ``marker`` that eight cold visits of the archive prepared."""
    prepared = prepared_after_cold_visits(app, "/episodes/", visits=8)
    chosen = [row for row in prepared if marker in row[0]]
    assert len(chosen) == 1, prepared
    _statement, generic_plans, custom_plans = chosen[0]
    return generic_plans, custom_plans


def test_public_pages_use_prepared_statements_on_postgresql(app, public_urls):
    """psycopg prepares a statement the fifth time one connection runs it, unless a
    ``ROLLBACK`` in between made it forget: public pages now end without one."""
    if app.config["DATABASE_BACKEND"] != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    assert len(prepared_after_cold_visits(app, public_urls[3], visits=6)) >= 3


def test_the_archive_facts_are_planned_once_per_connection_on_postgresql(app, public_urls):
    """A statement without parameters gets one generic plan; one with parameters was planned
    again at every execution (PostgreSQL judged its generic plan worse)."""
    if app.config["DATABASE_BACKEND"] != "postgresql":
        pytest.skip("plans of prepared statements are PostgreSQL's")
    generic_plans, custom_plans = plans_of_archive_statement(app, "FROM episode_counts")
    assert generic_plans >= 2
    assert custom_plans == 0


def test_the_first_page_of_the_archive_is_planned_once_per_connection_on_postgresql(
    app, public_urls
):
    """The first page's statement has no parameter: with its size and offset bound,
    PostgreSQL made a custom plan at every execution (the first page's custom plan is the
    cheaper by its estimate, wrongly: planning is most of its cost)."""
    if app.config["DATABASE_BACKEND"] != "postgresql":
        pytest.skip("plans of prepared statements are PostgreSQL's")
    generic_plans, custom_plans = plans_of_archive_statement(
        app, "ORDER BY episodes.starts_at DESC, episodes.id"
    )
    assert generic_plans >= 2
    assert custom_plans <= 5
