"""The charts of the numbers pages: what each shows (:class:`Chart`, also the table beside it)
and its drawing, an SVG written by matplotlib in a process of its own (``drawing.py``)."""

import hashlib
import json
import os
import subprocess  # nosec B404: the chart drawing's own process, see ``draw``
import sys
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path

from babel.dates import get_month_names
from babel.numbers import format_decimal
from flask_babel import gettext

from openinfra_live import i18n
from openinfra_live.numbers.tallies import OUTCOMES, Figures
from openinfra_live.ptg.models import TEAM_KINDS
from openinfra_live.templating import human_date

NAMES = ("episodes", "views", "proposals", "ptg")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August")
MONTHS += ("September", "October", "November", "December")


def month_abbreviations() -> list[str]:
    """January to December, short, in the language being written: ``Jan``, ``1月``, ``jan.``."""
    language = i18n.current_language()
    if language == i18n.DEFAULT:
        return [name[:3] for name in MONTHS]
    names = get_month_names("abbreviated", locale=language)
    return [names[month] for month in range(1, 13)]


DRAWING = Path(__file__).with_name("drawing.py")
DRAWING_TIMEOUT = 60  # seconds; a first run builds matplotlib's font cache


@dataclass(frozen=True)
class Chart:
    """One chart: its words, its categories (bars, or rows of its table) and its series."""

    name: str
    title: str
    x_label: str
    y_label: str
    categories: list[str]
    series: dict[str, list[float]]
    horizontal: bool = False
    # Where each bar stands on a time axis, for bars that are days rather than categories.
    days: list[date] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(value for values in self.series.values() for value in values)

    @property
    def digest(self) -> str:
        """A short digest of what the chart shows: in its image's address, so that an image is
        drawn once for the same figures and a change of figures is a new address."""
        shown = [self.title, self.x_label, self.y_label, self.categories, self.series]
        shown += [self.horizontal, [day.isoformat() for day in self.days]]
        return hashlib.sha256(json.dumps(shown).encode("utf-8")).hexdigest()[:16]

    @property
    def category_label(self) -> str:
        """What the categories are: the head of the table's first column."""
        return self.y_label if self.horizontal else self.x_label

    @property
    def rows(self) -> list[tuple[str, list[float]]]:
        """The table beside the chart: a row per category, a value per series."""
        columns = list(self.series.values())
        return [(name, [values[i] for values in columns]) for i, name in enumerate(self.categories)]

    @property
    def description(self) -> str:
        """The chart in words: what it shows, then every figure when they are few."""
        said = gettext(
            "%(title)s. %(across)s against %(up)s.",
            title=self.title,
            across=self.y_label if self.horizontal else self.x_label,
            up=self.x_label if self.horizontal else self.y_label,
        )
        if len(self.categories) <= 24:
            said += (
                " "
                + "; ".join(
                    f"{name}: "
                    + ", ".join(
                        f"{label} {figure(v)}" for label, v in zip(self.series, values, strict=True)
                    )
                    for name, values in self.rows
                )
                + "."
            )
        return said


def figure(value: float) -> str:
    """A figure as people read it: 12,345, or 12.5 for a half (12.345 and 12,5 in Portuguese)."""
    language = i18n.current_language()
    if language == i18n.DEFAULT:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    pattern = "#,##0" if float(value).is_integer() else "#,##0.0"
    return format_decimal(value, format=pattern, locale=language)


