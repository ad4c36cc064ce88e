"""The moderation queue: oldest first, counts by state, filters, ages, who may enter."""

from datetime import timedelta

import pytest

from openinfra_live.extensions import db
from openinfra_live.moderation.queue import age
from openinfra_live.proposals import claims
from openinfra_live.proposals.models import Proposal
from tests.conftest import make_moderator
from tests.proposals.builders import freeze_clock, make_proposal
from tests.proposals.conftest import NOW


@pytest.fixture
def frozen_now(monkeypatch):
    return freeze_clock(monkeypatch, NOW)


@pytest.fixture
def queue_rows(app, frozen_now):
    """Proposals received at different times, in several states."""
    with app.app_context():
        frozen_now(NOW - timedelta(days=3))
        make_proposal(title="Oldest waiting idea")
        frozen_now(NOW - timedelta(hours=5))
        make_proposal(title="Newest waiting idea")
        frozen_now(NOW - timedelta(days=2))
        make_proposal("approved", title="Approved idea waiting for a date")
        make_proposal("declined", title="Declined idea")
        make_proposal("changes_requested", title="Idea with changes requested")
        frozen_now(NOW)


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/moderation/?state=all")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "/moderation/" in response.headers["Location"]


def test_queue_lists_what_waits_oldest_first_with_ages_and_counts(client, login_as, queue_rows):
    login_as(client)
    response = client.get("/moderation/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    oldest = html.index("Oldest waiting idea")
    approved = html.index("Approved idea waiting for a date")
    newest = html.index("Newest waiting idea")
    assert oldest < approved < newest
    assert "Declined idea" not in html.split("<table", 1)[1]
    assert "Idea with changes requested" not in html.split("<table", 1)[1]
    assert "3 days" in html and "5 hours" in html
    assert "Waiting for a moderator (3)" in html
    assert "Declined (1)" in html
    assert "Changes requested (1)" in html
    assert "All (5)" in html


def test_queue_filters_by_state(client, login_as, queue_rows):
    login_as(client)
    html = client.get("/moderation/?state=declined").get_data(as_text=True)
    table = html.split("<table", 1)[1]
    assert "Declined idea" in table
    assert "Oldest waiting idea" not in table
    html = client.get("/moderation/?state=all").get_data(as_text=True)
    assert html.count('href="/moderation/proposals/') == 5
    assert client.get("/moderation/?state=bogus").status_code == 400


def test_queue_shows_who_claimed_a_proposal(app, client, login_as, queue_rows):
    login_as(client)
    with app.app_context():
        other = make_moderator("other@example.org", display_name="Olga Other")
        proposal = db.session.scalar(db.select(Proposal).order_by(Proposal.id).limit(1))
        claims.claim_proposal(proposal, other)
        db.session.commit()
    html = client.get("/moderation/").get_data(as_text=True)
    assert "Olga Other" in html


def test_age_is_said_in_the_largest_whole_unit():
    assert age(NOW - timedelta(seconds=30), NOW) == "just now"
    assert age(NOW - timedelta(minutes=1), NOW) == "1 minute"
    assert age(NOW - timedelta(hours=26), NOW) == "1 day"
    assert age(NOW - timedelta(days=15), NOW) == "2 weeks"
