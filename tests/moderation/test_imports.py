"""Imports from the browser, for admins: the content file and a PTG team list.

The same readers as the commands, the same report; a file that cannot be read changes nothing.
"""

import io
from datetime import date
from pathlib import Path

import pytest

from openinfra_live.audit import AuditEntry
from openinfra_live.auth.models import ROLE_ADMIN
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from openinfra_live.ptg.models import PtgTeam
from tests.conftest import csrf_token_from
from tests.ptg.builders import make_event, make_team

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLE = FIXTURES / "openinfra-live-sample.md"
TEAM_LIST = FIXTURES / "ptg-team-list.txt"
PAGE = "/moderation/imports/"


@pytest.fixture
def admin(client, login_as):
    return login_as(client, email="admin@example.org", role=ROLE_ADMIN)


@pytest.fixture
def event(app):
    with app.app_context():
        event = make_event("march-2023", "PTG March 2023", date(2023, 3, 6), date(2023, 3, 10))
        make_team(event, "Aardvark")
        db.session.commit()
        return event.id


def _upload(client, url: str, field: str, content: bytes, name: str = "file.md", **data):
    token = csrf_token_from(client.get(PAGE).get_data(as_text=True))
    payload = {"csrf_token": token, field: (io.BytesIO(content), name), **data}
    return client.post(url, data=payload, content_type="multipart/form-data")


def _import_content(client, content: bytes, name: str = "openinfra-live.md"):
    return _upload(client, "/moderation/imports/episodes", "content_file", content, name)


def _import_teams(client, content: bytes, event: str = "march-2023"):
    return _upload(
        client, "/moderation/imports/ptg-teams", "team_file", content, "teams.txt", event=event
    )


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_the_page_offers_both_uploads(client, admin, event):
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in text
    assert "PTG March 2023" in text


def test_a_moderator_who_is_not_an_admin_cannot_import(app, client, login_as):
    login_as(client)
    assert client.get(PAGE).status_code == 403
    token = csrf_token_from(client.get("/moderation/audit").get_data(as_text=True))
    data = {"csrf_token": token, "content_file": (io.BytesIO(SAMPLE.read_bytes()), "a.md")}
    response = client.post(
        "/moderation/imports/episodes", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 403
    assert _count(app, Episode) == 0


def test_a_content_file_is_imported_with_the_commands_report(app, client, admin, runner):
    response = _import_content(client, SAMPLE.read_bytes())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "5 entries: 5 created, 0 updated, 0 unchanged, 0 skipped" in page
    assert "created: 2022-03-10-keeping-clouds-current-the-follow-up" in page
    assert _count(app, Episode) == 5
    again = _import_content(client, SAMPLE.read_bytes()).get_data(as_text=True)
    assert "0 created, 0 updated, 5 unchanged" in again
    # The very report the command prints for the same file and database.
    command = runner.invoke(args=["import-episodes", str(SAMPLE)])
    assert command.output.strip().splitlines()[-1] in again
    with app.app_context():
        entry = db.session.scalar(
            db.select(AuditEntry).where(AuditEntry.action == "episodes_imported")
        )
        assert entry.actor_label == "admin@example.org"
        assert "5 created" in entry.detail["summary"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe not utf-8 \xc3\x28", "not UTF-8 text"),
        (b"episodes: [\x00]", "not a text file"),
        (b"---\ntitle: no episodes here\n---\nText.", "episodes"),
        (b"episodes: [unclosed", "YAML"),
    ],
    ids=["not-utf8", "nul-bytes", "no-episodes-list", "broken-yaml"],
)
def test_a_bad_content_file_is_refused_and_changes_nothing(app, client, admin, content, message):
    _import_content(client, SAMPLE.read_bytes())
    with app.app_context():
        before = sorted(db.session.scalars(db.select(Episode.slug)).all())
    response = _import_content(client, content)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert message.lower() in page.lower()
    with app.app_context():
        assert sorted(db.session.scalars(db.select(Episode.slug)).all()) == before


def test_no_file_is_a_clear_error(client, admin):
    token = csrf_token_from(client.get(PAGE).get_data(as_text=True))
    response = client.post(
        "/moderation/imports/episodes",
        data={"csrf_token": token},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Choose the content file to import." in response.get_data(as_text=True)


def test_a_file_over_the_size_limit_gets_413(app, client, admin):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = _import_content(client, b"episodes: []\n" + b"#" * 4096)
    assert response.status_code == 413
    assert _count(app, Episode) == 0


def test_a_team_list_is_imported_with_the_commands_report(app, client, admin, event):
    response = _import_teams(client, TEAM_LIST.read_bytes())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "teams created" in page and "already present" in page
    assert "already present: Aardvark" in page
    with app.app_context():
        teams = db.session.scalars(db.select(PtgTeam).filter_by(event_id=event)).all()
        assert len(teams) > 1
        assert {team.status for team in teams} == {"approved"}
    assert "ptg_teams_imported" in [action for action in _audit_actions(app)]


def _audit_actions(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(db.select(AuditEntry.action)).all()


@pytest.mark.parametrize(
    ("content", "event_slug", "message"),
    [
        (b"\n  \n", "march-2023", "No team names found"),
        (b"\xff\xfe\x00N\x00o\x00v\x00a", "march-2023", "not a text file"),
        (b"Nova\nCinder\n", "no-such-event", "Not a valid choice"),
    ],
    ids=["empty", "utf16", "unknown-event"],
)
def test_a_bad_team_list_is_refused_and_changes_nothing(
    app, client, admin, event, content, event_slug, message
):
    response = _import_teams(client, content, event=event_slug)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(app, PtgTeam) == 1


def test_without_an_event_the_page_says_to_create_one(client, admin):
    page = client.get(PAGE).get_data(as_text=True)
    assert "There is no PTG event yet" in page
