"""The show and the PTG in numbers: every year, one year, their charts (SVG) and figures (CSV).

Each answer follows the clock (an episode counts once it has started) and shows proposals,
which are no public content and do not move the content version: pages and CSV are cached as
pages, under the content version and the minute (``caching.page``), so a figure is never more
than a minute behind; a chart's address names its figures (see ``all_years_chart``).
"""

from flask import Blueprint, Response, abort, render_template
from flask_babel import gettext

from openinfra_live import caching, clock
from openinfra_live.episodes.queries import FIRST_YEAR, LAST_YEAR
from openinfra_live.numbers import charts, export, figures
from openinfra_live.numbers.tallies import Figures

bp = Blueprint("numbers", __name__)
bp.add_app_template_filter(charts.figure, "figure")

# A chart is an image of its own: its styles are inside it, and nothing else may run or load.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404, description=gettext("There are no numbers for the year %(year)d.", year=year))


def _chart_answer(chart: charts.Chart) -> Response:
    if chart.empty:
        abort(404, description=gettext("This chart has nothing to show."))
    response = Response(charts.draw(chart), content_type="image/svg+xml; charset=utf-8")
    response.headers["Content-Security-Policy"] = SVG_POLICY
    return response


def _csv_answer(rows: list[Figures], filename: str) -> Response:
    response = Response(export.figures_csv(rows), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/numbers/")
@caching.page
def index():
    """Every year in numbers: the totals, a row per year, and the charts."""
    now = clock.now()

    def build() -> str:
        total, years = figures.every_year(now)
        return render_template(
            "numbers/index.html",
            total=total,
            years=years,
            charts=charts.charts_of(total, years),
            linked=range(FIRST_YEAR, LAST_YEAR + 1),
            now=now,
        )

    return caching.respond(caching.page_validators(now), build, private=True)


@bp.get("/numbers/<int:year>/")
@caching.page
def year(year: int):
    """One year in numbers, "so far" while it runs."""
    _check_year(year)
    now = clock.now()

    def build() -> str:
        found = figures.year_figures(year, now)
        return render_template(
            "numbers/year.html",
            figures=found,
            charts=charts.charts_of(found),
            first_year=FIRST_YEAR,
            now=now,
        )

    return caching.respond(caching.page_validators(now), build, private=True)


# A chart's address carries the digest of its figures (``?v=``, from the page that shows it),
# so charts are cached as data, not by the minute: the same figures are drawn once, and a page
# whose figures changed names a new image. The image is drawn from the figures of the moment.
@bp.get("/numbers/<name>.svg")
@caching.data
def all_years_chart(name: str):
    """One chart of every year's page, as an SVG image."""
    if name not in charts.NAMES:
        abort(404)

    def build() -> Response:
        total, years = figures.every_year(clock.now())
        return _chart_answer(charts.charts_of(total, years)[name])

    return caching.respond(caching.data_validators(), build)


@bp.get("/numbers/<int:year>/<name>.svg")
@caching.data
def year_chart(year: int, name: str):
    """One chart of a year's page, as an SVG image."""
    _check_year(year)
    if name not in charts.NAMES:
        abort(404)

    def build() -> Response:
        return _chart_answer(charts.charts_of(figures.year_figures(year, clock.now()))[name])

    return caching.respond(caching.data_validators(), build)


@bp.get("/numbers/all.csv")
@caching.page
def all_years_csv():
    """Every year's figures as CSV, a row a year and one for all years."""
    now = clock.now()

    def build() -> Response:
        total, years = figures.every_year(now)
        return _csv_answer([*years, total], "openinfra-in-numbers.csv")

    return caching.respond(caching.page_validators(now), build, private=True)


@bp.get("/numbers/<int:year>.csv")
@caching.page
def year_csv(year: int):
    """A year's figures as CSV."""
    _check_year(year)
    now = clock.now()

    def build() -> Response:
        return _csv_answer([figures.year_figures(year, now)], f"openinfra-in-numbers-{year}.csv")

    return caching.respond(caching.page_validators(now), build, private=True)
