"""SQL injection smoke test (RELIABILITY 23): sqlmap, bounded and on loopback only, finds
nothing injectable in the public archive's search and filters or in the sign-in form."""

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.episodes.builders import make_episode
from tests.hardening.support import (
    Gunicorn,
    prepare_database_here,
    site_environment,
    write_instance_config,
)
from tests.system_parts import missing

pytestmark = pytest.mark.slow

NOT_INJECTABLE = "do not appear to be injectable"


def sqlmap_command() -> list[str]:
    beside_python = Path(sys.executable).parent / "sqlmap"
    found = str(beside_python) if beside_python.exists() else shutil.which("sqlmap")
    if not found:
        missing("sqlmap", "pip install sqlmap (a test dependency in pyproject.toml)")
    return [found]


@pytest.fixture
def site(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'site.sqlite'}"
    instance = write_instance_config(
        tmp_path / "instance",
        LOGIN_FAILURE_LIMIT="10000 per minute",
        LOGIN_ACCOUNT_FAILURE_LIMIT="10000 per minute",
        LOGIN_ADDRESS_LIMIT="10000 per minute",
        RESPONSE_CACHE_ENABLED=False,
    )

    def content():
        for n in range(3):
            make_episode(
                title=f"Zuul gating story {n}",
                starts_at=datetime(2024, 1, 4 + 7 * n, 14, tzinfo=UTC),
            )

    prepare_database_here(database_url, setup=content)
    # Two workers: a connection sqlmap leaves idle cannot stall the one sync worker, and with it
    # the scan (seen as a 30 s timeout fetching the sign-in form's token).
    server = Gunicorn(
        site_environment(instance, database_url), tmp_path / "gunicorn.log", workers=2
    )
    server.wait_ready()
    yield server
    server.stop()


def run_sqlmap(tmp_path, *args: str) -> str:
    command = [
        *sqlmap_command(),
        "--batch",
        "--level=1",
        "--risk=1",
        "--technique=BU",
        "--skip-waf",
        "--flush-session",
        "--disable-coloring",
        "--time-sec=2",
        f"--output-dir={tmp_path / 'sqlmap'}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    return done.stdout + done.stderr


def test_archive_search_and_filters_are_not_injectable(site, tmp_path):
    url = f"http://127.0.0.1:{site.port}/episodes/?q=zuul&year=2024&page=1"
    output = run_sqlmap(tmp_path, "-u", url, "-p", "q,year,page")
    assert NOT_INJECTABLE in output, output[-3000:]
    assert "is vulnerable" not in output


def test_sign_in_form_is_not_injectable(site, tmp_path):
    url = f"http://127.0.0.1:{site.port}/login"
    output = run_sqlmap(
        tmp_path,
        "-u",
        url,
        "--data=email=someone%40example.org&password=secret&csrf_token=x",
        "--csrf-token=csrf_token",
        f"--csrf-url={url}",
        "-p",
        "email,password",
    )
    assert NOT_INJECTABLE in output, output[-3000:]
    assert "is vulnerable" not in output
