"""Draws one chart of the numbers pages as SVG with matplotlib, in a process of its own: the
chart (JSON, as ``charts.draw`` writes it) on standard input, the SVG on standard output.

Run by path, it imports nothing of the site: a web worker never loads matplotlib. The SVG holds
no script and no external reference, its text stays text (``svg.fonttype`` none: selectable,
read by tests, drawn in the reader's sans-serif), and the same figures give the same bytes
(``svg.hashsalt``, no date in its metadata).
"""

import io
import json
import sys
from datetime import date

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.dates import DateFormatter, MonthLocator, num2date
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

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


def render(chart: dict) -> str:
    """The chart as an SVG document (without its text alternative, which ``charts`` adds)."""
    rows = max(len(chart["categories"]), 1)
    legend = 0.8 if len(chart["series"]) > 1 else 0.0
    height = max(3.0, 1.8 + 0.45 * rows) + legend if chart["horizontal"] else 4.8
    with matplotlib.rc_context(SETTINGS):
        figure = Figure(figsize=(8, min(height, 40)), layout="constrained")
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        _bars(axes, chart)
        figure.suptitle(chart["title"], x=0.02, ha="left", fontsize=14, fontweight="bold")
        axes.set_xlabel(chart["x_label"])
        axes.set_ylabel(chart["y_label"])
        axes.spines[["top", "right"]].set_visible(False)
        if len(chart["series"]) > 1:
            figure.legend(loc="outside lower center", ncols=2, frameon=False)
        out = io.BytesIO()
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue().decode()


def _bars(axes, chart: dict) -> None:
    days = [date.fromisoformat(day) for day in chart["days"]]
    categories = chart["categories"]
    positions = days or list(range(len(categories)))
    base = [0.0] * len(positions)
    labelled = len(positions) <= LABELLED_BARS
    for index, (label, values) in enumerate(chart["series"].items()):
        colour = COLOURS[index % len(COLOURS)]
        if chart["horizontal"]:
            bars = axes.barh(positions, values, left=base, color=colour, label=label, height=0.65)
        else:
            width = 5 if days else 0.7
            bars = axes.bar(positions, values, bottom=base, color=colour, label=label, width=width)
        for number, bar in enumerate(bars):
            bar.set_gid(f"bar-{index}-{number}")
        if labelled and len(chart["series"]) == 1 and not days:
            axes.bar_label(bars, labels=chart["labels"][label], padding=3, fontsize=9)
        base = [b + v for b, v in zip(base, values, strict=True)]
    if chart["horizontal"]:
        axes.set_yticks(range(len(categories)), categories)
        axes.invert_yaxis()
        axes.xaxis.get_major_locator().set_params(integer=True)
    elif days:
        year = days[0].year
        axes.set_xlim(date(year, 1, 1), date(year, 12, 31))
        axes.xaxis.set_major_locator(MonthLocator())
        # The months in the page's language (``charts`` sends them), else the C locale's.
        months = chart.get("months")
        if months:
            axes.xaxis.set_major_formatter(
                FuncFormatter(lambda x, _position: months[num2date(x).month - 1])
            )
        else:
            axes.xaxis.set_major_formatter(DateFormatter("%b"))
        axes.yaxis.get_major_locator().set_params(integer=True)
    else:
        axes.set_xticks(positions, categories, rotation=90 if len(positions) > 16 else 0)
        axes.yaxis.get_major_locator().set_params(integer=True)


if __name__ == "__main__":
    # Bytes both ways: titles and names are any language, whatever the locale of the process.
    sys.stdout.buffer.write(render(json.loads(sys.stdin.buffer.read())).encode("utf-8"))
