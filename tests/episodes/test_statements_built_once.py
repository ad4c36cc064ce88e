"""The pages every visitor sees run statements built once, at import, with the values that
change given at execution: a statement built for a request costs SQLAlchemy more than SQLite
takes to answer it (building it, then computing its cache key again)."""

import pytest
from sqlalchemy.sql.selectable import CompoundSelect, Select

from openinfra_live import caching
from tests.episodes.builders import make_episode
from tests.episodes.conftest import NOW

BUILT_ONCE = [
    "/",
    "/episodes/",
    "/episodes/?page=2",
    "/episodes/?year=2024",
    "/api/episodes",
]
# What builds a statement: a new select, and each step that copies one with a change.
BUILDING_STEPS = {
    Select: ("__init__", "where", "filter", "order_by", "limit", "offset", "with_only_columns"),
    CompoundSelect: ("__init__", "order_by", "limit"),
}


@pytest.fixture
def statements_built(monkeypatch) -> list[str]:
    """Every building step run from now on, as ``Select.where``."""
    built: list[str] = []

    def counting(cls, name):
        step = getattr(cls, name)

        def counted(self, *args, **kwargs):
            built.append(f"{cls.__name__}.{name}")
            return step(self, *args, **kwargs)

        return counted

    for cls, names in BUILDING_STEPS.items():
        for name in names:
            monkeypatch.setattr(cls, name, counting(cls, name))
    return built


def test_public_pages_build_no_statement_per_request(app, frozen_now, statements_built):
    app.config["EPISODES_PER_PAGE"] = 2
    with app.app_context():
        episodes = [
            make_episode(f"Built once {n}", NOW.replace(day=NOW.day - n), guests=[("Ada", "")])
            for n in range(5)
        ]
        urls = [*BUILT_ONCE, f"/episodes/{episodes[0].slug}/"]
    for url in urls:  # first visits build what is built lazily, once
        caching.clear(app)
        assert app.test_client().get(url).status_code == 200, url
    statements_built.clear()

    for url in urls:
        caching.clear(app)
        assert app.test_client().get(url).status_code == 200, url
        assert statements_built == [], url


def test_the_counting_sees_a_statement_built_per_request(app, statements_built):
    """A search builds its statement from the words searched: the counting sees it."""
    caching.clear(app)
    statements_built.clear()
    assert app.test_client().get("/episodes/?q=built").status_code == 200
    assert "Select.where" in statements_built
