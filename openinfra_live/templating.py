"""Filters and globals every template may use."""

from datetime import date, datetime

from flask import Flask
from markupsafe import Markup

from openinfra_live import clean_stamps, clock, preferences


def iso_utc(value: datetime) -> str:
    """Machine-readable UTC time for ``<time datetime>``."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def human_utc(value: datetime) -> str:
    """Readable UTC time: ``Thu 23 Nov 2026, 14:00 UTC``."""
    return value.strftime("%a %-d %b %Y, %H:%M UTC")


def human_date(value: date | datetime) -> str:
    return value.strftime("%-d %B %Y")


def clean_html(value: str | None, stamp: str | None = None) -> Markup:
    """Stored rich text (descriptions) as HTML: with :func:`rendered_html`, the one place that
    marks HTML safe.

    The value goes through ``sanitize.clean_html`` here, whatever cleaned it on the way in, so
    a row written by any path cannot bring markup past the allow-list; unless ``stamp``
    proves the value is already that cleaner's output (``clean_stamps``), which spares
    cleaning it again and gives the same HTML.
    """
    # The allow-listed helper: only ever the cleaner's output, allow-listed tags only.
    return Markup(clean_stamps.cleaned_html(value, stamp))  # noqa: S704  # nosec B704


def rendered_html(html: str) -> Markup:
    """HTML the site's own templates rendered, with their escaping, and kept (episode cards,
    which episodes/cards.py stores and prints), or markup written in the site's code (a card's
    slot markers): never text from a visitor or a stored field as it was typed."""
    return Markup(html)  # noqa: S704  # nosec B704


def init_app(app: Flask) -> None:
    app.add_template_filter(iso_utc)
    app.add_template_filter(human_utc)
    app.add_template_filter(human_date)
    app.add_template_filter(clean_html)
    app.add_template_filter(preferences.local_time_label, "local_time")
    # A global, not a context variable, so that imported macros see it too.
    app.add_template_global(preferences.visitor_zone)
    app.add_template_global(preferences.timezone_page_url)

    @app.context_processor
    def site_globals() -> dict:
        return {
            "site_name": app.config["SITE_NAME"],
            "now_utc": clock.now(),
        }
