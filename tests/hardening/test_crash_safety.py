"""Crash safety: a worker killed with SIGKILL in the middle of a write (issue: hardening).

The site runs under gunicorn from ``tests/hardening/crash_wsgi.py``, which holds a request
marked with a header just before its COMMIT, when every INSERT and UPDATE has reached the
database (or just after it). The test then kills that worker with SIGKILL. Afterwards the
database passes its integrity check (SQLite), a request killed before its COMMIT left
nothing at all (no proposal without its history, no team without its history, no audit
entry without its object, no half-approved proposal), one killed after it is stored whole,
the same requests sent again complete whole, and gunicorn's new worker writes (no lock was
left behind). On SQLite and on PostgreSQL.
"""

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.hardening.crash_wsgi import PAUSE_HEADER
from tests.hardening.support import (
    PROPOSAL,
    TEAM,
    Reply,
    prepare_database_here,
    site_environment,
    start_sites,
)
from tests.ptg.builders import make_event

pytestmark = pytest.mark.slow

MODERATOR = "mod@example.org"

# Every row of these kinds must come with the rows written in the same transaction.
ORPHAN_QUERIES = {
    "proposal without its submit history": """
        SELECT count(*) FROM proposals p WHERE NOT EXISTS (
            SELECT 1 FROM proposal_history h WHERE h.proposal_id = p.id AND h.action = 'submit')
    """,
    "proposal without its submit audit entry": """
        SELECT count(*) FROM proposals p WHERE NOT EXISTS (
            SELECT 1 FROM audit_log a WHERE a.action = 'proposal.submit'
            AND a.object_id = CAST(p.id AS VARCHAR(64)))
    """,
    "audit entry of a proposal that does not exist": """
        SELECT count(*) FROM audit_log a WHERE a.action LIKE 'proposal.%' AND NOT EXISTS (
            SELECT 1 FROM proposals p WHERE CAST(p.id AS VARCHAR(64)) = a.object_id)
    """,
    "approved proposal without its approve history": """
        SELECT count(*) FROM proposals p WHERE p.status = 'approved' AND NOT EXISTS (
            SELECT 1 FROM proposal_history h WHERE h.proposal_id = p.id AND h.action = 'approve')
    """,
    "approve history of a proposal that is not approved": """
        SELECT count(*) FROM proposal_history h JOIN proposals p ON p.id = h.proposal_id
        WHERE h.action = 'approve' AND p.status <> 'approved'
    """,
    "team without history": """
        SELECT count(*) FROM ptg_teams t WHERE NOT EXISTS (
            SELECT 1 FROM ptg_team_history h WHERE h.team_id = t.id)
    """,
    "team without its audit entry": """
        SELECT count(*) FROM ptg_teams t WHERE NOT EXISTS (
            SELECT 1 FROM audit_log a WHERE a.action = 'ptg_team_registered'
            AND a.object_id = CAST(t.id AS VARCHAR(64)))
    """,
    "guest of no proposal": """
        SELECT count(*) FROM proposal_guests g WHERE NOT EXISTS (
            SELECT 1 FROM proposals p WHERE p.id = g.proposal_id)
    """,
}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'site.sqlite'}"
    server = request.getfixturevalue("postgres_server")
    return server.create_database("oil_crash")


