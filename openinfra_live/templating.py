"""Filters and globals every template may use."""

from datetime import date, datetime

from flask import Flask
from markupsafe import Markup

from openinfra_live import clock, preferences, sanitize, timezones


def iso_utc(value: datetime) -> str:
    """Machine-readable UTC time for ``<time datetime>``."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def human_date(value: date | datetime) -> str:
    """``3 December 2026`` (``2026年12月3日``, ``3 de dezembro de 2026``)."""
    return timezones.write_day(value, "date")


def human_month(value: str | None) -> str:
    """A ``YYYY-MM`` month in words (``January 2027``); anything else as it is."""
    try:
        month = datetime.strptime(value or "", "%Y-%m")
    except ValueError:
        return value or ""
    return timezones.write_day(month, "month")


def human_day(value: date | datetime, kind: str = "day_year") -> str:
    """A day as the pages write it: ``Thu 3 Dec 2026``; ``kind`` as ``timezones.write_day``."""
    return timezones.write_day(value, kind)


def clean_html(value: str | None) -> Markup:
    """Stored rich text (descriptions) as HTML, the one place that marks HTML safe.

    The value was cleaned on the way in (the editing services, the importer); it goes through
    ``sanitize.clean_html`` again here, which gives the same HTML for such a value, so that a
    row written by any other path cannot bring markup past the allow-list.
    """
    # The allow-listed helper: only ever the cleaner's output, allow-listed tags only.
    return Markup(sanitize.clean_html(value))  # noqa: S704  # nosec B704


def init_app(app: Flask) -> None:
    app.add_template_filter(iso_utc)
    app.add_template_filter(timezones.human_utc)
    app.add_template_filter(timezones.human_utc_range)
    app.add_template_filter(human_date)
    app.add_template_filter(human_month)
    app.add_template_filter(human_day)
    app.add_template_filter(clean_html)
    app.add_template_filter(timezones.local_time_label, "local_time")
    app.add_template_filter(timezones.local_range_label, "local_range")
    app.add_template_filter(timezones.city, "zone_city")
    # A global, not a context variable, so that imported macros see it too.
    app.add_template_global(preferences.visitor_zone)
    app.add_template_global(preferences.timezone_page_url)
    app.add_template_global(preferences.human_time)
    app.add_template_global(preferences.zone_note)
    app.add_template_global(preferences.language_form)

    @app.context_processor
    def site_globals() -> dict:
        return {
            "site_name": app.config["SITE_NAME"],
            "now_utc": clock.now(),
        }
