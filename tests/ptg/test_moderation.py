"""Moderation of the PTG over HTTP: who may enter, events, the queue, rooms and sessions."""

import re
from datetime import UTC, datetime

import pytest

from openinfra_live import audit
from openinfra_live.extensions import db
from openinfra_live.ptg.models import PtgEvent, PtgSession, PtgTeam, Room
from tests.conftest import csrf_token_from, post_form
from tests.ptg.builders import at, make_event, make_room, make_session, make_team

EVENT = "/moderation/ptg/2030-march/"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr("openinfra_live.clock.now", lambda: datetime(2030, 3, 1, tzinfo=UTC))


@pytest.fixture
def event_ids(app):
    with app.app_context():
        event = make_event()
        ids = {
            "pending": make_team(event, "Older Pending", status="pending").id,
            "approved": make_team(event, "Nova", status="approved", hours_wanted=4).id,
            "cinder": make_team(event, "Cinder", status="approved").id,
            "room": make_room(event, "Austin").id,
            "room2": make_room(event, "Boston").id,
        }
        db.session.commit()
        return ids


@pytest.fixture
def moderator(client, login_as):
    login_as(client)
    return client


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


MODERATION_PATHS = [
    ("GET", "/moderation/ptg/"),
    ("GET", "/moderation/ptg/events/new"),
    ("GET", EVENT),
    ("GET", "/moderation/ptg/2030-march/edit"),
    ("GET", "/moderation/ptg/2030-march/registrations/1"),
    ("POST", "/moderation/ptg/2030-march/registrations/1/approve"),
    ("POST", "/moderation/ptg/2030-march/registrations/1/decline"),
    ("POST", "/moderation/ptg/2030-march/rooms"),
    ("POST", "/moderation/ptg/2030-march/sessions"),
    ("POST", "/moderation/ptg/2030-march/sessions/1/delete"),
    ("GET", "/moderation/ptg/2030-march/sessions/1/edit"),
    ("POST", "/moderation/ptg/2030-march/sessions/1/edit"),
    ("GET", "/moderation/ptg/2030-march/rooms/1/delete"),
    ("POST", "/moderation/ptg/2030-march/rooms/1/delete"),
    ("GET", "/moderation/ptg/2030-march/delete"),
    ("POST", "/moderation/ptg/2030-march/delete"),
    ("GET", "/moderation/ptg/2030-march/registrations/1/remove"),
    ("POST", "/moderation/ptg/2030-march/registrations/1/remove"),
]


@pytest.mark.parametrize(("method", "path"), MODERATION_PATHS)
def test_anonymous_visitors_are_sent_to_login_and_change_nothing(
    app, client, event_ids, method, path
):
    response = client.open(path, method=method)
    if method == "GET":
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    else:
        assert response.status_code in {302, 400, 401, 403}
    with app.app_context():
        assert db.session.scalar(db.select(PtgTeam.status).filter_by(id=event_ids["pending"])) == (
            "pending"
        )


def test_moderator_pages_are_not_cached(moderator, event_ids):
    for path in ("/moderation/ptg/", EVENT):
        response = moderator.get(path)
        assert response.status_code == 200
        assert "no-store" in response.headers["Cache-Control"]


def test_events_list_counts_pending_registrations(moderator, event_ids):
    page = moderator.get("/moderation/ptg/").get_data(as_text=True)
    assert "PTG March 2030" in page
    assert re.search(
        r'<td data-label="Registration">Open</td>\s*<td data-label="Waiting for review">1</td>',
        page,
    )


# The new-event form, filled in.
NEW_EVENT = {
    "name": "PTG October 2030",
    "slug": "2030-october",
    "starts_on": "2030-10-21",
    "ends_on": "2030-10-25",
    "format": "virtual",
}


def test_create_and_edit_an_event(app, moderator):
    data = {**NEW_EVENT, "format": "in_person", "location": "Lisbon", "registration_open": "y"}
    response = post_form(moderator, "/moderation/ptg/events/new", data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/moderation/ptg/2030-october/")
    edit = "/moderation/ptg/2030-october/edit"
    response = post_form(moderator, edit, {**data, "registration_open": "", "location": "Porto"})
    assert response.status_code == 303
    with app.app_context():
        event = db.session.scalar(db.select(PtgEvent).filter_by(slug="2030-october"))
        assert (event.location, event.registration_open, event.format) == (
            "Porto",
            False,
            "in_person",
        )
        actions = db.session.scalars(db.select(audit.AuditEntry.action)).all()
        assert {"ptg_event_created", "ptg_event_updated"} <= set(actions)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slug": "Not A Slug"}, "lower-case letters"),
        ({"ends_on": "2030-10-01"}, "end on or after"),
        ({"starts_on": "not-a-date"}, "Not a valid date"),
        ({"slug": "2030-march"}, "already uses this slug"),
        ({"format": "hologram"}, "Not a valid choice"),
    ],
)
def test_bad_event_input_is_refused_with_errors(app, moderator, event_ids, changes, message):
    data = {**NEW_EVENT, "name": "X"} | changes
    response = post_form(moderator, "/moderation/ptg/events/new", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, PtgEvent) == 1


