"""The whole journey: an idea proposed, approved, scheduled, and on the public site."""

import re

from tests.conftest import csrf_token_from, post_form
from tests.proposals.builders import VALID_FORM


def test_a_proposal_becomes_an_episode_on_the_site_and_on_the_status_page(
    app, client, login_as, frozen_now
):
    # The submitter proposes.
    response = post_form(client, "/propose", VALID_FORM)
    assert response.status_code == 303
    status_path = response.headers["Location"]
    assert "Submitted, waiting for review" in client.get(status_path).get_data(as_text=True)

    # A moderator finds it in the queue and approves it.
    moderator = app.test_client()
    login_as(moderator)
    queue = moderator.get("/moderation/").get_data(as_text=True)
    proposal_path = re.search(r'href="(/moderation/proposals/\d+)"', queue).group(1)
    response = post_form(moderator, proposal_path, {}, post_url=f"{proposal_path}/approve")
    assert response.status_code == 303
    assert "Approved, waiting for a date" in client.get(status_path).get_data(as_text=True)

    # The moderator picks the slot offered first (Thursday 22 May 2031, 14:00 UTC).
    form_page = moderator.get(f"{proposal_path}/schedule").get_data(as_text=True)
    assert "<input checked" not in form_page  # nothing is chosen for the moderator
    offered = re.search(r'<input[^>]*name="slot"[^>]*value="([^"]+)"', form_page).group(1)
    assert offered == "2031-05-22T14:00"
    response = moderator.post(
        f"{proposal_path}/schedule",
        data={
            "csrf_token": csrf_token_from(form_page),
            "slot": offered,
            "duration_minutes": "60",
            "title": VALID_FORM["title"],
            "description": VALID_FORM["description"],
            "guests-0-name": "Ada Lovelace",
            "guests-0-affiliation": "Analytical Engines",
        },
    )
    assert response.status_code == 303

    # The submitter's page says scheduled and links to the episode.
    status_page = client.get(status_path).get_data(as_text=True)
    assert "Scheduled" in status_page
    episode_url = re.search(r'href="http://live\.test(/episodes/[^"]+/)"', status_page).group(1)
    assert episode_url == "/episodes/2031-05-22-running-kubernetes-on-bare-metal/"

    # And the public site shows it: its page, the home page and the calendar feed.
    episode_page = client.get(episode_url)
    assert episode_page.status_code == 200
    assert VALID_FORM["title"] in episode_page.get_data(as_text=True)
    assert "Ada Lovelace" in episode_page.get_data(as_text=True)
    assert VALID_FORM["title"] in client.get("/").get_data(as_text=True)
    calendar = client.get("/calendar.ics")
    assert calendar.status_code == 200
    unfolded = calendar.get_data(as_text=True).replace("\r\n ", "")
    assert f"SUMMARY:{VALID_FORM['title']}" in unfolded
    assert "DTSTART:20310522T140000Z" in unfolded
