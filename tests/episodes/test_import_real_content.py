"""The published content file imports whole, and every visible episode has its page."""

from datetime import UTC, datetime

import pytest

from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db


@pytest.fixture
def imported(app, runner, shared_data):
    result = runner.invoke(args=["import-episodes", str(shared_data / "openinfra-live.md")])
    assert result.exit_code == 0, result.output
    return result


def all_episodes(app) -> dict[str, Episode]:
    with app.app_context():
        episodes = db.session.scalars(db.select(Episode)).all()
        for episode in episodes:
            db.session.expunge(episode)
        return {episode.title: episode for episode in episodes}


def test_the_published_file_imports_fifteen_episodes(app, imported):
    assert "15 entries: 15 created, 0 updated, 0 unchanged, 0 skipped" in imported.output
    assert "skipped fields" not in imported.output
    episodes = all_episodes(app)
    assert len(episodes) == 15
    assert all(not episode.hidden for episode in episodes.values())
    assert "Kata Containers" in episodes  # the file has "Kata Containers " with a space


def test_published_dates_become_thursday_afternoons(app, imported):
    episodes = all_episodes(app)

    assert episodes["Kata Containers"].starts_at == datetime(2021, 7, 22, 14, 0, tzinfo=UTC)
    # Stored at midnight by the content editor; the show aired at 14:00 UTC.
    ama = episodes["OpenInfra AMA (Ask Me Anything)"]
    assert ama.starts_at == datetime(2021, 6, 3, 14, 0, tzinfo=UTC)
    jobs = episodes["Open Source Job Openings (and how to land them)"]
    assert jobs.starts_at == datetime(2021, 6, 24, 14, 0, tzinfo=UTC)
    assert {e.starts_at.weekday() for e in episodes.values()} == {3}
    assert {(e.starts_at.hour, e.starts_at.minute) for e in episodes.values()} == {(14, 0)}


def test_published_guests_links_and_recaps(app, imported):
    episodes = all_episodes(app)

    upgrades = episodes["Upgrades in Large Scale OpenStack infrastructure: The Discussion"]
    assert [(g.name, g.affiliation) for g in upgrades.guests] == [
        ("Belmiro Moreira", "CERN"),
        ("Arnaud Morin", "OVH"),
        ("Mohammed Naser", "Vexxhost"),
        ("Imtiaz Chowdhury", "Workday"),
        ("Joshua Slater", "Blizzard"),
    ]
    assert [link.platform for link in upgrades.links] == ["facebook", "linkedin", "youtube"]
    assert upgrades.recap_url.startswith("https://superuser.openstack.org/articles/")

    zuul = episodes["Large Scale Open Source CI Featuring Zuul"]
    assert [g.name for g in zuul.guests] == ["Jim Blair", "Mohammed Naser", "Jimmy McArthur"]
    assert [(link.platform, link.url) for link in zuul.links] == [
        ("youtube", "https://www.youtube.com/watch?v=MptrjDKrKhI")
    ]
    ptg = episodes["OpenInfra Project Teams Gathering Recap"]
    assert "Ildiko Vancsa" in [g.name for g in ptg.guests]
    assert [g.name for g in episodes["Open Source Job Openings (and how to land them)"].guests] == [
        "Canonical",
        "OVH",
        "T-Systems",
        "Whitestack",
    ]
    # Empty recap strings are no recap.
    assert episodes["Wallaby Release Community Meeting"].recap_url is None


def test_every_visible_published_episode_has_a_page_with_its_date(app, client, imported):
    if "episodes.detail" not in app.view_functions and not any(
        rule.rule == "/episodes/<slug>/" for rule in app.url_map.iter_rules()
    ):
        pytest.skip("the episode page is not there yet")
    for episode in all_episodes(app).values():
        response = client.get(f"/episodes/{episode.slug}/")
        assert response.status_code == 200, episode.slug
        page = response.get_data(as_text=True)
        assert f"{episode.starts_at:%Y-%m-%d}" in page, episode.slug


def test_reimporting_the_published_file_changes_nothing(app, runner, imported, shared_data):
    result = runner.invoke(args=["import-episodes", str(shared_data / "openinfra-live.md")])

    assert "15 entries: 0 created, 0 updated, 15 unchanged, 0 skipped" in result.output