def charts_of(figures: Figures, years: list[Figures] | None = None) -> dict[str, Chart]:
    """The four charts of a year's page, or of every year's (``figures`` their total, ``years``
    each year's)."""
    year = figures.year
    if year:
        months = month_abbreviations()
        aired = [figures.aired.get(m, 0) for m in range(1, 13)]
        episodes = Chart(
            "episodes",
            gettext("Episodes aired each month of %(year)d", year=year),
            gettext("Month"),
            gettext("Episodes"),
            months,
            {gettext("Episodes"): aired},
        )
        points = figures.watched
        views = Chart(
            "views",
            gettext("Views of each episode aired in %(year)d", year=year),
            gettext("Date aired"),
            gettext("Views"),
            [f"{human_date(p.starts_at)}: {p.title}" for p in points],
            {gettext("Views"): [p.views for p in points]},
            days=[p.starts_at.date() for p in points],
        )
        proposals_title = gettext("What became of the proposals received in %(year)d", year=year)
        ptg_title = gettext("PTG teams per event of %(year)d, by kind", year=year)
    else:
        aired = sorted((y for y in years or [] if y.episodes), key=lambda y: y.year or 0)
        episodes = Chart(
            "episodes",
            gettext("Episodes aired each year"),
            gettext("Year"),
            gettext("Episodes"),
            [str(y.year) for y in aired],
            {gettext("Episodes"): [y.episodes for y in aired]},
        )
        watched = [y for y in aired if y.views]
        views = Chart(
            "views",
            gettext("Median views per episode, by year aired"),
            gettext("Year"),
            gettext("Median views per episode"),
            [str(y.year) for y in watched],
            {gettext("Median views"): [y.views_median or 0 for y in watched]},
        )
        proposals_title = gettext("What became of the proposals received every year")
        ptg_title = gettext("PTG teams per event, by kind")
    outcomes = figures.proposals.outcomes
    proposals = Chart(
        "proposals",
        proposals_title,
        gettext("Proposals"),
        gettext("Outcome"),
        [str(label) for label in OUTCOMES.values()],
        {gettext("Proposals"): [outcomes[key] for key in OUTCOMES]},
        horizontal=True,
    )
    ptg = Chart(
        "ptg",
        ptg_title,
        gettext("Approved teams"),
        gettext("Event"),
        [event.name for event in figures.ptg],
        {
            str(label): [event.kinds[kind] for event in figures.ptg]
            for kind, label in TEAM_KINDS.items()
        },
        horizontal=True,
    )
    return {chart.name: chart for chart in (episodes, views, proposals, ptg)}


def draw(chart: Chart) -> bytes:
    """The chart as an SVG document: bars (stacked when several series), labelled axes, a
    title, and a ``<title>`` and ``<desc>`` that say it in words.

    matplotlib draws in a process of its own (``drawing.py``): loaded in a web worker it would
    stay there, some 60 MB for the life of the worker, for a page that is drawn once a minute
    at the most and then served from the cache.
    """
    spec = {
        "title": chart.title,
        "x_label": chart.x_label,
        "y_label": chart.y_label,
        "categories": chart.categories,
        "series": chart.series,
        "horizontal": chart.horizontal,
        "days": [day.isoformat() for day in chart.days],
        "months": month_abbreviations(),
        "labels": {name: [figure(v) for v in values] for name, values in chart.series.items()},
    }
    # The script and the interpreter are this installation's own; no shell, nothing typed.
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(DRAWING)],
        input=json.dumps(spec).encode("utf-8"),
        capture_output=True,
        timeout=DRAWING_TIMEOUT,
        check=False,
        env={**os.environ, "MPLBACKEND": "svg"},
    )
    if done.returncode != 0:
        raise RuntimeError(f"the chart {chart.name!r} could not be drawn: {done.stderr[-500:]!r}")
    return _with_text_alternative(done.stdout.decode("utf-8"), chart).encode("utf-8")


def _with_text_alternative(svg: str, chart: Chart) -> str:
    """The SVG with a ``<title>`` and a ``<desc>`` as its first children, named by ``aria-*``."""
    start = svg.index("<svg")
    end = svg.index(">", start)
    opening = svg[start:end] + ' role="img" aria-labelledby="chart-title chart-desc">'
    alternative = (
        f'<title id="chart-title">{escape(chart.title)}</title>'
        f'<desc id="chart-desc">{escape(chart.description)}</desc>'
    )
    return svg[:start] + opening + alternative + svg[end + 1 :]
