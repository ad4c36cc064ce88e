"""Moderators create a special and add, edit, reorder and delete its segments, over HTTP,
with the episodes' validation messages."""

from datetime import UTC, datetime, timedelta

import pytest

from openinfra_live.audit import AuditEntry
from openinfra_live.episodes import editing
from openinfra_live.episodes.models import Episode, EpisodeSegment
from openinfra_live.extensions import db
from tests.conftest import post_form
from tests.proposals.builders import count, freeze_clock, guest_rows
from tests.proposals.conftest import NOW

# NOW is Thursday 15 May 2031, 15:00 UTC; the special runs the Tuesday and Wednesday after.
DAY_ONE = datetime(2031, 5, 20, 13, 0, tzinfo=UTC)


@pytest.fixture
def moderator(client, login_as, monkeypatch):
    freeze_clock(monkeypatch, NOW)
    return login_as(client)


def create_special(client) -> int:
    data = {"title": "OpenInfra Days", "starts_at": "2031-05-20T13:00", "duration_minutes": "60"}
    response = post_form(client, "/moderation/episodes/new", data | {"special": "y"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/edit#segments")
    return int(response.headers["Location"].split("/")[-2])


def segment_data(title: str, start: datetime, minutes: int = 60, *speakers) -> dict:
    return {
        "title": title,
        "starts_at": f"{start:%Y-%m-%dT%H:%M}",
        "duration_minutes": str(minutes),
        **guest_rows(*speakers),
        "recording_url": "",
    }


def add(client, episode_id: int, data: dict):
    return post_form(client, f"/moderation/episodes/{episode_id}/segments/new", data)


def segments_of(app, episode_id: int) -> list[tuple]:
    with app.app_context():
        episode = db.session.get(Episode, episode_id)
        return [
            (s.title, s.starts_at, s.duration_minutes, s.speaker_pairs) for s in episode.segments
        ]


def test_a_moderator_creates_a_special_and_adds_its_segments(app, client, moderator):
    episode_id = create_special(client)
    page = client.get(f"/moderation/episodes/{episode_id}/edit").get_data(as_text=True)
    assert "Segments" in page and "no segment yet" in page

    first = segment_data("Keynotes", DAY_ONE, 90, ("Ann Lee", "ACME"))
    assert add(client, episode_id, first).status_code == 303
    second = segment_data("Day two", DAY_ONE + timedelta(days=1), 120)
    assert add(client, episode_id, second).status_code == 303

    assert segments_of(app, episode_id) == [
        ("Keynotes", DAY_ONE, 90, [("Ann Lee", "ACME")]),
        ("Day two", DAY_ONE + timedelta(days=1), 120, []),
    ]
    page = client.get(f"/moderation/episodes/{episode_id}/edit").get_data(as_text=True)
    assert "2 days · 2 segments" in page
    # The special's times follow its segments: the form no longer offers them.
    assert 'name="starts_at"' not in page and 'name="duration_minutes"' not in page
    with app.app_context():
        episode = db.session.get(Episode, episode_id)
        assert episode.special and episode.ends_at == DAY_ONE + timedelta(days=1, hours=2)
        actions = set(db.session.scalars(db.select(AuditEntry.action)))
        assert "episode.segment_add" in actions


def test_the_special_itself_is_edited_without_touching_its_times(app, client, moderator):
    episode_id = create_special(client)
    add(client, episode_id, segment_data("Keynotes", DAY_ONE, 90))
    add(client, episode_id, segment_data("Day two", DAY_ONE + timedelta(days=1), 120))
    url = f"/moderation/episodes/{episode_id}/edit"
    response = post_form(client, url, {"title": "OpenInfra Days 2031", "description": "Two days"})
    assert response.status_code == 303
    with app.app_context():
        episode = db.session.get(Episode, episode_id)
        assert episode.title == "OpenInfra Days 2031"
        assert (episode.starts_at, episode.duration_minutes) == (DAY_ONE, 26 * 60)


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (segment_data("Clash", DAY_ONE + timedelta(minutes=30)), 409, "overlaps the segment"),
        (segment_data("", DAY_ONE + timedelta(hours=3)), 422, "This field is required"),
        (segment_data("Short", DAY_ONE + timedelta(hours=3), 2), 422, "Number must be between"),
        (segment_data("Past", datetime(2031, 5, 1, 14, 0, tzinfo=UTC)), 422, "is in the past"),
        (
            segment_data("Bad", DAY_ONE + timedelta(hours=3)) | {"recording_url": "javascript:x"},
            422,
            "is not a web address",
        ),
    ],
)
def test_a_refused_segment_shows_why_and_keeps_what_was_typed(
    app, client, moderator, data, status, message
):
    episode_id = create_special(client)
    add(client, episode_id, segment_data("Keynotes", DAY_ONE, 90))
    response = add(client, episode_id, data)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in html
    assert f'value="{data["starts_at"]}"' in html
    assert [s[0] for s in segments_of(app, episode_id)] == ["Keynotes"]


def test_a_segment_may_not_make_the_special_overlap_an_episode(app, client, moderator):
    with app.app_context():
        editing.create_episode(
            title="Weekly show", starts_at=datetime(2031, 5, 22, 14, 0, tzinfo=UTC)
        )
        db.session.commit()
    episode_id = create_special(client)
    add(client, episode_id, segment_data("Keynotes", DAY_ONE, 90))
    response = add(
        client, episode_id, segment_data("Late", datetime(2031, 5, 22, 14, 30, tzinfo=UTC))
    )
    assert response.status_code == 409
    assert "That slot is taken: it overlaps “Weekly show”" in response.get_data(as_text=True)


def test_editing_reordering_and_deleting_segments(app, client, moderator):
    episode_id = create_special(client)
    for title, hours in (("One", 0), ("Two", 2), ("Three", 24)):
        add(client, episode_id, segment_data(title, DAY_ONE + timedelta(hours=hours)))
    with app.app_context():
        ids = {s.title: s.id for s in db.session.get(Episode, episode_id).segments}
    base = f"/moderation/episodes/{episode_id}/segments"
    edit = f"{base}/{ids['Two']}/edit"
    response = post_form(
        client, edit, segment_data("Two, longer", DAY_ONE + timedelta(hours=2), 90, ("Bo", ""))
    )
    assert response.status_code == 303
    page_url = f"/moderation/episodes/{episode_id}/edit"
    response = post_form(client, page_url, {"to": "earlier"}, f"{base}/{ids['Two']}/move")
    assert response.status_code == 303
    assert [s[0] for s in segments_of(app, episode_id)] == ["Two, longer", "One", "Three"]
    response = post_form(client, page_url, {}, f"{base}/{ids['One']}/delete")
    assert response.status_code == 303
    assert [s[0] for s in segments_of(app, episode_id)] == ["Two, longer", "Three"]
    with app.app_context():
        assert count(EpisodeSegment) == 2
    # Another special's segment is not this one's.
    assert (
        client.get(f"/moderation/episodes/{episode_id + 99}/segments/{ids['One']}/edit").status_code
        == 404
    )
