"""Search of the archive: a literal, case-insensitive piece of an episode's title, the text of its
description, or a guest's name or affiliation.

Each episode keeps what a search looks at in one column, ``search_text``, so a search is one
``LIKE`` on one column rather than three plus a subquery on the guests, and never matches the
markup of a description (searching "strong" does not find every bold word). The column is kept
current on every write through the ORM (:func:`keep_search_text_current`); bulk inserts write it
themselves (the importer) or call :func:`refresh_search_text` (the benchmark's generator).
"""

from collections.abc import Iterable

from sqlalchemy import ColumnElement, bindparam, event, select, update
from sqlalchemy.orm import Session

from openinfra_live import sanitize
from openinfra_live.episodes.models import Episode, EpisodeGuest
from openinfra_live.extensions import db

BATCH = 1000


def search_text_of(title: str, description: str | None, guests: Iterable[tuple[str, str]]) -> str:
    """What a search looks at: the title, the description's text, guests and affiliations.

    Parts are separated by a line break, which no search contains (searches are one line), so a
    match never spans two parts. Case-folded, as :func:`matches` folds the search.
    """
    parts = [title or "", sanitize.to_plain_text(description)]
    parts.extend(f"{name} {affiliation or ''}".strip() for name, affiliation in guests)
    return "\n".join(parts).casefold()


def matches(term: str) -> ColumnElement[bool]:
    """Episodes whose title, description text or guests contain ``term``, in any case (Unicode
    case folding, the same on both databases); ``%``, ``_`` and ``/`` match themselves.

    The stored text is already folded, so the database compares with a plain ``LIKE`` and no
    ``lower()`` of every row.
    """
    # The table's column, not the ORM attribute: listings read plain rows (see queries.py).
    return Episode.__table__.c.search_text.contains(term.casefold(), autoescape=True)


def _episode_search_text(episode: Episode) -> str:
    return search_text_of(
        episode.title,
        episode.description,
        ((guest.name, guest.affiliation) for guest in episode.guests),
    )


@event.listens_for(Session, "before_flush")
def keep_search_text_current(session: Session, flush_context: object, instances: object) -> None:
    """Episodes added or changed, and episodes whose guests were, get their text again."""
    touched: set[Episode] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Episode):
            touched.add(obj)
        elif isinstance(obj, EpisodeGuest) and obj.episode is not None:
            touched.add(obj.episode)
    with session.no_autoflush:
        for episode in touched:
            if episode in session.deleted:
                continue
            text = _episode_search_text(episode)
            if episode.search_text != text:
                episode.search_text = text


def refresh_search_text(session: Session | None = None) -> int:
    """Write ``search_text`` again for every episode, a batch at a time; returns how many
    changed. For rows that bulk inserts wrote without it."""
    session = session or db.session
    changed = 0
    last_id = 0
    while True:
        episodes = session.execute(
            select(Episode.id, Episode.title, Episode.description, Episode.search_text)
            .where(Episode.id > last_id)
            .order_by(Episode.id)
            .limit(BATCH)
        ).all()
        if not episodes:
            return changed
        ids = [row.id for row in episodes]
        guests: dict[int, list[tuple[str, str]]] = {pk: [] for pk in ids}
        for pk, name, affiliation in session.execute(
            select(EpisodeGuest.episode_id, EpisodeGuest.name, EpisodeGuest.affiliation)
            .where(EpisodeGuest.episode_id.in_(ids))
            .order_by(EpisodeGuest.episode_id, EpisodeGuest.position, EpisodeGuest.id)
        ):
            guests[pk].append((name, affiliation))
        updates = []
        for row in episodes:
            text = search_text_of(row.title, row.description, guests[row.id])
            if text != row.search_text:
                updates.append({"episode_id": row.id, "text": text})
        if updates:
            # Through the session, so that the content version moves (cached pages go).
            session.execute(
                update(Episode.__table__)
                .where(Episode.__table__.c.id == bindparam("episode_id"))
                .values(search_text=bindparam("text")),
                updates,
            )
            changed += len(updates)
        last_id = ids[-1]
