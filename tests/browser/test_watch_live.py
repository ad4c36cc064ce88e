"""The pages that offer "Watch live on <platform>" (the demo's episodes have no stream links
before they air, so this module adds them): accessible, valid and within a 360 px phone."""

import json
import subprocess
from datetime import timedelta

import pytest

from openinfra_live import clock
from openinfra_live.episodes.models import Episode, EpisodeLink
from openinfra_live.extensions import db
from tests.browser.conftest import in_app, vnu_jar
from tests.browser.site_pages import open_context
from tests.browser.support import (
    assert_accessible,
    assert_no_horizontal_overflow,
    save_source,
    screenshot,
)
from tests.episodes.builders import make_episode

STREAMS = [
    ("youtube", "https://www.youtube.com/watch?v=dEmOLiveS01"),
    ("linkedin", "https://www.linkedin.com/events/7000000000000000200/"),
    ("facebook", "https://www.facebook.com/OpenInfraFoundation/live/"),
    ("Some Other Platform With A Long Name", "https://video.example.org/live/openinfra"),
]


@pytest.fixture(scope="module")
def streamed(live_server, demo_site) -> dict[str, str]:
    """Stream links on the next episode, and an episode on air now with the same links: the
    pages to check, by name."""

    def add() -> dict[str, str]:
        upcoming = db.session.scalar(db.select(Episode).filter_by(slug=demo_site.upcoming_episode))
        upcoming.links = [
            EpisodeLink(position=i, platform=p, url=u) for i, (p, u) in enumerate(STREAMS)
        ]
        # Between the last aired episode (a week ago at most) and the next one.
        live = make_episode(
            "On air: a live episode with a title long enough to wrap on a phone",
            clock.now() - timedelta(minutes=10),
            links=STREAMS,
            commit=False,
        )
        db.session.commit()
        return {
            "watch-upcoming": f"/episodes/{upcoming.slug}/",
            "watch-live": f"/episodes/{live.slug}/",
            "watch-home-live": "/",
        }

    with live_server.app.test_request_context("/"):
        return in_app(live_server.app, add)


@pytest.mark.parametrize("name", ["watch-upcoming", "watch-live", "watch-home-live"])
def test_watch_live_links_are_accessible_and_fit_a_phone(chromium, demo_site, streamed, name):
    context = open_context(chromium, width=360, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(demo_site.base_url + streamed[name])
        links = page.get_by_role("link", name="Watch live on ")
        assert links.count() == len(STREAMS)
        assert links.first.inner_text() == "Watch live on YouTube"
        assert_no_horizontal_overflow(page, name)
        assert_accessible(page, name)
        screenshot(page, f"{name}-360")
    finally:
        context.close()


def test_watch_live_pages_are_valid_html(chromium, demo_site, streamed):
    context = open_context(chromium, javascript=False)
    try:
        files = {}
        for name, path in streamed.items():
            response = context.request.get(demo_site.base_url + path)
            assert response.status == 200, name
            files[str(save_source(name, response.text()))] = name
    finally:
        context.close()

    result = subprocess.run(
        ["java", "-jar", vnu_jar(), "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stdout)["messages"]
    assert [m for m in messages if m["type"] == "error" or m.get("subType") == "fatal"] == []
