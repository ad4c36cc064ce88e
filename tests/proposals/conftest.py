"""Fixtures for proposal tests: a clock tests can set."""

from datetime import UTC, datetime

import pytest

from tests.proposals.builders import freeze_clock

# A Thursday, mid-afternoon UTC.
NOW = datetime(2031, 5, 15, 15, 0, tzinfo=UTC)


@pytest.fixture
def frozen_now(monkeypatch):
    """Freeze ``clock.now()`` at ``NOW``; call the fixture's value to move it."""
    return freeze_clock(monkeypatch, NOW)
