"""Search of the archive: a literal, case-insensitive piece of an episode's title, the text of its
description, or a guest's name or affiliation.

Each episode keeps what a search looks at in one column, ``search_text``, so a search is one
``LIKE`` on one column rather than three plus a subquery on the guests, and never matches the
markup of a description (searching "strong" does not find every bold word). The services that
write an episode write the column too (:func:`refresh`); bulk inserts compute it as they insert
(the importer) or call :func:`refresh_all` after (the benchmark's generator, a JSON import).

A trigram index of that column (migration 0004: an FTS5 table kept current by triggers on
SQLite, a pg_trgm GIN index on PostgreSQL) names the episodes that may contain a term, so that
a term few episodes contain is found without reading every episode (:func:`narrowing`).
The ``LIKE`` still decides: the index only narrows what it looks at. A term that many episodes
contain is found sooner by reading the newest episodes until enough match, as before; so is a
term under three characters, and every term on a database the index could not be made on
(a SQLite without FTS5's trigram tokenizer, a PostgreSQL without pg_trgm).
"""

import weakref
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import (
    ColumnElement,
    Engine,
    bindparam,
    false,
    func,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from openinfra_live import sanitize
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


_SEARCH_TEXT = Episode.__table__.c.search_text
# What PostgreSQL's trigram index covers: the column through an operation that changes
# nothing, so that only a condition written on it (the lookup of candidates) can use the index.
# A search that reads the newest episodes until enough match is written on the column itself:
# the planner then keeps that plan (with the column's statistics) instead of reading the index
# for every match of a common term, or the whole index for a term too short for trigrams.
_INDEXED_TEXT = _SEARCH_TEXT.op("||")(literal_column("''"))


def matches(term: str) -> ColumnElement[bool]:
    """Episodes whose title, description text or guests contain ``term``, in any case (Unicode
    case folding, the same on both databases); ``%``, ``_`` and ``/`` match themselves.

    The stored text is already folded, so the database compares with a plain ``LIKE`` and no
    ``lower()`` of every row.
    """
    return _SEARCH_TEXT.contains(term.casefold(), autoescape=True)


# The trigram index: on SQLite an FTS5 table (and the tables FTS5 keeps for it), on PostgreSQL
# a pg_trgm GIN index. Migration 0004 makes them; no model describes them.
INDEX_TABLE = "episodes_search"
POSTGRESQL_INDEX = "ix_episodes_search_text_trigram"
# The index holds every sequence of three characters: a shorter term cannot be looked up.
MIN_INDEXED_LENGTH = 3
_FTS_CANDIDATES = text(
    "SELECT rowid FROM episodes_search WHERE episodes_search MATCH :phrase LIMIT :limit"
)
_FINDS_INDEX = {
    "sqlite": text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
    "postgresql": text("SELECT 1 FROM pg_indexes WHERE indexname = :name"),
}
_INDEX_NAME = {"sqlite": INDEX_TABLE, "postgresql": POSTGRESQL_INDEX}
_INDEX_PRESENT: "weakref.WeakKeyDictionary[Engine, bool]" = weakref.WeakKeyDictionary()


def is_index_part(name: str) -> bool:
    """A table or index of the search index (which no model describes)."""
    return name in {INDEX_TABLE, POSTGRESQL_INDEX} or name.startswith(INDEX_TABLE + "_")


def index_available() -> bool:
    """Whether the database has the trigram index; asked once per engine (an index made while
    the site runs is used from its next start)."""
    session = db.session
    engine = session.get_bind()
    present = _INDEX_PRESENT.get(engine)
    if present is None:
        dialect = engine.dialect.name
        present = dialect in _FINDS_INDEX and (
            session.execute(_FINDS_INDEX[dialect], {"name": _INDEX_NAME[dialect]}).first()
            is not None
        )
        _INDEX_PRESENT[engine] = present
    return present


def narrowing(term: str, limit: int) -> ColumnElement[bool] | None:
    """A condition that holds for every episode whose search text may contain ``term``, and
    for few others, found through the trigram index, when fewer than ``limit`` episodes may.
    None when the index cannot say (no index, a term under three characters) or finds
    ``limit`` or more: a term that common is found sooner by reading the newest episodes until
    enough match."""
    folded = term.casefold()
    if len(folded) < MIN_INDEXED_LENGTH or not index_available():
        return None
    episode_id = Episode.__table__.c.id
    if db.session.get_bind().dialect.name == "sqlite":
        # One FTS5 phrase: the term's characters in sequence, quotes doubled, no operator.
        phrase = '"' + folded.replace('"', '""') + '"'
        ids = db.session.scalars(_FTS_CANDIDATES, {"phrase": phrase, "limit": limit}).all()
        return episode_id.in_(ids) if len(ids) < limit else None
    # The planner reads the index for a rare term, and the table until enough match for a
    # common one; the ids stay in the database (a list of hundreds costs more to send).
    condition = _INDEXED_TEXT.contains(folded, autoescape=True)
    found = select(episode_id).where(condition).limit(limit).subquery()
    count = db.session.scalar(select(func.count()).select_from(found))
    if count == 0:
        return false()  # nothing to read the index for again (a typo, a word no one said)
    return condition if count < limit else None


def refresh(episode: Episode) -> None:
    """Write ``episode.search_text`` from its title, description and guests: every service
    that changes one of them calls it before flushing."""
    episode.search_text = search_text_of(episode.title, episode.description, episode.guest_pairs)


def refresh_all(session: Session | None = None) -> int:
    """Write ``search_text`` again for every episode whose text is not what it should be, for
    rows written in bulk without it; returns how many changed. ``updated_at`` stays: the text
    is derived from the episode, not an edit of it."""
    session = session or db.session
    episodes, guests = Episode.__table__, EpisodeGuest.__table__
    names: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for episode_id, name, affiliation in session.execute(
        select(guests.c.episode_id, guests.c.name, guests.c.affiliation).order_by(
            guests.c.episode_id, guests.c.position, guests.c.id
        )
    ):
        names[episode_id].append((name, affiliation))
    changes = []
    for row in session.execute(
        select(episodes.c.id, episodes.c.title, episodes.c.description, episodes.c.search_text)
    ):
        wanted = search_text_of(row.title, row.description, names[row.id])
        if wanted != row.search_text:
            changes.append({"episode_id": row.id, "wanted": wanted})
    if changes:
        session.execute(
            update(episodes)
            .where(episodes.c.id == bindparam("episode_id"))
            .values(search_text=bindparam("wanted"), updated_at=episodes.c.updated_at),
            changes,
        )
    return len(changes)