def test_queue_lists_pending_first(moderator, event_ids):
    page = moderator.get(EVENT).get_data(as_text=True)
    queue = page[page.index("Registrations") : page.index("Rooms")]
    assert queue.index("Older Pending") < queue.index("Cinder") and queue.index(
        "Older Pending"
    ) < queue.index("Nova")


def test_approve_with_a_message(app, moderator, event_ids, sent_mail):
    detail = f"/moderation/ptg/2030-march/registrations/{event_ids['pending']}"
    response = post_form(
        moderator, detail, {"message": "See you there"}, post_url=detail + "/approve"
    )
    assert response.status_code == 303
    with app.app_context():
        team = db.session.get(PtgTeam, event_ids["pending"])
        assert team.status == "approved"
        assert team.history[-1].message == "See you there"
        assert team.history[-1].actor_id is not None
    assert [(m[2], m[3]["message"]) for m in sent_mail] == [
        ("mail/ptg_approved.txt", "See you there")
    ]
    assert "Older Pending" in moderator.get("/ptg/2030-march/").get_data(as_text=True)


def test_registration_history_reads_as_words(moderator, event_ids):
    detail = f"/moderation/ptg/2030-march/registrations/{event_ids['pending']}"
    before = moderator.get(detail).get_data(as_text=True)
    assert ">None<" not in before
    post_form(moderator, detail, {"message": ""}, post_url=detail + "/approve")

    page = moderator.get(detail).get_data(as_text=True)
    history = page[page.index('id="history-title"') :]
    assert "mod approved the registration." in history
    assert "pending" not in history and "→" not in history


def test_decline_then_approve_again_is_refused_and_changes_nothing(
    app, moderator, event_ids, sent_mail
):
    detail = f"/moderation/ptg/2030-march/registrations/{event_ids['pending']}"
    html = moderator.get(detail).get_data(as_text=True)
    token = csrf_token_from(html)
    declined = moderator.post(detail + "/decline", data={"csrf_token": token, "message": "Merged"})
    assert declined.status_code == 303
    again = moderator.post(detail + "/approve", data={"csrf_token": token})
    assert again.status_code == 303
    assert "cannot be approved" in moderator.get(again.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PtgTeam, event_ids["pending"]).status == "declined"
    assert len(sent_mail) == 1


def test_decisions_need_csrf_and_post(app, moderator, event_ids):
    detail = f"/moderation/ptg/2030-march/registrations/{event_ids['pending']}"
    assert moderator.post(detail + "/approve").status_code == 400
    assert moderator.get(detail + "/approve").status_code == 405
    with app.app_context():
        assert db.session.get(PtgTeam, event_ids["pending"]).status == "pending"


@pytest.mark.parametrize(
    "path",
    [
        "/moderation/ptg/nope/",
        "/moderation/ptg/2030-march/registrations/999",
        "/moderation/ptg/2030-march/rooms/999/edit",
    ],
)
def test_unknown_moderation_objects_are_404(moderator, event_ids, path):
    assert moderator.get(path).status_code == 404


def test_add_and_edit_rooms(app, moderator, event_ids):
    response = post_form(
        moderator,
        EVENT,
        {
            "room-name": "Cactus",
            "room-capacity": "30",
            "room-video_url": "https://meet.example.org/c",
        },
        post_url="/moderation/ptg/2030-march/rooms",
    )
    assert response.status_code == 303
    dup = post_form(
        moderator, EVENT, {"room-name": "cactus"}, post_url="/moderation/ptg/2030-march/rooms"
    )
    assert dup.status_code == 400 and "already has a room" in dup.get_data(as_text=True)
    bad = post_form(
        moderator,
        EVENT,
        {"room-name": "Dune", "room-video_url": "javascript:alert(1)"},
        post_url="/moderation/ptg/2030-march/rooms",
    )
    assert bad.status_code == 400
    edit = f"/moderation/ptg/2030-march/rooms/{event_ids['room']}/edit"
    assert post_form(moderator, edit, {"name": "Austin A", "capacity": "50"}).status_code == 303
    with app.app_context():
        names = db.session.scalars(db.select(Room.name).order_by(Room.name)).all()
    assert names == ["Austin A", "Boston", "Cactus"]


