"""The charts of the numbers pages: what each shows (:class:`Chart`, also the table beside it)
and its drawing, an SVG written by matplotlib.

matplotlib is imported only when a chart is drawn: a worker that never draws one never loads
it (tens of MB). The SVG holds no script and no external reference, its text stays text
(``svg.fonttype`` none: selectable, read by tests, drawn in the reader's sans-serif), and the
same figures give the same bytes (``svg.hashsalt``, no date in its metadata).
"""

import io
import threading
from dataclasses import dataclass, field
from datetime import date
from html import escape

from openinfra_live.numbers.tallies import OUTCOMES, Figures
from openinfra_live.ptg.models import TEAM_KINDS
from openinfra_live.templating import human_date

NAMES = ("episodes", "views", "proposals", "ptg")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August")
MONTHS += ("September", "October", "November", "December")
# Told apart by readers with any colour vision (Okabe and Ito's palette).
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")
SETTINGS = {
    "svg.hashsalt": "openinfra-live-numbers",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 13,
}
# Values are written on the bars when there are at most this many.
LABELLED_BARS = 40
_drawing = threading.Lock()  # matplotlib's settings are global to the process


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
        said = f"{self.title}. {self.y_label if self.horizontal else self.x_label} against "
        said += f"{self.x_label if self.horizontal else self.y_label}."
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
    """A figure as people read it: 12,345, or 12.5 for a half."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def charts_of(figures: Figures, years: list[Figures] | None = None) -> dict[str, Chart]:
    """The four charts of a year's page, or of every year's (``figures`` their total, ``years``
    each year's)."""
    year = figures.year
    when = f"in {year}" if year else "by year"
    if year:
        months = [MONTHS[m - 1][:3] for m in range(1, 13)]
        aired = [figures.aired.get(m, 0) for m in range(1, 13)]
        episodes = Chart(
            "episodes",
            f"Episodes aired each month of {year}",
            "Month",
            "Episodes",
            months,
            {"Episodes": aired},
        )
        points = figures.watched
        views = Chart(
            "views",
            f"Views of each episode aired {when}",
            "Date aired",
            "Views",
            [f"{human_date(p.starts_at)}: {p.title}" for p in points],
            {"Views": [p.views for p in points]},
            days=[p.starts_at.date() for p in points],
        )
    else:
        aired = sorted((y for y in years or [] if y.episodes), key=lambda y: y.year or 0)
        episodes = Chart(
            "episodes",
            "Episodes aired each year",
            "Year",
            "Episodes",
            [str(y.year) for y in aired],
            {"Episodes": [y.episodes for y in aired]},
        )
        watched = [y for y in aired if y.views]
        views = Chart(
            "views",
            "Median views per episode, by year aired",
            "Year",
            "Median views per episode",
            [str(y.year) for y in watched],
            {"Median views": [y.views_median or 0 for y in watched]},
        )
    outcomes = figures.proposals.outcomes
    proposals = Chart(
        "proposals",
        f"What became of the proposals received {when if year else 'every year'}",
        "Proposals",
        "Outcome",
        list(OUTCOMES.values()),
        {"Proposals": [outcomes[key] for key in OUTCOMES]},
        horizontal=True,
    )
    ptg = Chart(
        "ptg",
        f"PTG teams per event{f' of {year}' if year else ''}, by kind",
        "Approved teams",
        "Event",
        [event.name for event in figures.ptg],
        {label: [event.kinds[kind] for event in figures.ptg] for kind, label in TEAM_KINDS.items()},
        horizontal=True,
    )
    return {chart.name: chart for chart in (episodes, views, proposals, ptg)}


def draw(chart: Chart) -> bytes:
    """The chart as an SVG document: bars (stacked when several series), labelled axes, a
    title, and a ``<title>`` and ``<desc>`` that say it in words."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    rows = max(len(chart.categories), 1)
    legend = 0.8 if len(chart.series) > 1 else 0.0
    height = max(3.0, 1.8 + 0.45 * rows) + legend if chart.horizontal else 4.8
    with _drawing, matplotlib.rc_context(SETTINGS):
        figure = Figure(figsize=(8, min(height, 40)), layout="constrained")
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        _bars(axes, chart)
        figure.suptitle(chart.title, x=0.02, ha="left", fontsize=14, fontweight="bold")
        axes.set_xlabel(chart.x_label)
        axes.set_ylabel(chart.y_label)
        axes.spines[["top", "right"]].set_visible(False)
        if len(chart.series) > 1:
            figure.legend(loc="outside lower center", ncols=2, frameon=False)
        out = io.BytesIO()
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return _with_text_alternative(out.getvalue().decode(), chart).encode()


def _bars(axes, chart: Chart) -> None:
    positions = chart.days or list(range(len(chart.categories)))
    base = [0.0] * len(positions)
    labelled = len(positions) <= LABELLED_BARS
    for index, (label, values) in enumerate(chart.series.items()):
        colour = COLOURS[index % len(COLOURS)]
        if chart.horizontal:
            bars = axes.barh(positions, values, left=base, color=colour, label=label, height=0.65)
        else:
            bars = axes.bar(
                positions,
                values,
                bottom=base,
                color=colour,
                label=label,
                width=5 if chart.days else 0.7,
            )
        for number, bar in enumerate(bars):
            bar.set_gid(f"bar-{index}-{number}")
        if labelled and len(chart.series) == 1 and not chart.days:
            axes.bar_label(bars, labels=[figure(v) for v in values], padding=3, fontsize=9)
        base = [b + v for b, v in zip(base, values, strict=True)]
    if chart.horizontal:
        axes.set_yticks(range(len(chart.categories)), chart.categories)
        axes.invert_yaxis()
        axes.xaxis.get_major_locator().set_params(integer=True)
    elif chart.days:
        from matplotlib.dates import DateFormatter, MonthLocator

        year = chart.days[0].year
        axes.set_xlim(date(year, 1, 1), date(year, 12, 31))
        axes.xaxis.set_major_locator(MonthLocator())
        axes.xaxis.set_major_formatter(DateFormatter("%b"))
        axes.yaxis.get_major_locator().set_params(integer=True)
    else:
        axes.set_xticks(positions, chart.categories, rotation=90 if len(positions) > 16 else 0)
        axes.yaxis.get_major_locator().set_params(integer=True)


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
