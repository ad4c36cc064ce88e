"""The archive: newest first, pages, a literal search and a year filter; no 500 on bad input."""

from datetime import UTC, datetime, timedelta

import pytest

from openinfra_live.episodes import queries
from tests.episodes.builders import make_episode

START = datetime(2022, 1, 6, 14, 0, tzinfo=UTC)


def titles_in(html: str, candidates) -> list[str]:
    """The candidate titles found in ``html``, in page order."""
    found = [(html.find(f">{title}</a>"), title) for title in candidates]
    return [title for position, title in sorted(found) if position >= 0]


@pytest.fixture
def three_episodes(app):
    with app.app_context():
        make_episode(
            "Kata Containers roadmap",
            START,
            description="<p>Secure containers with 100% isolation_level.</p>",
            guests=[("Ana Lopez", "Ant Group")],
        )
        make_episode(
            "Large clouds and spare capacity",
            START + timedelta(days=365),
            description="<p>Operators of big OpenStack clouds.</p>",
            guests=[("Ben Ode", "CERN")],
        )
        make_episode("Digital sovereignty", START + timedelta(days=730), description="")
    return ["Kata Containers roadmap", "Large clouds and spare capacity", "Digital sovereignty"]


def test_archive_lists_visible_episodes_newest_first(app, client, three_episodes):
    with app.app_context():
        make_episode("Hidden draft", START + timedelta(days=3), hidden=True)

    html = client.get("/episodes/").get_data(as_text=True)

    assert titles_in(html, three_episodes) == list(reversed(three_episodes))
    assert "Hidden draft" not in html
    assert "3 episodes." in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kata", ["Kata Containers roadmap"]),
        ("OPENSTACK", ["Large clouds and spare capacity"]),  # description, any case
        ("ana lopez", ["Kata Containers roadmap"]),  # guest name
        ("cern", ["Large clouds and spare capacity"]),  # guest affiliation
        ("100%", ["Kata Containers roadmap"]),  # % matched as itself
        ("%", ["Kata Containers roadmap"]),
        ("n_l", ["Kata Containers roadmap"]),  # _ matched as itself ("isolation_level")
        ("' OR 1=1--", []),
        ("nothing like this", []),
    ],
)
def test_search_matches_literally(app, client, three_episodes, query, expected):
    response = client.get("/episodes/", query_string={"q": query})

    assert response.status_code == 200
    assert titles_in(response.get_data(as_text=True), three_episodes) == expected


def test_underscore_alone_matches_only_a_literal_underscore(app, client, three_episodes):
    html = client.get("/episodes/?q=_").get_data(as_text=True)

    assert titles_in(html, three_episodes) == ["Kata Containers roadmap"]


def test_search_is_shown_escaped_in_the_form_and_summary(app, client, three_episodes):
    html = client.get("/episodes/", query_string={"q": '<b>"x"'}).get_data(as_text=True)

    assert "<b>" not in html
    assert 'value="&lt;b&gt;&#34;x&#34;"' in html


def test_year_filter_and_the_list_of_years(app, client, three_episodes):
    html = client.get("/episodes/?year=2023").get_data(as_text=True)

    assert titles_in(html, three_episodes) == ["Large clouds and spare capacity"]
    for year in (2022, 2023, 2024):
        assert f'href="/episodes/?year={year}"' in html
    assert '<option value="2023" selected>' in html


def test_year_without_episodes_says_so_and_offers_every_episode(app, client, three_episodes):
    response = client.get("/episodes/?year=2010")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert titles_in(html, three_episodes) == []
    assert (
        'No episode in 2010. Choose another year, or <a href="/episodes/">see all episodes</a>.'
        in html
    )
    assert "0 episodes" not in html
    assert '<ul class="episode-list">' not in html


