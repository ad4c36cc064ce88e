"""``flask export-episodes``: the content file format, read back unchanged."""

from datetime import UTC, datetime
from pathlib import Path

import yaml

from openinfra_live.episodes.exporter import dump_episodes, format_date
from openinfra_live.episodes.models import Episode, EpisodeGuest, EpisodeLink
from openinfra_live.extensions import db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def front_matter(text: str) -> dict:
    assert text.startswith("---\n") and text.endswith("\n---\n")
    return yaml.safe_load(text[4:-4])


def test_export_writes_front_matter_newest_first_in_content_file_names(app, runner):
    runner.invoke(args=["import-episodes", str(FIXTURES / "openinfra-live-sample.md")])

    result = runner.invoke(args=["export-episodes"])

    assert result.exit_code == 0, result.output
    document = front_matter(result.output)
    assert document["templateKey"] == "openinfra-live"
    entries = document["episodes"]
    assert [entry["episodeTitle"] for entry in entries] == [
        "Storage Backends Compared",
        "Keeping Clouds Current: The Follow-up",
        "Hiring in Open Infrastructure",
        "Gating at Scale",
        "A Draft Nobody Should See",
    ]
    follow_up = entries[1]
    assert follow_up["date"] == datetime(2022, 3, 10, 14, 0, tzinfo=UTC)
    assert follow_up["hidden"] is False
    assert follow_up["episodeSpeakers"] == (
        "Alice Arden (Acme Cloud), Bruno Brandt (Beta Hosting), Chen Cheng (Gamma Labs), "
        "Dana Dorsey (Delta), Emil Ekberg (Epsilon)"
    )
    assert follow_up["facebookLink"].startswith("https://www.facebook.com/")
    assert follow_up["linkedinLink"].startswith("https://www.linkedin.com/")
    assert follow_up["youtubeLink"] == "https://www.youtube.com/watch?v=bbbbbbbbbbb"
    assert follow_up["youtubeEmbed"] == "https://www.youtube.com/embed/bbbbbbbbbbb"
    assert follow_up["superuserRecap"].startswith("https://superuser.example.org/")
    assert entries[-1]["hidden"] is True
    # Dates are bare timestamps, as in the content file.
    assert "date: 2022-03-10T14:00:00.000Z\n" in result.output


def test_export_to_a_file(app, runner, tmp_path):
    runner.invoke(args=["import-episodes", str(FIXTURES / "openinfra-live-2020.md")])
    path = tmp_path / "out.md"

    result = runner.invoke(args=["export-episodes", str(path)])

    assert result.exit_code == 0, result.output
    assert "3 episodes written to" in result.output
    entries = front_matter(path.read_text())["episodes"]
    podcasts = entries[0]
    assert podcasts["spotifyLink"] == "https://open.spotify.com/episode/0000000000000000000000"
    assert "episodeDescription" not in entries[2]


def test_import_export_import_changes_nothing(app, runner, tmp_path):
    for fixture in (
        "openinfra-live-sample.md",
        "openinfra-live-2020.md",
        "openinfra-live-malformed.yaml",
    ):
        runner.invoke(args=["import-episodes", str(FIXTURES / fixture)])
    path = tmp_path / "export.md"
    runner.invoke(args=["export-episodes", str(path)])

    result = runner.invoke(args=["import-episodes", str(path)])

    assert result.exit_code == 0, result.output
    assert "11 entries: 0 created, 0 updated, 11 unchanged, 0 skipped" in result.output


def test_export_of_the_published_file_reimports_unchanged(app, runner, tmp_path, shared_data):
    runner.invoke(args=["import-episodes", str(shared_data / "openinfra-live.md")])
    path = tmp_path / "export.md"
    runner.invoke(args=["export-episodes", str(path)])

    result = runner.invoke(args=["import-episodes", str(path)])

    assert "15 entries: 0 created, 0 updated, 15 unchanged, 0 skipped" in result.output


def test_an_export_imported_into_an_empty_database_gives_the_same_episodes(app, runner, tmp_path):
    runner.invoke(args=["import-episodes", str(FIXTURES / "openinfra-live-sample.md")])
    first = runner.invoke(args=["export-episodes"]).output
    path = tmp_path / "export.md"
    path.write_text(first)
    with app.app_context():
        for episode in db.session.scalars(db.select(Episode)):
            db.session.delete(episode)
        db.session.commit()

    runner.invoke(args=["import-episodes", str(path)])

    assert runner.invoke(args=["export-episodes"]).output == first


def test_links_of_any_platform_and_a_second_link_of_one_platform(app_ctx):
    episode = Episode(
        slug="2024-01-04-x",
        title="X",
        starts_at=datetime(2024, 1, 4, 14, 0, 0, 250000, tzinfo=UTC),
        links=[
            EpisodeLink(position=0, platform="youtube", url="https://youtu.be/fffffffffff"),
            EpisodeLink(position=1, platform="Apple Podcasts", url="https://p.example.org/1"),
            EpisodeLink(position=2, platform="youtube", url="https://www.youtube.com/watch?v=g"),
        ],
        guests=[EpisodeGuest(position=0, name="Ada", affiliation="")],
    )

    entry = front_matter(dump_episodes([episode]))["episodes"][0]

    assert entry["youtubeLink"] == "https://youtu.be/fffffffffff"
    assert entry["youtubeEmbed"] == "https://www.youtube.com/embed/fffffffffff"
    assert entry["applepodcastsLink"] == "https://p.example.org/1"
    assert entry["episodeSpeakers"] == "Ada"
    # The Link fields cannot hold the second YouTube link nor the platform's name: the list does.
    assert entry["links"] == [
        {"platform": "youtube", "url": "https://youtu.be/fffffffffff"},
        {"platform": "Apple Podcasts", "url": "https://p.example.org/1"},
        {"platform": "youtube", "url": "https://www.youtube.com/watch?v=g"},
    ]


def test_dates_are_written_in_utc_with_milliseconds():
    assert format_date(datetime(2021, 6, 24, 14, 0, 35, 869000, tzinfo=UTC)) == (
        "2021-06-24T14:00:35.869Z"
    )
