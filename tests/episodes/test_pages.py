"""Listing pages, read one after the other, give every visible episode once, newest first:
the archive, a year of it, a search and the API, with hidden episodes among them (some at the
very start of a visible one)."""

from datetime import UTC, datetime, timedelta

import pytest

from openinfra_live.episodes import queries
from openinfra_live.episodes.pagination import NoSuchPage
from openinfra_live.extensions import db
from tests.episodes.builders import make_episode

FIRST = datetime(2023, 10, 5, 14, 0, tzinfo=UTC)
PER_PAGE = 4


@pytest.fixture
def archive(app_ctx) -> list[str]:
    """23 visible episodes a week apart across 2023-2024, every third one with "edge" in its
    title, and hidden ones between them and at the same start; the visible titles, newest
    first."""
    visible = []
    for n in range(23):
        starts_at = FIRST + timedelta(weeks=n)
        title = f"Episode {n}" + (" on the edge" if n % 3 == 0 else "")
        make_episode(title, starts_at, commit=False)
        visible.append(title)
        if n % 4 == 0:
            make_episode(f"Hidden at {n}", starts_at, hidden=True, commit=False)
            make_episode(
                f"Hidden after {n}", starts_at + timedelta(days=1), hidden=True, commit=False
            )
    db.session.commit()
    return list(reversed(visible))


def every_page(read_page) -> list[str]:
    """The titles of pages 1, 2, … until the first missing page; that page must be missing."""
    titles: list[str] = []
    number = 1
    while True:
        try:
            page = read_page(number)
        except NoSuchPage:
            assert number > 1
            return titles
        assert len(page.items) <= PER_PAGE
        titles += [episode.title for episode in page.items]
        if not page.has_next:
            with pytest.raises(NoSuchPage):
                read_page(number + 1)
            return titles
        number += 1


def test_archive_pages_give_every_visible_episode_once_newest_first(archive):
    titles = every_page(lambda number: queries.archive_page(number, PER_PAGE))
    assert titles == archive


def test_pages_of_a_year_hold_that_year_only(archive):
    titles = every_page(lambda number: queries.archive_page(number, PER_PAGE, year=2024))
    assert titles == [title for title in archive if int(title.split()[1]) >= 13]
    assert len(titles) == 10


def test_pages_of_a_search_hold_its_matches(archive):
    titles = every_page(lambda number: queries.archive_page(number, PER_PAGE, search="edge"))
    assert titles == [title for title in archive if "edge" in title]


def test_api_pages_give_every_visible_episode_once_newest_first(archive):
    titles = every_page(lambda number: queries.api_page(number, PER_PAGE))
    assert titles == archive


def test_a_page_past_the_last_is_missing(archive):
    with pytest.raises(NoSuchPage):
        queries.archive_page(7, PER_PAGE)
    assert [e.title for e in queries.archive_page(6, PER_PAGE).items] == archive[20:]
