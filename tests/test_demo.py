"""``flask demo``: demo content for an empty database only."""

import re
import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from openinfra_live import PROJECT_ROOT, clock
from openinfra_live.auth.models import User
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from openinfra_live.proposals.models import Proposal
from openinfra_live.proposals.notifications import status_token
from openinfra_live.ptg.models import PtgEvent, PtgSession, PtgTeam
from openinfra_live.tokens import hash_token
from tests.conftest import empty_all_tables, make_moderator, post_form

# A Tuesday: the next Thursday slot is two days later.
NOW = datetime(2025, 3, 11, 9, 30, tzinfo=UTC)


@pytest.fixture
def fixed_now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


def test_demo_fills_an_empty_database(app, runner, fixed_now):
    result = runner.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert "demo content loaded: 10 episodes, 1 PTG event, 2 proposals" in result.output
    with app.app_context():
        everything = db.session.scalars(db.select(Episode).order_by(Episode.starts_at)).all()
        [special] = [e for e in everything if e.special]
        episodes = [e for e in everything if not e.special]
        # A two-day special on the Tuesday and Wednesday before the second upcoming episode.
        assert special.starts_at == datetime(2025, 3, 18, 13, 0, tzinfo=UTC)
        assert special.ends_at == datetime(2025, 3, 19, 16, 0, tzinfo=UTC)
        assert len(special.segments) == 5 and all(s.speakers for s in special.segments)
        assert len({s.starts_at.date() for s in special.segments}) == 2
        assert special.slug in result.output
        past = [e for e in episodes if e.starts_at < NOW]
        upcoming = [e for e in episodes if e.starts_at > NOW]
        assert len(past) == 6 and len(upcoming) == 3
        assert [e.starts_at for e in upcoming] == [
            datetime(2025, 3, 13, 14, 0, tzinfo=UTC),
            datetime(2025, 3, 20, 14, 0, tzinfo=UTC),
            datetime(2025, 3, 27, 14, 0, tzinfo=UTC),
        ]
        assert {(e.starts_at.weekday(), e.starts_at.hour) for e in episodes} == {(3, 14)}
        assert not any(e.hidden for e in episodes)
        for episode in past:
            assert episode.guests and episode.recap_url
            assert [link.platform for link in episode.links] == ["youtube", "linkedin"]
        assert all(e.guests for e in upcoming)
        # The next episode's stream is announced (where to watch it live); later ones not yet.
        assert [link.platform for link in upcoming[0].links] == ["youtube", "linkedin"]
        assert not any(e.links for e in upcoming[1:])
        assert all(e.slug in result.output for e in episodes)

        event = db.session.scalars(db.select(PtgEvent)).one()
        assert event.registration_open and event.format == "virtual"
        assert event.starts_on > NOW.date()
        teams = db.session.scalars(db.select(PtgTeam)).all()
        assert len(teams) == 8
        assert {team.status for team in teams} == {"approved"}
        assert {team.kind for team in teams} >= {"project_team", "sig", "working_group"}
        assert len(event.rooms) == 3
        sessions = db.session.scalars(db.select(PtgSession)).all()
        assert len(sessions) >= 3
        for session in sessions:
            assert event.starts_on <= session.starts_at.date() <= event.ends_on
            assert session.team.status == "approved"

        proposals = db.session.scalars(db.select(Proposal)).all()
        assert {p.status for p in proposals} == {"submitted"}
        assert all(p.created_at < NOW for p in proposals)
    # The printed status links are the proposals' own.
    tokens = [
        line.rsplit("/", 1)[1].rstrip(")")
        for line in result.output.splitlines()
        if "/proposals/" in line
    ]
    with app.app_context():
        hashes = set(db.session.scalars(db.select(Proposal.token_hash)))
        # ... and the link a later mail carries (derived again from the proposal) is the same.
        in_mails = {status_token(proposal) for proposal in db.session.scalars(db.select(Proposal))}
    assert {hash_token(token) for token in tokens} == hashes
    assert in_mails == set(tokens)


def test_demo_pages_answer(app, client, runner, fixed_now):
    runner.invoke(args=["demo"])
    with app.app_context():
        slugs = list(db.session.scalars(db.select(Episode.slug)))
        event_slug = db.session.scalars(db.select(PtgEvent.slug)).one()

    assert client.get("/").status_code == 200
    for slug in slugs:
        assert client.get(f"/episodes/{slug}/").status_code == 200, slug
    assert client.get(f"/ptg/{event_slug}/").status_code == 200
    assert client.get(f"/ptg/{event_slug}/schedule").status_code == 200


