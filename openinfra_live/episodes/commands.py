"""The episodes' commands: import and export the content file, import views, the demo."""

from datetime import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from openinfra_live import clock, workflow
from openinfra_live.episodes.audience import ViewsFileError, import_view_counts, read_view_counts
from openinfra_live.episodes.content_file import ContentFileError, load_entries
from openinfra_live.episodes.exporter import dump_episodes, episodes_for_export
from openinfra_live.episodes.importer import import_episodes
from openinfra_live.extensions import db


def _text_of(path: Path) -> str:
    """The file's text (a UTF-8 byte-order mark dropped); not UTF-8 is a clear error."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path}: not UTF-8 text ({error.reason})") from error


def _refused(error: SQLAlchemyError) -> click.ClickException:
    db.session.rollback()
    return click.ClickException(
        f"nothing imported: the database refused the changes ({error.__class__.__name__}); "
        "another change may have happened meanwhile, try again"
    )


@click.command("import-episodes")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_episodes_command(path: Path) -> None:
    """Create or update episodes from a content file (Markdown front matter or YAML)."""
    try:
        entries = load_entries(_text_of(path))
    except ContentFileError as error:
        raise click.ClickException(f"{path}: {error}") from error
    config = current_app.config
    try:
        report = import_episodes(
            entries,
            progress=click.echo,
            default_start=time(config["DEFAULT_SLOT_HOUR"], config["DEFAULT_SLOT_MINUTE"]),
            default_minutes=config["DEFAULT_EPISODE_MINUTES"],
        )
        workflow.commit()  # with the mails the import's signal queued
    except SQLAlchemyError as error:
        raise _refused(error) from error
    current_app.logger.info("import-episodes %s: %s", path, report.summary())
    click.echo(report.summary())


@click.command("import-views")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_views_command(path: Path) -> None:
    """Store episodes' views from a CSV of view counts (YouTube Studio's export)."""
    try:
        found = read_view_counts(_text_of(path))
    except ViewsFileError as error:
        raise click.ClickException(f"{path}: {error} Nothing was imported.") from error
    try:
        report = import_view_counts(found, progress=click.echo)
        db.session.commit()
    except SQLAlchemyError as error:
        raise _refused(error) from error
    current_app.logger.info("import-views %s: %s", path, report.summary())
    click.echo(report.summary())


@click.command("export-episodes")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_episodes_command(path: Path | None) -> None:
    """Write every episode in the content file format (to PATH or standard output)."""
    episodes = episodes_for_export()
    document = dump_episodes(episodes)
    if path is None:
        click.echo(document, nl=False)
    else:
        path.write_text(document, encoding="utf-8")
        click.echo(f"{len(episodes)} episodes written to {path}", err=True)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing, successfully, when content exists.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Fill an empty database with demo episodes, a PTG event, teams and proposals."""
    from openinfra_live import demo

    if demo.has_content():
        if if_empty:
            click.echo("demo: the database already has content; nothing loaded")
            return
        raise click.ClickException(
            "the database already has episodes, proposals or PTG events; the demo content "
            "goes only into an empty database (use --if-empty to skip quietly)"
        )
    created = demo.load_demo(clock.now())
    db.session.commit()
    for line in created.lines():
        click.echo(line)


COMMANDS: list = [import_episodes_command, import_views_command, export_episodes_command]
COMMANDS += [demo_command]
