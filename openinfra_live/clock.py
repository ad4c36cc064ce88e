"""The one source of "now", so tests can move time by patching ``clock.now``."""

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, aware and in UTC."""
    return datetime.now(UTC)
