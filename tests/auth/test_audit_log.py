"""The audit log page and the structured log line written with every entry."""

import json
import logging
from datetime import UTC, datetime, timedelta

from openinfra_live import audit
from openinfra_live.audit import AuditEntry
from openinfra_live.extensions import db
from openinfra_live.moderation.audit import action_label
from tests.auth.conftest import sign_in

AUDIT_URL = "/moderation/audit"


def _add_entries(app, count: int, action: str = "proposal_approved", start=None) -> None:
    start = start or datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    with app.app_context():
        for number in range(count):
            db.session.add(
                AuditEntry(
                    created_at=start + timedelta(minutes=number),
                    actor_label="someone@example.org",
                    action=action,
                    object_type="proposal",
                    object_id=str(number),
                    ip="192.0.2.1",
                )
            )
        db.session.commit()


def test_sign_in_failures_lockout_and_sign_out_appear_on_the_page(app, client, moderator):
    for _ in range(5):
        sign_in(client, email="Intruder@Example.org", password="guessing 1234 now")
    sign_in(client)
    page = client.get(AUDIT_URL)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for action in ("login_failure", "login_lockout", "login_success"):
        assert f'<td data-label="Action">{action_label(action)}</td>' in html
    assert "intruder@example.org" in html
    assert "guessing 1234 now" not in html
    # Newest first: the sign-in comes before the failures.
    assert html.index(">Login success</td>") < html.index(">Login failure</td>")


def test_the_audit_page_is_never_cached(client, moderator):
    sign_in(client)
    response = client.get(AUDIT_URL)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_audit_page_filters_by_action(app, client, moderator):
    _add_entries(app, 3, action="episode_hidden")
    sign_in(client)
    html = client.get(AUDIT_URL + "?action=episode_hidden").get_data(as_text=True)
    assert html.count('<td data-label="Action">Episode hidden</td>') == 3
    assert ">Login success</td>" not in html
    assert '<option value="episode_hidden" selected>' in html


def test_the_audit_page_is_paginated_newest_first(app, client, moderator):
    _add_entries(app, 120)
    sign_in(client)
    first = client.get(AUDIT_URL + "?action=proposal_approved").get_data(as_text=True)
    assert "#119" in first and "#70" in first and "#69" not in first
    assert "page=2" in first
    second = client.get(AUDIT_URL + "?action=proposal_approved&page=2").get_data(as_text=True)
    assert "#69" in second and "#20" in second and "#19" not in second
    third = client.get(AUDIT_URL + "?action=proposal_approved&page=3").get_data(as_text=True)
    assert "Proposal #0</td>" in third
    assert client.get(AUDIT_URL + "?page=9").status_code == 404
    assert client.get(AUDIT_URL + "?page=0").status_code == 404


def test_the_audit_log_cannot_be_changed_from_the_site(app, client, moderator):
    sign_in(client)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint == "moderation.audit_log"]
    assert [sorted(r.methods - {"HEAD", "OPTIONS"}) for r in rules] == [["GET"]]
    assert not [r for r in app.url_map.iter_rules() if r.rule.startswith("/moderation/audit/")]
    token_page = client.get(AUDIT_URL).get_data(as_text=True)
    # The page's own content offers no form (the footer's language chooser is every page's).
    assert 'method="post"' not in token_page.split("<main", 1)[1].split("</main>", 1)[0]


def test_entries_show_what_was_typed_escaped(app, client, moderator):
    sign_in(client, email="<script>alert(1)</script>@x.org", password="whatever it is 1")
    sign_in(client)
    html = client.get(AUDIT_URL).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;@x.org" in html


def test_each_entry_is_one_json_log_line_even_with_newlines_in_it(app, caplog):
    title = "Innocent title\n[ERROR] fake line injected"
    with app.test_request_context(), caplog.at_level(logging.INFO, logger="openinfra_live.audit"):
        audit.record(
            "proposal_approved",
            object_type="proposal",
            object_id=7,
            detail={"title": title},
        )
        db.session.rollback()
    records = [r for r in caplog.records if r.name == "openinfra_live.audit"]
    assert len(records) == 1
    line = records[0].getMessage()
    assert "\n" not in line and "\r" not in line
    data = json.loads(line)
    assert data["detail"]["title"] == title
    assert data["action"] == "proposal_approved"
    assert data["object_id"] == "7"
    assert data["time"].endswith("+00:00")


def test_a_failed_sign_in_writes_a_log_line_without_the_password(app, client, caplog):
    with caplog.at_level(logging.INFO, logger="openinfra_live.audit"):
        sign_in(client, email="who@example.org", password="my secret attempt 99")
    lines = [r.getMessage() for r in caplog.records if r.name == "openinfra_live.audit"]
    assert len(lines) == 1
    assert json.loads(lines[0])["actor"] == "who@example.org"
    assert "my secret attempt 99" not in caplog.text
