"""The SQL statements an action runs, as the database receives them."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import Engine, event

from openinfra_live.extensions import db


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[str]]:
    """A list that holds every statement ``engine`` runs inside the ``with`` block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def statements_of(app: Flask, action: Callable[[], object]) -> list[str]:
    """The statements the app's database runs during ``action()``."""
    with app.app_context():
        engine = db.engine
    with recorded_statements(engine) as statements:
        action()
    return statements
