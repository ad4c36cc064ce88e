"""Moderators change a placed session in place, and delete rooms and events only when empty."""

from datetime import UTC, datetime

import pytest

from openinfra_live import audit
from openinfra_live.extensions import db
from openinfra_live.ptg import events, rules, sessions
from openinfra_live.ptg.models import PtgEvent, PtgSession, PtgTeam, Room
from tests.conftest import csrf_token_from, post_form
from tests.ptg.builders import at, make_event, make_room, make_session, make_team

EVENT = "/moderation/ptg/2030-march/"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr("openinfra_live.clock.now", lambda: datetime(2030, 3, 1, tzinfo=UTC))


@pytest.fixture
def ids(app):
    """An event with two approved teams, two rooms, and one session of each team on 18 March:
    Nova in Austin 14–16, Cinder in Boston 14–15."""
    with app.app_context():
        event = make_event()
        nova = make_team(event, "Nova", hours_wanted=6)
        cinder = make_team(event, "Cinder")
        austin, boston = make_room(event, "Austin"), make_room(event, "Boston")
        make_room(event, "Empty Room")
        nova_session = make_session(nova, austin, at(18, 14), at(18, 16))
        cinder_session = make_session(cinder, boston, at(18, 14), at(18, 15))
        db.session.commit()
        return {
            "nova": nova.id,
            "cinder": cinder.id,
            "austin": austin.id,
            "boston": boston.id,
            "nova_session": nova_session.id,
            "cinder_session": cinder_session.id,
        }


@pytest.fixture
def moderator(client, login_as):
    login_as(client)
    return client


def session_row(app, session_id: int) -> tuple | None:
    with app.app_context():
        session = db.session.get(PtgSession, session_id)
        if session is None:
            return None
        return (session.team.name, session.room.name, session.starts_at, session.ends_at)


def edit(moderator, ids, team="nova", room="austin", day="2030-03-18", start=14, end=16):
    path = f"/moderation/ptg/2030-march/sessions/{ids['nova_session']}/edit"
    data = {
        "team_id": str(ids[team]),
        "room_id": str(ids[room]),
        "day": day,
        "start_hour": str(start),
        "end_hour": str(end),
    }
    return post_form(moderator, path, data)


# --- changing a session ----------------------------------------------------------------------


def test_the_grid_links_each_session_to_its_edit_form_filled_in(moderator, ids):
    path = f"/moderation/ptg/2030-march/sessions/{ids['nova_session']}/edit"
    assert f'href="{path}"' in moderator.get(EVENT).get_data(as_text=True)
    form = moderator.get(path).get_data(as_text=True)
    assert f'<option selected value="{ids["nova"]}">Nova</option>' in form
    assert f'<option selected value="{ids["austin"]}">Austin</option>' in form
    assert '<option selected value="2030-03-18">' in form
    assert '<option selected value="14">14:00</option>' in form
    assert '<option selected value="16">16:00</option>' in form


def test_a_session_moves_to_another_room_day_and_hours_in_place(app, moderator, ids):
    response = edit(moderator, ids, room="boston", day="2030-03-19", start=9, end=12)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(EVENT)
    assert session_row(app, ids["nova_session"]) == ("Nova", "Boston", at(19, 9), at(19, 12))
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PtgSession)) == 2
        entry = db.session.scalars(
            db.select(audit.AuditEntry).filter_by(action="ptg_session_changed")
        ).one()
        assert entry.detail["before"]["room"] == "Austin"
        assert entry.detail["after"]["room"] == "Boston"
        assert entry.actor_id is not None


def test_a_session_may_grow_over_the_hours_it_already_holds(app, moderator, ids):
    # 14–16 to 13–17 overlaps only itself; four hours that day is within the limit.
    assert edit(moderator, ids, start=13, end=17).status_code == 303
    assert session_row(app, ids["nova_session"]) == ("Nova", "Austin", at(18, 13), at(18, 17))


def test_a_session_can_be_given_to_another_team(app, moderator, ids):
    assert edit(moderator, ids, team="cinder", start=16, end=18).status_code == 303
    assert session_row(app, ids["nova_session"]) == ("Cinder", "Austin", at(18, 16), at(18, 18))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"room": "boston", "start": 14, "end": 15}, "Boston is taken 14:00–15:00 UTC by"),
        ({"team": "cinder", "start": 14, "end": 16}, "Cinder already meets at that time"),
        ({"start": 12, "end": 17}, "limit is 4 hours per UTC day"),
        ({"start": 16, "end": 15}, "must end after it starts"),
        ({"day": "2031-01-01"}, "Not a valid choice"),
    ],
)
def test_a_change_that_breaks_a_rule_is_refused_and_keeps_the_session(
    app, moderator, ids, changes, message
):
    response = edit(moderator, ids, **changes)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session_row(app, ids["nova_session"]) == ("Nova", "Austin", at(18, 14), at(18, 16))


def test_change_session_counts_the_team_s_other_hours(app_ctx):
    event = make_event()
    team = make_team(event, "Nova", hours_wanted=3)
    room = make_room(event)
    first = make_session(team, room, at(18, 9), at(18, 11))
    make_session(team, room, at(19, 9), at(19, 10))
    db.session.commit()
    move = {"team_id": team.id, "room_id": room.id}
    with pytest.raises(rules.InvalidSession, match="may meet 3 hours"):
        sessions.change_session(event, first, **move, starts_at=at(20, 9), ends_at=at(20, 12))
    db.session.rollback()
    moved = sessions.change_session(event, first, **move, starts_at=at(20, 9), ends_at=at(20, 11))
    assert (moved.starts_at, moved.ends_at) == (at(20, 9), at(20, 11))


