import pytest

from tests.proposals.builders import freeze_clock
from tests.questions.builders import NOW


@pytest.fixture
def move_clock(monkeypatch):
    """The clock frozen at ``NOW``; call it to move it."""
    return freeze_clock(monkeypatch, NOW)
