"""Signing out, cookie replay, deactivation and password changes end sessions for real."""

from openinfra_live.audit import AuditEntry
from openinfra_live.auth import services
from openinfra_live.auth.models import User
from openinfra_live.extensions import db
from tests.auth.conftest import MODERATOR_EMAIL, sign_in
from tests.conftest import csrf_token_from, make_moderator

PROTECTED = "/moderation/audit"


def _session_cookie(client) -> str:
    cookie = client.get_cookie("session", domain="live.test")
    assert cookie is not None
    return cookie.value


def _sign_out(client):
    page = client.get(PROTECTED)
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post("/logout", data={"csrf_token": token})


def _is_sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login?")


def test_sign_out_ends_the_session_and_goes_home(client, moderator):
    sign_in(client)
    assert client.get(PROTECTED).status_code == 200
    response = _sign_out(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert _is_sent_to_sign_in(client.get(PROTECTED))
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_a_cookie_saved_before_sign_out_is_anonymous_when_replayed(app, client, moderator):
    sign_in(client)
    saved = _session_cookie(client)
    _sign_out(client)
    replay = app.test_client()
    replay.set_cookie("session", saved, domain="live.test")
    assert _is_sent_to_sign_in(replay.get(PROTECTED))
    with app.app_context():
        assert db.session.get(User, moderator).session_version == 2


def test_sign_out_by_get_is_not_allowed_and_keeps_the_session(client, moderator):
    sign_in(client)
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert client.get(PROTECTED).status_code == 200


def test_sign_out_without_csrf_token_keeps_the_session(app, client, moderator):
    sign_in(client)
    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get(PROTECTED).status_code == 200
    with app.app_context():
        assert db.session.get(User, moderator).session_version == 1


def test_sign_out_is_audited(app, client, moderator):
    sign_in(client)
    _sign_out(client)
    with app.app_context():
        actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["login_success", "logout"]


def test_a_moderator_deactivated_mid_session_loses_access_on_the_next_request(
    app, client, moderator
):
    sign_in(client)
    assert client.get(PROTECTED).status_code == 200
    with app.app_context():
        services.deactivate_user(MODERATOR_EMAIL)
        db.session.commit()
    assert _is_sent_to_sign_in(client.get(PROTECTED))


def test_a_deactivated_user_is_refused_even_with_its_old_cookie_version(app, client, moderator):
    """The loader refuses inactive accounts even if the version were not bumped."""
    sign_in(client)
    with app.app_context():
        user = db.session.get(User, moderator)
        user.active = False
        db.session.commit()
    assert _is_sent_to_sign_in(client.get(PROTECTED))


def test_a_signed_in_non_moderator_is_forbidden(app, client):
    with app.app_context():
        make_moderator("reader@example.org", role="reader")
    assert sign_in(client, email="reader@example.org").status_code == 303
    assert client.get(PROTECTED).status_code == 403


def test_a_password_change_ends_other_sessions(app, client, moderator):
    sign_in(client)
    with app.app_context():
        services.set_password(MODERATOR_EMAIL, "a brand new pass phrase 7")
        db.session.commit()
    assert _is_sent_to_sign_in(client.get(PROTECTED))
    fresh = app.test_client()
    assert sign_in(fresh, password="a brand new pass phrase 7").status_code == 303
    assert fresh.get(PROTECTED).status_code == 200
