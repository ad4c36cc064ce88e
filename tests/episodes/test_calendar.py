"""Calendar invites and the subscription feed, parsed back with icalendar."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from openinfra_live.config import DEFAULTS, from_environment
from openinfra_live.episodes.calendar import ics_filename
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from tests.episodes.builders import make_episode
from tests.episodes.conftest import NOW

# The subscription calendar reaches a year back from now: the clock stands where the episodes are.
pytestmark = pytest.mark.usefixtures("frozen_now")

STARTS = datetime(2024, 5, 9, 14, 0, tzinfo=UTC)
NASTY = "Line one\r\nBEGIN:VALARM\r\nATTENDEE:mailto:x@example.org\r\n; semi, comma \\ back"


def parse(response) -> Calendar:
    return Calendar.from_ical(response.get_data())


def events(calendar: Calendar) -> list:
    return calendar.walk("VEVENT")


def assert_well_formed(raw: bytes) -> None:
    """Lines end with CRLF, none is longer than 75 octets, no stray CR or LF."""
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    for line in lines:
        assert len(line) <= 75, line
        assert b"\r" not in line and b"\n" not in line
    names = [line.split(b":")[0].split(b";")[0] for line in lines if not line.startswith(b" ")]
    assert b"ATTENDEE" not in names
    assert names.count(b"BEGIN") == names.count(b"END")
    assert b"BEGIN:VALARM" not in lines


def test_episode_invite_has_the_required_properties(app, client):
    with app.app_context():
        episode = make_episode(
            "Edge computing",
            STARTS,
            description="<p>Results of the <strong>survey</strong>.</p>",
            links=[("youtube", "https://www.youtube.com/watch?v=pHHCIGkpNzs")],
            guests=[("Paul Miller", "Wind River")],
            recap_url="https://superuser.example.org/recap/",
            sequence=2,
            duration_minutes=90,
        )
        episode_id = episode.id

    response = client.get("/episodes/2024-05-09-edge-computing.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="2024-05-09-edge-computing.ics"'
    )
    assert_well_formed(response.get_data())
    [event] = events(parse(response))
    assert str(event["UID"]) == f"episode-{episode_id}@live.test"
    assert event.decoded("DTSTART") == STARTS
    assert event.decoded("DTEND") == STARTS + timedelta(minutes=90)
    assert b"DTSTART:20240509T140000Z" in response.get_data()
    assert "DTSTAMP" in event
    assert int(event["SEQUENCE"]) == 2
    assert str(event["SUMMARY"]) == "Edge computing"
    assert str(event["URL"]) == "http://live.test/episodes/2024-05-09-edge-computing/"
    description = str(event["DESCRIPTION"])
    assert description.startswith("Results of the survey.")
    assert "<" not in description
    assert "Paul Miller (Wind River)" in description
    assert "YouTube: https://www.youtube.com/watch?v=pHHCIGkpNzs" in description
    assert "Recap: https://superuser.example.org/recap/" in description


def test_uid_stays_and_sequence_shows_when_an_episode_changes(app, client):
    with app.app_context():
        episode = make_episode("Old title", STARTS, slug="stable")
        before = parse(client.get("/episodes/stable.ics"))
        stored = db.session.get(Episode, episode.id)
        stored.title = "New title"
        stored.starts_at = STARTS + timedelta(days=1)
        stored.sequence += 1
        db.session.commit()

    after = parse(client.get("/episodes/stable.ics"))

    [old], [new] = events(before), events(after)
    assert str(old["UID"]) == str(new["UID"])
    assert int(new["SEQUENCE"]) == int(old["SEQUENCE"]) + 1
    assert str(new["SUMMARY"]) == "New title"


def test_text_with_line_breaks_and_separators_cannot_inject_properties(app, client):
    with app.app_context():
        make_episode(NASTY, STARTS, slug="nasty", description=NASTY, guests=[(NASTY, NASTY)])

    for url in ("/episodes/nasty.ics", "/calendar.ics"):
        response = client.get(url)
        raw = response.get_data()
        assert_well_formed(raw)
        [event] = events(parse(response))
        assert "\n" not in str(event["SUMMARY"])
        assert str(event["SUMMARY"]).endswith("; semi, comma \\ back")
        assert "; semi, comma \\ back" in str(event["DESCRIPTION"])
        assert not event.walk("VALARM")
        assert "ATTENDEE" not in event


def test_a_stored_link_with_line_breaks_cannot_inject_properties(app, client):
    injected = "https://video.example/x\r\nBEGIN:VALARM\r\nATTENDEE:mailto:evil@example.org"
    recap = "https://blog.example/recap\rX-INJECTED:yes"
    with app.app_context():
        make_episode("Links", STARTS, slug="links", links=[("youtube", injected)])
        episode = db.session.scalar(db.select(Episode).filter_by(slug="links"))
        episode.recap_url = recap
        db.session.commit()

    for url in ("/episodes/links.ics", "/calendar.ics"):
        response = client.get(url)
        assert response.status_code == 200
        raw = response.get_data()
        assert_well_formed(raw)
        lines = raw.decode("utf-8").split("\r\n")
        assert not any(
            line.startswith(("BEGIN:VALARM", "ATTENDEE", "X-INJECTED")) for line in lines
        )
        [event] = events(parse(response))
        assert not event.walk("VALARM")
        assert "ATTENDEE" not in event
        assert "X-INJECTED" not in event


def test_long_lines_are_folded_and_unicode_survives(app, client):
    title = "Ünïcödé 🚀 " * 20
    with app.app_context():
        make_episode(title, STARTS, slug="long", description="word " * 200)

    response = client.get("/episodes/long.ics")

    assert_well_formed(response.get_data())
    [event] = events(parse(response))
    assert str(event["SUMMARY"]) == title.strip()


def test_feed_lists_every_visible_episode_with_calendar_properties(app, client):
    with app.app_context():
        for week in range(3):
            make_episode(f"Week {week}", STARTS + timedelta(weeks=week))
        make_episode("Hidden", STARTS + timedelta(days=1), hidden=True)

    response = client.get("/calendar.ics")
    raw = response.get_data()

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert_well_formed(raw)
    calendar = parse(response)
    assert str(calendar["X-WR-CALNAME"]) == "OpenInfra Live"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in raw
    assert b"\r\nX-PUBLISHED-TTL:PT12H\r\n" in raw
    summaries = sorted(str(e["SUMMARY"]) for e in events(calendar))
    assert summaries == ["Week 0", "Week 1", "Week 2"]
    uids = {str(e["UID"]) for e in events(calendar)}
    assert len(uids) == 3


def test_invites_of_hidden_and_unknown_episodes_are_not_found(app, client):
    with app.app_context():
        make_episode("Hidden", STARTS, slug="hidden", hidden=True)

    assert client.get("/episodes/hidden.ics").status_code == 404
    assert client.get("/episodes/unknown.ics").status_code == 404


def test_an_invite_carries_its_own_speakers_and_links_only(app, client):
    with app.app_context():
        make_episode(
            "Earlier",
            STARTS,
            slug="earlier",
            guests=[("Early Guest", "Org A")],
            links=[("youtube", "https://www.youtube.com/watch?v=aaaaaaaaaaa")],
        )
        make_episode(
            "Later",
            STARTS + timedelta(days=7),
            slug="later",
            guests=[("Late Guest", "Org B")],
            links=[("youtube", "https://www.youtube.com/watch?v=bbbbbbbbbbb")],
        )

    [event] = events(parse(client.get("/episodes/later.ics")))

    description = str(event["DESCRIPTION"])
    assert "Late Guest" in description and "bbbbbbbbbbb" in description
    assert "Early Guest" not in description and "aaaaaaaaaaa" not in description


def test_empty_feed_is_still_a_valid_calendar(app, client):
    response = client.get("/calendar.ics")

    assert response.status_code == 200
    assert events(parse(response)) == []


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("2024-05-09-edge", "2024-05-09-edge.ics"),
        ('a"b\r\nX-Evil: 1', "a-b-X-Evil-1.ics"),
        ("../../etc/passwd", "etc-passwd.ics"),
        ("", "episode.ics"),
    ],
)
def test_download_filename_comes_from_the_slug_alone(slug, expected):
    assert ics_filename(slug) == expected


def test_feed_events_follow_every_field_they_are_made_of(app, client):
    with app.app_context():
        episode = make_episode(
            "Before", STARTS, guests=[("Ana Lopez", "CERN")], links=[("youtube", "https://y/1")]
        )
        make_episode("Other", STARTS + timedelta(weeks=1))
        client.get("/calendar.ics")
        episode.guests[0].name = "Ana López-Ruiz"
        episode.links[0].url = "https://y/2"
        db.session.commit()

    raw = client.get("/calendar.ics").get_data()

    [event] = [e for e in events(Calendar.from_ical(raw)) if str(e["SUMMARY"]) == "Before"]
    description = str(event["DESCRIPTION"])
    assert "Speakers: Ana López-Ruiz (CERN)" in description
    assert "YouTube: https://y/2" in description


def calendar_titles(client) -> list[str]:
    raw = client.get("/calendar.ics").get_data()
    return sorted(str(e["SUMMARY"]) for e in events(Calendar.from_ical(raw)))


def test_the_subscription_calendar_holds_upcoming_episodes_and_the_last_year(app, client):
    with app.app_context():
        make_episode("400 days old", NOW - timedelta(days=400))
        make_episode("300 days old", NOW - timedelta(days=300))
        make_episode("Yesterday", NOW - timedelta(days=1))
        make_episode("Next week", NOW + timedelta(weeks=1))
        make_episode("In two years", NOW + timedelta(days=730))

    assert calendar_titles(client) == ["300 days old", "In two years", "Next week", "Yesterday"]
    # The whole archive stays in the API.
    assert len(client.get("/api/episodes").get_json()) == 5


def test_the_calendar_window_is_a_setting(app, client):
    app.config["CALENDAR_PAST_DAYS"] = 30
    with app.app_context():
        make_episode("300 days old", NOW - timedelta(days=300))
        make_episode("Last week", NOW - timedelta(weeks=1))
        make_episode("Next week", NOW + timedelta(weeks=1))

    assert calendar_titles(client) == ["Last week", "Next week"]


def test_the_calendar_window_can_be_set_in_the_environment():
    assert from_environment({"CALENDAR_PAST_DAYS": "90"}) == {"CALENDAR_PAST_DAYS": 90}
    assert DEFAULTS["CALENDAR_PAST_DAYS"] == 365


def test_an_invite_says_where_to_watch_and_links_to_the_episode_page(app, client):
    with app.app_context():
        make_episode(
            "Streamed",
            STARTS,
            slug="streamed",
            links=[
                ("youtube", "javascript:alert(1)"),
                ("linkedin", "https://www.linkedin.com/events/1/"),
                ("youtube", "https://www.youtube.com/watch?v=pHHCIGkpNzs"),
            ],
        )
        make_episode("Not streamed yet", STARTS + timedelta(weeks=1), slug="unstreamed")

    streamed = events(parse(client.get("/episodes/streamed.ics")))[0]
    unstreamed = events(parse(client.get("/episodes/unstreamed.ics")))[0]
    feed = {str(e["SUMMARY"]): e for e in events(parse(client.get("/calendar.ics")))}

    # Where to go when the show starts: the first stream that is a web address.
    assert str(streamed["LOCATION"]) == "https://www.linkedin.com/events/1/"
    assert str(streamed["URL"]) == "http://live.test/episodes/streamed/"
    # Not streamed yet: the page that will carry the stream.
    assert str(unstreamed["LOCATION"]) == "http://live.test/episodes/unstreamed/"
    assert str(feed["Streamed"]["LOCATION"]) == "https://www.linkedin.com/events/1/"
    assert str(feed["Not streamed yet"]["LOCATION"]) == "http://live.test/episodes/unstreamed/"
    description = str(streamed["DESCRIPTION"])
    assert "javascript:" not in description
    watch = description.split("Watch and listen:\n")[1].split("\n\n")[0]
    assert watch.splitlines() == [
        "LinkedIn: https://www.linkedin.com/events/1/",
        "YouTube: https://www.youtube.com/watch?v=pHHCIGkpNzs",
    ]


STRUCTURED = (
    "<p>Operators compare notes &amp; plans.</p>"
    "<ul><li>Canary cells</li><li><p>Rehearsed <strong>migrations</strong></p></li>"
    "<li>Rollback&nbsp;plans</li></ul>"
    "<p>First line<br>second line &lt;not a tag&gt;</p>"
    "<ol>\n  <li>One</li>\n  <li>Two</li>\n</ol>"
)
STRUCTURED_TEXT = (
    "Operators compare notes & plans.\n\n"
    "- Canary cells\n- Rehearsed migrations\n- Rollback plans\n\n"
    "First line\nsecond line <not a tag>\n\n"
    "- One\n- Two"
)


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (STRUCTURED, STRUCTURED_TEXT),
        # As typed in a plain-text form: a blank line parts paragraphs, a line end is a space.
        (
            "First paragraph\nstill the first.\r\n\r\nSecond.",
            "First paragraph still the first.\n\nSecond.",
        ),
        ("<p>Only one.</p>", "Only one."),
    ],
)
def test_an_invite_keeps_the_paragraphs_and_list_items_of_the_description(
    app, client, description, expected
):
    with app.app_context():
        make_episode("Shaped", STARTS, slug="shaped", description=description)

    for url in ("/episodes/shaped.ics", "/calendar.ics"):
        [event] = events(parse(client.get(url)))
        text = str(event["DESCRIPTION"])
        assert text.split("\n\nEpisode page: ")[0] == expected, url
        for markup in ("&amp;", "&nbsp;", "&lt;", "<p", "<li", "<br", "<strong", "</"):
            assert markup not in text, (url, markup)
