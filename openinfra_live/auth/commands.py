"""``flask create-moderator``, ``flask set-password`` and ``flask deactivate-user``.

There are no default accounts: the first moderator is created here, with a password the
operator chooses.
"""

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from openinfra_live.auth import services
from openinfra_live.auth.passwords import WeakPassword
from openinfra_live.extensions import db

password_stdin = click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # One line; only the line ending is removed, so spaces inside a pass phrase count.
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _commit_or_fail(action, *args: str, **kwargs: object) -> object:
    try:
        result = action(*args, **kwargs)
        db.session.commit()
    except (services.AccountError, WeakPassword) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    except IntegrityError as error:
        # Another process created the same account between our check and our commit.
        db.session.rollback()
        raise click.ClickException("An account with this e-mail address exists already.") from error
    return result


@click.command("create-moderator")
@click.argument("email")
@click.option("--name", default="", help="The name shown to other moderators.")
@click.option("--admin", is_flag=True, help="Make it an admin (the first account always is one).")
@password_stdin
@with_appcontext
def create_moderator_command(email: str, name: str, admin: bool, password_stdin: bool) -> None:
    """Create a moderator account (the password is asked for, or read from stdin); the first
    account of the site is an admin, who manages the others from the browser."""
    password = _read_password(password_stdin)
    user = _commit_or_fail(services.create_moderator, email, password, name, admin=admin)
    role = "Admin" if user.is_admin else "Moderator"
    click.echo(f"{role} {user.email} created.")


@click.command("set-password")
@click.argument("email")
@password_stdin
@with_appcontext
def set_password_command(email: str, password_stdin: bool) -> None:
    """Give an account a new password; its open sessions end."""
    password = _read_password(password_stdin)
    user = _commit_or_fail(services.set_password, email, password)
    click.echo(f"Password of {user.email} changed; its open sessions have ended.")


@click.command("deactivate-user")
@click.argument("email")
@with_appcontext
def deactivate_user_command(email: str) -> None:
    """Refuse an account any further sign-in (not the last active admin); its open sessions
    end at their next request."""
    user = _commit_or_fail(services.deactivate_user, email)
    click.echo(f"Account {user.email} deactivated.")


COMMANDS: list = [create_moderator_command, set_password_command, deactivate_user_command]
