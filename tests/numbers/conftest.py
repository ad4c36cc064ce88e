"""Known content for the numbers pages: three years of episodes, proposals and PTG teams whose
every figure is worked out by hand in ``EXPECTED``."""

from datetime import UTC, date, datetime

import pytest

from openinfra_live.extensions import db
from openinfra_live.proposals.models import ProposalHistory
from openinfra_live.questions.models import Question
from tests.episodes.builders import make_episode, make_special
from tests.proposals.builders import freeze_clock, make_proposal
from tests.ptg.builders import make_event, make_team

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def at(year: int, month: int, day: int, hour: int = 14, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def youtube(video: str) -> list[tuple[str, str]]:
    return [("youtube", f"https://www.youtube.com/watch?v={video}")]


def _proposal(status: str, received: datetime, *, approved_once: bool = False) -> int:
    proposal, _ = make_proposal(status, title=f"Idea {status} {received:%Y%m%d}")
    proposal.created_at = received
    if approved_once:
        history = ProposalHistory(proposal_id=proposal.id, action="approve")
        history.from_status, history.to_status = "submitted", "approved"
        db.session.add(history)
    db.session.commit()
    return proposal.id


def _questions(episode, *states: str) -> None:
    for n, state in enumerate(states):
        db.session.add(
            Question(episode=episode, text=f"Question {n}?", status=state, created_at=NOW)
        )


def add_known_content() -> dict[str, int]:
    """The content every figure of ``EXPECTED`` comes from (inside an app context)."""
    p1 = _proposal("scheduled", at(2023, 12, 1))
    p2 = _proposal("scheduled", at(2024, 5, 1))
    p8 = _proposal("scheduled", at(2024, 8, 1))
    _proposal("approved", at(2024, 2, 1))
    _proposal("declined", at(2024, 2, 2))
    _proposal("withdrawn", at(2024, 2, 3), approved_once=True)
    _proposal("submitted", at(2024, 12, 31, 23, 30))
    _proposal("changes_requested", at(2024, 3, 1))
    _proposal("submitted", at(2025, 1, 2))

    make_episode("Bob's first", at(2023, 6, 1), guests=[("Bob", "Globex")])
    e1 = make_episode(
        "Ann and Bob",
        at(2024, 1, 11),
        guests=[("Ann Smith", "ACME"), ("Bob", "Globex")],
        links=youtube("AAAAAAAAAAA"),
        views=1000,
        peak_live_viewers=100,
        proposal_id=p1,
    )
    e2 = make_episode(
        "Ann again, with Cy",
        at(2024, 6, 13),
        duration_minutes=90,
        guests=[("ANN  SMITH", "acme"), ("Cy", "")],
        links=youtube("BBBBBBBBBBB"),
        views=3000,
        peak_live_viewers=300,
        proposal_id=p2,
    )
    make_episode("New Year's Eve", at(2024, 12, 31, 23, 30), guests=[("Dee", "Initech")])
    hidden = make_episode(
        "Hidden",
        at(2024, 3, 7),
        hidden=True,
        guests=[("Hidden Guest", "Umbrella")],
        links=youtube("HHHHHHHHHHH"),
        views=99_999,
        peak_live_viewers=9_999,
    )
    special = make_special(
        "Two-part special",
        [
            ("Morning", at(2024, 9, 10, 9), 60, [("Eve", "ACME")]),
            ("Afternoon", at(2024, 9, 10, 14), 30, [("Bob", "Globex")]),
        ],
    )
    special.segments[1].proposal_id = p8
    new_year = make_episode(
        "New year", at(2025, 1, 1, 0, 30), guests=[("Ann Smith", "ACME"), ("Fay", "")], views=500
    )
    to_come = make_episode(
        "Still to come", at(2025, 4, 3), guests=[("Gus", "Hooli")], views=7, peak_live_viewers=5
    )
    # Audience questions: those of aired, visible episodes count, in the year the episode aired.
    _questions(e1, "answered", "approved", "rejected")
    _questions(hidden, "answered", "approved")
    _questions(new_year, "answered")
    _questions(to_come, "submitted")

    march = make_event("2024-march", "PTG March 2024", date(2024, 3, 18), date(2024, 3, 22))
    make_team(march, "Nova")
    make_team(march, "Ops SIG", kind="sig")
    make_team(march, "Docs WG", kind="working_group")
    make_team(march, "Pending", status="pending")
    make_team(march, "Declined", status="declined")
    october = make_event("2024-october", "PTG October 2024", date(2024, 10, 21), date(2024, 10, 25))
    make_team(october, "Nova")
    make_team(october, "Neutron")
    make_event("2025-april", "PTG April 2025", date(2025, 4, 7), date(2025, 4, 11))
    db.session.commit()
    return {"e1": e1.id, "e2": e2.id}


@pytest.fixture
def now(monkeypatch):
    """``clock.now()`` frozen at ``NOW``."""
    freeze_clock(monkeypatch, NOW)
    return NOW


@pytest.fixture
def known(app, now):
    with app.app_context():
        ids = add_known_content()
        db.session.remove()
    return ids
