"""A special in its invite (one VEVENT per segment, stable UIDs, own SEQUENCE), the
subscription calendar, the Atom feed and the API's ``segments``."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from openinfra_live.episodes import specials
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from tests.episodes.builders import make_episode, make_special
from tests.episodes.test_calendar import assert_well_formed

pytestmark = pytest.mark.usefixtures("frozen_now")

# NOW is Thursday 16 May 2024, 15:00 UTC: the special is next week.
DAY_ONE = datetime(2024, 5, 21, 13, 0, tzinfo=UTC)
SEGMENTS = [
    ("Keynotes", DAY_ONE, 90, [("Ann Lee", "ACME")]),
    ("Panel", DAY_ONE + timedelta(hours=2), 60, []),
    ("Day two, hands on", DAY_ONE + timedelta(days=1), 120, [("Bo Chen", "")]),
]


@pytest.fixture
def special(app):
    with app.app_context():
        return make_special("OpenInfra Days", SEGMENTS).slug


def vevents(client, url: str) -> list:
    response = client.get(url)
    assert response.status_code == 200
    assert_well_formed(response.get_data())
    return Calendar.from_ical(response.get_data()).walk("VEVENT")


def test_the_invite_has_one_event_per_segment(app, client, special):
    events = vevents(client, f"/episodes/{special}.ics")
    assert [str(e["SUMMARY"]) for e in events] == [
        "OpenInfra Days: Keynotes",
        "OpenInfra Days: Panel",
        "OpenInfra Days: Day two, hands on",
    ]
    assert [e.decoded("DTSTART") for e in events] == [s[1] for s in SEGMENTS]
    assert [e.decoded("DTEND") - e.decoded("DTSTART") for e in events] == [
        timedelta(minutes=s[2]) for s in SEGMENTS
    ]
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == 3
    assert all(uid.startswith("episode-") and "-segment-" in uid for uid in uids)
    assert [int(e["SEQUENCE"]) for e in events] == [0, 0, 0]
    assert "Speakers: Ann Lee (ACME)" in str(events[0]["DESCRIPTION"])
    assert str(events[0]["URL"]).endswith(f"/episodes/{special}/#segment-seg0")


def test_moving_one_segment_keeps_every_uid_and_bumps_only_its_sequence(app, client, special):
    before = {str(e["SUMMARY"]): str(e["UID"]) for e in vevents(client, f"/episodes/{special}.ics")}
    with app.app_context():
        episode = db.session.scalars(db.select(Episode).filter_by(slug=special)).one()
        panel = episode.segments[1]
        fields = specials.SegmentFields("Panel", panel.starts_at + timedelta(hours=1), 60)
        specials.update_segment(panel, fields)
        db.session.commit()
    events = vevents(client, f"/episodes/{special}.ics")
    assert {str(e["SUMMARY"]): str(e["UID"]) for e in events} == before
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 0]
    assert events[1].decoded("DTSTART") == DAY_ONE + timedelta(hours=3)


def test_the_subscription_calendar_holds_each_segment_and_the_episodes(app, client, special):
    with app.app_context():
        make_episode("Weekly", datetime(2024, 5, 30, 14, 0, tzinfo=UTC))
    summaries = [str(e["SUMMARY"]) for e in vevents(client, "/calendar.ics")]
    assert summaries == [
        "OpenInfra Days: Keynotes",
        "OpenInfra Days: Panel",
        "OpenInfra Days: Day two, hands on",
        "Weekly",
    ]


def test_the_atom_feed_lists_the_run_of_the_show(client, special):
    xml = client.get("/feed.xml").get_data(as_text=True)
    assert "2 days · 3 segments" in xml
    assert "Tue 21 May 2024, 13:00–14:30 UTC: Keynotes (with Ann Lee (ACME))" in xml
    assert "<name>Bo Chen</name>" in xml


def test_the_api_gives_a_special_its_segments(app, client, special):
    with app.app_context():
        make_episode("Weekly", datetime(2024, 5, 9, 14, 0, tzinfo=UTC))
    data = {item["slug"]: item for item in client.get("/api/episodes").get_json()}
    assert data[special]["special"] is True
    assert data[special]["segments"][0] == {
        "title": "Keynotes",
        "date": "2024-05-21T13:00:00.000Z",
        "duration": 90,
        "speakers": "Ann Lee (ACME)",
        "recording": None,
    }
    assert [s["title"] for s in data[special]["segments"]] == [s[0] for s in SEGMENTS]
    weekly = next(item for slug, item in data.items() if slug != special)
    assert weekly["special"] is False and weekly["segments"] == []
