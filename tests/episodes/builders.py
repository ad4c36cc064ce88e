"""``make_episode``: an episode with links and guests, committed, for any test that needs one."""

import itertools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from openinfra_live.episodes import search
from openinfra_live.episodes.models import Episode
from openinfra_live.episodes.slugs import unique_episode_slug
from openinfra_live.extensions import db

# Default starts are a week apart from here, so episodes built without a date never collide.
FIRST_DEFAULT_START = datetime(2021, 1, 7, 14, 0, tzinfo=UTC)
_default_weeks = itertools.count()


def next_default_start() -> datetime:
    return FIRST_DEFAULT_START + timedelta(weeks=next(_default_weeks))


def imported_entries(count: int = 3) -> list[dict[str, str]]:
    """Entries of the content file, a month apart from January 2024, each with a guest, all but
    the first with a recording."""
    return [
        {
            "episodeTitle": f"Imported {n}",
            "date": f"2024-{n + 1:02d}-04T14:00:00Z",
            "episodeSpeakers": "Ann Guest (Org)",
            **({"youtubeLink": "https://www.youtube.com/watch?v=pHHCIGkpNzs"} if n else {}),
        }
        for n in range(count)
    ]


def make_episode(
    title: str = "Open infrastructure in production",
    starts_at: datetime | None = None,
    *,
    description: str = "<p>Operators share what they run.</p>",
    duration_minutes: int = 60,
    hidden: bool = False,
    links: Iterable[tuple[str, str]] = (),
    guests: Iterable[tuple[str, str] | str] = (),
    recap_url: str | None = None,
    sequence: int = 0,
    slug: str | None = None,
    commit: bool = True,
    **fields,
) -> Episode:
    """Create an episode (inside an app context); ``links`` are ``(platform, url)`` pairs and
    ``guests`` are names or ``(name, affiliation)`` pairs, kept in the order given."""
    starts_at = starts_at or next_default_start()
    episode = Episode(
        title=title,
        slug=slug or unique_episode_slug(title, starts_at),
        description=description,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        hidden=hidden,
        recap_url=recap_url,
        sequence=sequence,
        link_pairs=links,
        guest_pairs=[(guest, "") if isinstance(guest, str) else guest for guest in guests],
        **fields,
    )
    # As the services do: the search text is written with the episode.
    search.refresh(episode)
    db.session.add(episode)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return episode


def make_special(
    title: str = "OpenInfra Days",
    segments: Iterable[tuple[str, datetime, int, list[tuple[str, str]]]] = (),
    *,
    commit: bool = True,
    **fields,
) -> Episode:
    """A special of ``segments`` (title, start, minutes, speakers), spanning them, committed;
    as the importer writes one, without the clock's rules."""
    from openinfra_live.episodes.models import EpisodeSegment

    parts = [
        EpisodeSegment(
            key=f"seg{n}",
            title=name,
            starts_at=start,
            duration_minutes=minutes,
            speaker_pairs=speakers,
        )
        for n, (name, start, minutes, speakers) in enumerate(segments)
    ]
    start = min(part.starts_at for part in parts)
    span = int((max(part.ends_at for part in parts) - start) / timedelta(minutes=1))
    episode = make_episode(
        title, start, duration_minutes=span, commit=False, special=True, **fields
    )
    episode.segments = sorted(parts, key=lambda part: part.starts_at)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return episode