def test_demo_refuses_a_database_with_content(app, runner, fixed_now):
    runner.invoke(args=["demo"])

    result = runner.invoke(args=["demo"])

    assert result.exit_code != 0
    assert "already has episodes, proposals or PTG events" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Episode.id))) == 10


def test_demo_if_empty_does_nothing_when_an_episode_exists(app, runner, fixed_now):
    with app.app_context():
        db.session.add(Episode(slug="x", title="X", starts_at=NOW))
        db.session.commit()

    result = runner.invoke(args=["demo", "--if-empty"])

    assert result.exit_code == 0, result.output
    assert "nothing loaded" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Episode.id))) == 1
        assert db.session.scalar(db.select(db.func.count(PtgEvent.id))) == 0


def test_demo_if_empty_loads_into_an_empty_database(app, runner, fixed_now):
    result = runner.invoke(args=["demo", "--if-empty"])

    assert result.exit_code == 0, result.output
    assert "demo content loaded" in result.output


def test_demo_during_the_thursday_show_puts_the_next_episode_a_week_later(app, runner, monkeypatch):
    during_show = datetime(2025, 3, 13, 14, 30, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: during_show)

    runner.invoke(args=["demo"])

    with app.app_context():
        starts = sorted(db.session.scalars(db.select(Episode.starts_at)))
    assert datetime(2025, 3, 20, 14, 0, tzinfo=UTC) in starts
    assert datetime(2025, 3, 13, 14, 0, tzinfo=UTC) in starts  # today's, on air
    assert len(starts) == 10


# --- the demo moderator ---------------------------------------------------------------------

SIGN_IN = re.compile(
    r"demo moderator: sign in at (\S+) as (\S+) with the password (\S+) \(shown only this once"
)


def test_demo_on_a_fresh_database_makes_a_moderator_and_says_how_to_sign_in(
    app, client, runner, fixed_now
):
    result = runner.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    [(login_url, email, password)] = SIGN_IN.findall(result.output)
    assert login_url == "http://live.test/login"  # SITE_URL's
    assert result.output.count(password) == 1
    with app.app_context():
        [user] = db.session.scalars(db.select(User)).all()
        assert user.email == email and user.is_moderator
        assert password not in user.password_hash
    signed_in = post_form(client, "/login", {"email": email, "password": password, "next": ""})
    assert signed_in.status_code == 303
    assert client.get("/moderation/").status_code == 200


def test_each_demo_moderator_gets_a_password_of_its_own(app, runner, fixed_now):
    first = SIGN_IN.findall(runner.invoke(args=["demo"]).output)[0][2]
    empty_all_tables(app)

    second = SIGN_IN.findall(runner.invoke(args=["demo"]).output)[0][2]

    assert first != second and len(first) >= 16


def test_demo_makes_no_moderator_when_an_account_exists(app, runner, fixed_now):
    with app.app_context():
        make_moderator("owner@example.org")

    result = runner.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert "demo moderator" not in result.output
    with app.app_context():
        assert db.session.scalars(db.select(User.email)).all() == ["owner@example.org"]


def make_dry_run(target: str) -> list[str]:
    """The pip commands ``make TARGET`` would run on a new checkout (``-B``: as if nothing
    were installed yet)."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    done = subprocess.run(
        [make, "-n", "-B", target], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    return [line for line in done.stdout.splitlines() if "pip install" in line]


def test_make_run_installs_the_site_without_the_test_tools():
    run = make_dry_run("run")
    test = make_dry_run("test")

    assert any(line.endswith("-e .") for line in run)
    assert not any("[test]" in line for line in run)
    assert any("-e '.[test]'" in line for line in test)


def test_a_demo_proposals_status_page_tells_what_happened(app, client, runner, fixed_now):
    output = runner.invoke(args=["demo"]).output
    token = re.search(r"status page /proposals/(\S+)\)", output)[1]

    history = client.get(f"/proposals/{token}").get_data(as_text=True)
    history = history.split('id="history-heading"', 1)[1].split("</ol>", 1)[0]

    assert "You sent the proposal." in history
