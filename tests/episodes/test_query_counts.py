"""Public pages run the same number of SQL statements with 5 episodes and with 1,000."""

from datetime import timedelta

import pytest
from sqlalchemy import insert

from openinfra_live import caching
from openinfra_live.episodes.models import Episode, EpisodeGuest, EpisodeLink
from openinfra_live.extensions import db
from tests.episodes.conftest import NOW
from tests.statements import recorded_statements

UPCOMING = 3
PAGES = [
    "/",
    "/episodes/",
    "/episodes/?q=episode",
    "/episodes/?year=2024",
    "/episodes/episode-0/",
    "/episodes/episode-0.ics",
    "/calendar.ics",
    "/feed.xml",
    "/api/episodes",
]


def insert_episodes(total: int) -> None:
    """``total`` visible episodes a week apart, a few of them upcoming, with links and guests."""
    first_start = NOW.replace(hour=14, minute=0) + timedelta(weeks=UPCOMING)
    rows = [
        {
            "slug": f"episode-{n}",
            "title": f"Episode {n}",
            "description": f"<p>Description of episode {n}</p>",
            "starts_at": first_start - timedelta(weeks=n),
            "duration_minutes": 60,
            "hidden": False,
            "sequence": 0,
            "created_at": NOW,
            "updated_at": NOW,
        }
        for n in range(total)
    ]
    ids = db.session.scalars(insert(Episode).returning(Episode.id), rows).all()
    db.session.execute(
        insert(EpisodeLink),
        [
            {"episode_id": pk, "position": position, "platform": platform, "url": url}
            for pk in ids
            for position, (platform, url) in enumerate(
                [
                    ("youtube", "https://www.youtube.com/watch?v=pHHCIGkpNzs"),
                    ("linkedin", f"https://www.linkedin.com/feed/update/{pk}/"),
                ]
            )
        ],
    )
    db.session.execute(
        insert(EpisodeGuest),
        [
            {"episode_id": pk, "position": 0, "name": f"Guest {pk}", "affiliation": "ACME"}
            for pk in ids
        ],
    )
    db.session.commit()


def statements_per_page(app, client) -> dict[str, int]:
    counts = {}
    with app.app_context():
        engine = db.engine
    for url in PAGES:
        client.get(url)  # warm up: compiled statements and the first connection
        with recorded_statements(engine) as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(statements)
    return counts


@pytest.fixture
def uncached(app):
    """Every request built by its view, reading the content version each time: the cost
    measured is the page's own, not the response cache's."""
    cache = caching.cache_for(app)
    saved = cache.enabled, cache.versions.max_age
    cache.enabled, cache.versions.max_age = False, 0
    cache.versions.forget()
    yield
    cache.enabled, cache.versions.max_age = saved


@pytest.mark.slow
def test_public_pages_run_a_constant_number_of_queries(app, frozen_now, uncached):
    with app.app_context():
        insert_episodes(5)
    small = statements_per_page(app, app.test_client())
    with app.app_context():
        db.session.execute(db.delete(EpisodeGuest))
        db.session.execute(db.delete(EpisodeLink))
        db.session.execute(db.delete(Episode))
        db.session.commit()
        insert_episodes(1000)
        assert db.session.scalar(db.select(db.func.count(Episode.id))) == 1000

    large = statements_per_page(app, app.test_client())

    assert large == small
    # A small, fixed budget too: one version query plus a few for rows and their collections.
    assert all(1 <= count <= 9 for count in small.values()), small
