"""SQLite under concurrent writers, through real HTTP (RELIABILITY 29).

Four gunicorn worker processes share one WAL database file; four visitors post 50 proposals
each at the same time, each visitor with its own session and CSRF token. All 200 are stored,
no request fails and no worker logs ``database is locked``. That every new connection gets
``journal_mode=wal`` and ``busy_timeout=5000`` is checked in
tests/test_app.py::test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout.
"""

import sqlite3
import threading

import pytest

from tests.conftest import csrf_token_from
from tests.hardening.support import (
    PROPOSAL,
    LiveClient,
    prepare_database_here,
    site_environment,
    start_sites,
    token_of,
    write_instance_config,
)

pytestmark = pytest.mark.slow

VISITORS = 4
SUBMISSIONS = 50


def test_four_workers_store_two_hundred_concurrent_submissions_on_one_sqlite_file(tmp_path):
    database = tmp_path / "site.sqlite"
    # All visitors come from 127.0.0.1: the per-address limit would cut this load short.
    instance = write_instance_config(
        tmp_path / "instance", RATELIMIT_PUBLIC_FORMS="10000 per minute"
    )
    env = site_environment(instance, f"sqlite:///{database}")
    prepare_database_here(f"sqlite:///{database}")
    [site] = start_sites(1, env, tmp_path, workers=4)
    outcomes: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(VISITORS)

    def visitor(number: int) -> None:
        client = LiveClient(site.port)
        try:
            # One form load gives the session its CSRF token; each post then leaves the
            # once-only nonce empty, so that every post is a new proposal.
            token = csrf_token_from(client.get("/propose").body)
            start.wait(timeout=30)
            for n in range(SUBMISSIONS):
                data = {
                    **PROPOSAL,
                    "csrf_token": token,
                    "nonce": "",
                    "title": f"Visitor {number} proposal {n}",
                    "submitter_email": f"visitor{number}@example.org",
                }
                reply = client.post("/propose", data)
                with lock:
                    outcomes.append((reply.status, reply.header("Location") or reply.body[:300]))
        except BaseException as error:  # reported below, with the server's log
            errors.append(error)

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(VISITORS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=240)
    finally:
        site.stop()
    log = site.log_text()

    assert not errors, (errors, log[-3000:])
    assert len(outcomes) == VISITORS * SUBMISSIONS
    statuses = sorted({status for status, _ in outcomes})
    assert statuses == [303], (statuses, [o for o in outcomes if o[0] != 303][:3], log[-3000:])
    assert "database is locked" not in log
    assert "Traceback" not in log

    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (proposals,) = connection.execute("SELECT count(*) FROM proposals").fetchone()
        (distinct_titles,) = connection.execute(
            "SELECT count(DISTINCT title) FROM proposals"
        ).fetchone()
        (history,) = connection.execute(
            "SELECT count(*) FROM proposal_history WHERE action = 'submit'"
        ).fetchone()
        stored_hashes = {row[0] for row in connection.execute("SELECT token_hash FROM proposals")}
    assert proposals == distinct_titles == history == VISITORS * SUBMISSIONS

    from openinfra_live.tokens import hash_token

    answered = {hash_token(token_of(location)) for _, location in outcomes}
    assert answered == stored_hashes  # every 303 names a stored proposal, and only those
