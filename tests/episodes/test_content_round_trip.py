"""The content file both ways: an export imported into an empty database gives the same episodes."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from openinfra_live.episodes.models import Episode
from openinfra_live.episodes.slugs import episode_slug
from openinfra_live.extensions import db
from openinfra_live.sanitize import clean_html
from tests.episodes.builders import make_episode

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CUSTOM_SLUG = "edge-special-from-the-booth"


def build_episodes() -> None:
    """Episodes with every field the content file carries, some of them unusual."""
    make_episode(
        "Edge at Scale",
        datetime(2024, 3, 7, 14, 0, tzinfo=UTC),
        # Stored clean, as the editing service stores it.
        description=clean_html('<p>Operators of <a href="https://example.org/edge">edge</a>.</p>'),
        duration_minutes=45,
        slug=CUSTOM_SLUG,
        guests=[("Ana Ruiz", "Acme Cloud"), ("Bo Li", ""), ("Chidi Okafor", "Gamma Labs")],
        links=[
            ("youtube", "https://www.youtube.com/watch?v=pHHCIGkpNzs"),
            ("linkedin", "https://www.linkedin.com/feed/update/urn:li:ugcPost:1/"),
            ("Mastodon Live", "https://social.example.org/@openinfra/1"),
        ],
        recap_url="https://superuser.example.org/articles/edge-at-scale/",
    )
    make_episode(
        "A Long Panel",
        datetime(2024, 3, 14, 16, 30, tzinfo=UTC),
        description="",
        duration_minutes=90,
        links=[
            ("youtube", "https://www.youtube.com/watch?v=aaaaaaaaaaa"),
            ("spotify", "https://open.spotify.com/episode/1"),
            ("youtube", "https://www.youtube.com/watch?v=bbbbbbbbbbb"),
        ],
    )
    make_episode(
        "A Draft Nobody Should See",
        datetime(2024, 3, 14, 16, 30, tzinfo=UTC),
        duration_minutes=30,
        hidden=True,
        guests=["Dee Draft"],
    )
    # Midnight UTC is a real start here, not a date without a time.
    make_episode("Night Owls", datetime(2024, 3, 21, 0, 0, tzinfo=UTC), duration_minutes=75)


def snapshot(app) -> list[tuple]:
    with app.app_context():
        episodes = db.session.scalars(db.select(Episode).order_by(Episode.slug)).all()
        return [
            (
                episode.slug,
                episode.title,
                episode.starts_at,
                episode.duration_minutes,
                episode.description,
                episode.hidden,
                episode.recap_url,
                episode.link_pairs,
                episode.guest_pairs,
            )
            for episode in episodes
        ]


def empty_the_database(app) -> None:
    with app.app_context():
        for episode in db.session.scalars(db.select(Episode)):
            db.session.delete(episode)
        db.session.commit()


def export(runner, path: Path) -> str:
    result = runner.invoke(args=["export-episodes", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_text()


def import_file(runner, path: Path):
    result = runner.invoke(args=["import-episodes", str(path)])
    assert result.exit_code == 0, result.output
    return result


def write_entries(path: Path, entries: list[dict]) -> Path:
    path.write_text(yaml.safe_dump({"episodes": entries}, sort_keys=False))
    return path


def entry(**fields) -> dict:
    return {"episodeTitle": "Checked", "date": "2024-06-06T14:00:00Z", **fields}


def test_export_then_import_into_an_empty_database_gives_the_same_episodes(app, runner, tmp_path):
    with app.app_context():
        build_episodes()
    before = snapshot(app)
    first = export(runner, tmp_path / "first.md")
    empty_the_database(app)

    result = import_file(runner, tmp_path / "first.md")

    assert "4 entries: 4 created, 0 updated, 0 unchanged, 0 skipped" in result.output
    assert snapshot(app) == before
    assert export(runner, tmp_path / "second.md") == first
    slugs = [row[0] for row in before]
    assert CUSTOM_SLUG in slugs
    assert episode_slug("Edge at Scale", datetime(2024, 3, 7, tzinfo=UTC)) != CUSTOM_SLUG
    durations = {row[1]: row[3] for row in before}
    assert durations["Edge at Scale"] == 45 and durations["A Long Panel"] == 90


def test_the_address_keeps_working_after_the_round_trip(app, runner, client, tmp_path):
    with app.app_context():
        build_episodes()
    export(runner, tmp_path / "export.md")
    empty_the_database(app)
    import_file(runner, tmp_path / "export.md")

    response = client.get(f"/episodes/{CUSTOM_SLUG}/")

    assert response.status_code == 200
    assert "Edge at Scale" in response.get_data(as_text=True)


def test_importing_the_export_twice_changes_nothing(app, runner, tmp_path):
    with app.app_context():
        build_episodes()
    before = snapshot(app)
    path = tmp_path / "export.md"
    export(runner, path)

    first = import_file(runner, path)
    second = import_file(runner, path)

    for result in (first, second):
        assert "4 entries: 0 created, 0 updated, 4 unchanged, 0 skipped" in result.output
    assert snapshot(app) == before


def test_the_export_writes_the_new_fields_and_keeps_the_link_fields(app, runner, tmp_path):
    with app.app_context():
        build_episodes()

    text = export(runner, tmp_path / "export.md")

    entries = {e["episodeTitle"]: e for e in yaml.safe_load(text.strip().strip("-"))["episodes"]}
    edge = entries["Edge at Scale"]
    assert (edge["slug"], edge["duration"]) == (CUSTOM_SLUG, 45)
    assert edge["youtubeLink"] == "https://www.youtube.com/watch?v=pHHCIGkpNzs"
    assert edge["mastodonliveLink"] == "https://social.example.org/@openinfra/1"
    assert edge["links"][2] == {
        "platform": "Mastodon Live",
        "url": "https://social.example.org/@openinfra/1",
    }
    assert edge["episodeSpeakers"] == "Ana Ruiz (Acme Cloud), Bo Li, Chidi Okafor (Gamma Labs)"
    assert "date: 2024-03-21T00:00:00.000+00:00\n" in text
    assert "date: 2024-03-07T14:00:00.000Z\n" in text


def test_a_changed_duration_updates_the_matched_episode_and_keeps_its_address(
    app, runner, tmp_path
):
    with app.app_context():
        make_episode("Edge at Scale", datetime(2024, 3, 7, 14, 0, tzinfo=UTC), slug=CUSTOM_SLUG)
    path = write_entries(
        tmp_path / "in.yaml",
        [
            {
                "episodeTitle": "Edge at Scale",
                "date": "2024-03-07T14:00:00Z",
                "duration": 45,
                "slug": "another-address",
            }
        ],
    )

    result = import_file(runner, path)

    assert "1 entries: 0 created, 1 updated" in result.output
    assert [(row[0], row[3]) for row in snapshot(app)] == [(CUSTOM_SLUG, 45)]


def test_files_without_the_new_fields_get_the_defaults(app, runner, tmp_path):
    path = write_entries(tmp_path / "in.yaml", [entry()])

    import_file(runner, path)

    [row] = snapshot(app)
    assert row[0] == "2024-06-06-checked"
    assert row[3] == app.config["DEFAULT_EPISODE_MINUTES"]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"duration": "an hour"}, "unreadable duration 'an hour': give whole minutes"),
        ({"duration": 45.5}, "unreadable duration 45.5: give whole minutes"),
        ({"duration": True}, "unreadable duration True"),
        ({"duration": 0}, "duration 0 out of range: between 5 and 1440 minutes"),
        ({"duration": 1441}, "duration 1441 out of range"),
        ({"slug": "Not A Slug"}, "unusable slug 'Not A Slug': lower-case letters"),
        ({"slug": "a--b"}, "unusable slug 'a--b'"),
        ({"slug": ["x"]}, "unusable slug ['x']"),
        ({"slug": "a" * 201}, "at most 200 characters"),
        ({"links": "https://example.org"}, "links is not a list of platform and url pairs"),
        ({"links": ["https://example.org"]}, "link 1 is not a platform and url pair"),
        ({"links": [{"url": "https://example.org"}]}, "link 1 has no platform name"),
        ({"links": [{"platform": "x" * 51, "url": "https://e.org"}]}, "at most 50 characters"),
        ({"links": [{"platform": "Blog", "url": "javascript:x"}]}, "link 1 (Blog) has no web"),
    ],
)
def test_bad_new_fields_skip_their_entry_with_the_reason(app, runner, tmp_path, fields, reason):
    good = {"episodeTitle": "Fine", "date": "2024-06-13T14:00:00Z", "duration": 30}
    path = write_entries(tmp_path / "in.yaml", [entry(**fields), good])

    result = import_file(runner, path)

    [line] = [line for line in result.output.splitlines() if line.startswith("skipped:")]
    assert line.startswith("skipped: entry 1: ") and reason in line
    assert "2 entries: 1 created, 0 updated, 0 unchanged, 1 skipped" in result.output
    assert [(row[1], row[3]) for row in snapshot(app)] == [("Fine", 30)]


def test_a_new_entry_whose_slug_another_episode_has_is_skipped(app, runner, tmp_path):
    with app.app_context():
        make_episode("Edge at Scale", datetime(2024, 3, 7, 14, 0, tzinfo=UTC), slug=CUSTOM_SLUG)
    path = write_entries(
        tmp_path / "in.yaml",
        [entry(slug=CUSTOM_SLUG), entry(episodeTitle="Twin", slug="twin"), entry(slug="twin")],
    )

    result = import_file(runner, path)

    assert f"skipped: entry 1: slug '{CUSTOM_SLUG}' belongs to another episode" in result.output
    assert "skipped: entry 3: slug 'twin' belongs to another episode" in result.output
    assert sorted(row[0] for row in snapshot(app)) == [CUSTOM_SLUG, "twin"]


def test_the_published_content_exports_with_the_new_fields_and_reimports_unchanged(
    app, runner, tmp_path
):
    import_file(runner, FIXTURES / "openinfra-live-sample.md")
    path = tmp_path / "export.md"
    export(runner, path)
    before = snapshot(app)
    empty_the_database(app)

    result = import_file(runner, path)

    assert "5 entries: 5 created" in result.output
    assert snapshot(app) == before
