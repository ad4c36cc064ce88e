"""Episode descriptions carry a stamp (``clean_stamps``) when they are the cleaner's output, so
the episode page prints them without cleaning them again.

Every write through the ORM is checked by :func:`stamp_descriptions` (``before_flush``); bulk
inserts stamp what they have just cleaned (``clean_stamps.cleaned_stamp``, the importer) or
call :func:`restamp` (a restored backup, the benchmark's generator, ``flask
stamp-descriptions``).
"""

from sqlalchemy import bindparam, event, inspect, select, update
from sqlalchemy.orm import Session

from openinfra_live.clean_stamps import is_stamped, stamp_for
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db

BATCH = 1000


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
    changed = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(table.c.id, table.c.description, table.c.description_stamp)
            .where(table.c.id > last_id)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return changed
        updates = [
            {"episode_id": row.id, "stamp": stamp}
            for row in rows
            if not is_stamped(row.description, row.description_stamp)
            and (stamp := stamp_for(row.description)) != row.description_stamp
        ]
        if updates:
            session.execute(
                update(table)
                .where(table.c.id == bindparam("episode_id"))
                .values(description_stamp=bindparam("stamp")),
                updates,
            )
            changed += len(updates)
        last_id = rows[-1].id