class Crash:
    """Send a request that pauses before its COMMIT, then SIGKILL the worker holding it."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __call__(self, send, moment: str = "before-commit") -> BaseException | Reply:
        self.marker.unlink(missing_ok=True)
        outcome: list = []

        def run() -> None:
            try:
                outcome.append(send({PAUSE_HEADER: moment}))
            except BaseException as error:  # the connection dies with the worker
                outcome.append(error)

        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 60
        while not self.marker.exists():
            assert time.monotonic() < deadline, "the request never reached its COMMIT"
            assert thread.is_alive() or not outcome, f"the request ended first: {outcome}"
            time.sleep(0.02)
        os.kill(int(self.marker.read_text()), signal.SIGKILL)
        thread.join(timeout=60)
        assert outcome and not isinstance(outcome[0], Reply), outcome
        return outcome[0]


def test_a_worker_killed_before_commit_leaves_nothing_half_written(database_url, tmp_path):
    marker = tmp_path / "paused-worker"
    env = site_environment(tmp_path / "instance", database_url, CRASH_MARKER=str(marker))
    (tmp_path / "instance").mkdir()
    prepare_database_here(database_url, (MODERATOR,), setup=lambda: make_event())
    # Preloaded: the worker gunicorn starts after a kill is a plain fork, ready at once.
    [site] = start_sites(1, env, tmp_path, app="tests.hardening.crash_wsgi:app")
    crash = Crash(marker)
    engine = create_engine(database_url)
    try:
        visitor, moderator = site.client(), site.client()

        # A public proposal killed before COMMIT, then sent again.
        crashed = {**PROPOSAL, "title": "Proposal killed mid-write"}
        crash(lambda headers: visitor.submit("/propose", crashed, headers=headers))
        site.wait_ready()
        reply = visitor.submit("/propose", {**PROPOSAL, "title": "Proposal sent whole"})
        assert reply.status == 303, reply.body[:500]
        # Killed just after its COMMIT: the visitor saw no answer, but all of it is stored.
        committed = {**PROPOSAL, "title": "Proposal killed after commit"}
        crash(
            lambda headers: visitor.submit("/propose", committed, headers=headers), "after-commit"
        )
        site.wait_ready()

        # A team registration killed before COMMIT, then sent again.
        register = "/ptg/2030-march/register"
        crash(lambda headers: visitor.submit(register, {**TEAM, "name": "Killed"}, headers=headers))
        site.wait_ready()
        assert visitor.submit(register, {**TEAM, "name": "Whole"}).status == 303

        # A moderator's approval killed before COMMIT, then done again.
        moderator.login(MODERATOR)
        with engine.connect() as connection:
            proposal_id = connection.execute(
                text("SELECT id FROM proposals WHERE title = 'Proposal sent whole'")
            ).scalar_one()
            assert (
                connection.execute(
                    text("SELECT count(*) FROM proposals WHERE title = 'Proposal killed mid-write'")
                ).scalar_one()
                == 0
            )
        detail = f"/moderation/proposals/{proposal_id}"
        approve = {"approve-message": "Welcome"}
        crash(
            lambda headers: moderator.submit(detail, approve, f"{detail}/approve", headers=headers)
        )
        site.wait_ready()
        with engine.connect() as connection:
            status = connection.execute(
                text("SELECT status FROM proposals WHERE id = :id"), {"id": proposal_id}
            ).scalar_one()
        assert status == "submitted", "a killed approval must leave the proposal as it was"
        assert moderator.submit(detail, approve, f"{detail}/approve").status == 303
    finally:
        site.stop()
        engine.dispose()
    log = site.log_text()
    assert log.count("was sent SIGKILL") == 4, log[-3000:]

    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    engine = create_engine(database_url)
    with engine.connect() as connection:

        def scalar(sql: str, **params):
            return connection.execute(text(sql), params).scalar_one()

        for what, sql in ORPHAN_QUERIES.items():
            assert scalar(sql) == 0, what
        titles = connection.execute(text("SELECT title, status FROM proposals ORDER BY id")).all()
        assert [tuple(row) for row in titles] == [
            ("Proposal sent whole", "approved"),
            ("Proposal killed after commit", "submitted"),
        ]
        assert connection.execute(text("SELECT name FROM ptg_teams")).scalars().all() == ["Whole"]
        assert scalar("SELECT count(*) FROM audit_log WHERE action = 'proposal.submit'") == 2
        assert scalar("SELECT count(*) FROM audit_log WHERE action = 'proposal.approve'") == 1
        assert scalar("SELECT count(*) FROM audit_log WHERE action = 'ptg_team_registered'") == 1
        assert scalar("SELECT count(*) FROM proposal_history WHERE action = 'approve'") == 1
    engine.dispose()
