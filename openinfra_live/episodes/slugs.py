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
