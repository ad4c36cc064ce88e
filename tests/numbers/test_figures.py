"""Every figure of the numbers pages, computed from known content on SQLite and PostgreSQL."""

from datetime import timedelta

from openinfra_live.extensions import db
from openinfra_live.numbers import figures
from tests.episodes.builders import make_episode
from tests.numbers.conftest import NOW, at
from tests.statements import statements_of


def test_a_year_counts_visible_episodes_aired_in_it_and_their_hours(app, known):
    with app.app_context():
        found = figures.year_figures(2024, NOW)
    # The hidden episode never counts; the one at 23:30 UTC on 31 December is of 2024; the
    # special counts the 90 minutes of its segments, not the hours between them.
    assert found.episodes == 4
    assert found.minutes == 60 + 90 + 60 + 90
    assert found.hours == 5
    assert found.aired == {1: 1, 6: 1, 9: 1, 12: 1}
    assert not found.so_far


def test_guests_are_counted_once_whatever_the_case_and_spaces_of_their_names(app, known):
    with app.app_context():
        found = figures.year_figures(2024, NOW)
    # Ann Smith (twice, once as "ANN  SMITH"), Bob, Cy, Dee and Eve (a segment's speaker);
    # not the hidden episode's guest. ACME, Globex and Initech; Cy has no organisation.
    assert (found.guests, found.organisations) == (5, 3)
    # Bob first came in 2023.
    assert found.first_time_guests == 4


def test_first_time_guests_of_each_year_add_up_to_every_guest(app, known):
    with app.app_context():
        total, years = figures.every_year(NOW)
    by_year = {y.year: y.first_time_guests for y in years}
    assert by_year == {2025: 1, 2024: 4, 2023: 1}
    assert total.guests == total.first_time_guests == 6


def test_views_total_median_and_most_watched_leave_out_hidden_and_upcoming(app, known):
    with app.app_context():
        found = figures.year_figures(2024, NOW)
        total, years = figures.every_year(NOW)
    assert found.views == [1000, 3000]
    assert (found.views_total, found.views_median) == (4000, 2000)
    assert found.most_watched.title == "Ann again, with Cy"
    assert [point.views for point in found.watched] == [1000, 3000]
    # Every year: 2025's aired episode (500) counts, the episode still to come (7) does not.
    assert (total.views_total, total.views_median) == (4500, 1000)
    assert total.most_watched.title == "Ann again, with Cy"
    assert {y.year: y.most_watched and y.most_watched.views for y in years} == {
        2025: 500,
        2024: 3000,
        2023: None,
    }


def test_proposals_count_in_the_year_received_with_what_became_of_them(app, known):
    with app.app_context():
        found = figures.year_figures(2024, NOW).proposals
        earlier = figures.year_figures(2023, NOW).proposals
    # One received at 23:30 UTC on 31 December 2024 is of 2024.
    assert found.received == 7
    # Approved, scheduled, or withdrawn after it was approved.
    assert found.approved == 4
    assert found.scheduled == 2
    assert found.outcomes == {
        "scheduled": 2,
        "approved": 1,
        "open": 2,
        "declined": 1,
        "withdrawn": 1,
    }
    assert (earlier.received, earlier.approved, earlier.scheduled) == (1, 1, 1)


def test_median_days_from_proposal_to_air_of_the_episodes_aired_in_the_year(app, known):
    with app.app_context():
        found = figures.year_figures(2024, NOW).proposals
    # 41 days (proposed in 2023), 43 days, and 40 days for the special's segment.
    assert sorted(round(days) for days in found.days_to_air) == [40, 41, 43]
    assert found.median_days_to_air == 41


def test_ptg_teams_by_kind_per_event_count_approved_teams_only(app, known):
    with app.app_context():
        found = figures.year_figures(2024, NOW)
    assert [(event.name, event.kinds) for event in found.ptg] == [
        ("PTG March 2024", {"project_team": 1, "sig": 1, "working_group": 1, "other": 0}),
        ("PTG October 2024", {"project_team": 2, "sig": 0, "working_group": 0, "other": 0}),
    ]
    assert found.ptg_teams == 5


def test_a_year_in_progress_is_so_far_and_counts_only_what_has_aired(app, known):
    with app.app_context():
        found = figures.year_figures(2025, NOW)
    assert found.so_far
    assert (found.episodes, found.guests, found.first_time_guests) == (1, 2, 1)
    assert found.views == [500]


def test_a_year_without_anything_has_no_data(app, known):
    with app.app_context():
        found = figures.year_figures(2010, NOW)
    assert not found.has_data
    assert (found.episodes, found.proposals.received, found.ptg) == (0, 0, [])


def test_every_year_lists_the_years_with_data_latest_first_and_adds_them_up(app, known):
    with app.app_context():
        total, years = figures.every_year(NOW)
    assert [y.year for y in years] == [2025, 2024, 2023]
    assert total.episodes == sum(y.episodes for y in years) == 6
    assert total.proposals.received == 9
    assert total.ptg_teams == 5
    assert total.aired == {2023: 1, 2024: 4, 2025: 1}


def test_the_figures_take_a_fixed_number_of_statements(app, known):
    def year():
        figures.year_figures(2024, NOW)

    def every():
        figures.every_year(NOW)

    with app.app_context():
        small = (len(statements_of(app, year)), len(statements_of(app, every)))
        for week in range(60):
            start = at(2024, 1, 1) + timedelta(weeks=week)
            guests = [(f"Guest {week}", f"Org {week}")]
            make_episode(f"More {week}", start, guests=guests, views=week, commit=False)
        db.session.commit()
        large = (len(statements_of(app, year)), len(statements_of(app, every)))
    assert small == large
    assert large[0] <= 9 and large[1] <= 11


def test_audience_questions_count_for_aired_visible_episodes_in_their_year(app, known):
    with app.app_context():
        found = figures.year_figures(2024, NOW)
        total, years = figures.every_year(NOW)
    # The hidden episode's two and the question to an episode still to come never count.
    assert (found.questions_asked, found.questions_answered) == (3, 1)
    by_year = {y.year: (y.questions_asked, y.questions_answered) for y in years}
    assert by_year == {2025: (1, 1), 2024: (3, 1), 2023: (0, 0)}
    assert (total.questions_asked, total.questions_answered) == (4, 2)


def test_live_viewers_average_the_peaks_of_aired_visible_episodes(app, known):
    with app.app_context():
        found = figures.year_figures(2024, NOW)
        total, years = figures.every_year(NOW)
    # Not the hidden episode's 9,999, nor the 5 of an episode still to come.
    assert (found.peaks, found.peak_average) == ([100, 300], 200)
    assert sorted(total.peaks) == [100, 300] and total.peak_average == 200
    assert {y.year: y.peak_average for y in years} == {2025: None, 2024: 200, 2023: None}
