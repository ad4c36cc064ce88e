"""PTG services: the transition table, fairness rules, duplicates, room and team clashes."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm.attributes import set_committed_value

from openinfra_live import audit, clock, workflow
from openinfra_live.extensions import db
from openinfra_live.ptg import events, registrations, rules, sessions
from openinfra_live.ptg.models import PtgEvent, PtgSession, PtgTeam, PtgTeamHistory, Room
from openinfra_live.ptg.states import REGISTRATIONS, TRANSITIONS, TeamAction, TeamStatus
from tests.ptg.builders import at, make_event, make_room, make_session, make_team

VERBS = {
    TeamAction.APPROVE: registrations.approve_team,
    TeamAction.DECLINE: registrations.decline_team,
    TeamAction.WITHDRAW: registrations.withdraw_team,
    TeamAction.REMOVE: registrations.remove_team,
}
# The mail each action sends; by default the one named after the state it leads to.
MAILS = {TeamAction.REMOVE: "mail/ptg_removed.txt"}


def registration(**overrides) -> rules.RegistrationData:
    values = {
        "name": "Nova",
        "kind": "project_team",
        "contact_name": "Ada",
        "contact_email": "ada@example.org",
        "hours_wanted": 8,
        "preferred_days": ["2030-03-18", "2030-03-19"],
        "time_windows": ["emea"],
    }
    values.update(overrides)
    return rules.RegistrationData(**values)


@pytest.mark.parametrize("status", list(TeamStatus))
@pytest.mark.parametrize("action", list(TeamAction))
def test_every_state_and_action_pair_follows_the_transition_table(
    app_ctx, sent_mail, status, action
):
    event = make_event()
    team = make_team(event, status=status.value)
    db.session.commit()
    expected = TRANSITIONS.get((status, action))
    assert (action in REGISTRATIONS.allowed_actions(team)) == (expected is not None)
    if expected is None:
        with pytest.raises(workflow.TransitionNotAllowed, match=f"that is {status.value} cannot"):
            VERBS[action](team, actor=None, message="why")
        db.session.rollback()
        assert db.session.get(PtgTeam, team.id).status == status.value
        assert db.session.scalars(db.select(PtgTeamHistory)).all() == []
        assert sent_mail == []
    else:
        entry = VERBS[action](team, actor=None, message="why")
        assert isinstance(entry, PtgTeamHistory)
        workflow.commit()
        assert db.session.get(PtgTeam, team.id).status == expected.value
        assert db.session.scalars(db.select(PtgTeamHistory)).one() is entry
        assert (entry.from_status, entry.to_status, entry.message) == (
            status.value,
            expected.value,
            "why",
        )
        actions = db.session.scalars(db.select(audit.AuditEntry.action)).all()
        assert actions == [f"ptg_team_{expected.value}"]
        mail = MAILS.get(action, f"mail/ptg_{expected.value}.txt")
        assert [(m[0], m[2]) for m in sent_mail] == [("lead@example.org", mail)]


def test_the_table_covers_exactly_the_workflow_of_the_spec():
    S, A = TeamStatus, TeamAction
    assert TRANSITIONS == {
        (S.PENDING, A.APPROVE): S.APPROVED,
        (S.PENDING, A.DECLINE): S.DECLINED,
        (S.PENDING, A.WITHDRAW): S.WITHDRAWN,
        (S.APPROVED, A.WITHDRAW): S.WITHDRAWN,
        # The organisers' removal ends in the same state as the team's own withdrawal.
        (S.PENDING, A.REMOVE): S.WITHDRAWN,
        (S.APPROVED, A.REMOVE): S.WITHDRAWN,
    }
    assert REGISTRATIONS.group("final") == {S.DECLINED, S.WITHDRAWN}
    assert not any(state in REGISTRATIONS.group("final") for state, _ in TRANSITIONS)


def test_a_stale_object_cannot_approve_twice(app_ctx, sent_mail):
    event = make_event()
    team = make_team(event, status="pending")
    db.session.commit()
    registrations.approve_team(team, actor=None)
    workflow.commit()
    stale = db.session.get(PtgTeam, team.id)
    # What a second server read before the first committed (not a change to flush).
    set_committed_value(stale, "status", "pending")
    with pytest.raises(workflow.TransitionNotAllowed, match="approved cannot be approved"):
        registrations.approve_team(stale, actor=None)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(PtgTeamHistory)) == 1
    assert len(sent_mail) == 1


def test_withdrawing_an_approved_team_frees_its_sessions(app_ctx, sent_mail):
    event = make_event()
    team = make_team(event)
    room = make_room(event)
    make_session(team, room, at(18, 14), at(18, 16))
    db.session.commit()
    registrations.withdraw_team(team)
    workflow.commit()
    assert db.session.scalars(db.select(PtgSession)).all() == []


def test_mail_is_sent_only_after_commit_and_dropped_on_rollback(app_ctx, sent_mail):
    event = make_event()
    team = make_team(event, status="pending")
    db.session.commit()
    registrations.decline_team(team, actor=None, message="Not this time")
    assert len(workflow.pending()) == 1
    assert sent_mail == []
    db.session.rollback()
    assert workflow.pending() == []
    workflow.commit()
    assert sent_mail == []
    assert db.session.get(PtgTeam, team.id).status == "pending"


# --- registration ---------------------------------------------------------------------------


def test_register_team_stores_a_pending_row_history_audit_and_mails_the_link(app_ctx, sent_mail):
    event = make_event()
    team, token = registrations.register_team(event, registration(name="  Nova   Placement "))
    workflow.commit()
    assert team.status == "pending"
    assert team.name == "Nova Placement"
    assert team.name_key == "novaplacement"
    assert team.token_hash != token and len(token) == 43
    assert registrations.find_registration(token).id == team.id
    assert [h.action for h in team.history] == ["register"]
    assert "ptg_team_registered" in db.session.scalars(db.select(audit.AuditEntry.action)).all()
    [(to, subject, template, ctx)] = sent_mail
    assert to == "ada@example.org" and template == "mail/ptg_registered.txt"
    assert ctx["status_url"].endswith(f"/ptg/registrations/{token}")


@pytest.mark.parametrize("second", ["Nova", " nova ", "NOVA", "n o v a", "Nova\t"])
def test_a_team_registers_once_per_event_whatever_its_case_and_spaces(app_ctx, sent_mail, second):
    event = make_event()
    registrations.register_team(event, registration(name="Nova"))
    db.session.commit()
    with pytest.raises(rules.DuplicateTeam, match="already registered"):
        registrations.register_team(event, registration(name=second, contact_email="b@example.org"))
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(PtgTeam)) == 1


def test_a_withdrawn_team_may_register_again(app_ctx, sent_mail):
    event = make_event()
    make_team(event, name="Nova", status="withdrawn")
    db.session.commit()
    team, _token = registrations.register_team(event, registration(name="nova"))
    db.session.commit()
    assert team.status == "pending"


def test_the_unique_index_settles_a_race_between_two_registrations(app_ctx, sent_mail, monkeypatch):
    event = make_event()
    make_team(event, name="Nova", status="pending")
    db.session.commit()
    # As if the other registration committed between our check and our insert.
    real_check = registrations._live_team_named
    calls = []

    def late_check(*args):
        calls.append(args)
        return None if len(calls) == 1 else real_check(*args)

    monkeypatch.setattr(registrations, "_live_team_named", late_check)
    with pytest.raises(rules.DuplicateTeam):
        registrations.register_team(event, registration(name=" nova"))
    assert len(calls) == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(PtgTeam)) == 1


def test_the_same_form_posted_twice_gives_one_row_and_the_same_token(app_ctx, sent_mail):
    event = make_event()
    nonce = "n" * 32
    first, token1 = registrations.register_team(event, registration(), nonce)
    db.session.commit()
    second, token2 = registrations.register_team(event, registration(), nonce)
    db.session.commit()
    assert first.id == second.id and token1 == token2
    assert db.session.scalar(db.select(db.func.count()).select_from(PtgTeam)) == 1
    assert first.submission_nonce != nonce  # only its hash is stored


def test_a_reused_nonce_with_other_content_is_refused(app_ctx, sent_mail):
    event = make_event()
    registrations.register_team(event, registration(), "n" * 32)
    db.session.commit()
    with pytest.raises(rules.FormAlreadySent):
        registrations.register_team(event, registration(name="Cinder"), "n" * 32)


def test_registration_is_refused_while_closed(app_ctx):
    event = make_event(registration_open=False)
    with pytest.raises(rules.RegistrationClosed):
        registrations.register_team(event, registration())


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"hours_wanted": 0}, "at least one hour"),
        (
            {"hours_wanted": 17, "preferred_days": [f"2030-03-{d}" for d in range(18, 23)]},
            "16 hours",
        ),
        ({"hours_wanted": 9, "preferred_days": ["2030-03-18", "2030-03-19"]}, "4 hours per day"),
        ({"hours_wanted": 2.5}, "whole number"),
        ({"preferred_days": ["2031-01-01"]}, "days of the event"),
        ({"preferred_days": []}, "at least one day"),
        ({"time_windows": ["mars"]}, "offered time windows"),
        ({"video_url": "javascript:alert(1)"}, "http"),
        ({"etherpad_url": "ftp://pad.example.org/x"}, "http"),
        ({"name": "   "}, "name"),
    ],
)
def test_registration_rules_refuse_bad_requests(app_ctx, overrides, message):
    event = make_event()
    with pytest.raises(rules.InvalidRegistration) as caught:
        registrations.register_team(event, registration(**overrides))
    assert any(message in error for error in caught.value.errors), caught.value.errors
    assert db.session.scalar(db.select(db.func.count()).select_from(PtgTeam)) == 0


@pytest.mark.parametrize(
    ("hours", "days", "ok"),
    [
        (1, 1, True),
        (4, 1, True),
        (5, 1, False),
        (8, 2, True),
        (16, 4, True),
        (16, 5, True),
        (17, 5, False),
    ],
)
def test_fairness_rule_on_hours_wanted(hours, days, ok):
    assert (rules.registration_hours_errors(hours, days) == []) is ok


# --- sessions -------------------------------------------------------------------------------

DAYS = [date(2030, 3, d) for d in range(18, 23)]


@pytest.mark.parametrize(
    ("start", "end", "existing", "allowed", "message"),
    [
        (at(18, 14), at(18, 16), [], 16, None),
        (datetime(2030, 3, 18, 14, 30, tzinfo=UTC), at(18, 16), [], 16, "whole hours"),
        (at(18, 16), at(18, 14), [], 16, "end after"),
        (at(17, 14), at(17, 16), [], 16, "event's days"),
        (at(18, 22), at(19, 2), [], 16, "UTC day"),
        (at(18, 14), at(18, 19), [], 16, "4 hours per UTC day"),
        (at(18, 17), at(18, 19), [(at(18, 14), at(18, 17))], 16, "4 hours per UTC day"),
        (at(19, 14), at(19, 17), [(at(18, 14), at(18, 17))], 16, None),
        (at(19, 14), at(19, 16), [(at(18, 14), at(18, 17))], 4, "may meet 4 hours"),
        (at(18, 20), at(19, 0), [], 16, None),
    ],
)
def test_session_rules(start, end, existing, allowed, message):
    errors = rules.session_rule_errors(start, end, DAYS, existing, allowed)
    if message is None:
        assert errors == []
    else:
        assert any(message in e for e in errors), errors


def place(
    event: PtgEvent, team: PtgTeam, room: Room, starts_at: datetime, ends_at: datetime
) -> PtgSession:
    """``sessions.place_session`` for ``team`` in ``room``, by their ids as the form sends them."""
    return sessions.place_session(
        event, team_id=team.id, room_id=room.id, starts_at=starts_at, ends_at=ends_at
    )


def test_place_session_refuses_an_overlap_in_the_same_room(app_ctx):
    event = make_event()
    nova, cinder = make_team(event, "Nova"), make_team(event, "Cinder")
    room = make_room(event)
    db.session.commit()
    place(event, nova, room, at(18, 14), at(18, 17))
    db.session.commit()
    for start, end in [
        (at(18, 16), at(18, 18)),
        (at(18, 14), at(18, 15)),
        (at(18, 13), at(18, 15)),
    ]:
        with pytest.raises(rules.SessionConflict, match="Austin is taken"):
            place(event, cinder, room, start, end)
        db.session.rollback()
    place(event, cinder, room, at(18, 17), at(18, 19))
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(PtgSession)) == 2


def test_the_unique_constraint_catches_a_clash_the_check_missed(app_ctx, monkeypatch):
    event = make_event()
    nova, cinder = make_team(event, "Nova"), make_team(event, "Cinder")
    room = make_room(event)
    make_session(nova, room, at(18, 14), at(18, 15))
    db.session.commit()
    original = db.session.scalars

    def blind(statement, *args, **kwargs):
        result = original(statement, *args, **kwargs)
        if "ptg_sessions.room_id" in str(statement) and "ends_at >" in str(statement):
            return original(db.select(PtgSession).where(db.false()))
        return result

    monkeypatch.setattr(db.session, "scalars", blind)
    with pytest.raises(rules.SessionConflict):
        place(event, cinder, room, at(18, 14), at(18, 15))
    monkeypatch.undo()
    assert db.session.scalar(db.select(db.func.count()).select_from(PtgSession)) == 1


def test_a_team_cannot_be_in_two_rooms_at_once(app_ctx):
    event = make_event()
    nova = make_team(event, "Nova")
    a, b = make_room(event, "Austin"), make_room(event, "Boston")
    make_session(nova, a, at(18, 14), at(18, 16))
    db.session.commit()
    with pytest.raises(rules.SessionConflict, match="already meets"):
        place(event, nova, b, at(18, 15), at(18, 16))


def test_a_team_never_runs_past_its_approved_hours(app_ctx):
    event = make_event()
    nova = make_team(event, "Nova", hours_wanted=3)
    room = make_room(event)
    make_session(nova, room, at(18, 14), at(18, 16))
    db.session.commit()
    with pytest.raises(rules.InvalidSession, match="may meet 3 hours"):
        place(event, nova, room, at(19, 14), at(19, 16))


@pytest.mark.parametrize("status", ["pending", "declined", "withdrawn"])
def test_only_approved_teams_get_sessions(app_ctx, status):
    event = make_event()
    team = make_team(event, "Nova", status=status)
    room = make_room(event)
    db.session.commit()
    with pytest.raises(rules.InvalidSession, match="approved team"):
        place(event, team, room, at(18, 14), at(18, 15))


def test_a_room_or_team_of_another_event_is_refused(app_ctx):
    event = make_event()
    other = make_event(slug="2031-march", name="Other")
    nova = make_team(event, "Nova")
    foreign_room = make_room(other)
    db.session.commit()
    with pytest.raises(rules.InvalidSession, match="room of this event"):
        place(event, nova, foreign_room, at(18, 14), at(18, 15))


# --- events and rooms -----------------------------------------------------------------------


def test_event_rules(app_ctx):
    make_event(slug="taken")
    db.session.commit()
    cases = [
        ({"slug": "Bad Slug"}, "slug"),
        ({"slug": "taken"}, "already uses"),
        ({"ends_on": date(2030, 3, 1)}, "end on or after"),
        ({"ends_on": date(2030, 4, 30)}, "at most 7 days"),
        ({"format": "hologram"}, "format"),
    ]
    for override, message in cases:
        fields = {
            "name": "PTG",
            "slug": "fresh",
            "starts_on": date(2030, 3, 18),
            "ends_on": date(2030, 3, 22),
            "format": "virtual",
        } | override
        with pytest.raises(rules.InvalidEvent) as caught:
            events.save_event(None, **fields)
        assert any(message in e for e in caught.value.errors), (override, caught.value.errors)


def test_event_dates_cannot_leave_sessions_outside(app_ctx):
    event = make_event()
    make_session(make_team(event), make_room(event), at(22, 14), at(22, 15))
    db.session.commit()
    with pytest.raises(rules.InvalidEvent, match="outside the new dates"):
        events.save_event(
            event,
            name=event.name,
            slug=event.slug,
            starts_on=date(2030, 3, 18),
            ends_on=date(2030, 3, 21),
            format="virtual",
        )


def test_room_names_are_unique_per_event_ignoring_case(app_ctx):
    event = make_event()
    events.save_room(event, name="Austin")
    db.session.commit()
    with pytest.raises(rules.InvalidRoom, match="already has a room"):
        events.save_room(event, name="austin")
    with pytest.raises(rules.InvalidRoom, match="http"):
        events.save_room(event, name="Boston", video_url="javascript:alert(1)")


def test_clock_is_the_source_of_history_times(app_ctx, sent_mail, monkeypatch):
    moment = datetime(2030, 3, 1, 9, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)
    event = make_event()
    team, _ = registrations.register_team(event, registration())
    db.session.commit()
    assert team.history[0].created_at == moment
