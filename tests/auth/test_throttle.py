"""Brute force: failed sign-ins are limited per address and account, in the shared storage."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from openinfra_live.audit import AuditEntry
from openinfra_live.extensions import db
from tests.auth.conftest import sign_in
from tests.conftest import MODERATOR_PASSWORD, another_app, csrf_token_from
from tests.servers import RedisServer
from tests.system_parts import require_program

PROJECT_ROOT = Path(__file__).resolve().parents[2]

WRONG = "definitely not the password"


def _actions(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()


def test_the_sixth_failed_sign_in_is_refused_with_retry_after(app, client, moderator):
    for _ in range(5):
        assert sign_in(client, password=WRONG).status_code == 200
    response = sign_in(client, password=WRONG)
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 15 * 60 + 1
    assert "Too many" in response.get_data(as_text=True)


def test_while_locked_out_even_the_right_password_is_refused(client, moderator):
    for _ in range(5):
        sign_in(client, password=WRONG)
    response = sign_in(client)
    assert response.status_code == 429
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_after_the_window_the_right_password_works_again(client, moderator, limiter_clock):
    for _ in range(5):
        sign_in(client, password=WRONG)
    assert sign_in(client).status_code == 429
    limiter_clock.advance(14 * 60)
    assert sign_in(client).status_code == 429
    limiter_clock.advance(2 * 60)
    assert sign_in(client).status_code == 303


def test_the_lockout_is_audited_once_with_the_failures(app, client, moderator):
    for _ in range(6):
        sign_in(client, password=WRONG)
    assert _actions(app) == ["login_failure"] * 5 + ["login_lockout"]


def test_a_lockout_is_per_account_and_address(client, moderator):
    for _ in range(5):
        sign_in(client, password=WRONG)
    assert sign_in(client).status_code == 429
    # Another address may still sign in to the same account (no lock-out of the owner by
    # a single guesser), and the locked address may still try another account.
    other_address = {"environ_base": {"REMOTE_ADDR": "192.0.2.50"}}
    assert sign_in(client, **other_address).status_code == 303
    assert sign_in(client, email="other@example.org", password=WRONG).status_code == 200


def test_a_successful_sign_in_clears_the_count_of_failures(client, moderator):
    for _ in range(4):
        sign_in(client, password=WRONG)
    assert sign_in(client).status_code == 303
    for _ in range(4):
        assert sign_in(client, password=WRONG).status_code == 200
    assert sign_in(client).status_code == 303


def test_failures_from_many_addresses_are_capped_per_account(app, client, moderator):
    app.config["LOGIN_ACCOUNT_FAILURE_LIMIT"] = "8 per hour"
    for number in range(8):
        address = {"environ_base": {"REMOTE_ADDR": f"198.51.100.{number}"}}
        assert sign_in(client, password=WRONG, **address).status_code == 200
    fresh_address = {"environ_base": {"REMOTE_ADDR": "203.0.113.77"}}
    assert sign_in(client, **fresh_address).status_code == 429


def test_one_address_is_limited_across_accounts(app, client, moderator):
    app.config["LOGIN_ADDRESS_LIMIT"] = "3 per minute"
    for number in range(3):
        response = sign_in(client, email=f"guess{number}@example.org", password=WRONG)
        assert response.status_code == 200
    response = sign_in(client, email="guess9@example.org", password=WRONG)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    # Only POSTs count: the form itself still shows.
    assert client.get("/login").status_code == 200


def test_a_spoofed_x_forwarded_for_does_not_reset_the_limit(app, moderator):
    """Behind one trusted proxy only the right-most X-Forwarded-For entry is the client."""
    with another_app(app, PROXY_FIX_X_FOR=1) as proxied:
        client = proxied.test_client()

        def attempt(spoofed: str, client_address: str, password: str = WRONG):
            headers = {"X-Forwarded-For": f"{spoofed}, {client_address}"}
            page = client.get("/login", headers=headers)
            token = csrf_token_from(page.get_data(as_text=True))
            data = {"csrf_token": token, "email": "mod@example.org", "password": password}
            return client.post("/login", data=data, headers=headers)

        for number in range(5):
            assert attempt(f"10.0.0.{number}", "203.0.113.9").status_code == 200
        assert attempt("10.0.0.99", "203.0.113.9").status_code == 429
        assert attempt("10.0.0.100", "203.0.113.9", password=MODERATOR_PASSWORD).status_code == 429
        # A different real client (right-most entry) is not locked: the proxy setting is live.
        assert attempt("10.0.0.5", "203.0.113.10").status_code == 200
        with proxied.app_context():
            ips = set(db.session.scalars(db.select(AuditEntry.ip)).all())
        assert ips == {"203.0.113.9", "203.0.113.10"}


@pytest.fixture
def redis_server():
    server = RedisServer(require_program("redis-server", "redis-server")).start()
    yield server
    server.stop()


@pytest.mark.slow
def test_four_worker_processes_share_one_limit_through_redis(app, moderator, redis_server):
    """Each worker has its own memory; only the shared storage can hold them to the limit."""

    def run_workers(count: int, attempts: int, password: str) -> list[int]:
        start_at = time.time() + 3
        command = [sys.executable, "-m", "tests.auth.login_worker"]
        args = [app.config["SQLALCHEMY_DATABASE_URI"], redis_server.url, str(attempts)]
        workers = [
            subprocess.Popen(
                [*command, *args, str(start_at), password],
                cwd=PROJECT_ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(count)
        ]
        statuses = []
        for worker in workers:
            out, _ = worker.communicate(timeout=120)
            assert worker.returncode == 0
            statuses += [int(line) for line in out.split()]
        return statuses

    statuses = run_workers(4, 4, WRONG)
    assert len(statuses) == 16
    assert set(statuses) == {200, 429}
    failures = statuses.count(200)
    # Checking and counting are two steps, so a worker racing the others can slip one more
    # attempt through; never more than one per worker.
    assert 5 <= failures <= 5 + 3, statuses
    # A fifth process, with the right password, is held to the same limit.
    assert run_workers(1, 1, MODERATOR_PASSWORD) == [429]
