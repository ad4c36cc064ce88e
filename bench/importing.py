"""The time ``flask import-episodes FILE`` takes on a fresh, migrated database."""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, func, select

from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class ImportTiming:
    """One timed import, or why there was none."""

    backend: str
    episodes: int
    seconds: float | None = None
    stored: int | None = None
    summary: str = ""
    problem: str = ""


def _flask(*args: str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "openinfra_live", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def time_import(
    backend: str, database_uri: str, instance_path: Path, content_file: Path, episodes: int
) -> ImportTiming:
    """Run the import command as an operator would, timing the whole command."""
    timing = ImportTiming(backend=backend, episodes=episodes)
    env = {"DATABASE_URL": database_uri, "INSTANCE_PATH": str(instance_path), "SECRET_KEY": "bench"}
    probe = _flask("import-episodes", "--help", env=env, timeout=120)
    if probe.returncode != 0:
        timing.problem = "no `flask import-episodes` command yet"
        return timing
    started = time.perf_counter()
    done = _flask("import-episodes", str(content_file), env=env, timeout=1800)
    timing.seconds = time.perf_counter() - started
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    timing.summary = next(
        (line for line in reversed(lines) if "created" in line or "entries" in line),
        lines[-1] if lines else "",
    )[:300]
    if done.returncode != 0:
        timing.problem = f"exited with status {done.returncode}"
    engine = create_engine(database_uri)
    try:
        with engine.connect() as connection:
            timing.stored = connection.scalar(select(func.count()).select_from(Episode.__table__))
    finally:
        engine.dispose()
    return timing


def migrate_fresh(app_factory: Callable[[str], Flask], database_uri: str) -> None:
    """Create the schema in an empty database with the application's migrations."""
    from bench.datagen import migrate

    app = app_factory(database_uri)
    migrate(app)
    with app.app_context():
        db.engine.dispose()
