"""The episode services' rules for links, recap and moves, without the form in front."""

from datetime import UTC, datetime, timedelta

import pytest

from openinfra_live.audit import AuditEntry
from openinfra_live.episodes import editing
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from tests.proposals.builders import count, freeze_clock
from tests.proposals.conftest import NOW

NEXT_THURSDAY = datetime(2031, 5, 22, 14, 0, tzinfo=UTC)


@pytest.fixture
def frozen_now(monkeypatch):
    return freeze_clock(monkeypatch, NOW)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,x",
        "//evil.example/",
        "ftp://x/",
    ],
)
def test_links_that_are_not_http_are_refused_by_the_service_too(app_ctx, frozen_now, url):
    with pytest.raises(editing.InvalidLinkError):
        editing.create_episode(title="Links", starts_at=NEXT_THURSDAY, links=[("x", url)])
    db.session.rollback()
    with pytest.raises(editing.InvalidLinkError):
        editing.create_episode(title="Recap", starts_at=NEXT_THURSDAY, recap_url=url)
    db.session.rollback()
    assert count(Episode) == 0


def test_known_platforms_are_stored_by_key_and_others_as_typed(app_ctx, frozen_now):
    episode = editing.create_episode(
        title="Platforms",
        starts_at=NEXT_THURSDAY,
        links=[
            ("You Tube", "https://youtu.be/dQw4w9WgXcQ"),
            ("", ""),
            ("apple-podcasts", "https://podcasts.apple.example/x"),
            ("  Peer   Tube ", "https://peertube.example/x"),
        ],
    )
    db.session.commit()
    assert [(link.position, link.platform) for link in episode.links] == [
        (0, "youtube"),
        (1, "applepodcasts"),
        (2, "Peer Tube"),
    ]


def test_updating_links_and_recap_records_what_changed(app_ctx, frozen_now):
    episode = editing.create_episode(title="Recap me", starts_at=NEXT_THURSDAY)
    db.session.commit()
    changes = editing.update_episode(
        episode, links=[("youtube", "https://youtu.be/dQw4w9WgXcQ")], recap_url="https://r.example/"
    )
    db.session.commit()
    assert set(changes) == {"links", "recap_url"}
    assert episode.sequence == 0
    entry = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "episode.update"
    assert entry.detail == {"changed": ["links", "recap_url"]}
    assert editing.update_episode(episode, recap_url="") == {
        "recap_url": ["https://r.example/", None]
    }
    assert episode.recap_url is None
    assert editing.update_episode(episode, recap_url=None, links=None) == {}


def test_an_upcoming_episode_cannot_move_into_the_past_but_a_past_one_can(app_ctx, frozen_now):
    upcoming = editing.create_episode(title="Upcoming", starts_at=NEXT_THURSDAY)
    db.session.commit()
    with pytest.raises(editing.SlotInPastError):
        editing.update_episode(upcoming, starts_at=NOW - timedelta(days=1))
    db.session.rollback()
    frozen_now(NEXT_THURSDAY + timedelta(days=1))
    # It happened: its time changes only when the moderator confirms a correction.
    with pytest.raises(editing.PastEpisodeMoveError):
        editing.update_episode(upcoming, starts_at=NEXT_THURSDAY - timedelta(hours=1))
    db.session.rollback()
    assert upcoming.starts_at == NEXT_THURSDAY and upcoming.sequence == 0
    editing.update_episode(
        upcoming, starts_at=NEXT_THURSDAY - timedelta(hours=1), confirm_past=True
    )
    db.session.commit()
    assert upcoming.starts_at == NEXT_THURSDAY - timedelta(hours=1)
    assert upcoming.sequence == 1
