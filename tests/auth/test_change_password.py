"""A signed-in moderator changes their own password: the current one is asked for, the other
sessions end, this one stays signed in."""

from openinfra_live.audit import AuditEntry
from openinfra_live.auth.models import User
from openinfra_live.extensions import db
from tests.auth.conftest import WRONG_CURRENT, is_sent_to_sign_in, send_form, sign_in
from tests.conftest import MODERATOR_PASSWORD

NEW_PASSWORD = "another good pass phrase 31"
PAGE = "/account/password"
PROTECTED = "/moderation/audit"


def _change(client, current: str = MODERATOR_PASSWORD, new: str = NEW_PASSWORD, again=None):
    data = {"current_password": current, "password": new, "confirm_password": again or new}
    return send_form(client, PAGE, data)


def test_the_page_is_for_signed_in_moderators_only(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_a_change_keeps_this_session_and_ends_the_others(app, client, moderator):
    elsewhere = app.test_client()
    assert sign_in(client).status_code == 303
    assert sign_in(elsewhere).status_code == 303
    response = _change(client)
    assert response.status_code == 303
    assert response.headers["Location"] == PAGE
    assert "Your password is changed" in client.get(PAGE).get_data(as_text=True)
    assert client.get(PROTECTED).status_code == 200
    assert is_sent_to_sign_in(elsewhere.get(PROTECTED))
    assert sign_in(app.test_client(), password=NEW_PASSWORD).status_code == 303
    assert sign_in(app.test_client()).status_code == 200
    with app.app_context():
        assert db.session.get(User, moderator).session_version == 2
        actions = db.session.scalars(db.select(AuditEntry.action)).all()
        assert "password_changed" in actions


def test_a_wrong_current_password_changes_nothing(app, client, moderator):
    sign_in(client)
    response = _change(client, current=WRONG_CURRENT)
    assert response.status_code == 422
    assert "current password is not right" in response.get_data(as_text=True)
    assert sign_in(app.test_client()).status_code == 303
    with app.app_context():
        assert db.session.get(User, moderator).session_version == 1


def test_wrong_current_passwords_count_towards_the_sign_in_throttle(app, client, moderator):
    sign_in(client)
    for _ in range(5):
        assert _change(client, current=WRONG_CURRENT).status_code == 422
    assert _change(client).status_code == 429


def test_a_weak_or_mismatched_new_password_is_refused(app, client, moderator):
    sign_in(client)
    weak = _change(client, new="leavemealone")
    assert weak.status_code == 422
    assert "too common" in weak.get_data(as_text=True)
    mismatch = _change(client, again=NEW_PASSWORD + "?")
    assert mismatch.status_code == 422
    assert sign_in(app.test_client()).status_code == 303


def test_a_csrf_failure_never_echoes_the_passwords(app, client, moderator):
    sign_in(client)
    data = {"current_password": MODERATOR_PASSWORD, "password": NEW_PASSWORD}
    response = client.post(PAGE, data={**data, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert MODERATOR_PASSWORD not in page and NEW_PASSWORD not in page
