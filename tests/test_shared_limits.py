"""The per-address limit of the public forms holds across the processes of one machine with
the embedded default storage (a SQLite file in the instance folder), not only through Redis."""

import multiprocessing
import time

import pytest
from sqlalchemy import create_engine, text

from openinfra_live.extensions import RATELIMIT_FILE
from openinfra_live.ratelimit_storage import SQLiteStorage, path_of
from tests.hardening.support import (
    PROPOSAL,
    LiveClient,
    prepare_database_here,
    site_environment,
    start_sites,
    write_instance_config,
)

SUBMISSIONS = 17
LIMIT = 10  # the default RATELIMIT_PUBLIC_FORMS: "10 per minute;50 per hour"


def proposals_in(database_url: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM proposals")).scalar_one()
    engine.dispose()
    return count


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["two servers", "one server with two workers"])
def test_two_workers_let_at_most_the_limit_through(tmp_path, layout):
    database_url = f"sqlite:///{tmp_path / 'site.sqlite'}"
    instance = write_instance_config(tmp_path / "instance")  # nothing about rate limits
    env = site_environment(instance, database_url)
    env.pop("RATELIMIT_STORAGE_URI", None)
    prepare_database_here(database_url)
    if layout == "two servers":
        sites = start_sites(2, env, tmp_path)
    else:
        sites = start_sites(1, env, tmp_path, workers=2, preload=True)
    try:
        statuses = []
        for n in range(SUBMISSIONS):
            # Alternate between the processes (with one server, new connections spread over
            # its workers as the kernel likes).
            client = LiveClient(sites[n % len(sites)].port)
            data = {**PROPOSAL, "title": f"Proposal number {n}"}
            statuses.append(client.submit("/propose", data).status)
    finally:
        for site in sites:
            site.stop()

    assert statuses.count(303) == LIMIT, statuses
    assert statuses.count(429) == SUBMISSIONS - LIMIT
    assert proposals_in(database_url) == LIMIT
    assert (instance / RATELIMIT_FILE).exists()


def test_the_storage_uri_names_a_file_as_sqlalchemy_does():
    assert path_of("sqlite:////srv/site/limits.sqlite") == "/srv/site/limits.sqlite"
    assert path_of("sqlite:///limits.sqlite") == "limits.sqlite"
    with pytest.raises(ValueError):
        path_of("sqlite://")


def _hit_many(uri: str, times: int) -> None:
    storage = SQLiteStorage(uri)
    for _ in range(times):
        storage.incr("shared-key", 60)


def test_two_processes_counting_at_once_lose_no_hit(tmp_path):
    uri = f"sqlite:///{tmp_path / 'limits.sqlite'}"
    SQLiteStorage(uri).reset()  # creates the file before the processes race for it
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_hit_many, args=(uri, 200)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0

    assert SQLiteStorage(uri).get("shared-key") == 400


def test_a_counter_starts_again_when_its_window_is_over(tmp_path, monkeypatch):
    storage = SQLiteStorage(f"sqlite:///{tmp_path / 'limits.sqlite'}")
    now = time.time()
    monkeypatch.setattr("openinfra_live.ratelimit_storage.now", lambda: now)
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get_expiry("k") == pytest.approx(now + 60)

    monkeypatch.setattr("openinfra_live.ratelimit_storage.now", lambda: now + 61)

    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1
    assert storage.get_expiry("k") == pytest.approx(now + 121)
    storage.clear("k")
    assert storage.get("k") == 0 and storage.check()
