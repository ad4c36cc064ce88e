"""The trigram index of the search text (FTS5 on SQLite, pg_trgm on PostgreSQL): it finds
exactly what reading every episode finds, it follows every kind of write, a search that reads
newest first never goes through it, and an upgrade builds it for the episodes already there.
"""

import importlib.util
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, select, text

from openinfra_live.episodes import editing, queries, search
from openinfra_live.episodes.models import Episode
from openinfra_live.episodes.pagination import NoSuchPage
from openinfra_live.episodes.search import narrowing, refresh_all
from openinfra_live.extensions import db
from tests.episodes.builders import make_episode
from tests.statements import statements_of
from tests.test_migrations import insert_old_episode, old_database, sqlite_schema_names

START = datetime(2024, 1, 4, 14, 0, tzinfo=UTC)

# Titles with what a literal search must take literally: LIKE's wildcards, its escape
# character, FTS5's quotes and operators, letters beyond ASCII, the same word many times.
TITLES = [
    "Zuul gates at 100% load",
    "Kolla_Ansible and kolla-ansible",
    'The "quoted" NEAR operator AND OR NOT',
    "Straße der Wolken: Ceph in Köln",
    "Octavia load balancers",
    "octavia again, OCTAVIA loudly",
    "Paths like a/b and 50/50",
    "Ironic bare metal * wildcard",
    "Nova cells v2",
    "Neutron OVN migration",
    "Swift erasure codes",
    "Cinder backups",
]
TERMS = [
    "zuul",
    "100%",
    "0%",
    "kolla_",
    "a_a",
    '"quoted"',
    'd" near',
    "near operator and",
    "strasse",
    "straße",
    "köln",
    "KÖLN",
    "octavia",
    "load",
    "a/b",
    "50/50",
    "* w",
    "no such words here",
    "ov",
    "o",
    "es ",
    "  ",
    "tion",
]


@pytest.fixture
def catalogue(app):
    with app.app_context():
        for number, title in enumerate(TITLES):
            make_episode(
                title,
                START + timedelta(weeks=number),
                description=f"<p>Episode {number}: {title.lower()} in depth.</p>",
                guests=[(f"Guest {number}", "Open Load Co" if number % 3 else "Straße AG")],
                hidden=number == 4,
            )


def candidates(term: str, limit: int) -> list[int] | None:
    """The ids the index's narrowing holds for, ascending; None when it cannot narrow."""
    condition = narrowing(term, limit)
    if condition is None:
        return None
    episode_id = Episode.__table__.c.id
    return list(db.session.scalars(select(episode_id).where(condition).order_by(episode_id)))


def every_answer(term: str, per_page: int = 4) -> list[tuple]:
    """Every page of the archive's search for ``term``: ids, total and whether it is exact."""
    pages, number = [], 1
    while True:
        try:
            page = queries.archive_page(number, per_page, search=term)
        except NoSuchPage:
            return pages
        pages.append(([item.id for item in page.items], page.total, page.exact))
        if not page.has_next:
            return pages
        number += 1


def without_the_index(monkeypatch) -> None:
    monkeypatch.setattr(search, "index_available", lambda: False)


@pytest.mark.parametrize("cap", [queries.SEARCH_COUNT_CAP, 2])
def test_the_index_finds_what_reading_every_episode_finds(app, catalogue, monkeypatch, cap):
    monkeypatch.setattr(queries, "SEARCH_COUNT_CAP", cap)
    with app.app_context():
        indexed = {term: every_answer(term) for term in TERMS}
        with monkeypatch.context() as patch:
            without_the_index(patch)
            read_in_full = {term: every_answer(term) for term in TERMS}

    assert indexed == read_in_full
    assert indexed["octavia"][0][1] == 1  # the hidden one is not found
    assert indexed["no such words here"] == [([], 0, True)]


def test_both_databases_have_the_index(app):
    with app.app_context():
        assert search.index_available()


def test_the_index_names_candidates_only_when_it_can_say(app, catalogue):
    with app.app_context():
        octavia = db.session.scalars(
            db.select(Episode.id).where(Episode.title.ilike("octavia%")).order_by(Episode.id)
        ).all()

        assert sorted(candidates("OCTAVIA", 10)) == octavia  # hidden ones too
        assert candidates("no such words here", 10) == []
        assert candidates("load", 2) is None  # as many as the limit: read instead
        assert candidates("ov", 10) is None  # under three characters


def test_a_rare_term_reads_only_its_candidates(app, client, catalogue):
    seen = statements_of(app, lambda: client.get("/episodes/?q=swift+erasure"))

    # The index: FTS5's MATCH, or the expression PostgreSQL's index covers.
    index = ("MATCH", "search_text || '') LIKE")
    looked_up = [s for s in seen if any(i in s for i in index) and "search_text LIKE" not in s]
    reads = [s for s in seen if "search_text LIKE" in s]
    assert len(looked_up) == 1 and "LIMIT" in looked_up[0]
    assert reads
    for read in reads:  # the page and its count: among the index's candidates only
        assert "episodes.id IN" in read or index[1] in read


