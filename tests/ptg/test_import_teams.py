"""``flask import-ptg-teams``: a published team list becomes approved teams, duplicates merged."""

from datetime import date
from pathlib import Path

import pytest

from openinfra_live.extensions import db
from openinfra_live.ptg.models import PtgTeam
from openinfra_live.ptg.teamlist import guess_team_kind, parse_team_list, team_name_key
from tests.ptg.builders import make_event, make_team

TEAM_LIST = Path(__file__).resolve().parent.parent / "fixtures" / "ptg-team-list.txt"


@pytest.fixture
def event(app):
    with app.app_context():
        event = make_event("march-2023", "PTG March 2023", date(2023, 3, 6), date(2023, 3, 10))
        db.session.commit()
        return event.id


def teams_of(app, event_id: int) -> dict[str, PtgTeam]:
    with app.app_context():
        teams = db.session.scalars(db.select(PtgTeam).filter_by(event_id=event_id)).all()
        for team in teams:
            db.session.expunge(team)
        return {team.name: team for team in teams}


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Nova", "nova"),
        ("  OpenStack   Helm ", "openstackhelm"),
        ("OpenStack-Helm", "openstackhelm"),
        ("Openstack-Ansible", "openstackansible"),
        ("OpenStack SDK/CLI", "openstacksdkcli"),
        ("D&I WG", "d&iwg"),
        ("Stra\u00dfe", "strasse"),
        ("---", "---"),
    ],
)
def test_team_names_compare_without_case_spaces_or_separators(name, key):
    assert team_name_key(name) == key


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("First Contact SIG", "sig"),
        ("OpenStack Security SIG", "sig"),
        ("Interop WG", "working_group"),
        ("Environmental Sustainability Working Group", "working_group"),
        ("Computing Force Network (CFN) Working Group", "working_group"),
        ("Nova/Placement", "project_team"),
        ("Signal Processing", "project_team"),  # "SIG" only as a word
    ],
)
def test_team_kind_is_guessed_from_the_name(name, kind):
    assert guess_team_kind(name) == kind


def test_only_bulleted_lines_are_names_when_the_list_has_bullets():
    text = "Intro prose.\n\n  • Nova\n\n* Neutron  \n- Ironic\n  -   Swift \nClosing prose.\n"

    assert parse_team_list(text) == ["Nova", "Neutron", "Ironic", "Swift"]


def test_control_characters_in_a_name_become_spaces():
    assert parse_team_list("• Nova\x00Placement\x7f\n") == ["Nova Placement"]


def test_every_non_blank_line_is_a_name_without_bullets():
    assert parse_team_list("Nova\r\n\r\n  Neutron\n\t\nIronic") == ["Nova", "Neutron", "Ironic"]


def test_import_creates_approved_teams_and_merges_duplicates(app, runner, event):
    result = runner.invoke(args=["import-ptg-teams", "march-2023", str(TEAM_LIST)])

    assert result.exit_code == 0, result.output
    assert "6 teams created, 0 already present, 3 duplicate lines merged" in result.output
    assert "merged: Eagle Eye → Eagle-Eye" in result.output
    teams = teams_of(app, event)
    assert {name: team.kind for name, team in teams.items()} == {
        "Aardvark": "project_team",
        "Badger SIG": "sig",
        "Coyote Working Group": "working_group",
        "Data & Insight WG": "working_group",
        "Eagle-Eye": "project_team",
        "Ferret/Placement": "project_team",
    }
    assert {team.status for team in teams.values()} == {"approved"}
    assert teams["Badger SIG"].name_key == "badgersig"


def test_importing_the_list_again_adds_nothing(app, runner, event):
    runner.invoke(args=["import-ptg-teams", "march-2023", str(TEAM_LIST)])

    result = runner.invoke(args=["import-ptg-teams", "march-2023", str(TEAM_LIST)])

    assert result.exit_code == 0, result.output
    assert "0 teams created, 6 already present" in result.output
    assert len(teams_of(app, event)) == 6


def test_a_pending_registration_of_a_listed_team_is_kept_as_it_is(app, runner, event, tmp_path):
    with app.app_context():
        db.session.add(
            PtgTeam(event_id=event, name="aardvark", name_key="aardvark", status="pending")
        )
        db.session.add(
            PtgTeam(event_id=event, name="Badger SIG", name_key="badgersig", status="withdrawn")
        )
        db.session.commit()
    path = tmp_path / "list.txt"
    path.write_text("Aardvark\nBadger SIG\n")

    result = runner.invoke(args=["import-ptg-teams", "march-2023", str(path)])

    assert "already present: aardvark (waiting for review)" in result.output
    assert "1 teams created, 1 already present" in result.output
    with app.app_context():
        rows = db.session.execute(
            db.select(PtgTeam.name, PtgTeam.status).filter_by(event_id=event).order_by(PtgTeam.id)
        ).all()
    # A withdrawn registration does not hold the name: the listed team is added again.
    assert [tuple(row) for row in rows] == [
        ("aardvark", "pending"),
        ("Badger SIG", "withdrawn"),
        ("Badger SIG", "approved"),
    ]


def test_teams_of_another_event_do_not_count(app, runner, event, tmp_path):
    with app.app_context():
        other = make_event("october-2022", "Oct", date(2022, 10, 17), date(2022, 10, 21))
        make_team(other, "Aardvark")
        db.session.commit()
    path = tmp_path / "list.txt"
    path.write_text("• Aardvark\n")

    result = runner.invoke(args=["import-ptg-teams", "march-2023", str(path)])

    assert "1 teams created" in result.output
    assert list(teams_of(app, event)) == ["Aardvark"]


def test_an_unknown_event_is_refused_with_the_known_ones(app, runner, event):
    result = runner.invoke(args=["import-ptg-teams", "nope", str(TEAM_LIST)])

    assert result.exit_code != 0
    assert "no PTG event 'nope'; known events: march-2023" in result.output


def test_a_file_without_names_is_refused(app, runner, event, tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("\n   \n")

    result = runner.invoke(args=["import-ptg-teams", "march-2023", str(path)])

    assert result.exit_code != 0
    assert "no team names found" in result.output


def test_the_published_october_2022_list(app, runner, event, shared_data):
    result = runner.invoke(
        args=["import-ptg-teams", "march-2023", str(shared_data / "ptg-october-2022.txt")]
    )

    assert result.exit_code == 0, result.output
    teams = teams_of(app, event)
    # 44 lines; "OpenStack Helm" and "OpenStack-Helm" are one team.
    assert len(teams) == 43
    assert "merged: OpenStack-Helm → OpenStack Helm" in result.output
    assert teams["First Contact SIG"].kind == "sig"
    assert teams["D&I WG"].kind == "working_group"
    assert teams["Nova/Placement"].kind == "project_team"
    assert "Who Should Attend" not in teams
