"""A moderator removes a team's registration: with a note and a confirmation, through the
registrations workflow, the team told by e-mail (read from a real SMTP server on 127.0.0.1)."""

import time
from datetime import UTC, datetime

import pytest

from openinfra_live import audit
from openinfra_live.extensions import db
from openinfra_live.ptg import registrations, rules
from openinfra_live.ptg.models import PtgSession, PtgTeam
from tests.conftest import csrf_token_from, post_form
from tests.ptg.builders import at, make_event, make_room, make_session, make_team


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr("openinfra_live.clock.now", lambda: datetime(2030, 3, 1, tzinfo=UTC))


@pytest.fixture
def ids(app):
    with app.app_context():
        event = make_event()
        nova = make_team(event, "Nova", contact_email="nova-lead@example.org", hours_wanted=4)
        session = make_session(nova, make_room(event), at(18, 14), at(18, 16))
        pending = make_team(event, "Waiting SIG", status="pending")
        declined = make_team(event, "Gone", status="declined")
        db.session.commit()
        return {
            "nova": nova.id,
            "pending": pending.id,
            "declined": declined.id,
            "session": session.id,
        }


@pytest.fixture
def moderator(client, login_as):
    login_as(client)
    return client


def remove_path(team_id: int) -> str:
    return f"/moderation/ptg/2030-march/registrations/{team_id}/remove"


def team(app, team_id: int) -> PtgTeam:
    with app.app_context():
        row = db.session.get(PtgTeam, team_id)
        db.session.expunge(row)
        return row


def test_removing_an_approved_team_frees_its_rooms_and_mails_the_note(app, moderator, ids, inbox):
    detail = f"/moderation/ptg/2030-march/registrations/{ids['nova']}"
    assert f'href="{remove_path(ids["nova"])}"' in moderator.get(detail).get_data(as_text=True)
    confirm = moderator.get(remove_path(ids["nova"])).get_data(as_text=True)
    assert "Remove Nova?" in confirm and "Sessions that leave the schedule: 1." in confirm
    assert team(app, ids["nova"]).status == "approved"  # asking changes nothing
    assert inbox.messages == []

    note = "Nova merged its sessions into the Compute SIG's."
    response = post_form(moderator, remove_path(ids["nova"]), {"message": note})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/moderation/ptg/2030-march/")

    [message] = inbox.wait_for(1)
    assert message["To"] == "nova-lead@example.org"
    assert " ".join(str(message["Subject"]).split()) == (
        "PTG registration removed by the organisers: Nova"
    )
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert note in body and "PTG March 2030" in body
    assert "mod@example.org" not in body

    removed = team(app, ids["nova"])
    assert removed.status == "withdrawn"
    with app.app_context():
        assert db.session.get(PtgSession, ids["session"]) is None
        entry = db.session.get(PtgTeam, ids["nova"]).history[-1]
        assert (entry.action, entry.message, entry.is_public) == ("remove", note, True)
        assert entry.actor_id is not None
        [audited] = db.session.scalars(
            db.select(audit.AuditEntry).filter_by(action="ptg_team_withdrawn")
        ).all()
        assert audited.actor_id == entry.actor_id
    history = moderator.get(detail).get_data(as_text=True)
    assert "mod removed the registration from the event." in history
    assert "Nova" not in moderator.get("/ptg/2030-march/").get_data(as_text=True)


def test_a_pending_registration_can_be_removed_too(app, moderator, ids, inbox):
    response = post_form(moderator, remove_path(ids["pending"]), {"message": "Duplicate."})
    assert response.status_code == 303
    assert team(app, ids["pending"]).status == "withdrawn"
    assert len(inbox.wait_for(1)) == 1


@pytest.mark.parametrize("note", ["", "   "])
def test_a_removal_without_a_note_is_refused_and_changes_nothing(app, moderator, ids, inbox, note):
    response = post_form(moderator, remove_path(ids["nova"]), {"message": note})
    assert response.status_code == 400
    assert "Say why the registration is removed" in response.get_data(as_text=True)
    assert team(app, ids["nova"]).status == "approved"
    with app.app_context():
        assert db.session.get(PtgSession, ids["session"]) is not None
    time.sleep(0.2)
    assert inbox.messages == []


def test_a_closed_registration_cannot_be_removed(app, moderator, ids, inbox):
    detail = f"/moderation/ptg/2030-march/registrations/{ids['declined']}"
    assert "/remove" not in moderator.get(detail).get_data(as_text=True)
    asked = moderator.get(remove_path(ids["declined"]))
    assert asked.status_code == 303
    assert "Gone cannot be removed: its registration is declined." in moderator.get(
        asked.headers["Location"]
    ).get_data(as_text=True)
    token = csrf_token_from(moderator.get(detail).get_data(as_text=True))
    posted = moderator.post(
        remove_path(ids["declined"]), data={"csrf_token": token, "message": "x"}
    )
    assert posted.status_code == 303
    assert "cannot be removed" in moderator.get(posted.headers["Location"]).get_data(as_text=True)
    assert team(app, ids["declined"]).status == "declined"
    time.sleep(0.2)
    assert inbox.messages == []


def test_the_team_reads_the_note_on_its_status_page(app, moderator, ids, sent_mail, client):
    with app.app_context():
        event = db.session.get(PtgTeam, ids["nova"]).event
        data = rules.RegistrationData(
            name="Ironic",
            kind="project_team",
            contact_name="Julia",
            contact_email="julia@example.org",
            hours_wanted=2,
            preferred_days=["2030-03-19"],
            time_windows=["emea"],
        )
        with app.test_request_context("/"):
            ironic, token = registrations.register_team(event, data)
            db.session.commit()
            ironic_id = ironic.id
    post_form(moderator, remove_path(ironic_id), {"message": "Please register next time."})
    page = client.get(f"/ptg/registrations/{token}").get_data(as_text=True)
    assert "mod removed the registration from the event." in page
    assert "Please register next time." in page
    assert "Withdraw this registration" not in page
    assert [m[2] for m in sent_mail][-1] == "mail/ptg_removed.txt"


def test_removal_needs_a_moderator_and_csrf(app, client, ids):
    anonymous = client.post(remove_path(ids["nova"]), data={"message": "x"})
    assert anonymous.status_code in {302, 400, 401, 403}
    assert team(app, ids["nova"]).status == "approved"