def test_the_year_filter_lists_only_years_that_have_visible_episodes(app, client):
    with app.app_context():
        make_episode("Early", datetime(2020, 3, 5, 14, 0, tzinfo=UTC))
        make_episode("Late", datetime(2024, 3, 7, 14, 0, tzinfo=UTC))
        make_episode("Another late", datetime(2024, 9, 5, 14, 0, tzinfo=UTC))
        make_episode("Hidden", datetime(2022, 3, 3, 14, 0, tzinfo=UTC), hidden=True)
        # The last minute of a year belongs to that year, whatever the database's zone.
        make_episode("New Year's Eve", datetime(2018, 12, 31, 23, 59, tzinfo=UTC))
        # The first moment of a year, the year after another one.
        make_episode("Older", datetime(2015, 6, 4, 14, 0, tzinfo=UTC))
        make_episode("New Year's Day", datetime(2016, 1, 1, 0, 0, tzinfo=UTC))

    html = client.get("/episodes/").get_data(as_text=True)

    with app.app_context():
        assert queries.archive_years() == [2024, 2020, 2018, 2016, 2015]
    for year in (2015, 2016, 2018, 2020, 2024):
        assert f'<option value="{year}">{year}</option>' in html
        assert f'href="/episodes/?year={year}"' in html
    for year in (2017, 2019, 2021, 2022, 2023):
        assert f'value="{year}"' not in html and f"?year={year}" not in html


def test_pages_split_the_archive_and_link_to_each_other(app, client):
    app.config["EPISODES_PER_PAGE"] = 2
    with app.app_context():
        for week in range(5):
            make_episode(f"Week {week}", START + timedelta(weeks=week))
    titles = [f"Week {week}" for week in range(5)]

    first = client.get("/episodes/").get_data(as_text=True)
    third = client.get("/episodes/?page=3").get_data(as_text=True)

    assert titles_in(first, titles) == ["Week 4", "Week 3"]
    assert 'rel="next" href="/episodes/?page=2"' in first
    assert 'rel="prev"' not in first
    assert titles_in(third, titles) == ["Week 0"]
    assert 'rel="prev" href="/episodes/?page=2"' in third
    assert 'rel="next"' not in third


def test_pagination_links_keep_the_search_and_year(app, client):
    app.config["EPISODES_PER_PAGE"] = 1
    with app.app_context():
        make_episode("Edge one", START)
        make_episode("Edge two", START + timedelta(weeks=1))

    html = client.get("/episodes/?q=edge&year=2022").get_data(as_text=True)

    assert 'href="/episodes/?page=2&amp;q=edge&amp;year=2022"' in html


def test_a_search_counts_up_to_a_cap_then_says_more_than_and_still_pages(app, client, monkeypatch):
    monkeypatch.setattr(queries, "SEARCH_COUNT_CAP", 3)
    app.config["EPISODES_PER_PAGE"] = 2
    with app.app_context():
        for week in range(7):
            make_episode(f"Capped {week}", START + timedelta(weeks=week))
        make_episode("Other topic", START + timedelta(weeks=8))
    titles = [f"Capped {week}" for week in range(7)]

    first = client.get("/episodes/?q=capped").get_data(as_text=True)
    last = client.get("/episodes/?q=capped&page=4").get_data(as_text=True)

    assert "More than 3 episodes matching “capped”, page 1." in first
    assert titles_in(first, titles) == ["Capped 6", "Capped 5"]
    assert 'rel="next" href="/episodes/?page=2&amp;q=capped"' in first
    assert "<span>Page 1</span>" in first
    assert titles_in(last, titles) == ["Capped 0"]
    assert 'rel="prev" href="/episodes/?page=3&amp;q=capped"' in last
    assert 'rel="next"' not in last
    assert client.get("/episodes/?q=capped&page=5").status_code == 404
    # Within the cap the count is exact, as it is without a search.
    exact = client.get("/episodes/?q=capped+6").get_data(as_text=True)
    assert "1 episode matching “capped 6”." in exact
    everything = client.get("/episodes/").get_data(as_text=True)
    assert "8 episodes, page 1 of 4." in everything


def test_a_search_pages_through_its_matches_within_and_past_what_one_pass_reads(
    app, client, monkeypatch
):
    # One pass reads the ids of cap + 1 matches: pages 1-2 come from them, page 3 straddles
    # their end and page 4 lies past it (both read with an offset).
    monkeypatch.setattr(queries, "SEARCH_COUNT_CAP", 4)
    app.config["EPISODES_PER_PAGE"] = 2
    with app.app_context():
        for week in range(8):
            make_episode(f"Paged {week}", START + timedelta(weeks=week), hidden=week == 3)
    titles = [f"Paged {week}" for week in range(8)]

    pages = [client.get(f"/episodes/?q=paged&page={n}") for n in range(1, 6)]

    assert [titles_in(page.get_data(as_text=True), titles) for page in pages[:4]] == [
        ["Paged 7", "Paged 6"],
        ["Paged 5", "Paged 4"],
        ["Paged 2", "Paged 1"],
        ["Paged 0"],
    ]
    assert 'rel="next"' in pages[2].get_data(as_text=True)
    assert 'rel="next"' not in pages[3].get_data(as_text=True)
    assert pages[4].status_code == 404


