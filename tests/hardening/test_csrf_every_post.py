"""Every POST rule of the site, public and moderator, without a CSRF token (RELIABILITY 6).

The rules come from the URL map, so views added later are covered. The visitor is a signed-in
moderator, so no permission check can answer first: only the CSRF check refuses, with 400
and the page that asks to submit again, and nothing is written but one audit entry.
"""

import pytest
from flask import url_for

from openinfra_live import create_app
from tests.auth.test_moderator_routes import _audit_actions, _seed, _snapshot, _values
from tests.conftest import base_test_config


def _post_rules() -> list[tuple[str, object]]:
    app = create_app(base_test_config("sqlite://"))
    return sorted(
        ((rule.endpoint, rule) for rule in app.url_map.iter_rules() if "POST" in rule.methods),
        key=lambda item: item[0],
    )


POST_RULES = _post_rules()


def test_the_rule_table_has_public_and_moderator_posts():
    endpoints = {endpoint for endpoint, _ in POST_RULES}
    assert {"proposals.propose", "ptg.register", "auth.login", "auth.logout"} <= endpoints
    assert {"moderation.approve", "moderation.decline", "preferences.timezone"} <= endpoints


@pytest.mark.parametrize(("endpoint", "rule"), POST_RULES, ids=[e for e, _ in POST_RULES])
def test_a_post_without_csrf_token_is_refused_and_writes_nothing(
    app, client, login_as, endpoint, rule
):
    _seed(app)
    login_as(client)
    with app.test_request_context():
        url = url_for(endpoint, **_values(rule))
    before = _snapshot(app)
    form = {"title": "changed", "message": "no token", "status": "approved", "name": "x"}

    response = client.post(url, data=form)

    assert response.status_code == 400, url
    assert "Please submit the form again" in response.get_data(as_text=True)
    assert _snapshot(app) == before
    assert _audit_actions(app) == ["csrf_failure"]
