"""Operator commands: a consistent SQLite backup and a JSON export/import of the content.

The JSON export never contains password hashes, status-link tokens or submission nonces: it is
safe to hand to someone who should see the content but must not sign in or follow private links.
"""

import json
import secrets
import sqlite3
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Date, DateTime, Table, false, func, insert, select
from sqlalchemy.types import TypeDecorator
from werkzeug.security import generate_password_hash

from openinfra_live.episodes import search
from openinfra_live.extensions import db
from openinfra_live.tokens import new_token

EXPORT_FORMAT = "openinfra-live-export/1"

# Columns that must never leave the database; on import they get fresh, unusable values.
SECRET_COLUMNS = {
    "users": {"password_hash"},
    "proposals": {"token_hash", "submission_nonce"},
    "ptg_teams": {"token_hash", "submission_nonce"},
    "outbox_mails": {"body"},  # a mail's text may hold a private link
    # An asker's address is only to tell them once; the fingerprint is keyed by the secret.
    "questions": {"asker_email", "fingerprint"},
}


def _secret_replacement(table: str, column: str) -> Any:
    if column == "password_hash":
        # A random password nobody knows: the operator sets a new one with the CLI.
        return generate_password_hash(secrets.token_urlsafe(32), method="scrypt")
    if column == "token_hash":
        return new_token()[1]
    if column == "asker_email":
        return ""
    return None


def _is_datetime(column) -> bool:
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    return isinstance(column_type, DateTime)


def _to_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value  # datetimes too


def _from_json(column, value: Any) -> Any:
    if value is None:
        return None
    if _is_datetime(column):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    return value


# Bookkeeping, not content: the content version is replaced by the import's own writes.
NOT_EXPORTED = {"alembic_version", "content_version"}


def _exported_tables() -> list[Table]:
    return [table for table in db.metadata.sorted_tables if table.name not in NOT_EXPORTED]


def export_data() -> dict[str, Any]:
    """Every row of every table, secrets left out, as JSON-ready data."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in _exported_tables():
        hidden = SECRET_COLUMNS.get(table.name, set())
        columns = [column for column in table.columns if column.name not in hidden]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns))
        tables[table.name] = [
            {column.name: _to_json(value) for column, value in zip(columns, row, strict=True)}
            for row in rows
        ]
    return {"format": EXPORT_FORMAT, "tables": tables}


class ImportRefused(Exception):
    """The target database is not empty, or the document is not an export."""


def import_data(document: dict[str, Any]) -> dict[str, int]:
    """Load an export into an empty database; returns rows inserted per table.

    Side effects: inserts every row, resets PostgreSQL's id sequences, writes the episodes'
    search text again (``search.refresh_all``). Flushes only; the caller commits.
    """
    if document.get("format") != EXPORT_FORMAT:
        raise ImportRefused(f"not an export of this site (expected format {EXPORT_FORMAT})")
    tables = _exported_tables()
    for table in tables:
        if db.session.execute(select(table).limit(1)).first() is not None:
            raise ImportRefused(f"the database is not empty (table {table.name} has rows)")
    counts: dict[str, int] = {}
    for table in tables:
        rows = document.get("tables", {}).get(table.name, [])
        hidden = SECRET_COLUMNS.get(table.name, set())
        prepared = []
        for row in rows:
            values = {
                column.name: _from_json(column, row.get(column.name))
                for column in table.columns
                if column.name in row
            }
            for column in hidden:
                values[column] = _secret_replacement(table.name, column)
            prepared.append(values)
        if prepared:
            db.session.execute(insert(table), prepared)
        counts[table.name] = len(prepared)
    if db.engine.dialect.name == "postgresql":
        for table in tables:
            if "id" in table.columns:
                next_id = func.coalesce(select(func.max(table.c.id)).scalar_subquery(), 0) + 1
                sequence = func.pg_get_serial_sequence(table.name, "id")
                db.session.execute(select(func.setval(sequence, next_id, false())))
    # Derived from the rows: whatever the export says, and exports older than the column.
    search.refresh_all()
    db.session.flush()
    return counts


def backup_sqlite(database_path: str, target: Path) -> None:
    """Copy a live SQLite database page by page inside one read transaction (consistent)."""
    if target.exists():
        raise click.ClickException(f"{target} exists; choose a new file")
    source = sqlite3.connect(database_path)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
        check = destination.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise click.ClickException(f"the backup failed its integrity check: {check}")
    finally:
        destination.close()
        source.close()


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent copy of the SQLite database to PATH, even while the site writes."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise click.ClickException(
            "backup copies SQLite databases; for PostgreSQL use pg_dump (see the README)"
        )
    backup_sqlite(engine.url.database, path)
    click.echo(f"backup written to {path}")


@click.command("export-json")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_json_command(path: Path | None) -> None:
    """Export every table as JSON (to PATH or standard output), without secrets."""
    document = json.dumps(export_data(), ensure_ascii=False, indent=1, sort_keys=True)
    if path is None:
        sys.stdout.write(document + "\n")
    else:
        path.write_text(document + "\n", encoding="utf-8")
        click.echo(f"export written to {path}", err=True)


@click.command("import-json")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_json_command(path: Path) -> None:
    """Load an export made by export-json into an empty, migrated database."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        counts = import_data(document)
    except (ValueError, ImportRefused) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    current_app.logger.info("import-json: %s", counts)
    total = sum(counts.values())
    click.echo(f"imported {total} rows: " + ", ".join(f"{k}={v}" for k, v in counts.items() if v))
    click.echo("Moderators must set new passwords; status links of the source no longer work.")


COMMANDS = [backup_command, export_json_command, import_json_command]