def test_a_search_that_matches_nothing_has_one_empty_page(app, client, three_episodes):
    empty = client.get("/episodes/?q=mainframe")

    assert empty.status_code == 200
    assert "No episode matches “mainframe”." in empty.get_data(as_text=True)
    assert client.get("/episodes/?q=mainframe&page=2").status_code == 404


def test_the_list_of_years_ends_at_the_last_year_the_filter_takes(app):
    with app.app_context():
        make_episode("Now", datetime(2024, 3, 7, 14, 0, tzinfo=UTC))
        make_episode("Far", datetime(2999, 3, 7, 14, 0, tzinfo=UTC))
        make_episode("Too far", datetime(9999, 3, 4, 14, 0, tzinfo=UTC))

        assert queries.archive_years() == [2999, 2024]


def test_an_empty_search_says_so_and_offers_the_way_on(app, client, three_episodes):
    html = client.get("/episodes/?q=zuul+2019").get_data(as_text=True)

    assert (
        "No episode matches “zuul 2019”. Try fewer words, or "
        '<a href="/episodes/">see all episodes</a>.'
    ) in html
    assert "0 episodes" not in html
    assert titles_in(html, three_episodes) == []


def test_an_empty_search_within_a_year_offers_every_year(app, client, three_episodes):
    html = client.get("/episodes/?q=kata&year=2023").get_data(as_text=True)

    assert "No episode in 2023 matches “kata”." in html
    assert '<a href="/episodes/?q=kata">Search every year</a>' in html
    assert '<a href="/episodes/">see all episodes</a>' in html
    # The way on finds it.
    everywhere = client.get("/episodes/?q=kata").get_data(as_text=True)
    assert titles_in(everywhere, three_episodes) == ["Kata Containers roadmap"]


def test_an_empty_search_is_shown_escaped(app, client, three_episodes):
    html = client.get("/episodes/?q=%3Cb%3Ezuul").get_data(as_text=True)

    assert "No episode matches “&lt;b&gt;zuul”." in html
    assert "<b>zuul" not in html


# Documented choice: a page number that is not a positive decimal number, or a page past the
# last one, is a page that does not exist (404); page 1 of an empty listing exists.
@pytest.mark.parametrize(
    "query",
    ["page=-1", "page=0", "page=abc", "page=99999", "page=1.5", "page=%EF%BC%91", "page=1e3"],
)
def test_pages_that_do_not_exist_are_not_found(app, client, three_episodes, query):
    assert client.get(f"/episodes/?{query}").status_code == 404


@pytest.mark.parametrize("query", ["year=x", "year=-1", "year=20221", "year=0000", "year=9999"])
def test_malformed_years_are_not_found(app, client, three_episodes, query):
    assert client.get(f"/episodes/?{query}").status_code == 404


def test_empty_page_and_year_parameters_mean_no_filter(app, client, three_episodes):
    response = client.get("/episodes/?page=&year=&q=")

    assert response.status_code == 200
    assert titles_in(response.get_data(as_text=True), three_episodes) == list(
        reversed(three_episodes)
    )


def test_empty_archive_has_a_first_page(app, client):
    response = client.get("/episodes/")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No episode is published yet." in html
    assert 'href="/propose"' in html
    assert 'class="year-list"' not in html


def test_very_long_search_does_not_fail(app, client, three_episodes):
    assert client.get("/episodes/", query_string={"q": "k" * 5000}).status_code == 200


def test_links_to_episodes_quote_what_a_slug_cannot_hold_as_it_is(app, client):
    with app.app_context():
        make_episode("Plain", START, slug="2022-01-06-plain")
        make_episode("Odd", START + timedelta(days=7), slug="café talk/2")
        with app.test_request_context():
            from flask import url_for

            odd = url_for("episodes.detail", slug="café talk/2")

    html = client.get("/episodes/").get_data(as_text=True)

    assert 'href="/episodes/2022-01-06-plain/"' in html
    assert f'href="{odd}"' in html
    assert "caf%C3%A9%20talk" in odd
