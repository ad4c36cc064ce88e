"""The search text each episode keeps: current after every kind of write, and free of markup."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from openinfra_live.episodes import editing
from openinfra_live.episodes.models import Episode, EpisodeGuest
from openinfra_live.episodes.search import refresh_all
from openinfra_live.extensions import db
from tests.episodes.builders import make_episode
from tests.episodes.test_archive import titles_in

START = datetime(2023, 3, 2, 14, 0, tzinfo=UTC)
SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "openinfra-live-sample.md"


def found(client, query: str, candidates) -> list[str]:
    html = client.get("/episodes/", query_string={"q": query}).get_data(as_text=True)
    return titles_in(html, candidates)


def test_search_reads_the_text_of_a_description_not_its_markup(app, client):
    with app.app_context():
        make_episode(
            "Markup",
            START,
            description='<p><strong>Bold</strong> claims, <a href="https://zuul.example/">x</a>',
        )

    assert found(client, "bold claims", ["Markup"]) == ["Markup"]
    assert found(client, "strong", ["Markup"]) == []
    assert found(client, "zuul.example", ["Markup"]) == []


def test_a_match_never_spans_two_parts(app, client):
    with app.app_context():
        make_episode("Ends with open", START, description="<p>infra begins here</p>")

    assert found(client, "open infra", ["Ends with open"]) == []


def test_edits_of_titles_descriptions_and_guests_are_searchable_at_once(app, client):
    with app.app_context():
        episode = make_episode("Before", START, guests=[("Old Name", "Old Co")])
        editing.update_episode(
            episode,
            title="After",
            description="<p>Quantum rebalancing</p>",
            guests=[("New Name", "Old Co"), ("Second", "Other Co")],
        )
        db.session.commit()

    for query in ("after", "quantum", "new name", "other co"):
        assert found(client, query, ["After"]) == ["After"], query
    for query in ("before", "old name"):
        assert found(client, query, ["After"]) == [], query

    with app.app_context():
        episode = db.session.scalars(db.select(Episode)).one()
        editing.update_episode(episode, guests=[("Second", "Other Co")])
        db.session.commit()

    assert found(client, "new name", ["After"]) == []
    assert found(client, "old co", ["After"]) == []


def test_imported_episodes_are_searchable_by_their_guests(app, client, runner):
    result = runner.invoke(args=["import-episodes", str(SAMPLE)])
    assert result.exit_code == 0, result.output

    title = "Keeping Clouds Current: The Follow-up"
    assert found(client, "bruno brandt", [title]) == [title]
    assert found(client, "gamma labs", [title]) == [title]


def test_rows_written_in_bulk_are_searchable_once_refreshed(app, client):
    with app.app_context():
        [episode_id] = db.session.scalars(
            insert(Episode).returning(Episode.id),
            [
                {
                    "slug": "bulk",
                    "title": "Bulk row",
                    "description": "<p>Written without the ORM</p>",
                    "starts_at": START + timedelta(weeks=1),
                }
            ],
        ).all()
        db.session.execute(
            insert(EpisodeGuest),
            [{"episode_id": episode_id, "position": 0, "name": "Kim Bulk", "affiliation": "X"}],
        )
        db.session.commit()
    assert found(client, "kim bulk", ["Bulk row"]) == []

    with app.app_context():
        assert refresh_all() == 1
        db.session.commit()
        assert refresh_all() == 0

    assert found(client, "kim bulk", ["Bulk row"]) == ["Bulk row"]
    assert found(client, "without the orm", ["Bulk row"]) == ["Bulk row"]


def test_case_is_ignored_beyond_ascii_on_every_database(app, client):
    with app.app_context():
        make_episode("Straße der Wolken", START, guests=[("Élodie Ÿ", "École")])

    for query in ("STRASSE", "straße", "élodie", "ÉCOLE"):
        assert found(client, query, ["Straße der Wolken"]) == ["Straße der Wolken"], query
