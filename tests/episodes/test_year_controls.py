"""The archive's year filter is rendered once for each set of years and chosen year."""

import pytest

from openinfra_live.episodes import year_controls as controls_module
from openinfra_live.episodes.year_controls import KEPT, year_controls


@pytest.fixture
def macro_calls(app, monkeypatch):
    """How many times the year filter's template was rendered."""
    calls = []
    original = controls_module.TEMPLATE

    def counting_template(name, *args, **kwargs):
        if name == original:
            calls.append(name)
        return get_template(name, *args, **kwargs)

    get_template = app.jinja_env.get_template
    monkeypatch.setattr(app.jinja_env, "get_template", counting_template)
    app.extensions.pop("year_controls", None)
    return calls


def test_the_options_and_links_show_every_year_and_the_chosen_one(app):
    with app.test_request_context("/episodes/"):
        controls = year_controls([2024, 2023, 2022], 2023)

    assert controls.options.count("<option") == 4
    assert '<option value="">All years</option>' in controls.options
    assert '<option value="2023" selected>2023</option>' in controls.options
    assert '<option value="2024">2024</option>' in controls.options
    assert '<a href="/episodes/?year=2023" aria-current="page">2023</a>' in controls.links
    assert '<a href="/episodes/?year=2022">2022</a>' in controls.links
    assert controls.links.count("aria-current") == 1


def test_no_years_means_only_all_years_and_no_list(app):
    with app.test_request_context("/episodes/"):
        controls = year_controls([], None)

    assert controls.options == '<option value="">All years</option>'
    assert controls.links == ""


def test_the_same_years_and_choice_are_rendered_once(app, macro_calls):
    with app.test_request_context("/episodes/"):
        first = year_controls([2024, 2023], None)
        again = year_controls([2024, 2023], None)
        chosen = year_controls([2024, 2023], 2024)
        more_years = year_controls([2025, 2024, 2023], None)

    assert again is first
    assert len(macro_calls) == 3
    assert "selected" not in first.options
    assert '<option value="2024" selected>' in chosen.options
    assert '<option value="2025">' in more_years.options


def test_a_site_mounted_below_the_root_links_its_own_archive(app):
    with app.test_request_context("/episodes/"):
        at_root = year_controls([2024], None)
    with app.test_request_context("/episodes/", base_url="http://live.test/live/"):
        mounted = year_controls([2024], None)

    assert 'href="/episodes/?year=2024"' in at_root.links
    assert 'href="/live/episodes/?year=2024"' in mounted.links


def test_the_kept_combinations_are_bounded(app, macro_calls):
    with app.test_request_context("/episodes/"):
        for year in range(1, KEPT + 2):
            year_controls([2024], year)
        kept = app.extensions["year_controls"]

    assert 0 < len(kept) <= KEPT
