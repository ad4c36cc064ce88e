"""Specials in the content file: ``segments`` read by ``import-episodes`` and written by
``export-episodes``, a round trip that changes nothing, and malformed segments reported with
their episode and skipped."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from tests.episodes.builders import make_episode, make_special
from tests.episodes.test_content_round_trip import (
    empty_the_database,
    export,
    import_file,
    write_entries,
)

DAY_ONE = datetime(2024, 6, 4, 13, 0, tzinfo=UTC)
SEGMENTS = [
    ("Keynotes", DAY_ONE, 90, [("Ann Lee", "ACME"), ("Bo Chen", "")]),
    ("Panel", DAY_ONE + timedelta(hours=2), 60, []),
    ("Day two", DAY_ONE + timedelta(days=1), 120, [("Cy Diaz", "Gamma Labs")]),
]


def specials_state(app) -> list[tuple]:
    with app.app_context():
        episodes = db.session.scalars(db.select(Episode).order_by(Episode.slug)).all()
        return [
            (
                e.slug,
                e.title,
                e.special,
                e.starts_at,
                e.duration_minutes,
                [
                    (s.title, s.starts_at, s.duration_minutes, s.speaker_pairs, s.recording_url)
                    for s in e.segments
                ],
            )
            for e in episodes
        ]


def segment_keys(app) -> list[str]:
    with app.app_context():
        episode = db.session.scalars(db.select(Episode).filter_by(special=True)).one()
        return [s.key for s in episode.segments]


def test_a_special_survives_export_then_import_into_an_empty_database(app, runner, tmp_path):
    with app.app_context():
        special = make_special("OpenInfra Days", SEGMENTS, commit=False)
        special.segments[2].recording_url = "https://www.youtube.com/watch?v=pHHCIGkpNzs"
        db.session.commit()
        make_episode("Weekly", datetime(2024, 6, 13, 14, 0, tzinfo=UTC))
    before = specials_state(app)
    first = export(runner, tmp_path / "first.md")
    document = yaml.safe_load(first.strip("-\n"))
    written = next(e for e in document["episodes"] if e["episodeTitle"] == "OpenInfra Days")
    assert "duration" not in written
    assert written["segments"][0] == {
        "title": "Keynotes",
        "date": DAY_ONE,
        "duration": 90,
        "speakers": "Ann Lee (ACME), Bo Chen",
    }
    empty_the_database(app)

    result = import_file(runner, tmp_path / "first.md")

    assert "2 entries: 2 created, 0 updated, 0 unchanged, 0 skipped" in result.output
    assert specials_state(app) == before
    assert export(runner, tmp_path / "second.md") == first


def test_importing_the_export_again_changes_nothing_and_keeps_the_uids(app, runner, tmp_path):
    with app.app_context():
        make_special("OpenInfra Days", SEGMENTS)
    keys = segment_keys(app)
    export(runner, tmp_path / "export.md")
    result = import_file(runner, tmp_path / "export.md")
    assert "1 entries: 0 created, 0 updated, 1 unchanged, 0 skipped" in result.output
    assert segment_keys(app) == keys


def test_a_moved_segment_keeps_its_key_and_gets_a_new_sequence(app, runner, tmp_path):
    with app.app_context():
        make_special("OpenInfra Days", SEGMENTS)
    keys = segment_keys(app)
    text = export(runner, tmp_path / "export.md")
    text = text.replace("2024-06-04T15:00:00.000Z", "2024-06-04T16:00:00.000Z")
    (tmp_path / "moved.md").write_text(text)
    result = import_file(runner, tmp_path / "moved.md")
    assert "1 updated" in result.output
    assert segment_keys(app) == keys
    with app.app_context():
        episode = db.session.scalars(db.select(Episode).filter_by(special=True)).one()
        assert [s.sequence for s in episode.segments] == [0, 1, 0]
        assert episode.segments[1].starts_at == DAY_ONE + timedelta(hours=3)


def test_a_malformed_segment_is_reported_with_its_episode_and_skipped(app, runner, tmp_path):
    good = {"title": "Opening", "date": "2024-06-04T13:00:00Z", "duration": 60}
    entries = [
        {
            "episodeTitle": "Summit",
            "date": "2024-06-04T13:00:00Z",
            "episodeSpeakers": "Host Person",
            "segments": [
                good,
                {"title": "", "date": "2024-06-04T15:00:00Z", "duration": 30},
                {"title": "No date", "duration": 30},
                {"title": "Too long", "date": "2024-06-05T09:00:00Z", "duration": 5000},
                {"title": "Clashes", "date": "2024-06-04T13:30:00Z", "duration": 30},
                "just text",
                {
                    "title": "Closing",
                    "date": "2024-06-05T10:00:00Z",
                    "duration": 45,
                    "speakers": "Ann Lee (ACME)",
                },
            ],
        },
        {"episodeTitle": "Weekly", "date": "2024-06-13T14:00:00Z"},
    ]
    result = import_file(runner, write_entries(tmp_path / "file.yaml", entries))

    output = result.output
    assert "2 entries: 2 created, 0 updated, 0 unchanged, 0 skipped" in output
    assert "5 malformed segments skipped" in output
    for number, reason in [
        (2, "no title"),
        (3, "no date"),
        (4, "duration 5000 out of range"),
        (5, "overlaps “Opening”"),
        (6, "not a mapping"),
    ]:
        assert f"skipped: entry 1 (Summit): segment {number}: {reason}" in output
    [summit, weekly] = sorted(specials_state(app), key=lambda row: row[1])
    assert summit[1] == "Summit" and summit[2] is True
    assert [s[0] for s in summit[5]] == ["Opening", "Closing"]
    assert summit[5][1][3] == [("Ann Lee", "ACME")]
    assert summit[3] == datetime(2024, 6, 4, 13, 0, tzinfo=UTC)
    assert summit[4] == 21 * 60 + 45
    assert weekly[1] == "Weekly" and weekly[2] is False


def test_segments_that_are_not_a_list_are_reported(app, runner, tmp_path):
    entries = [{"episodeTitle": "Odd", "date": "2024-06-04T13:00:00Z", "segments": "lots"}]
    result = import_file(runner, write_entries(Path(tmp_path) / "odd.yaml", entries))
    assert "skipped: entry 1 (Odd): segments is not a list" in result.output
    assert "1 created" in result.output
