"""The SQL statements an action runs, as the database receives them."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import Engine, event

from openinfra_live.extensions import db


@contextmanager
def listening(target: object, identifier: str, listener: Callable[..., None]) -> Iterator[None]:
    """``listener`` listens to ``target``'s ``identifier`` event inside the ``with`` block."""
    event.listen(target, identifier, listener)
    try:
        yield
    finally:
        event.remove(target, identifier, listener)


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[str]]:
    """A list that holds every statement ``engine`` runs inside the ``with`` block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    with listening(engine, "before_cursor_execute", record):
        yield statements


def statements_of(app: Flask, action: Callable[[], object]) -> list[str]:
    """The statements the app's database runs during ``action()``."""
    with app.app_context():
        engine = db.engine
    with recorded_statements(engine) as statements:
        action()
    return statements
