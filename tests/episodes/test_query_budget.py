"""Every public page runs as many SQL statements with 5 episodes as with 1,000 (and a PTG of 2
teams as of 40), and no more than its budget: measured with the response cache disabled, so
that the count is the page's own."""

from datetime import timedelta

import pytest
from sqlalchemy import insert

from openinfra_live.episodes import search
from openinfra_live.episodes.models import (
    Episode,
    EpisodeGuest,
    EpisodeLink,
    EpisodeSegment,
)
from openinfra_live.extensions import db
from openinfra_live.ptg.models import PtgEvent, PtgSession, PtgTeam, Room
from openinfra_live.questions.models import Question
from tests.conftest import another_app
from tests.episodes.conftest import NOW
from tests.ptg.builders import at, make_event, make_room, make_session, make_team
from tests.statements import statements_of

UPCOMING = 3
# No response cache, and the content version (the pages' validators) read at every request
# rather than when a second has passed, which would add a statement at random.
UNCACHED = {"RESPONSE_CACHE_ENABLED": False, "CONTENT_VERSION_MAX_AGE": 0, "EPISODES_PER_PAGE": 2}
# The most statements each page may run, the content version (its validators) included. Each
# statement that reads episodes is followed by one that reads their segments (with the
# segments' speakers joined), for the specials among them.
BUDGET = {
    "/": 10,
    "/episodes/": 7,
    "/episodes/?page=2": 7,
    "/episodes/?q=word": 8,
    "/episodes/?year=2024": 7,
    "/episodes/episode-1/": 5,
    # Upcoming, taking questions, and listing its approved ones: one more statement.
    "/episodes/episode-0/": 6,
    "/episodes/episode-0/questions": 6,
    "/episodes/special/": 5,
    "/episodes/episode-1.ics": 5,
    "/episodes/special.ics": 5,
    "/calendar.ics": 5,
    "/feed.xml": 5,
    "/api/episodes": 6,
    "/ptg/": 4,
    "/ptg/2030-march/": 5,
    "/ptg/2030-march/schedule": 6,
    "/ptg/2030-march/schedule.ics": 6,
    # The numbers: nine statements of figures for a year, eleven for every year (SQL aggregates).
    "/numbers/": 12,
    "/numbers/2024/": 10,
    "/numbers/2024/views.svg": 10,
}


def add_content(episodes: int, teams: int) -> None:
    """``episodes`` visible episodes a week apart, a few of them upcoming, each with two links
    and a guest and "word" in its description; a PTG of ``teams`` teams with a session each."""
    first_start = NOW.replace(hour=14, minute=0) + timedelta(weeks=UPCOMING)
    rows = [
        {
            "slug": f"episode-{n}",
            "title": f"Episode {n}",
            "description": f"<p>A word about episode {n}</p>",
            "starts_at": first_start - timedelta(weeks=n),
            "duration_minutes": 60,
            "hidden": False,
            "sequence": 0,
            "created_at": NOW,
            "updated_at": NOW,
            "views": 100 + n,
        }
        for n in range(episodes)
    ]
    ids = db.session.scalars(insert(Episode).returning(Episode.id), rows).all()
    youtube = "https://www.youtube.com/watch?v=pHHCIGkpNzs"
    links = [("youtube", youtube), ("linkedin", "https://www.linkedin.com/feed/")]
    db.session.execute(
        insert(EpisodeLink),
        [
            {"episode_id": pk, "position": position, "platform": platform, "url": url}
            for pk in ids
            for position, (platform, url) in enumerate(links)
        ],
    )
    db.session.execute(
        insert(EpisodeGuest),
        [
            {"episode_id": pk, "position": 0, "name": f"Guest {pk}", "affiliation": "ACME"}
            for pk in ids
        ],
    )
    add_special()
    add_questions(ids[0], count=teams)
    search.refresh_all()
    event = make_event()
    rooms = [make_room(event, f"Room {n}") for n in range(3)]
    for n in range(teams):
        team = make_team(event, f"Team {n}")
        day, hour = 18 + n // 10, 8 + n % 10
        make_session(team, rooms[n % 3], at(day, hour), at(day, hour + 1))
    db.session.commit()


def add_special() -> None:
    """A two-day special of three segments with a speaker each, upcoming, so that every page
    that lists episodes reads segments and their speakers too."""
    start = NOW.replace(hour=9, minute=0) + timedelta(days=1)
    segments = [
        EpisodeSegment(
            key=f"k{n}",
            title=f"Segment {n}",
            starts_at=start + timedelta(days=n // 2, hours=2 * (n % 2)),
            duration_minutes=60,
            speaker_pairs=[(f"Speaker {n}", "ACME")],
        )
        for n in range(3)
    ]
    span = int((segments[-1].ends_at - start) / timedelta(minutes=1))
    special = Episode(slug="special", title="Special", description="<p>word</p>", special=True)
    special.starts_at, special.duration_minutes, special.segments = start, span, segments
    db.session.add(special)
    db.session.flush()


def add_questions(episode_id: int, count: int) -> None:
    """``count`` approved questions on the episode, which lists them on its page."""
    db.session.execute(
        db.update(Episode).where(Episode.id == episode_id).values(show_questions=True)
    )
    db.session.execute(
        insert(Question),
        [
            {
                "episode_id": episode_id,
                "text": f"Question {n}?",
                "asker_name": "",
                "asker_email": "",
                "status": "approved",
                "position": n,
                "created_at": NOW,
                "updated_at": NOW,
            }
            for n in range(count)
        ],
    )


def remove_content() -> None:
    for model in (
        Question,
        PtgSession,
        PtgTeam,
        Room,
        PtgEvent,
        EpisodeGuest,
        EpisodeLink,
        Episode,
    ):
        db.session.execute(db.delete(model))
    db.session.commit()


def statements_per_page(app) -> dict[str, int]:
    client = app.test_client()
    counts = {}
    for url in BUDGET:
        client.get(url)  # warm up: the first connection, compiled statements
        responses = []
        statements = statements_of(
            app, lambda url=url, responses=responses: responses.append(client.get(url))
        )
        assert responses[0].status_code == 200, url
        counts[url] = len(statements)
    return counts


@pytest.mark.slow
def test_public_pages_run_a_constant_number_of_queries_within_their_budget(app, frozen_now):
    with another_app(app, **UNCACHED) as uncached:
        with uncached.app_context():
            add_content(episodes=5, teams=2)
        small = statements_per_page(uncached)
        with uncached.app_context():
            remove_content()
            add_content(episodes=1000, teams=40)
            assert db.session.scalar(db.select(db.func.count(Episode.id))) == 1001
        large = statements_per_page(uncached)

    assert large == small
    assert {url: count for url, count in small.items() if count > BUDGET[url]} == {}
