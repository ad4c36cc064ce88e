"""Episode descriptions carry a stamp (``clean_stamps``) when they are the cleaner's output, so
the episode page prints them without cleaning them again.

Every write through the ORM is checked by :func:`stamp_descriptions` (``before_flush``); bulk
inserts stamp what they have just cleaned (``clean_stamps.cleaned_stamp``, the importer) or
call :func:`restamp` (a restored backup, the benchmark's generator, ``flask
stamp-descriptions``).
"""

from collections.abc import Sequence

from sqlalchemy import Row, event, inspect
from sqlalchemy.orm import Session

from openinfra_live.clean_stamps import is_stamped, stamp_for
from openinfra_live.episodes.bulk import episode_batches, rewrite_column
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db


@event.listens_for(Session, "before_flush")
def stamp_descriptions(session: Session, flush_context: object, instances: object) -> None:
    """Episodes added, or whose description changed, get the stamp their text deserves."""
    for obj in (*session.new, *session.dirty):
        if not isinstance(obj, Episode):
            continue
        if obj in session.dirty and not inspect(obj).attrs.description.history.has_changes():
            continue
        if not is_stamped(obj.description, obj.description_stamp):
            obj.description_stamp = stamp_for(obj.description)


def restamp(session: Session | None = None) -> int:
    """Give every episode the stamp its description deserves, a batch at a time; returns how
    many stamps changed. For rows written in bulk, and after the cleaner or the secret key
    changed."""
    session = session or db.session
    table = Episode.__table__

    def stamps(rows: Sequence[Row]) -> dict[int, str]:
        return {
            row.id: row.description_stamp
            if is_stamped(row.description, row.description_stamp)
            else stamp_for(row.description)
            for row in rows
        }

    batches = episode_batches(session, table.c.description, table.c.description_stamp)
    return rewrite_column(session, "description_stamp", batches, stamps)
