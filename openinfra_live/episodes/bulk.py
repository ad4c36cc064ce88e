"""Derived columns of episodes (search text, description stamps, cards): which episodes a flush
touches, and every episode's column rewritten a batch at a time after bulk inserts, restores and
migrations, which bypass the ORM's listeners."""

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Row, Update, bindparam, select, update
from sqlalchemy.orm import Session

from openinfra_live.episodes.models import Episode

BATCH = 1000
_EPISODES = Episode.__table__


def touched_episodes(session: Session, *parts: type) -> set[Episode]:
    """Episodes the session's next flush adds or changes, and episodes one of whose ``parts``
    (guests, links: objects with an ``episode``) it adds, changes or deletes.

    A part deleted on its own (``session.delete(guest)``) leaves its episode's collection here,
    as it will leave the database: what is derived from the episode must not see it.
    """
    touched: set[Episode] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Episode):
            touched.add(obj)
        elif isinstance(obj, parts) and obj.episode is not None:
            touched.add(obj.episode)
            if obj in session.deleted:
                collection = getattr(obj.episode, type(obj).episode.property.back_populates)
                if obj in collection:
                    collection.remove(obj)
    return {episode for episode in touched if episode not in session.deleted}


def derived_columns_update(**values: Any) -> Update:
    """An UPDATE that sets ``values`` (bind parameters) on the episode ``episode_id``. What is
    derived from an episode is not an edit of it: ``updated_at`` (the calendar's DTSTAMP and
    LAST-MODIFIED, the feed's updated) stays what it was."""
    return (
        update(_EPISODES)
        .where(_EPISODES.c.id == bindparam("episode_id"))
        .values(updated_at=_EPISODES.c.updated_at, **values)
    )


def episode_batches(session: Session, *columns: Any) -> Iterator[Sequence[Row]]:
    """Every episode's ``id`` and ``columns``, in batches of :data:`BATCH`, by id."""
    last_id = 0
    while True:
        rows = session.execute(
            select(_EPISODES.c.id, *columns)
            .where(_EPISODES.c.id > last_id)
            .order_by(_EPISODES.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def rewrite_column(
    session: Session,
    column: str,
    batches: Iterator[Sequence[Row]],
    value_of: Callable[[Sequence[Row]], dict[int, str]],
) -> int:
    """Set ``column`` of each episode of each batch to what ``value_of(batch)`` gives for its
    id, where it differs from the value the batch read (the row's attribute ``column``);
    returns how many changed."""
    changed = 0
    for rows in batches:
        wanted = value_of(rows)
        updates = [
            {"episode_id": row.id, "value": wanted[row.id]}
            for row in rows
            if wanted[row.id] != getattr(row, column)
        ]
        if updates:
            # Through the session, so that the content version moves (cached pages go).
            session.execute(derived_columns_update(**{column: bindparam("value")}), updates)
            changed += len(updates)
    return changed
