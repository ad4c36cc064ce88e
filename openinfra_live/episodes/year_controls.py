"""The archive's year filter, rendered once for each set of years and reused.

The archive shows every year from the latest episode back to the first twice (the options of
its year filter and a list of links), and rendering those loops cost more than the rest of the
page's template. What they show depends only on the years, the chosen year and the archive's
address, which change with the content or the request, so each combination is rendered once
per app and kept, a bounded number of them.
"""

from collections.abc import Sequence
from typing import NamedTuple

from flask import current_app, url_for
from markupsafe import Markup

TEMPLATE = "episodes/_year_controls.html"
# Combinations kept per app: a chosen year each (about forty for a decades-old show), for one
# or two sets of years while the content changes, with room to spare; past it, all are dropped.
KEPT = 256


class YearControls(NamedTuple):
    """The ``<option>`` elements of the year filter, and the list of links to each year."""

    options: Markup
    links: Markup


def year_controls(years: Sequence[int], year: int | None) -> YearControls:
    """The year filter's options and links for ``years`` (latest first), ``year`` chosen."""
    archive_url = url_for("episodes.archive")
    years = tuple(years)
    key = (years, year, archive_url)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    kept: dict[tuple, YearControls] = app.extensions.setdefault("year_controls", {})
    found = kept.get(key)
    if found is None:
        macros = app.jinja_env.get_template(TEMPLATE).module
        found = YearControls(
            options=macros.year_options(years, year),
            links=macros.year_links(years, year, archive_url),
        )
        if len(kept) >= KEPT:
            kept.clear()
        kept[key] = found
    return found