def test_a_session_of_another_event_is_404(app, moderator, ids):
    with app.app_context():
        other = make_event("2030-october", "PTG October 2030")
        db.session.commit()
        other_slug = other.slug
    path = f"/moderation/ptg/{other_slug}/sessions/{ids['nova_session']}/edit"
    assert moderator.get(path).status_code == 404


# --- deleting rooms --------------------------------------------------------------------------


def room_id(app, name: str) -> int | None:
    with app.app_context():
        return db.session.scalar(db.select(Room.id).filter_by(name=name))


def test_an_empty_room_is_deleted_after_confirmation(app, moderator, ids):
    empty = room_id(app, "Empty Room")
    path = f"/moderation/ptg/2030-march/rooms/{empty}/delete"
    assert f'href="{path}"' in moderator.get(EVENT).get_data(as_text=True)
    confirm = moderator.get(path)
    assert confirm.status_code == 200
    assert "Delete the room Empty Room?" in confirm.get_data(as_text=True)
    assert room_id(app, "Empty Room") == empty  # asking changes nothing
    response = moderator.post(path, data={"csrf_token": csrf_token_from(confirm.get_data(True))})
    assert response.status_code == 303
    assert room_id(app, "Empty Room") is None
    assert "Room Empty Room is deleted." in moderator.get(EVENT).get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(db.select(audit.AuditEntry.action)).all()
    assert "ptg_room_deleted" in actions


def test_a_room_holding_sessions_is_not_deleted_and_says_which(app, moderator, ids):
    path = f"/moderation/ptg/2030-march/rooms/{ids['austin']}/delete"
    confirm = moderator.get(path).get_data(as_text=True)
    assert "1 session on the schedule (Nova)" in confirm
    assert "Delete the room</button>" not in confirm
    response = moderator.post(path, data={"csrf_token": csrf_token_from(confirm)})
    assert response.status_code == 303
    page = moderator.get(EVENT).get_data(as_text=True)
    assert "Austin cannot be deleted: it has 1 session on the schedule (Nova)" in page
    assert room_id(app, "Austin") == ids["austin"]
    assert session_row(app, ids["nova_session"]) is not None


def test_deleting_a_room_needs_csrf_and_post(app, moderator, ids):
    path = f"/moderation/ptg/2030-march/rooms/{room_id(app, 'Empty Room')}/delete"
    assert moderator.post(path).status_code == 400
    assert room_id(app, "Empty Room") is not None


def test_delete_room_service_refuses_a_room_in_use(app_ctx):
    event = make_event()
    room = make_room(event)
    make_session(make_team(event, "Nova"), room, at(18, 9), at(18, 10))
    make_session(make_team(event, "Cinder"), room, at(18, 10), at(18, 11))
    with pytest.raises(rules.InUse, match=r"2 sessions on the schedule \(Nova, Cinder\)"):
        events.delete_room(room)


# --- deleting events -------------------------------------------------------------------------


def event_exists(app, slug: str) -> bool:
    with app.app_context():
        return db.session.scalar(db.select(PtgEvent.id).filter_by(slug=slug)) is not None


def test_an_event_without_sessions_or_live_registrations_is_deleted(app, moderator):
    with app.app_context():
        event = make_event("2031-march", "PTG March 2031")
        make_room(event, "Lonely")
        make_team(event, "Spam", status="declined")
        make_team(event, "Changed Mind", status="withdrawn")
        db.session.commit()
    path = "/moderation/ptg/2031-march/delete"
    assert f'href="{path}"' in moderator.get("/moderation/ptg/2031-march/").get_data(True)
    confirm = moderator.get(path).get_data(as_text=True)
    assert "Delete PTG March 2031?" in confirm
    assert "Declined or withdrawn registrations deleted with it: 2." in confirm
    response = moderator.post(path, data={"csrf_token": csrf_token_from(confirm)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/moderation/ptg/")
    assert not event_exists(app, "2031-march")
    assert "PTG March 2031 is deleted." in moderator.get("/moderation/ptg/").get_data(True)
    assert moderator.get("/ptg/2031-march/").status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PtgTeam)) == 0
        entry = db.session.scalars(
            db.select(audit.AuditEntry).filter_by(action="ptg_event_deleted")
        ).one()
        assert entry.detail["slug"] == "2031-march" and entry.actor_id is not None


LIVE = "1 registration waiting for review or approved (remove or decline them first)"


@pytest.mark.parametrize(
    ("status", "with_session", "blockers"),
    [
        ("pending", False, [LIVE]),
        ("approved", False, [LIVE]),
        ("approved", True, [LIVE, "1 session on the schedule (remove them first)"]),
    ],
)
def test_an_event_in_use_is_not_deleted_and_says_what_is_in_the_way(
    app, moderator, status, with_session, blockers
):
    with app.app_context():
        event = make_event("2031-march", "PTG March 2031")
        team = make_team(event, "Nova", status=status)
        if with_session:
            make_session(team, make_room(event), at(18, 9), at(18, 10))
        db.session.commit()
    path = "/moderation/ptg/2031-march/delete"
    confirm = moderator.get(path).get_data(as_text=True)
    assert all(f"<li>{blocker}</li>" in confirm for blocker in blockers)
    assert "Delete the event</button>" not in confirm
    response = moderator.post(path, data={"csrf_token": csrf_token_from(confirm)})
    assert response.status_code == 303
    page = moderator.get(response.headers["Location"]).get_data(as_text=True)
    assert "PTG March 2031 cannot be deleted: it has " + " and ".join(blockers) + "." in page
    assert event_exists(app, "2031-march")
