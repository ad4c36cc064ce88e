"""Episode slugs: ``2021-07-22-kata-containers``, from the date and the title."""

import re
import unicodedata
from datetime import datetime

_NON_WORD = re.compile(r"[^a-z0-9]+")
MAX_TITLE_PART = 80


def slugify(text: str) -> str:
    """ASCII, lower case, words joined by hyphens; never empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    return slug[:MAX_TITLE_PART].rstrip("-") or "episode"


def episode_slug(title: str, starts_at: datetime) -> str:
    """The natural slug of an episode; callers add a suffix when it is taken."""
    return f"{starts_at:%Y-%m-%d}-{slugify(title)}"


def unique_episode_slug(title: str, starts_at: datetime, exclude_id: int | None = None) -> str:
    """The episode's natural slug, with ``-2``, ``-3``… appended while another episode has it."""
    from openinfra_live.episodes.models import Episode
    from openinfra_live.extensions import db

    base = episode_slug(title, starts_at)
    query = db.select(Episode.slug).where(Episode.slug.startswith(base, autoescape=True))
    if exclude_id is not None:
        query = query.where(Episode.id != exclude_id)
    return free_slug(base, set(db.session.scalars(query)))


def free_slug(base: str, taken: set[str]) -> str:
    """``base``, or ``base`` with ``-2``, ``-3``… appended, whichever is not in ``taken``."""
    suffix = 2
    slug = base
    while slug in taken:
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug
