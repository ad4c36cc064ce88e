"""Without the planner's statistics, as every SQLite site runs (nothing runs ``ANALYZE``),
listings read the visible episodes in order through their index: never every visible episode
and a sort of them all."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text

from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from tests.statements import recorded_statements

START = datetime(2024, 1, 4, 14, 0, tzinfo=UTC)
LISTINGS = [
    "/",
    "/episodes/",
    "/episodes/?page=2",
    "/episodes/?year=2024",
    "/feed.xml",
    "/api/episodes",
    "/api/episodes?page=2",
]


@pytest.fixture
def without_statistics(app):
    if app.config["DATABASE_BACKEND"] != "sqlite":
        pytest.skip("PostgreSQL gathers its statistics itself (autovacuum)")
    with app.app_context():
        db.session.execute(
            insert(Episode),
            [
                {
                    "slug": f"episode-{n}",
                    "title": f"Episode {n}",
                    "description": "<p>About it.</p>",
                    "starts_at": START - timedelta(weeks=n),
                    "duration_minutes": 60,
                    "hidden": n % 10 == 0,
                }
                for n in range(250)
            ],
        )
        db.session.commit()
        has_statistics = db.session.execute(
            text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        ).first()
        if has_statistics:
            db.session.execute(text("DELETE FROM sqlite_stat1"))
            db.session.commit()
    # Statistics are read when a connection opens: new connections for the pages.
    with app.app_context():
        db.engine.dispose()


def plans_of_listings(app) -> dict[str, list[str]]:
    """Each listing's statements on episodes, with SQLite's plan of each."""
    with app.app_context():
        engine = db.engine
    plans: dict[str, list[str]] = {}
    for url in LISTINGS:
        with recorded_statements(engine) as seen:
            response = app.test_client().get(url)
        assert response.status_code == 200, url
        with engine.connect() as connection:
            for statement in seen:
                if "FROM episodes" not in statement:
                    continue
                # The parameters' values do not change the plan: NULL stands for each.
                rows = connection.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {statement}", (None,) * statement.count("?")
                ).all()
                plans[f"{url}: {statement}"] = [row[-1] for row in rows]
    return plans


def test_listings_read_visible_episodes_in_order_without_statistics(app, without_statistics):
    plans = plans_of_listings(app)
    assert plans
    for statement, plan in plans.items():
        assert not any("TEMP B-TREE" in step for step in plan), (statement, plan)
        assert any("uq_episodes_visible_start" in step for step in plan), (statement, plan)
