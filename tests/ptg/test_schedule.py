"""The public schedule: grid, now/next, calendar invites, conditional GETs, the PTGbot export."""

import json
import re
from datetime import UTC, datetime

import icalendar
import pytest

from openinfra_live.extensions import db
from tests.ptg.builders import at, make_event, make_room, make_session, make_team
from tests.statements import statements_of

SCHEDULE = "/ptg/2030-march/schedule"


@pytest.fixture
def known_schedule(app):
    """Two rooms, five approved teams (two whose names fold to one track), one pending team."""
    with app.app_context():
        event = make_event()
        austin = make_room(event, "Austin", video_url="https://meet.example.org/austin")
        boston = make_room(event, "Boston")
        nova = make_team(event, "Nova", etherpad_url="https://etherpad.example.org/p/nova")
        sig = make_team(
            event, "Scientific SIG", kind="sig", video_url="https://meet.example.org/sig"
        )
        dni = make_team(event, "D&I WG", kind="working_group")
        dni_plus = make_team(event, "D+I WG", kind="working_group")
        make_team(event, "Cinder")
        make_team(event, "Waiting", status="pending")
        make_session(nova, austin, at(18, 14), at(18, 16))
        make_session(sig, boston, at(18, 15), at(18, 16))
        make_session(dni, austin, at(19, 13), at(19, 14))
        make_session(dni_plus, boston, at(19, 14), at(19, 15))
        db.session.commit()
        return {"nova": nova.id, "sig": sig.id, "dni": dni.id, "event": event.id}


@pytest.fixture
def clock_at(monkeypatch):
    def move(moment: datetime) -> None:
        monkeypatch.setattr("openinfra_live.clock.now", lambda: moment)

    move(datetime(2030, 3, 1, tzinfo=UTC))
    return move


EXPECTED_PTGBOT = {
    "eventid": "2030-march",
    "slots": {
        "Monday": [
            {"name": "Mon14", "desc": "14:00-15:00", "realtime": "2030-03-18T14:00:00Z"},
            {"name": "Mon15", "desc": "15:00-16:00", "realtime": "2030-03-18T15:00:00Z"},
        ],
        "Tuesday": [
            {"name": "Tue13", "desc": "13:00-14:00", "realtime": "2030-03-19T13:00:00Z"},
            {"name": "Tue14", "desc": "14:00-15:00", "realtime": "2030-03-19T14:00:00Z"},
        ],
    },
    "tracks": ["cinder", "d-i-wg", "d-i-wg-2", "nova", "scientific-sig"],
    "schedule": {
        "Austin": {
            "url": "https://meet.example.org/austin",
            "Mon14": "nova",
            "Mon15": "nova",
            "Tue13": "d-i-wg",
            "Tue14": "",
        },
        "Boston": {
            "Mon14": "",
            "Mon15": "scientific-sig",
            "Tue13": "",
            "Tue14": "d-i-wg-2",
        },
    },
    "urls": {"scientific-sig": "https://meet.example.org/sig"},
    "etherpads": {"nova": "https://etherpad.example.org/p/nova"},
}


