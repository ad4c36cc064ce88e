"""Two app processes on one PostgreSQL, real HTTP (issue: hardening).

The database is migrated and the moderators created with the ``flask`` CLI, as an operator
would. Two gunicorn processes on two ports then take, for a bounded time, public submissions
from four visitors and approvals and declines from two moderators (one per process) who
often act on the same proposal at once. Afterwards: every 303 to a status page names a
stored proposal and every stored proposal was answered with one (nothing lost, nothing
doubled), no 500 anywhere, each refused moderator action is a 409, and the audit log and the
histories count exactly the actions that succeeded.
"""

import random
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import create_engine, text

from openinfra_live.tokens import hash_token
from tests.hardening.support import (
    PROPOSAL,
    LiveClient,
    prepare_database,
    site_environment,
    start_sites,
    token_of,
    write_instance_config,
)

pytestmark = pytest.mark.slow

RUN_SECONDS = 10
MODERATORS = ("first.mod@example.org", "second.mod@example.org")


def test_two_processes_on_one_postgresql_lose_and_double_nothing(
    postgres_server, tmp_path, request
):
    database_url = postgres_server.create_database("oil_two_processes")
    instance = write_instance_config(
        tmp_path / "instance", RATELIMIT_PUBLIC_FORMS="100000 per minute"
    )
    env = site_environment(instance, database_url)
    prepare_database(env, moderators=MODERATORS)
    sites = start_sites(2, env, tmp_path, workers=2)
    engine = create_engine(database_url, pool_size=2)
    # Also when an assertion fails: connections left open would warn in a later test.
    request.addfinalizer(engine.dispose)
    lock = threading.Lock()
    submitted: list[tuple[int, str]] = []
    actions: list[tuple[str, str, int, int]] = []
    failures: list[BaseException] = []
    deadline = time.monotonic() + RUN_SECONDS

    def visitor(number: int) -> None:
        client = LiveClient(sites[number % 2].port)
        n = 0
        while time.monotonic() < deadline:
            data = {
                **PROPOSAL,
                "title": f"Visitor {number} idea {n}",
                "submitter_email": f"visitor{number}@example.org",
            }
            reply = client.submit("/propose", data)
            with lock:
                submitted.append((reply.status, reply.header("Location") or reply.body[:300]))
            n += 1

    def waiting_proposals() -> list[int]:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    text("SELECT id FROM proposals WHERE status = 'submitted' ORDER BY id LIMIT 2")
                ).scalars()
            )

    def moderator(number: int) -> None:
        chooser = random.Random(number)
        client = LiveClient(sites[number].port)
        client.login(MODERATORS[number])
        while time.monotonic() < deadline:
            candidates = waiting_proposals()
            if not candidates:
                time.sleep(0.05)
                continue
            # Both moderators pick among the two oldest: they often collide on one proposal.
            proposal_id = chooser.choice(candidates)
            verb = chooser.choice(["approve", "decline"])
            page = f"/moderation/proposals/{proposal_id}"
            reply = client.submit(page, {f"{verb}-message": "Thanks"}, f"{page}/{verb}")
            with lock:
                actions.append((MODERATORS[number], verb, proposal_id, reply.status))

    def guarded(target, *args) -> None:
        try:
            target(*args)
        except BaseException as error:  # reported below with the servers' logs
            failures.append(error)

    threads = [threading.Thread(target=guarded, args=(visitor, n)) for n in range(4)]
    threads += [threading.Thread(target=guarded, args=(moderator, n)) for n in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=RUN_SECONDS + 120)
    finally:
        for site in sites:
            site.stop()
    logs = "\n".join(site.log_text() for site in sites)
    assert not failures, (failures, logs[-3000:])
    assert "Traceback" not in logs, logs[-3000:]

    submit_statuses = Counter(status for status, _ in submitted)
    assert set(submit_statuses) == {303}, (submit_statuses, submitted[:3])
    action_statuses = Counter((verb, status) for _, verb, _, status in actions)
    assert {status for _, status in action_statuses} <= {303, 409}, action_statuses
    approved = action_statuses[("approve", 303)]
    declined = action_statuses[("decline", 303)]
    assert approved and declined, action_statuses
    # A proposal is decided once: never two successes on one proposal.
    decided = Counter(proposal_id for _, _, proposal_id, status in actions if status == 303)
    assert max(decided.values()) == 1

    answered = {hash_token(token_of(location)) for _, location in submitted}
    with engine.connect() as connection:

        def scalar(sql: str) -> int:
            return connection.execute(text(sql)).scalar_one()

        stored = set(connection.execute(text("SELECT token_hash FROM proposals")).scalars())
        assert len(answered) == len(submitted), "two answers named the same proposal"
        assert stored == answered, "a stored proposal was not answered, or an answer was lost"
        assert scalar("SELECT count(DISTINCT submission_nonce) FROM proposals") == len(stored)
        assert scalar("SELECT count(*) FROM audit_log WHERE action = 'proposal.submit'") == len(
            stored
        )
        assert (
            scalar("SELECT count(*) FROM audit_log WHERE action = 'proposal.approve'") == approved
        )
        assert (
            scalar("SELECT count(*) FROM audit_log WHERE action = 'proposal.decline'") == declined
        )
        assert scalar("SELECT count(*) FROM proposal_history WHERE action = 'approve'") == approved
        assert scalar("SELECT count(*) FROM proposal_history WHERE action = 'decline'") == declined
        assert scalar("SELECT count(*) FROM proposals WHERE status = 'approved'") == approved
        assert scalar("SELECT count(*) FROM proposals WHERE status = 'declined'") == declined
        # Each decision is audited under the moderator who made it.
        actors = connection.execute(
            text(
                "SELECT u.email, count(*) FROM audit_log a JOIN users u ON u.id = a.actor_id "
                "WHERE a.action IN ('proposal.approve', 'proposal.decline') GROUP BY u.email"
            )
        ).all()
    done_by = Counter(email for email, _, _, status in actions if status == 303)
    assert {email: n for email, n in actors} == dict(done_by)
