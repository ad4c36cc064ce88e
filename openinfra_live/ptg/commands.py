"""``flask import-ptg-teams``."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from openinfra_live.extensions import db
from openinfra_live.ptg.teamlist import UnknownEvent, find_event, import_team_names, parse_team_list


@click.command("import-ptg-teams")
@click.argument("event_slug", metavar="EVENT")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_ptg_teams_command(event_slug: str, path: Path) -> None:
    """Add the teams of a published team list (one name a line) to EVENT, approved."""
    try:
        event = find_event(event_slug)
    except UnknownEvent as error:
        raise click.ClickException(str(error)) from error
    try:
        names = parse_team_list(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path}: not UTF-8 text ({error.reason})") from error
    if not names:
        raise click.ClickException(f"{path}: no team names found")
    report = import_team_names(event, names, progress=click.echo)
    db.session.commit()
    current_app.logger.info("import-ptg-teams %s %s: %s", event.slug, path, report.summary())
    click.echo(report.summary())


COMMANDS: list = [import_ptg_teams_command]
