"""Every moderator-only route, found in the URL map, refuses anonymous visitors.

The list is built from the application itself, so views added later are covered without
touching this file: any view carrying ``moderator_required`` is checked.
"""

from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, url_for
from sqlalchemy import select
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from openinfra_live import create_app
from openinfra_live.extensions import db
from tests.conftest import base_test_config, csrf_token_from, make_moderator

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Every placeholder of a URL gets one of these; the seeded rows below answer to them.
INT_VALUE = 1
TEXT_VALUE = "x"


def _route_table() -> list[tuple[str, str, Rule]]:
    """(method, endpoint, rule) for every moderator-only view, read from a throwaway app."""
    app = create_app(base_test_config("sqlite://"))
    table = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not getattr(view, "moderator_only", False):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            table.append((method, rule.endpoint, rule))
    return table


ROUTES = _route_table()
GET_ROUTES = [(endpoint, rule) for method, endpoint, rule in ROUTES if method == "GET"]
WRITE_ROUTES = [(m, endpoint, rule) for m, endpoint, rule in ROUTES if m in WRITE_METHODS]


def _values(rule: Rule) -> dict:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = INT_VALUE
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = TEXT_VALUE
    return values


def _url(app: Flask, endpoint: str, rule: Rule) -> str:
    with app.test_request_context():
        return url_for(endpoint, **_values(rule))


def _seed(app: Flask) -> None:
    """One row of each kind a moderator acts on, with the ids and slugs the URLs use."""
    from openinfra_live.episodes.models import Episode
    from openinfra_live.proposals.models import Proposal
    from openinfra_live.ptg.models import PtgEvent, PtgSession, PtgTeam, Room

    with app.app_context():
        make_moderator("someone@example.org")
        starts = datetime(2030, 1, 3, 14, 0, tzinfo=UTC)
        db.session.add(
            PtgEvent(
                id=1,
                slug=TEXT_VALUE,
                name="PTG",
                starts_on=date(2030, 1, 1),
                ends_on=date(2030, 1, 4),
            )
        )
        db.session.add_all(
            [
                Proposal(
                    id=1,
                    title="An idea",
                    submitter_name="Sam",
                    submitter_email="sam@example.org",
                    token_hash="a" * 64,
                ),
                Episode(id=1, slug=TEXT_VALUE, title="An episode", starts_at=starts),
                Room(id=1, event_id=1, name="Room"),
                PtgTeam(id=1, event_id=1, name="Nova", name_key="nova"),
            ]
        )
        db.session.flush()
        db.session.add(
            PtgSession(id=1, event_id=1, team_id=1, room_id=1, starts_at=starts, ends_at=starts)
        )
        db.session.commit()


def _snapshot(app: Flask) -> dict[str, list[str]]:
    """Every row of every table but the audit log (refused requests may be logged)."""
    with app.app_context():
        tables = {}
        for table in db.metadata.sorted_tables:
            if table.name == "audit_log":
                continue
            rows = db.session.execute(select(table)).all()
            tables[table.name] = sorted(repr(tuple(row)) for row in rows)
        db.session.remove()
        return tables


def _audit_actions(app: Flask) -> list[str]:
    from openinfra_live.audit import AuditEntry

    with app.app_context():
        return db.session.scalars(select(AuditEntry.action)).all()


def test_the_route_table_finds_the_moderation_views():
    endpoints = {endpoint for _, endpoint, _ in ROUTES}
    assert "moderation.audit_log" in endpoints


def test_every_moderation_url_is_moderator_only(app):
    unguarded = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/moderation")
        and not getattr(app.view_functions[rule.endpoint], "moderator_only", False)
    ]
    assert unguarded == []


@pytest.mark.parametrize(("endpoint", "rule"), GET_ROUTES, ids=[e for e, _ in GET_ROUTES])
def test_anonymous_get_is_sent_to_sign_in_with_the_page_as_next(app, client, endpoint, rule):
    _seed(app)
    url = _url(app, endpoint, rule)
    response = client.get(url)
    assert response.status_code == 302, url
    location = urlsplit(response.headers["Location"])
    assert not location.netloc
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": [url]}


@pytest.mark.parametrize(
    ("method", "endpoint", "rule"), WRITE_ROUTES, ids=[f"{m} {e}" for m, e, _ in WRITE_ROUTES]
)
def test_anonymous_write_changes_nothing(app, client, method, endpoint, rule):
    _seed(app)
    url = _url(app, endpoint, rule)
    before = _snapshot(app)
    # A valid CSRF token of the visitor's own session: only the permission check stands.
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    form = {
        "csrf_token": token,
        "message": "approved by nobody",
        "status": "approved",
        "title": "changed",
        "public": "y",
        "confirm": "y",
    }
    with_token = client.open(url, method=method, data=form)
    assert with_token.status_code in (302, 401, 403), url
    if with_token.status_code == 302:
        assert urlsplit(with_token.headers["Location"]).path == "/login"
    without_token = client.open(url, method=method, data={**form, "csrf_token": ""})
    assert without_token.status_code in (302, 400, 401, 403), url
    assert _snapshot(app) == before
    assert set(_audit_actions(app)) <= {"csrf_failure"}
