"""Rate limits guard submissions only: reading a page is never limited, and the limiter skips
reading requests without looking their route up (``extensions.reading_is_never_limited``).

That shortcut is safe only while no limit applies to a reading method, which the first test
holds every limited route of the app to.
"""

import pytest
from flask_limiter.util import get_qualified_name

from openinfra_live.extensions import READING_METHODS, limiter
from tests.conftest import csrf_token_from
from tests.hardening.support import PROPOSAL


def limited_routes(app) -> list[tuple[str, set[str], list]]:
    """Every route with limits: its rule, the methods its view answers, the view's limits."""
    found = []
    with app.test_request_context("/"):
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            limits = limiter.limit_manager.decorated_limits(get_qualified_name(view))
            methods = set(rule.methods or ())
            if getattr(rule, "provide_automatic_options", False):
                methods.discard("OPTIONS")  # Flask answers it, the view never runs
            if limits:
                found.append((rule.rule, methods, limits))
    return found


def test_every_limit_applies_to_submissions_only(app):
    routes = limited_routes(app)

    # The forms that take submissions from anyone, and sign-in.
    assert {"/propose", "/login", "/ptg/<event>/register"} <= {rule for rule, _, _ in routes}
    for rule, methods, limits in routes:
        for limit in limits:
            limited = {m.upper() for m in limit.methods} if limit.methods else methods
            assert limited, rule
            assert not limited & READING_METHODS, (rule, limited)


def test_reading_a_form_is_never_limited_while_posting_it_is(app, client):
    app.config["RATELIMIT_PUBLIC_FORMS"] = "2 per minute"
    statuses = []
    for n in range(3):
        page = client.get("/propose")
        data = {**PROPOSAL, "title": f"Proposal number {n}"}
        data["csrf_token"] = csrf_token_from(page.get_data(as_text=True))
        statuses.append((page.status_code, client.post("/propose", data=data).status_code))

    assert statuses == [(200, 303), (200, 303), (200, 429)]
    assert [client.get("/propose").status_code for _ in range(5)] == [200] * 5
    assert client.head("/propose").status_code == 200


@pytest.mark.parametrize("method", sorted(READING_METHODS))
def test_the_filter_lets_reading_methods_through_and_nothing_else(app, method):
    with app.test_request_context("/propose", method=method):
        assert limiter._request_filters and all(f() for f in limiter._request_filters)
    with app.test_request_context("/propose", method="POST"):
        assert not any(f() for f in limiter._request_filters)