def place(moderator, team_id, room_id, day="2030-03-18", start=14, end=16):
    return post_form(
        moderator,
        EVENT,
        {
            "session-team_id": str(team_id),
            "session-room_id": str(room_id),
            "session-day": day,
            "session-start_hour": str(start),
            "session-end_hour": str(end),
        },
        post_url="/moderation/ptg/2030-march/sessions",
    )


def test_place_a_session_and_see_it_on_both_grids(app, moderator, event_ids):
    response = place(moderator, event_ids["approved"], event_ids["room"])
    assert response.status_code == 303
    with app.app_context():
        [session] = db.session.scalars(db.select(PtgSession)).all()
        assert (session.starts_at, session.ends_at) == (at(18, 14), at(18, 16))
    assert "Nova" in moderator.get(EVENT).get_data(as_text=True)
    assert "<strong>Nova</strong>" in moderator.get("/ptg/2030-march/schedule").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("who", "room", "day", "start", "end", "message"),
    [
        ("cinder", "room", "2030-03-18", 15, 17, "Austin is taken 14:00–16:00 UTC by Nova"),
        ("approved", "room2", "2030-03-18", 15, 16, "Nova already meets at that time"),
        ("approved", "room2", "2030-03-18", 16, 19, "limit is 4 hours per UTC day"),
        ("approved", "room2", "2030-03-19", 9, 12, "it may meet 4 hours"),
        ("cinder", "room2", "2030-03-18", 16, 15, "must end after it starts"),
        ("pending", "room2", "2030-03-18", 9, 10, "not a valid choice"),
        ("cinder", "room2", "2031-01-01", 9, 10, "not a valid choice"),
    ],
)
def test_placing_a_clashing_or_unfair_session_is_refused_and_stores_nothing(
    app, moderator, event_ids, who, room, day, start, end, message
):
    assert place(moderator, event_ids["approved"], event_ids["room"]).status_code == 303
    response = place(moderator, event_ids[who], event_ids[room], day, start, end)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message.lower() in page.lower(), page[page.find("Sessions") :][:1500]
    assert count(app, PtgSession) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"session-team_id": "abc"},
        {"session-start_hour": "25"},
        {"session-end_hour": "-1"},
        {"session-day": "'; DROP TABLE ptg_sessions; --"},
    ],
)
def test_malformed_session_input_is_a_form_error_not_a_500(app, moderator, event_ids, changes):
    data = {
        "session-team_id": str(event_ids["approved"]),
        "session-room_id": str(event_ids["room"]),
        "session-day": "2030-03-18",
        "session-start_hour": "14",
        "session-end_hour": "15",
    } | changes
    response = post_form(moderator, EVENT, data, post_url="/moderation/ptg/2030-march/sessions")
    assert response.status_code == 400
    assert count(app, PtgSession) == 0


def test_delete_a_session(app, moderator, event_ids):
    with app.app_context():
        event = db.session.scalar(db.select(PtgEvent))
        session = make_session(
            db.session.get(PtgTeam, event_ids["approved"]),
            db.session.get(Room, event_ids["room"]),
            at(18, 14),
            at(18, 15),
        )
        db.session.commit()
        session_id, _ = session.id, event
    page = moderator.get(EVENT).get_data(as_text=True)
    delete = f"/moderation/ptg/2030-march/sessions/{session_id}/delete"
    assert f'action="{delete}"' in page
    response = moderator.post(delete, data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    assert count(app, PtgSession) == 0
    again = moderator.post(delete, data={"csrf_token": csrf_token_from(page)})
    assert again.status_code == 404


def test_one_teams_kind_is_named_in_the_singular(app, moderator):
    with app.app_context():
        event = make_event()
        team = make_team(event, "Large Scale", kind="sig", status="pending")
        db.session.commit()
        team_id = team.id
    detail = moderator.get(f"/moderation/ptg/2030-march/registrations/{team_id}")
    table = moderator.get("/moderation/ptg/2030-march/")

    assert "<dd>Special interest group</dd>" in detail.get_data(as_text=True)
    assert '<td data-label="Kind">Special interest group</td>' in table.get_data(as_text=True)
    assert "Special interest groups" not in detail.get_data(as_text=True)
