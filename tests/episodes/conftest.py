"""Fixtures for the public episode pages: a clock that tests can set."""

from datetime import UTC, datetime

import pytest

from tests.proposals.builders import freeze_clock

# A Thursday, mid-afternoon UTC: episodes in tests are placed around it.
NOW = datetime(2024, 5, 16, 15, 0, tzinfo=UTC)


@pytest.fixture
def frozen_now(monkeypatch):
    """Freeze ``clock.now()`` at ``NOW``; call the fixture's value to move it."""
    return freeze_clock(monkeypatch, NOW)


@pytest.fixture
def sqlite_only(app):
    """For a test of SQLite's own schema (its triggers, its FTS5 index)."""
    if app.config["DATABASE_BACKEND"] != "sqlite":
        pytest.skip("about SQLite's own schema (triggers, FTS5)")
