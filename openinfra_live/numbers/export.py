"""The figures as CSV: a row a year (and one for every year), a column a figure."""

import csv
import io

from openinfra_live.numbers.tallies import Figures
from openinfra_live.ptg.models import TEAM_KINDS

COLUMNS = ["Year", "Episodes aired", "Hours of content", "Guests", "Organisations"]
COLUMNS += ["First-time guests", "Proposals received", "Proposals approved"]
COLUMNS += ["Proposals scheduled", "Median days from proposal to air", "Episodes with views"]
COLUMNS += ["Views", "Median views per episode", "Most watched episode", "Its views"]
COLUMNS += ["Episodes with a live count", "Average peak live viewers"]
COLUMNS += ["Audience questions asked", "Audience questions answered on air"]
# The CSV's column names are data: English whatever the page's language, in ``TEAM_KINDS``' order.
COLUMNS += ["PTG events", "PTG teams", "PTG project teams", "PTG special interest groups"]
COLUMNS += ["PTG working groups", "PTG other groups"]


def _figure(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _text(value: str) -> str:
    # A spreadsheet would run a cell starting like a formula: it is kept as text.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def row_of(figures: Figures) -> list[str]:
    """The figures of one year, or of every year ("All years"), as the CSV writes them."""
    proposals, watched = figures.proposals, figures.most_watched
    kinds = {kind: sum(event.kinds[kind] for event in figures.ptg) for kind in TEAM_KINDS}
    return [
        str(figures.year) if figures.year else "All years",  # data too: not translated
        _figure(figures.episodes),
        _figure(round(figures.hours, 1)),
        _figure(figures.guests),
        _figure(figures.organisations),
        _figure(figures.first_time_guests),
        _figure(proposals.received),
        _figure(proposals.approved),
        _figure(proposals.scheduled),
        _figure(proposals.median_days_to_air),
        _figure(len(figures.views)),
        _figure(figures.views_total),
        _figure(figures.views_median),
        _text(watched.title) if watched else "",
        _figure(watched.views) if watched else "",
        _figure(len(figures.peaks)),
        _figure(None if figures.peak_average is None else round(figures.peak_average)),
        _figure(figures.questions_asked),
        _figure(figures.questions_answered),
        _figure(len(figures.ptg)),
        _figure(figures.ptg_teams),
        *(_figure(kinds[kind]) for kind in TEAM_KINDS),
    ]


def figures_csv(rows: list[Figures]) -> str:
    """A header, then a row for each of ``rows``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(row_of(figures) for figures in rows)
    return out.getvalue()
