"""The public forms' per-address limit is shared by app processes through Redis (issue:
hardening), and the 429 page carries the security headers (RELIABILITY 24).

Two gunicorn processes, each with its own memory, on one Redis: posts alternate between them
and are cut at the limit in total. Sign-in throttling across processes is tested in
tests/auth/test_throttle.py::test_four_worker_processes_share_one_limit_through_redis.
"""

import pytest
from sqlalchemy import create_engine, text

from tests.hardening.support import (
    PROPOSAL,
    LiveClient,
    prepare_database_here,
    site_environment,
    start_sites,
    write_instance_config,
)
from tests.servers import RedisServer
from tests.system_parts import require_program
from tests.test_security_headers import CSP_PARTS

pytestmark = pytest.mark.slow

LIMIT = 4


@pytest.fixture
def redis_server():
    server = RedisServer(require_program("redis-server", "redis-server")).start()
    yield server
    server.stop()


def test_two_processes_share_the_per_address_limit_of_public_forms(tmp_path, redis_server):
    database_url = f"sqlite:///{tmp_path / 'site.sqlite'}"
    instance = write_instance_config(
        tmp_path / "instance", RATELIMIT_PUBLIC_FORMS=f"{LIMIT} per minute"
    )
    env = site_environment(instance, database_url, RATELIMIT_STORAGE_URI=redis_server.url)
    prepare_database_here(database_url)
    sites = start_sites(2, env, tmp_path)
    try:
        replies = []
        for n in range(2 * LIMIT):
            # Each post goes to the other process; the form is read from the same one.
            client = LiveClient(sites[n % 2].port)
            data = {**PROPOSAL, "title": f"Proposal number {n}"}
            replies.append(client.submit("/propose", data))
        page_still_served = LiveClient(sites[0].port).get("/propose").status
    finally:
        for site in sites:
            site.stop()

    assert [reply.status for reply in replies] == [303] * LIMIT + [429] * LIMIT
    assert page_still_served == 200  # reading the form is not limited
    for reply in replies[LIMIT:]:
        assert int(reply.header("Retry-After")) > 0
        csp = reply.header("Content-Security-Policy")
        assert all(part in csp for part in CSP_PARTS) and "unsafe-inline" not in csp
        assert reply.header("X-Content-Type-Options") == "nosniff"
        assert reply.header("Referrer-Policy") == "strict-origin-when-cross-origin"
        assert "<h1>Too many requests</h1>" in reply.body
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM proposals")).scalar_one() == LIMIT
    engine.dispose()
