"""The Atom feed and the JSON API."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from tests.episodes.builders import make_episode

ATOM = "{http://www.w3.org/2005/Atom}"
STARTS = datetime(2024, 1, 4, 14, 0, tzinfo=UTC)


def test_atom_feed_lists_visible_episodes_newest_first(app, client):
    with app.app_context():
        first = make_episode("First <one>", STARTS, description="<p>Hello <em>there</em></p>")
        make_episode("Second", STARTS + timedelta(weeks=1), guests=[("Ana", "ACME")])
        make_episode("Hidden", STARTS + timedelta(weeks=2), hidden=True)
        first_id = first.id

    response = client.get("/feed.xml")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Second", "First <one>"]
    oldest = entries[1]
    assert oldest.findtext(f"{ATOM}id") == f"tag:live.test,2020:episode-{first_id}"
    assert (
        oldest.find(f"{ATOM}link").get("href") == "http://live.test/episodes/2024-01-04-first-one/"
    )
    assert oldest.findtext(f"{ATOM}content") == "<p>Hello <em>there</em></p>"
    assert "Hello there" in oldest.findtext(f"{ATOM}summary")
    self_link = [x for x in root.findall(f"{ATOM}link") if x.get("rel") == "self"]
    assert self_link[0].get("href") == "http://live.test/feed.xml"


def test_atom_feed_is_limited_to_the_latest_fifty(app, client):
    with app.app_context():
        for week in range(55):
            make_episode(f"Week {week}", STARTS + timedelta(weeks=week), commit=False)
        from openinfra_live.extensions import db

        db.session.commit()

    root = ET.fromstring(client.get("/feed.xml").get_data())

    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 50
    assert entries[0].findtext(f"{ATOM}title") == "Week 54"


def test_api_uses_the_content_file_field_names(app, client):
    with app.app_context():
        make_episode(
            "Edge computing",
            STARTS,
            description="<p>Survey</p>",
            links=[
                ("youtube", "https://www.youtube.com/watch?v=pHHCIGkpNzs"),
                ("linkedin", "https://www.linkedin.com/feed/update/1/"),
                ("Apple Podcasts", "https://podcasts.example.org/1"),
            ],
            guests=[("Paul Miller", "Wind River"), "Ildiko Vancsa"],
            recap_url="https://superuser.example.org/recap/",
        )

    response = client.get("/api/episodes")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    [episode] = response.get_json()
    assert episode["episodeTitle"] == "Edge computing"
    assert episode["episodeDescription"] == "<p>Survey</p>"
    assert episode["date"] == "2024-01-04T14:00:00.000Z"
    assert episode["episodeSpeakers"] == "Paul Miller (Wind River), Ildiko Vancsa"
    assert episode["hidden"] is False
    assert episode["youtubeLink"] == "https://www.youtube.com/watch?v=pHHCIGkpNzs"
    assert episode["linkedinLink"] == "https://www.linkedin.com/feed/update/1/"
    assert episode["facebookLink"] is None
    assert episode["applepodcastsLink"] == "https://podcasts.example.org/1"
    assert episode["superuserRecap"] == "https://superuser.example.org/recap/"
    assert episode["slug"] == "2024-01-04-edge-computing"
    assert episode["url"] == "http://live.test/episodes/2024-01-04-edge-computing/"
    assert episode["links"][2] == {
        "platform": "Apple Podcasts",
        "url": "https://podcasts.example.org/1",
    }
    assert [link["platform"] for link in episode["links"]] == [
        "youtube",
        "linkedin",
        "Apple Podcasts",
    ]


def test_api_pages_with_a_link_header_while_more_remain(app, client):
    app.config["API_PAGE_SIZE"] = 2
    with app.app_context():
        for week in range(5):
            make_episode(f"Week {week}", STARTS + timedelta(weeks=week))
        make_episode("Hidden", STARTS + timedelta(days=1), hidden=True)

    first = client.get("/api/episodes")
    last = client.get("/api/episodes?page=3")

    assert [e["episodeTitle"] for e in first.get_json()] == ["Week 4", "Week 3"]
    assert '<http://live.test/api/episodes?page=2>; rel="next"' in first.headers["Link"]
    assert first.headers["X-Total-Count"] == "5"
    assert [e["episodeTitle"] for e in last.get_json()] == ["Week 0"]
    assert 'rel="next"' not in last.headers["Link"]
    assert '<http://live.test/api/episodes?page=2>; rel="prev"' in last.headers["Link"]


def test_api_of_an_empty_site_is_an_empty_list(app, client):
    response = client.get("/api/episodes")

    assert response.status_code == 200
    assert response.get_json() == []
    assert 'rel="next"' not in response.headers["Link"]


@pytest.mark.parametrize(
    ("query", "status"),
    [("page=abc", 400), ("page=-1", 400), ("page=0", 400), ("page=2", 404), ("page=99999", 404)],
)
def test_api_bad_pages_answer_json_errors(app, client, query, status):
    with app.app_context():
        make_episode("Only one", STARTS)

    response = client.get(f"/api/episodes?{query}")

    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert "error" in response.get_json()
