"""Moderator accounts: the password rules, the CLI that creates and deactivates them."""

import pytest

from openinfra_live.audit import AuditEntry
from openinfra_live.auth import passwords, services
from openinfra_live.auth.models import User
from openinfra_live.extensions import db
from tests.auth.conftest import sign_in
from tests.conftest import build_migrated_app

GOOD_PASSWORD = "mauve tractor under 9 clouds"


def _user(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email=email))
        if user is not None:
            db.session.expunge(user)
        return user


# Password rules ------------------------------------------------------------------------------


def test_the_common_password_list_is_large():
    assert len(passwords.common_passwords()) >= 3000
    assert "password" in passwords.common_passwords()


@pytest.mark.parametrize(
    "password",
    ["qwerty123456", "QWERTY123456", "leavemealone", "1qaz2wsx3edc", "finalfantasy"],
)
def test_a_common_password_is_refused_even_when_long_enough(password):
    with pytest.raises(passwords.WeakPassword, match="too common"):
        passwords.check_strength(password)


@pytest.mark.parametrize("password", ["", "short", "elevenchars"])
def test_a_password_shorter_than_12_characters_is_refused(password):
    with pytest.raises(passwords.WeakPassword, match="at least 12"):
        passwords.check_strength(password)


def test_a_password_of_one_repeated_character_is_refused():
    with pytest.raises(passwords.WeakPassword):
        passwords.check_strength("aaaaaaaaaaaaaaaa")


def test_the_email_address_is_not_a_password():
    with pytest.raises(passwords.WeakPassword):
        passwords.check_strength("someone.long@example.org", email="someone.long@example.org")


def test_passwords_up_to_1024_characters_are_accepted_and_longer_ones_refused():
    passwords.check_strength("x1-" * 341 + "y")  # 1024 characters
    with pytest.raises(passwords.WeakPassword, match="at most 1024"):
        passwords.check_strength("x1-" * 341 + "yz")


def test_hashes_are_scrypt_and_salted():
    first, second = passwords.hash_password(GOOD_PASSWORD), passwords.hash_password(GOOD_PASSWORD)
    assert first.startswith("scrypt:")
    assert first != second
    assert passwords.verify_password(first, GOOD_PASSWORD)
    assert not passwords.verify_password(first, GOOD_PASSWORD + " ")


@pytest.mark.parametrize(
    "password",
    [
        "Tr0ub4dor&3-" * 5 + "abcd",  # 64 characters
        ("pâté-naïve-ÆØÅ-日本語のパスワード-😀-" * 8)[:200],  # 200 characters, not ASCII
    ],
    ids=["64-characters", "200-unicode-characters"],
)
def test_long_and_unicode_passwords_sign_in_without_truncation(app, client, password):
    with app.app_context():
        services.create_moderator("long@example.org", password)
        db.session.commit()
    # A prefix (what a 72-byte truncating hash would compare) must not be enough.
    assert sign_in(client, email="long@example.org", password=password[:-1]).status_code == 200
    assert sign_in(client, email="long@example.org", password=password[:50]).status_code == 200
    assert sign_in(client, email="long@example.org", password=password).status_code == 303


# The command line ----------------------------------------------------------------------------


def test_a_fresh_database_has_no_account(tmp_path):
    fresh = build_migrated_app(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    with fresh.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
        db.engine.dispose()


def test_create_moderator_reads_the_password_from_stdin(app, runner, client):
    result = runner.invoke(
        args=["create-moderator", " New.Mod@Example.org", "--name", "New Mod", "--password-stdin"],
        input=GOOD_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "new.mod@example.org" in result.output
    user = _user(app, "new.mod@example.org")
    assert user.display_name == "New Mod"
    assert user.active and user.is_moderator
    assert user.password_hash.startswith("scrypt:")
    assert GOOD_PASSWORD not in result.output
    assert sign_in(client, email="new.mod@example.org", password=GOOD_PASSWORD).status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(AuditEntry.action)) == "account_created"


def test_create_moderator_prompts_twice_for_the_password(app, runner):
    result = runner.invoke(
        args=["create-moderator", "prompted@example.org"],
        input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert _user(app, "prompted@example.org") is not None


def test_create_moderator_with_mismatched_prompts_creates_nothing(app, runner):
    result = runner.invoke(
        args=["create-moderator", "prompted@example.org"],
        input=f"{GOOD_PASSWORD}\nsomething else entirely\n",
    )
    assert result.exit_code != 0
    assert _user(app, "prompted@example.org") is None


@pytest.mark.parametrize(
    ("password", "message"),
    [("qwerty123456", "too common"), ("short", "at least 12"), ("", "at least 12")],
)
def test_create_moderator_refuses_a_weak_password(app, runner, password, message):
    result = runner.invoke(
        args=["create-moderator", "weak@example.org", "--password-stdin"], input=password + "\n"
    )
    assert result.exit_code != 0
    assert message in result.output
    assert _user(app, "weak@example.org") is None


def test_create_moderator_refuses_a_duplicate_whatever_its_case(app, runner):
    args = ["create-moderator", "dup@example.org", "--password-stdin"]
    assert runner.invoke(args=args, input=GOOD_PASSWORD + "\n").exit_code == 0
    again = runner.invoke(
        args=["create-moderator", "DUP@example.org", "--password-stdin"],
        input="another fine pass phrase\n",
    )
    assert again.exit_code != 0
    assert "exists already" in again.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_create_moderator_refuses_an_invalid_email(app, runner):
    result = runner.invoke(
        args=["create-moderator", "not-an-address", "--password-stdin"],
        input=GOOD_PASSWORD + "\n",
    )
    assert result.exit_code != 0
    assert "not a valid e-mail address" in result.output


def test_deactivate_user_ends_sessions_and_refuses_sign_in(app, runner, client, moderator):
    assert sign_in(client).status_code == 303
    result = runner.invoke(args=["deactivate-user", "mod@example.org"])
    assert result.exit_code == 0, result.output
    user = _user(app, "mod@example.org")
    assert not user.active
    assert user.session_version == 2
    assert client.get("/moderation/audit").status_code == 302
    assert sign_in(client).status_code == 200


def test_deactivate_user_of_an_unknown_address_fails(runner, app):
    result = runner.invoke(args=["deactivate-user", "nobody@example.org"])
    assert result.exit_code != 0
    assert "no account" in result.output


def test_set_password_changes_it_and_ends_sessions(app, runner, client, moderator):
    assert sign_in(client).status_code == 303
    result = runner.invoke(
        args=["set-password", "mod@example.org", "--password-stdin"], input=GOOD_PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert client.get("/moderation/audit").status_code == 302
    assert sign_in(client).status_code == 200  # the old password
    assert sign_in(client, password=GOOD_PASSWORD).status_code == 303


def test_set_password_refuses_a_common_password(app, runner, moderator):
    result = runner.invoke(
        args=["set-password", "mod@example.org", "--password-stdin"], input="leavemealone\n"
    )
    assert result.exit_code != 0
    assert _user(app, "mod@example.org").session_version == 1
