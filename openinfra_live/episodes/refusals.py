"""What the episodes' scheduling rules refuse, each an ``EpisodeError`` whose message is what
the moderator reads (``editing`` raises them; views turn them into form errors)."""

from datetime import datetime

from flask_babel import gettext

from openinfra_live.episodes.models import Episode
from openinfra_live.timezones import human_utc

MIN_EPISODE_MINUTES = 5
MAX_EPISODE_MINUTES = 24 * 60


class EpisodeError(Exception):
    """A change to episodes that the scheduling rules refuse."""


class SlotInPastError(EpisodeError):
    def __init__(self, starts_at: datetime) -> None:
        self.starts_at = starts_at
        super().__init__(
            gettext("%(when)s is in the past: pick a time from now on.", when=human_utc(starts_at))
        )


class SlotClashError(EpisodeError):
    def __init__(self, starts_at: datetime, clash: Episode | None = None) -> None:
        self.starts_at = starts_at
        self.clash = clash
        if clash is not None:
            said = gettext(
                "That slot is taken: it overlaps “%(title)s” (%(when)s). Pick another time.",
                title=clash.title,
                when=human_utc(clash.starts_at),
            )
        else:
            said = gettext(
                "That slot is taken: another episode was just scheduled at that time."
                " Pick another time."
            )
        super().__init__(said)


class PastEpisodeMoveError(EpisodeError):
    """A change to the time of an episode that already started, without a confirmation."""

    def __init__(self) -> None:
        super().__init__(
            gettext(
                "This episode already happened: to correct its time, tick “Yes, change the time"
                " of an episode that already happened”."
            )
        )


class InvalidDurationError(EpisodeError):
    def __init__(self, minutes: int) -> None:
        super().__init__(
            gettext(
                "An episode lasts between %(min)d and %(max)d minutes, not %(minutes)s.",
                min=MIN_EPISODE_MINUTES,
                max=MAX_EPISODE_MINUTES,
                minutes=minutes,
            )
        )


class InvalidLinkError(EpisodeError):
    def __init__(self, url: str, field: str = "links") -> None:
        self.url = url
        self.field = field
        shown = url if len(url) <= 80 else url[:79] + "…"
        super().__init__(
            gettext(
                "“%(url)s” is not a web address: a link must start with https:// or http://.",
                url=shown,
            )
        )
