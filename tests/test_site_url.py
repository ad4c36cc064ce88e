"""``SITE_URL``: links in mails and the domain of calendar UIDs and feed ids never depend on
the ``Host`` header a request came with (anyone can set it)."""

import re
import time
from datetime import UTC, datetime

import pytest

from openinfra_live.extensions import db
from openinfra_live.outbox import OutboxMail
from openinfra_live.urls import site_domain, site_url_for
from tests.conftest import csrf_token_from, make_moderator
from tests.episodes.builders import make_episode
from tests.proposals.builders import VALID_FORM
from tests.ptg.builders import make_event, make_room, make_session, make_team

SITE = "https://openinfra.live"
HOSTS = ("live.example.com", "attacker.example:8443")


@pytest.fixture
def site(app):
    # No SERVER_NAME: the request's host is all a careless address would have to go on.
    app.config.update(SITE_URL=SITE, SERVER_NAME=None)
    return app


def uids(body: bytes) -> list[str]:
    return re.findall(r"^UID:(.+?)\r?$", body.decode(), flags=re.MULTILINE)


def fetch(client, path: str, host: str) -> bytes:
    response = client.get(path, headers={"Host": host})
    assert response.status_code == 200, (path, host, response.status_code)
    return response.data


def test_an_episode_has_the_same_uid_whatever_the_host(site, client):
    with site.app_context():
        episode = make_episode(starts_at=datetime(2031, 5, 1, 14, tzinfo=UTC))
        slug, episode_id = episode.slug, episode.id

    invites = [uids(fetch(client, f"/episodes/{slug}.ics", host)) for host in HOSTS]
    feeds = [uids(fetch(client, "/calendar.ics", host)) for host in HOSTS]

    assert invites[0] == invites[1] == [f"episode-{episode_id}@openinfra.live"]
    assert feeds[0] == feeds[1] == [f"episode-{episode_id}@openinfra.live"]


def test_the_atom_feed_ids_use_the_site_domain(site, client):
    with site.app_context():
        episode_id = make_episode(starts_at=datetime(2031, 5, 1, 14, tzinfo=UTC)).id

    for host in HOSTS:
        feed = fetch(client, "/feed.xml", host).decode()
        assert "<id>tag:openinfra.live,2020:episodes</id>" in feed
        assert f"<id>tag:openinfra.live,2020:episode-{episode_id}</id>" in feed
        assert "attacker" not in re.findall(r"<id>(.*?)</id>", feed)[0]


def test_ptg_sessions_have_the_same_uid_whatever_the_host(site, client):
    with site.app_context():
        event = make_event()
        team, room = make_team(event), make_room(event)
        session = make_session(
            team,
            room,
            datetime(2030, 3, 18, 14, tzinfo=UTC),
            datetime(2030, 3, 18, 16, tzinfo=UTC),
        )
        db.session.commit()
        session_id = session.id

    found = [uids(fetch(client, "/ptg/2030-march/schedule.ics", host)) for host in HOSTS]

    assert found[0] == found[1] == [f"ptg-2030-march-session-{session_id}@openinfra.live"]


def test_the_status_link_in_a_mail_uses_site_url_whatever_the_host(site, client, capfd):
    host = {"Host": "attacker.example"}
    page = client.get("/propose", headers=host).get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), **VALID_FORM}
    response = client.post("/propose", data=form, headers=host)

    assert response.status_code == 303
    token = response.headers["Location"].rsplit("/", 1)[1]
    printed = capfd.readouterr().err
    assert f"{SITE}/proposals/{token}" in printed
    assert "attacker.example" not in printed


def test_a_site_under_a_path_prefix_gets_its_prefix_in_links(app):
    app.config["SITE_URL"] = "https://example.org/live/"
    with app.app_context():
        assert site_url_for("proposals.status", token="abc") == (
            "https://example.org/live/proposals/abc"
        )
        assert site_domain() == "example.org"


def test_a_password_reset_link_uses_site_url_whatever_the_host(site, client, capfd):
    with site.app_context():
        make_moderator(email="reset.me@example.org")
    host = {"Host": "attacker.example"}
    page = client.get("/login/reset", headers=host).get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), "email": "reset.me@example.org"}
    response = client.post("/login/reset", data=form, headers=host)

    assert response.status_code == 303
    mail = sent_mail(site)  # sent after the answer, from a thread of its own
    printed = capfd.readouterr().err
    assert re.search(rf"{SITE}/login/reset/\S+", printed)
    assert "attacker.example" not in printed
    # Sent, then its text erased: the link is not left readable in the outbox.
    assert (mail.secret, mail.status, mail.body) == (True, "sent", None)


def sent_mail(app) -> OutboxMail:
    """The one mail of the outbox, once it is no longer waiting to be sent."""
    deadline = time.monotonic() + 10
    while True:
        with app.app_context():
            mail = db.session.scalars(db.select(OutboxMail)).one()
            if mail.status != "queued" or time.monotonic() > deadline:
                return mail
        time.sleep(0.02)
