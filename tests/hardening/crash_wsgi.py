"""The site as ``wsgi.py`` builds it, for the crash tests (``tests.hardening.crash_wsgi:app``).

A request carrying the ``X-Test-Pause`` header stops, writes its worker's pid to the file
named by ``CRASH_MARKER`` and waits there to be killed: with ``before-commit`` at its first
COMMIT, once every INSERT and UPDATE of the transaction has reached the database; with
``after-commit`` just after the COMMIT, before the response. Nothing here is part of the
site: the hooks exist only in this module.
"""

import os
import time

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from openinfra_live import create_app

PAUSE_HEADER = "X-Test-Pause"

app = create_app()


def _pause_if(moment: str) -> None:
    if not (has_request_context() and request.headers.get(PAUSE_HEADER) == moment):
        return
    marker = os.environ["CRASH_MARKER"]
    with open(marker + ".tmp", "w") as handle:
        handle.write(str(os.getpid()))
    os.replace(marker + ".tmp", marker)
    time.sleep(300)


@event.listens_for(Engine, "commit")
def pause_before_commit(connection: Connection) -> None:
    """Called just before the driver's COMMIT: the last moment a crash can undo everything."""
    _pause_if("before-commit")


@event.listens_for(Session, "after_commit")
def pause_after_commit(session: Session) -> None:
    """Called once the COMMIT is done: a crash now must leave the whole request stored."""
    _pause_if("after-commit")
