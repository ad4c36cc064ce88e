"""Two app processes promote at the same moment: the database decides, nobody gets a 500.

Each process builds its own app on the test database (SQLite file or PostgreSQL), loads the
schedule form, waits at a barrier, then posts. Inside the service both processes pass the
state check before either writes (a pause is added after it), which is exactly where a
read-then-write promotion would create two episodes.
"""

import html
import multiprocessing
import re
import time

import pytest

from openinfra_live.audit import AuditEntry
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from openinfra_live.proposals.models import Proposal, ProposalHistory
from tests.conftest import make_moderator
from tests.proposals.builders import count, make_proposal

pytestmark = pytest.mark.slow

# Thursdays far enough ahead for any real clock.
SLOT = "2040-01-05T14:00"
OTHER_SLOT = "2040-01-12T14:00"
FLASH_RE = re.compile(r'<p class="flash flash-error">(.*?)</p>', re.S)
SLOT_ERROR_RE = re.compile(r'<p class="error" id="slot-error">(.*?)</p>', re.S)


def promote(database_uri: str, user_id: str, proposal_id: int, slot: str, barrier, results) -> None:
    """Run in a fresh process: sign in, load the schedule form, wait, post it."""
    from openinfra_live import create_app
    from openinfra_live.workflow import Workflow
    from tests.conftest import base_test_config, csrf_token_from

    real_check = Workflow.check

    def check_then_pause(self, obj, action):
        target = real_check(self, obj, action)
        time.sleep(0.5)  # let the other process read the same row before anyone writes
        return target

    Workflow.check = check_then_pause
    app = create_app(base_test_config(database_uri))
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    url = f"/moderation/proposals/{proposal_id}/schedule"
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = {
        "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        "slot": "custom",
        "custom_start": slot,
        "duration_minutes": "60",
        "title": f"Episode from proposal {proposal_id}",
        "description": "",
    }
    barrier.wait(timeout=60)
    response = client.post(url, data=data)
    body = response.get_data(as_text=True)
    messages = FLASH_RE.findall(body) + SLOT_ERROR_RE.findall(body)
    results.put((proposal_id, response.status_code, html.unescape(" ".join(messages))))
    with app.app_context():
        db.engine.dispose()


def run_two(
    app, user_id: str, proposal_ids: list[int], slots: list[str]
) -> list[tuple[int, int, str]]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    processes = [
        context.Process(target=promote, args=(uri, user_id, proposal_id, slot, barrier, results))
        for proposal_id, slot in zip(proposal_ids, slots, strict=True)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    return sorted(outcomes, key=lambda outcome: outcome[1])


@pytest.fixture
def moderator_cookie_id(app):
    with app.app_context():
        user_id = make_moderator().get_id()
        db.session.remove()
    return user_id


def test_two_processes_promoting_one_proposal_create_exactly_one_episode(app, moderator_cookie_id):
    """RELIABILITY 26: double promotion."""
    with app.app_context():
        proposal, _ = make_proposal("approved")
        proposal_id = proposal.id
        db.session.remove()
    # Different slots: only the promote-once rule, not the clash check, can stop the second.
    outcomes = run_two(app, moderator_cookie_id, [proposal_id, proposal_id], [SLOT, OTHER_SLOT])
    (_, won, _), (_, lost, message) = outcomes
    assert (won, lost) == (303, 409)
    assert "You cannot schedule a proposal that is “scheduled”" in message
    with app.app_context():
        assert count(Episode) == 1
        assert db.session.scalar(db.select(Proposal.status)) == "scheduled"
        assert (
            db.session.scalar(
                db.select(db.func.count())
                .select_from(ProposalHistory)
                .where(ProposalHistory.action == "schedule")
            )
            == 1
        )
        audit_actions = db.session.scalars(db.select(AuditEntry.action)).all()
        assert audit_actions.count("proposal.schedule") == 1
        assert audit_actions.count("episode.create") == 1


def test_two_proposals_racing_for_one_slot_leave_one_winner_and_one_approved(
    app, moderator_cookie_id
):
    """RELIABILITY 27: slot clash."""
    with app.app_context():
        first, _ = make_proposal("approved", title="First idea for the slot")
        second, _ = make_proposal("approved", title="Second idea for the slot")
        ids = [first.id, second.id]
        db.session.remove()
    outcomes = run_two(app, moderator_cookie_id, ids, [SLOT, SLOT])
    (winner_id, won, _), (loser_id, lost, message) = outcomes
    assert (won, lost) == (303, 409)
    assert "That slot is taken" in message
    with app.app_context():
        episodes = db.session.scalars(db.select(Episode)).all()
        assert [episode.proposal_id for episode in episodes] == [winner_id]
        assert db.session.get(Proposal, winner_id).status == "scheduled"
        assert db.session.get(Proposal, loser_id).status == "approved"
        assert db.session.get(Proposal, loser_id).episode is None