def test_ptgbot_export_of_a_known_schedule_is_exactly_the_expected_document(
    client, known_schedule, clock_at
):
    response = client.get("/ptg/2030-march/ptgbot.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document = json.loads(response.get_data(as_text=True))
    assert document == EXPECTED_PTGBOT
    # The bot shows days in the order it reads them.
    assert list(document["slots"]) == ["Monday", "Tuesday"]
    assert list(document["schedule"]["Austin"]) == ["url", "Mon14", "Mon15", "Tue13", "Tue14"]


def test_ptgbot_export_of_an_empty_event(client, app, clock_at):
    with app.app_context():
        make_event()
        db.session.commit()
    document = client.get("/ptg/2030-march/ptgbot.json").get_json()
    assert document == {
        "eventid": "2030-march",
        "slots": {},
        "tracks": [],
        "schedule": {},
        "urls": {},
        "etherpads": {},
    }


def test_schedule_page_shows_a_grid_per_day_and_a_list_per_day(client, known_schedule, clock_at):
    response = client.get(SCHEDULE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('class="table-scroll schedule-grid"') == 2
    assert page.count('<ul class="schedule-list">') == 2
    assert '<th scope="col">Austin</th><th scope="col">Boston</th>' in page
    # Nova's two hours span two rows of the grid.
    assert re.search(
        r'<td rowspan="2" data-label="Austin" class="session-cell">\s*<strong>Nova</strong>', page
    )
    assert "Waiting" not in page  # pending teams are not on the schedule
    assert re.search(r"Cinder</strong>:\s*not placed yet", page)
    assert 'href="/ptg/2030-march/schedule.ics"' in page
    assert f'href="/ptg/2030-march/teams/{known_schedule["nova"]}.ics"' in page
    assert "Happening now" not in page  # not during the event


def test_now_and_next_during_the_event(client, known_schedule, clock_at):
    clock_at(datetime(2030, 3, 18, 14, 30, tzinfo=UTC))
    page = client.get(SCHEDULE).get_data(as_text=True)
    now = page[page.index("Happening now") : page.index("<h3>Next</h3>")]
    assert "Nova" in now and "Scientific SIG" not in now
    after = page[page.index("<h3>Next</h3>") :]
    assert "Scientific SIG" in after[: after.index("</ul>")]
    assert 'class="session-cell is-now"' in page and 'class="session-cell is-next"' in page


def test_between_sessions_nothing_runs_and_the_next_day_is_next(client, known_schedule, clock_at):
    clock_at(datetime(2030, 3, 18, 20, 0, tzinfo=UTC))
    page = client.get(SCHEDULE).get_data(as_text=True)
    assert "No team is meeting right now." in page
    after = page[page.index("<h3>Next</h3>") :]
    assert "D&amp;I WG" in after[: after.index("</ul>")]


def test_schedule_without_sessions_says_so(client, app, clock_at):
    with app.app_context():
        make_event()
        db.session.commit()
    page = client.get(SCHEDULE).get_data(as_text=True)
    assert "No session is scheduled yet." in page


def parse(response) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(response.data)


def test_schedule_ics_has_one_event_per_session_in_utc(client, known_schedule, clock_at):
    response = client.get("/ptg/2030-march/schedule.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="ptg-2030-march.ics"'
    events = parse(response).walk("VEVENT")
    assert len(events) == 4
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert summaries == [
        "PTG: D&I WG",
        "PTG: D+I WG",
        "PTG: Nova",
        "PTG: Scientific SIG",
    ]
    nova = next(e for e in events if str(e["SUMMARY"]) == "PTG: Nova")
    assert nova.decoded("DTSTART") == at(18, 14) and nova.decoded("DTEND") == at(18, 16)
    assert b"DTSTART:20300318T140000Z" in response.data
    assert int(nova["SEQUENCE"]) == 0
    assert str(nova["LOCATION"]) == "Austin"
    assert "https://etherpad.example.org/p/nova" in str(nova["DESCRIPTION"])
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == 4
    again = [
        str(e["UID"]) for e in parse(client.get("/ptg/2030-march/schedule.ics")).walk("VEVENT")
    ]
    assert again == uids
    assert all(line.endswith(b"\r") or line == b"" for line in response.data.split(b"\n"))


def test_team_ics_holds_only_that_teams_sessions(client, known_schedule, clock_at):
    response = client.get(f"/ptg/2030-march/teams/{known_schedule['dni']}.ics")
    assert response.status_code == 200
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="ptg-2030-march-d-i-wg.ics"'
    )
    [event] = parse(response).walk("VEVENT")
    assert str(event["SUMMARY"]) == "PTG: D&I WG"


def test_pending_team_has_no_ics(client, app, known_schedule, clock_at):
    from openinfra_live.ptg.models import PtgTeam

    with app.app_context():
        waiting = db.session.scalar(db.select(PtgTeam.id).filter_by(name="Waiting"))
    assert client.get(f"/ptg/2030-march/teams/{waiting}.ics").status_code == 404


@pytest.mark.parametrize(
    "path", ["/ptg/2030-march/schedule.ics", "/ptg/2030-march/ptgbot.json", SCHEDULE]
)
def test_conditional_get_answers_304_until_the_schedule_changes(
    client, app, known_schedule, clock_at, path
):
    first = client.get(path)
    etag = first.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    with app.app_context():
        from openinfra_live.ptg.models import PtgTeam, Room

        cinder = db.session.scalar(db.select(PtgTeam).filter_by(name="Cinder"))
        room = db.session.scalar(db.select(Room).filter_by(name="Boston"))
        make_session(cinder, room, at(20, 9), at(20, 10))
        db.session.commit()
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_schedule_queries_do_not_grow_with_the_schedule(
    app, client, clock_at, steady_statement_count
):
    with app.app_context():
        ev = make_event()
        rooms = [make_room(ev, f"Room {n}") for n in range(3)]
        db.session.commit()

    def count_queries(path: str) -> int:
        responses = []
        statements = statements_of(app, lambda: responses.append(client.get(path)))
        assert responses[0].status_code == 200
        return len(statements)

    def add_teams(start: int, count: int) -> None:
        with app.app_context():
            ev_ = db.session.merge(ev)
            for n in range(start, start + count):
                team = make_team(ev_, f"Team {n}")
                room = db.session.merge(rooms[n % 3])
                day, hour = 18 + n // 20, n % 20
                make_session(team, room, at(day, hour), at(day, hour + 1))
            db.session.commit()

    add_teams(0, 2)
    small = {p: count_queries(p) for p in (SCHEDULE, "/ptg/2030-march/ptgbot.json")}
    add_teams(2, 30)
    large = {p: count_queries(p) for p in (SCHEDULE, "/ptg/2030-march/ptgbot.json")}
    assert small == large
