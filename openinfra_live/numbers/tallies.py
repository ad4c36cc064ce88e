"""What the figures of a period hold: the shapes the numbers pages, charts and CSV read."""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext

# What became of the proposals received, in the order the chart and the table show them.
OUTCOMES = {
    "scheduled": lazy_gettext("Scheduled"),
    "approved": lazy_gettext("Approved, waiting for a date"),
    "open": lazy_gettext("Still under review"),
    "declined": lazy_gettext("Declined"),
    "withdrawn": lazy_gettext("Withdrawn"),
}


@dataclass(frozen=True)
class Watched:
    """An episode and its views: a point of the views chart, or the most watched."""

    starts_at: datetime
    slug: str
    title: str
    views: int


@dataclass
class Proposals:
    """The proposals received in a period and what became of them."""

    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    approved: int = 0
    # Days from each proposal to its episode's air, for the episodes aired in the period.
    days_to_air: list[float] = field(default_factory=list)

    @property
    def received(self) -> int:
        return sum(self.outcomes.values())

    @property
    def scheduled(self) -> int:
        return self.outcomes["scheduled"]

    @property
    def median_days_to_air(self) -> float | None:
        return statistics.median(self.days_to_air) if self.days_to_air else None


@dataclass(frozen=True)
class EventTeams:
    """A PTG event and its approved teams by kind (every kind, 0 included)."""

    slug: str
    name: str
    starts_on: date
    kinds: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.kinds.values())


@dataclass
class Figures:
    """Every figure of one year (``year``), or of every year (``year`` None)."""

    year: int | None
    so_far: bool = False
    episodes: int = 0
    minutes: int = 0
    guests: int = 0
    organisations: int = 0
    first_time_guests: int = 0
    # Episodes aired by month (a year) or by year (every year): {month or year: count}.
    aired: dict[int, int] = field(default_factory=dict)
    views: list[int] = field(default_factory=list)
    # The peak of live viewers of each aired episode that has one.
    peaks: list[int] = field(default_factory=list)
    most_watched: Watched | None = None
    # A year's episodes with their views, by date: the points of the views chart.
    watched: list[Watched] = field(default_factory=list)
    proposals: Proposals = field(default_factory=Proposals)
    # Audience questions sent to the aired episodes, and those answered on air.
    questions_asked: int = 0
    questions_answered: int = 0
    ptg: list[EventTeams] = field(default_factory=list)

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def views_total(self) -> int:
        return sum(self.views)

    @property
    def peak_average(self) -> float | None:
        return sum(self.peaks) / len(self.peaks) if self.peaks else None

    @property
    def views_median(self) -> float | None:
        return statistics.median(self.views) if self.views else None

    @property
    def ptg_teams(self) -> int:
        return sum(event.total for event in self.ptg)

    @property
    def has_data(self) -> bool:
        return bool(self.episodes or self.proposals.received or self.ptg)