def test_only_the_lookup_of_candidates_goes_through_the_index(app, catalogue):
    """A search that reads newest first keeps that plan: its condition is not one the index
    covers."""
    if app.config["DATABASE_BACKEND"] != "postgresql":
        pytest.skip("SQLite's index is a table of its own, which a LIKE never reads")
    with app.app_context():

        def plan(condition) -> str:
            query = select(Episode.__table__.c.id).where(condition)
            compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
            # Only the choice between the index and the rest matters: the table is tiny.
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
            rows = db.session.execute(text(f"EXPLAIN {compiled}")).all()
            db.session.rollback()
            return "\n".join(row[0] for row in rows)

        assert search.POSTGRESQL_INDEX in plan(search._INDEXED_TEXT.contains("load"))
        assert search.POSTGRESQL_INDEX not in plan(search.matches("load"))


def test_the_index_follows_every_kind_of_write(app):
    with app.app_context():
        episode = make_episode("Magnum clusters", START)
        assert candidates("magnum", 10) == [episode.id]

        editing.update_episode(episode, title="Zun containers")
        db.session.commit()
        assert candidates("magnum", 10) == []
        assert candidates("zun con", 10) == [episode.id]

        # A bulk write of the column, as the importer and the benchmark's generator do.
        db.session.execute(text("UPDATE episodes SET search_text = ''"))
        db.session.commit()
        assert candidates("zun con", 10) == []
        refresh_all()
        db.session.commit()
        assert candidates("zun con", 10) == [episode.id]

        db.session.delete(episode)
        db.session.commit()
        assert candidates("zun con", 10) == []
        if app.config["DATABASE_BACKEND"] == "sqlite":
            # FTS5's own check that the index and the episodes agree; it raises if they do not.
            db.session.execute(
                text("INSERT INTO episodes_search(episodes_search) VALUES ('integrity-check')")
            )


def test_the_index_is_kept_by_its_three_triggers_at_the_head_revision(app, sqlite_only):
    """A later migration that rebuilds the episodes table (Alembic's batch mode on SQLite
    copies it to a new table) drops its triggers, and the index would silently go stale: such
    a migration must make them again, and this test says so."""
    with app.app_context():
        triggers = sqlite_schema_names("episodes_search", kind="trigger")
    assert triggers == [
        "episodes_search_delete",
        "episodes_search_insert",
        "episodes_search_update",
    ]


def test_upgrading_indexes_the_episodes_already_there(tmp_path, monkeypatch):
    app = old_database(tmp_path, monkeypatch, "0003")
    with app.app_context():
        insert_old_episode(1, "Old title", "<p>Trove databases</p>")
        db.session.commit()
        refresh_all()
        db.session.commit()
        assert not search.index_available()

        upgrade()
        search._INDEX_PRESENT.clear()

        assert search.index_available()
        assert candidates("trove", 10) == [1]
        assert every_answer("trove") == [([1], 1, True)]

        # As on a SQLite whose FTS5 has no trigram tokenizer: no index, and search reads
        # every episode to find the same.
        for statement in migration_0004().DROP:
            db.session.execute(text(statement))
        db.session.commit()
        search._INDEX_PRESENT.clear()
        assert not search.index_available()
        assert every_answer("trove") == [([1], 1, True)]

        downgrade(revision="0003")
        tables = sqlite_schema_names("episodes_search")
        db.engine.dispose()
    assert tables == []


def migration_0004():
    """The migration's module, loaded from its file as Alembic loads it."""
    path = Path(__file__).resolve().parents[2] / "migrations/versions/0004_episode_search_index.py"
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_postgresql_user_who_may_not_install_pg_trgm_migrates_without_the_index(
    postgres_server, caplog
):
    """pg_trgm is a trusted extension: a database's owner may install it, a mere user may not.
    The refusal costs the index, not the migration's transaction."""
    admin = create_engine(postgres_server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql("DROP DATABASE IF EXISTS no_extensions")
        connection.exec_driver_sql("DROP ROLE IF EXISTS plain_user")
        connection.exec_driver_sql("CREATE ROLE plain_user LOGIN")
        connection.exec_driver_sql("CREATE DATABASE no_extensions")
    admin.dispose()
    check = migration_0004().postgresql_trigram_available
    url = postgres_server.url("no_extensions")

    plain = create_engine(url.replace("//postgres@", "//plain_user@"))
    with plain.connect() as connection, connection.begin():
        assert check(connection) is False
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1  # still usable
    assert "permission denied" in caplog.text
    plain.dispose()

    owner = create_engine(url)
    with owner.connect() as connection, connection.begin():
        assert check(connection) is True
        installed = "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"
        assert connection.exec_driver_sql(installed).first() is not None
    owner.dispose()
