"""The rules of specials, on both databases: segments of a special never overlap, a special
never overlaps another visible episode, and the weekly free slots skip the hours it takes."""

from datetime import UTC, datetime, timedelta

import pytest

from openinfra_live.episodes import editing, slots, specials
from openinfra_live.episodes.models import Episode, EpisodeSegment
from openinfra_live.episodes.specials import SegmentFields
from openinfra_live.extensions import db
from tests.episodes.builders import make_episode

pytestmark = pytest.mark.usefixtures("frozen_now")

# Tuesday and Wednesday of a week after the frozen clock (NOW is Thursday 16 May 2024).
TUESDAY = datetime(2024, 6, 4, 13, 0, tzinfo=UTC)


def segment(title: str, start: datetime, minutes: int = 60, **kw) -> SegmentFields:
    return SegmentFields(title=title, starts_at=start, duration_minutes=minutes, **kw)


def two_day_special(title: str = "OpenInfra Days") -> Episode:
    special = specials.create_special(title=title, starts_at=TUESDAY)
    specials.add_segment(special, segment("Keynotes", TUESDAY, 90, speakers=[("Ann", "ACME")]))
    specials.add_segment(special, segment("Panel", TUESDAY + timedelta(hours=2)))
    specials.add_segment(special, segment("Day two", TUESDAY + timedelta(days=1), 120))
    return special


def test_a_special_spans_its_segments_and_says_how_long_it_runs(app_ctx):
    special = two_day_special()
    db.session.commit()
    assert special.special
    assert special.starts_at == TUESDAY
    assert special.ends_at == TUESDAY + timedelta(days=1, hours=2)
    assert [s.title for s in special.segments] == ["Keynotes", "Panel", "Day two"]
    assert special.segments[0].speaker_pairs == [("Ann", "ACME")]
    assert specials.special_summary(special) == "2 days · 3 segments"
    assert [len(day) for _, day in specials.segment_days(special)] == [2, 1]
    assert "keynotes" in special.search_text and "acme" in special.search_text


def test_segments_of_one_special_may_not_overlap(app_ctx):
    special = two_day_special()
    db.session.commit()
    with pytest.raises(specials.SegmentOverlapError, match="Keynotes"):
        specials.add_segment(special, segment("Late", TUESDAY + timedelta(minutes=30)))
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(EpisodeSegment.id))) == 3
    panel = special.segments[1]
    with pytest.raises(specials.SegmentOverlapError, match="Day two"):
        specials.update_segment(panel, segment("Panel", TUESDAY + timedelta(days=1, minutes=30)))
    db.session.rollback()


def test_touching_segments_are_allowed(app_ctx):
    special = specials.create_special(title="Back to back", starts_at=TUESDAY)
    specials.add_segment(special, segment("One", TUESDAY))
    specials.add_segment(special, segment("Two", TUESDAY + timedelta(hours=1)))
    db.session.commit()
    assert len(special.segments) == 2


def test_a_special_may_not_overlap_another_visible_episode(app_ctx):
    other = make_episode("Weekly show", TUESDAY + timedelta(days=1, hours=3))
    special = two_day_special()
    db.session.commit()
    with pytest.raises(editing.SlotClashError, match="Weekly show"):
        specials.add_segment(special, segment("Encore", TUESDAY + timedelta(days=1, hours=3)))
    db.session.rollback()
    # Nor may an episode be scheduled inside the special's span, even between its segments.
    with pytest.raises(editing.SlotClashError, match="OpenInfra Days"):
        editing.create_episode(title="Inside", starts_at=TUESDAY + timedelta(hours=10))
    db.session.rollback()
    # A hidden episode is no obstacle.
    editing.hide_episode(other)
    specials.add_segment(special, segment("Encore", TUESDAY + timedelta(days=1, hours=3)))
    db.session.commit()
    assert special.ends_at == TUESDAY + timedelta(days=1, hours=4)


def test_the_weekly_free_slots_skip_the_hours_a_special_takes(app, app_ctx):
    # Wednesday to Thursday across the weekly slot (Thursday 14:00 UTC).
    wednesday = datetime(2024, 5, 29, 9, 0, tzinfo=UTC)
    special = specials.create_special(title="Summit", starts_at=wednesday)
    specials.add_segment(special, segment("Open", wednesday))
    specials.add_segment(special, segment("Close", wednesday + timedelta(days=1, hours=6)))
    db.session.commit()
    free = slots.next_free_slots(3)
    assert datetime(2024, 5, 30, 14, 0, tzinfo=UTC) not in free
    assert free[0] == datetime(2024, 5, 23, 14, 0, tzinfo=UTC)
    assert free[1] == datetime(2024, 6, 6, 14, 0, tzinfo=UTC)


def test_a_special_runs_for_at_most_two_weeks(app_ctx):
    special = two_day_special()
    with pytest.raises(specials.SpecialTooLongError):
        specials.add_segment(special, segment("Far", TUESDAY + timedelta(days=15)))
    db.session.rollback()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"title": "  "}, specials.SegmentTitleError),
        ({"duration_minutes": 2}, editing.InvalidDurationError),
        ({"recording_url": "javascript:alert(1)"}, editing.InvalidLinkError),
        ({"starts_at": datetime(2024, 5, 1, 14, 0, tzinfo=UTC)}, editing.SlotInPastError),
    ],
)
def test_a_bad_segment_is_refused_with_the_episodes_messages(app_ctx, fields, error):
    special = two_day_special()
    db.session.commit()
    values = {"title": "New", "starts_at": TUESDAY + timedelta(hours=5), "duration_minutes": 30}
    with pytest.raises(error):
        specials.add_segment(special, SegmentFields(**(values | fields)))
    db.session.rollback()
    assert len(db.session.get(Episode, special.id).segments) == 3


def test_moving_a_segment_keeps_its_uid_and_bumps_its_sequence(app_ctx):
    special = two_day_special()
    db.session.commit()
    panel = special.segments[1]
    uid = specials.segment_uid(special, panel, "example.org")
    specials.update_segment(panel, segment("Panel, renamed", TUESDAY + timedelta(hours=3)))
    db.session.commit()
    assert specials.segment_uid(special, panel, "example.org") == uid
    assert panel.sequence == 1
    assert special.segments[0].sequence == 0


def test_reordering_swaps_neighbours_and_deleting_respans(app_ctx):
    special = two_day_special()
    db.session.commit()
    keynotes, panel, _ = special.segments
    specials.move_segment(panel, earlier=True)
    db.session.commit()
    assert [s.title for s in special.segments] == ["Panel", "Keynotes", "Day two"]
    assert panel.starts_at == TUESDAY
    assert keynotes.starts_at == TUESDAY + timedelta(hours=1, minutes=30)
    specials.delete_segment(special.segments[0])
    db.session.commit()
    assert special.starts_at == keynotes.starts_at
    assert db.session.scalar(db.select(db.func.count(EpisodeSegment.id))) == 2


def test_merging_segments_keeps_keys_by_title_and_start(app_ctx):
    special = two_day_special()
    db.session.commit()
    keys = {s.title: s.key for s in special.segments}
    specials.merge_segments(
        special,
        [
            segment("Keynotes", TUESDAY, 90),
            segment("Panel", TUESDAY + timedelta(hours=4)),
            segment("Renamed day two", TUESDAY + timedelta(days=1), 120),
        ],
    )
    db.session.commit()
    assert [s.key for s in special.segments] == [keys["Keynotes"], keys["Panel"], keys["Day two"]]
    assert [s.sequence for s in special.segments] == [0, 1, 0]
