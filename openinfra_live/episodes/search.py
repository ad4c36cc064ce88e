"""Search of the archive: a literal, case-insensitive piece of an episode's title, the text of its
description, or a guest's name or affiliation.

Each episode keeps what a search looks at in one column, ``search_text``, so a search is one
``LIKE`` on one column rather than three plus a subquery on the guests, and never matches the
markup of a description (searching "strong" does not find every bold word). The column is kept
current on every write through the ORM (:func:`keep_search_text_current`); bulk inserts write it
themselves (the importer) or call :func:`refresh_search_text` (the benchmark's generator).

On SQLite, a trigram index of that column (``episodes_search``, migration 0004; FTS5 keeps it
current through triggers) names the episodes that may contain a term, so that a term few
episodes contain is found without reading every episode (:func:`indexed_candidates`). The
``LIKE`` still decides: the index only narrows what it looks at. A term that many episodes
contain is found sooner by reading the newest episodes until enough match, as before; so is
every term on PostgreSQL, and on a SQLite built without FTS5's trigram tokenizer.
"""

import weakref
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Engine, Row, event, select, text
from sqlalchemy.orm import Session

from openinfra_live import sanitize
from openinfra_live.episodes.bulk import episode_batches, rewrite_column
from openinfra_live.episodes.models import Episode, EpisodeGuest
from openinfra_live.extensions import db


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


INDEX_TABLE = "episodes_search"
# The index holds every sequence of three characters: a shorter term cannot be looked up.
MIN_INDEXED_LENGTH = 3
_CANDIDATES = text(
    "SELECT rowid FROM episodes_search WHERE episodes_search MATCH :phrase LIMIT :limit"
)
_INDEX_PRESENT: "weakref.WeakKeyDictionary[Engine, bool]" = weakref.WeakKeyDictionary()


def is_index_table(name: str) -> bool:
    """The index's table and those FTS5 keeps for it: the migrations make them, the models do
    not describe them."""
    return name == INDEX_TABLE or name.startswith(INDEX_TABLE + "_")


def index_available(session: Session | None = None) -> bool:
    """Whether the database has the trigram index; asked once per engine (an index made while
    the site runs is used from its next start)."""
    session = session or db.session
    engine = session.get_bind()
    present = _INDEX_PRESENT.get(engine)
    if present is None:
        present = engine.dialect.name == "sqlite" and (
            session.execute(
                text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
                {"name": INDEX_TABLE},
            ).first()
            is not None
        )
        _INDEX_PRESENT[engine] = present
    return present


def indexed_candidates(term: str, limit: int) -> list[int] | None:
    """The ids of the episodes whose search text may contain ``term``, from the trigram index,
    when it names fewer than ``limit``. None when the index cannot say (no index, a term under
    three characters) or names ``limit`` or more: a term that common is found sooner by
    reading the newest episodes until enough match."""
    folded = term.casefold()
    if len(folded) < MIN_INDEXED_LENGTH or not index_available():
        return None
    # One FTS5 phrase: the term's characters in sequence, quotes doubled, nothing an operator.
    phrase = '"' + folded.replace('"', '""') + '"'
    ids = db.session.scalars(_CANDIDATES, {"phrase": phrase, "limit": limit}).all()
    return list(ids) if len(ids) < limit else None


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
    guest_table = EpisodeGuest.__table__

    def texts(rows: Sequence[Row]) -> dict[int, str]:
        guests: dict[int, list[tuple[str, str]]] = {row.id: [] for row in rows}
        for pk, name, affiliation in session.execute(
            select(guest_table.c.episode_id, guest_table.c.name, guest_table.c.affiliation)
            .where(guest_table.c.episode_id.in_(list(guests)))
            .order_by(guest_table.c.episode_id, guest_table.c.position, guest_table.c.id)
        ):
            guests[pk].append((name, affiliation))
        return {row.id: search_text_of(row.title, row.description, guests[row.id]) for row in rows}

    table = Episode.__table__
    batches = episode_batches(session, table.c.title, table.c.description, table.c.search_text)
    return rewrite_column(session, "search_text", batches, texts)
