"""Moderators and admins; the first account is an admin; the last active admin stays one.

The last-admin rule is kept by the database: a check read earlier in Python would let two
admins demote each other at the same moment, or act on a stale copy of the accounts.
"""

import threading
import time

import pytest

from openinfra_live.auth import accounts, services
from openinfra_live.auth.accounts import LastAdminError
from openinfra_live.auth.models import ROLE_ADMIN, ROLE_MODERATOR, User
from openinfra_live.extensions import db
from tests.conftest import make_moderator

GOOD_PASSWORD = "mauve tractor under 9 clouds"


def _role(app, email: str) -> tuple[str, bool]:
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email=email))
        return user.role, user.active


def _admins(app) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(db.func.count())
            .select_from(User)
            .where(User.role == ROLE_ADMIN, User.active.is_(True))
        )


def _create(runner, email: str, *extra: str):
    return runner.invoke(
        args=["create-moderator", email, "--password-stdin", *extra], input=GOOD_PASSWORD + "\n"
    )


def test_the_first_account_is_an_admin_and_the_next_ones_moderators(app, runner):
    first = _create(runner, "first@example.org")
    assert first.exit_code == 0, first.output
    assert "Admin first@example.org created." in first.output
    assert _create(runner, "second@example.org").exit_code == 0
    assert _role(app, "first@example.org") == (ROLE_ADMIN, True)
    assert _role(app, "second@example.org") == (ROLE_MODERATOR, True)


def test_admin_flag_makes_another_admin(app, runner):
    _create(runner, "first@example.org")
    result = _create(runner, "third@example.org", "--admin")
    assert result.exit_code == 0, result.output
    assert _role(app, "third@example.org") == (ROLE_ADMIN, True)


def test_admins_and_moderators_both_moderate_only_admins_manage(app):
    with app.app_context():
        admin = make_moderator("a@example.org", role=ROLE_ADMIN)
        moderator = make_moderator("m@example.org")
        assert admin.is_moderator and admin.is_admin
        assert moderator.is_moderator and not moderator.is_admin
        admin.active = False
        assert not admin.is_moderator and not admin.is_admin


@pytest.fixture
def two_admins(app):
    with app.app_context():
        return make_moderator("a@example.org", role=ROLE_ADMIN).id, make_moderator(
            "b@example.org", role=ROLE_ADMIN
        ).id


def test_the_last_admin_cannot_be_deactivated_or_demoted(app):
    with app.app_context():
        admin = make_moderator("a@example.org", role=ROLE_ADMIN)
        with pytest.raises(LastAdminError, match="last active admin"):
            accounts.deactivate(admin, actor=admin)
        db.session.rollback()
        with pytest.raises(LastAdminError, match="last active admin"):
            accounts.change_role(admin, ROLE_MODERATOR, actor=admin)
        db.session.rollback()
    assert _role(app, "a@example.org") == (ROLE_ADMIN, True)


def test_an_admin_may_go_while_another_active_admin_remains(app, two_admins):
    with app.app_context():
        first, second = (db.session.get(User, pk) for pk in two_admins)
        accounts.change_role(first, ROLE_MODERATOR, actor=second)
        db.session.commit()
        with pytest.raises(LastAdminError):
            accounts.deactivate(second, actor=second)
        db.session.rollback()
    assert _role(app, "a@example.org") == (ROLE_MODERATOR, True)
    assert _admins(app) == 1


def test_a_deactivated_admin_does_not_count(app, two_admins):
    with app.app_context():
        first, second = (db.session.get(User, pk) for pk in two_admins)
        accounts.deactivate(first, actor=second)
        db.session.commit()
        with pytest.raises(LastAdminError):
            accounts.change_role(second, ROLE_MODERATOR, actor=second)


def test_the_rule_does_not_trust_a_stale_copy_of_the_accounts(app, two_admins):
    """This session read both admins; another one demotes the second meanwhile."""
    with app.app_context():
        first, second = (db.session.get(User, pk) for pk in two_admins)
        assert second.is_admin  # read, and kept in this session's identity map
        with app.app_context():
            other = db.session.get(User, two_admins[1])
            accounts.change_role(other, ROLE_MODERATOR, actor=other)
            db.session.commit()
            db.session.remove()
        with pytest.raises(LastAdminError):
            accounts.deactivate(first, actor=first)
        db.session.rollback()
    assert _admins(app) == 1


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, two_admins):
    """The first holds its change uncommitted while the second tries; the second must wait
    for it and then be refused (a count read before the first commits would say 2)."""
    first_done = threading.Event()
    outcome: dict[str, object] = {}

    def demote(target: int, name: str, hold: float) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, target)
                accounts.change_role(user, ROLE_MODERATOR, actor=user)
                if hold:
                    first_done.set()
                    time.sleep(hold)
                db.session.commit()
                outcome[name] = "demoted"
            except LastAdminError:
                db.session.rollback()
                outcome[name] = "refused"
            finally:
                first_done.set()
                db.session.remove()

    first = threading.Thread(target=demote, args=(two_admins[1], "first", 0.5))
    first.start()
    assert first_done.wait(10)
    second = threading.Thread(target=demote, args=(two_admins[0], "second", 0))
    second.start()
    first.join(20)
    second.join(20)
    assert outcome == {"first": "demoted", "second": "refused"}
    assert _admins(app) == 1


def test_deactivate_user_command_keeps_the_last_admin(app, runner):
    _create(runner, "first@example.org")
    result = runner.invoke(args=["deactivate-user", "first@example.org"])
    assert result.exit_code != 0
    assert "last active admin" in result.output
    assert _role(app, "first@example.org") == (ROLE_ADMIN, True)


def test_a_deactivated_user_cannot_sign_in(app, client):
    from tests.auth.conftest import sign_in

    with app.app_context():
        make_moderator("a@example.org", role=ROLE_ADMIN)
        make_moderator()
        services.deactivate_user("mod@example.org")
        db.session.commit()
    assert sign_in(client).status_code == 200
    with client.session_transaction() as session:
        assert "_user_id" not in session


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrading_makes_the_oldest_active_moderator_the_admin(backend, request, tmp_path):
    """A site of an earlier revision has moderators only; someone must manage the accounts.
    The downgrade turns admins back into moderators, and the upgrade chooses again."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from tests.test_migrations import migrated_app_on

    app = migrated_app_on(backend, "roles_upgrade", request, tmp_path)
    with app.app_context():
        downgrade(revision="0009")
        insert = text(
            "INSERT INTO users (email, display_name, password_hash, role, active,"
            " session_version, created_at) VALUES (:email, '', 'x', 'moderator', :active, 1,"
            " :created)"
        )
        for email, active, created in [
            ("gone@example.org", False, "2020-01-01 00:00:00"),
            ("oldest@example.org", True, "2021-01-01 00:00:00"),
            ("newer@example.org", True, "2022-01-01 00:00:00"),
        ]:
            db.session.execute(insert, {"email": email, "active": active, "created": created})
        db.session.commit()
        upgrade()
        roles = dict(db.session.execute(text("SELECT email, role FROM users")).all())
        assert roles == {
            "gone@example.org": ROLE_MODERATOR,
            "oldest@example.org": ROLE_ADMIN,
            "newer@example.org": ROLE_MODERATOR,
        }
        db.session.commit()  # a transaction left open would hold the migration's locks up
        downgrade(revision="0009")
        assert set(db.session.scalars(text("SELECT role FROM users"))) == {ROLE_MODERATOR}
        db.session.commit()
        upgrade()
        db.session.remove()
        db.engine.dispose()
