"""Moderators create, edit, hide and unhide episodes at /moderation/episodes/, over HTTP."""

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from icalendar import Calendar

from openinfra_live.audit import AuditEntry
from openinfra_live.episodes import editing
from openinfra_live.episodes.models import Episode, EpisodeGuest, EpisodeLink
from openinfra_live.extensions import db
from openinfra_live.moderation import episodes as episode_views
from tests.conftest import csrf_token_from, post_form
from tests.proposals.builders import count, freeze_clock, guest_rows
from tests.proposals.conftest import NOW

# NOW is Thursday 15 May 2031, 15:00 UTC: today's slot has passed.
NEXT_THURSDAY = datetime(2031, 5, 22, 14, 0, tzinfo=UTC)
LAST_THURSDAY = datetime(2031, 5, 8, 14, 0, tzinfo=UTC)
NEW_URL = "/moderation/episodes/new"
LIST_URL = "/moderation/episodes/"


@pytest.fixture
def frozen_now(monkeypatch):
    return freeze_clock(monkeypatch, NOW)


@pytest.fixture
def moderator(client, login_as, frozen_now):
    return login_as(client)


def edit_url(episode_id: int) -> str:
    return f"/moderation/episodes/{episode_id}/edit"


def add_episode(app, starts_at=NEXT_THURSDAY, title="Booked", **fields) -> int:
    """An episode stored through the service (past starts are stored as an import would)."""
    with app.app_context():
        if starts_at < NOW:
            episode = Episode(
                slug=f"{starts_at:%Y-%m-%d}-{title.lower().replace(' ', '-')}",
                title=title,
                starts_at=starts_at,
                duration_minutes=fields.pop("duration_minutes", 60),
                **fields,
            )
            db.session.add(episode)
        else:
            episode = editing.create_episode(title=title, starts_at=starts_at, **fields)
        db.session.commit()
        return episode.id


def form_data(**overrides) -> dict:
    data = {
        "title": "Kata Containers in production",
        "starts_at": "2031-05-22T14:00",
        "duration_minutes": "60",
        "description": "<p>Operators tell <em>all</em>.</p>",
        **guest_rows(("Ada Lovelace", "Analytical Engines"), ("", ""), ("Alan Turing", "")),
        "links-0-platform": "YouTube",
        "links-0-url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "links-1-platform": "",
        "links-1-url": "",
        "links-2-platform": "PeerTube",
        "links-2-url": "https://peertube.example/w/abc",
        "recap_url": "https://superuser.example/recap",
    }
    data.update(overrides)
    return data


def short_form(
    title: str,
    starts_at: str = "2031-05-22T14:00",
    links: Sequence[tuple[str, str]] = (),
    **fields: str,
) -> dict:
    """The edit form with what it requires (a title, a start, one hour), the ``links`` in its
    first link rows and any other ``fields``; the rest is left out."""
    data = {"title": title, "starts_at": starts_at, "duration_minutes": "60"}
    for index, (platform, url) in enumerate(links):
        data[f"links-{index}-platform"] = platform
        data[f"links-{index}-url"] = url
    return data | fields


def stored(app, episode_id: int) -> dict:
    """What the database holds for one episode, in comparable form."""
    with app.app_context():
        db.session.expire_all()
        episode = db.session.get(Episode, episode_id)
        return {
            "title": episode.title,
            "starts_at": episode.starts_at,
            "duration": episode.duration_minutes,
            "description": episode.description,
            "hidden": episode.hidden,
            "sequence": episode.sequence,
            "recap_url": episode.recap_url,
            "updated_at": episode.updated_at,
            "guests": [(g.name, g.affiliation) for g in episode.guests],
            "links": [(link.platform, link.url) for link in episode.links],
        }


def counts(app) -> tuple[int, ...]:
    with app.app_context():
        return tuple(count(model) for model in (Episode, EpisodeGuest, EpisodeLink, AuditEntry))


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


# --- the list -------------------------------------------------------------------------------


def test_list_shows_every_episode_newest_first_with_hidden_and_past_marked(app, client, moderator):
    add_episode(app, LAST_THURSDAY, title="Past show")
    add_episode(app, NEXT_THURSDAY, title="Coming show")
    add_episode(app, NEXT_THURSDAY + timedelta(weeks=1), title="Secret show", hidden=True)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    positions = [html.index(title) for title in ("Secret show", "Coming show", "Past show")]
    assert positions == sorted(positions)
    assert html.count("badge-hidden") == 1
    assert ">Past<" in html and ">Upcoming<" in html
    assert f'href="{NEW_URL}"' in html
    assert html.count("<h1") == 1


def test_list_searches_titles_literally_and_pages(app, client, moderator, monkeypatch):
    monkeypatch.setattr(episode_views, "EPISODES_PER_PAGE", 2)
    for week in range(3):
        add_episode(app, NEXT_THURSDAY + timedelta(weeks=week), title=f"Zuul part {week}")
    add_episode(app, NEXT_THURSDAY + timedelta(weeks=5), title="100% Nova")
    html = client.get(LIST_URL, query_string={"q": "100%"}).get_data(as_text=True)
    assert "100% Nova" in html and "Zuul" not in html
    assert "Zuul" not in client.get(LIST_URL, query_string={"q": "0%"}).get_data(as_text=True)
    first = client.get(LIST_URL, query_string={"q": "zuul"}).get_data(as_text=True)
    assert "Zuul part 2" in first and "Zuul part 0" not in first
    assert "page=2" in first
    second = client.get(LIST_URL, query_string={"q": "zuul", "page": "2"})
    assert "Zuul part 0" in second.get_data(as_text=True)
    assert client.get(LIST_URL, query_string={"page": "9"}).status_code == 404


# --- create ---------------------------------------------------------------------------------


def test_new_episode_form_offers_the_next_free_default_slot_in_utc(app, client, moderator):
    add_episode(app, NEXT_THURSDAY, title="Booked")
    response = client.get(NEW_URL)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert 'type="datetime-local" value="2031-05-29T14:00"' in html
    assert '<label for="starts_at">Start (UTC)</label>' in html
    assert "Thu 29 May 2031, 14:00 UTC" in html
    assert 'list="platform-suggestions"' in html and '<option value="apple-podcasts">' in html


def test_creating_an_episode_stores_it_with_guests_links_and_recap(app, client, moderator):
    response = post_form(client, NEW_URL, form_data())
    assert response.status_code == 303
    with app.app_context():
        episode = db.session.scalar(db.select(Episode))
        episode_id = episode.id
    assert response.headers["Location"] == edit_url(episode_id)
    row = stored(app, episode_id)
    assert row["title"] == "Kata Containers in production"
    assert row["starts_at"] == NEXT_THURSDAY and row["duration"] == 60
    assert row["description"] == "<p>Operators tell <em>all</em>.</p>"
    assert row["guests"] == [("Ada Lovelace", "Analytical Engines"), ("Alan Turing", "")]
    # Known platforms are stored by key, as the importer does; blank rows are ignored.
    assert row["links"] == [
        ("youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("PeerTube", "https://peertube.example/w/abc"),
    ]
    assert row["recap_url"] == "https://superuser.example/recap"
    assert audit_actions(app) == ["episode.create"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "created" in page


def test_a_new_episode_in_the_past_is_refused_and_keeps_what_was_typed(app, client, moderator):
    before = counts(app)
    response = post_form(client, NEW_URL, form_data(starts_at="2031-05-15T14:00"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "is in the past" in html
    assert 'value="Kata Containers in production"' in html
    assert 'value="https://peertube.example/w/abc"' in html
    assert counts(app) == before


def test_a_new_episode_overlapping_a_visible_one_is_refused_naming_it(app, client, moderator):
    add_episode(app, NEXT_THURSDAY + timedelta(minutes=30), title="Already there")
    before = counts(app)
    response = post_form(client, NEW_URL, form_data())
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "That slot is taken" in html and "Already there" in html
    assert 'class="error-summary"' in html
    assert counts(app) == before


def test_a_hidden_episode_does_not_block_the_slot(app, client, moderator):
    add_episode(app, NEXT_THURSDAY, title="Hidden one", hidden=True)
    assert post_form(client, NEW_URL, form_data()).status_code == 303


def test_a_same_start_race_lost_at_the_unique_index_stores_nothing(
    app, client, moderator, monkeypatch
):
    """The check in Python saw a free slot; the partial unique index still says no."""
    add_episode(app, NEXT_THURSDAY, title="Won the race")
    monkeypatch.setattr(editing, "find_clash", lambda *args, **kwargs: None)
    before = counts(app)
    response = post_form(client, NEW_URL, form_data())
    assert response.status_code == 409
    assert "another episode was just scheduled at that time" in response.get_data(as_text=True)
    assert counts(app) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "  "}, "This field is required"),
        ({"starts_at": "next thursday"}, "Not a valid datetime value"),
        ({"starts_at": ""}, "Give the start date and time"),
        ({"starts_at": "9999-12-31T23:59"}, "Pick a year between"),
        ({"duration_minutes": "sixty"}, "Not a valid integer value"),
        ({"duration_minutes": "2"}, "Number must be between"),
        ({"links-1-url": "javascript:alert(1)", "links-1-platform": "x"}, "https://"),
        ({"links-1-url": "//evil.example/x", "links-1-platform": "x"}, "https://"),
        ({"links-1-url": "https://ok.example/"}, "Name the platform"),
        ({"links-1-platform": "spotify"}, "Give the address of this link"),
        ({"recap_url": "data:text/html,hi"}, "not a web address"),
        ({"guests-1-affiliation": "Nobody's org"}, "also needs a name"),
        ({"description": "x" * 10_001}, "Field cannot be longer than 10000"),
    ],
)
def test_bad_input_shows_the_form_with_errors_and_stores_nothing(
    app, client, moderator, overrides, message
):
    before = counts(app)
    response = post_form(client, NEW_URL, form_data(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'class="error-summary"' in html
    assert counts(app) == before


def test_unknown_fields_are_ignored(app, client, moderator):
    response = post_form(client, NEW_URL, form_data(hidden="1", sequence="9", proposal_id="1"))
    assert response.status_code == 303
    with app.app_context():
        episode = db.session.scalar(db.select(Episode))
        assert (episode.hidden, episode.sequence, episode.proposal_id) == (False, 0, None)


# --- edit -----------------------------------------------------------------------------------


def test_edit_form_shows_what_is_stored_with_spare_rows(app, client, moderator):
    episode_id = add_episode(
        app,
        title="Stored show",
        guests=[("Grace Hopper", "Navy")],
        links=[("youtube", "https://youtu.be/dQw4w9WgXcQ")],
        recap_url="https://superuser.example/r",
    )
    html = client.get(edit_url(episode_id)).get_data(as_text=True)
    assert 'value="Stored show"' in html
    assert 'value="2031-05-22T14:00"' in html
    assert 'value="Grace Hopper"' in html and 'name="guests-2-name"' in html
    assert 'value="https://youtu.be/dQw4w9WgXcQ"' in html and 'name="links-2-url"' in html
    assert 'value="https://superuser.example/r"' in html
    assert "Hide this episode" in html


def test_editing_shows_on_the_public_page_at_once(app, client, moderator, frozen_now):
    episode_id = add_episode(
        app, title="Before the edit", links=[("youtube", "https://a.example/")]
    )
    with app.app_context():
        slug = db.session.get(Episode, episode_id).slug
    public = app.test_client()
    first = public.get(f"/episodes/{slug}/")
    assert first.status_code == 200
    assert "Grace Hopper" not in first.get_data(as_text=True)
    before = stored(app, episode_id)
    frozen_now(NOW + timedelta(seconds=5))
    response = post_form(
        client,
        edit_url(episode_id),
        form_data(
            title="After the edit",
            **{
                "guests-0-name": "Grace Hopper",
                "guests-0-affiliation": "Navy",
                "links-0-platform": "linkedin",
                "links-0-url": "https://www.linkedin.com/events/1",
                "links-2-platform": "",
                "links-2-url": "",
            },
        ),
    )
    assert response.status_code == 303
    after = stored(app, episode_id)
    assert after["links"] == [("linkedin", "https://www.linkedin.com/events/1")]
    assert after["updated_at"] > before["updated_at"]
    assert after["sequence"] == before["sequence"]  # not moved
    assert "episode.update" in audit_actions(app)
    second = public.get(f"/episodes/{slug}/", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    html = second.get_data(as_text=True)
    assert "After the edit" in html and "Grace Hopper" in html
    assert 'href="https://www.linkedin.com/events/1"' in html
    assert "Read the recap" in html


def test_only_a_link_change_still_moves_updated_at_and_the_public_page(
    app, client, moderator, frozen_now
):
    episode_id = add_episode(app, title="Linked show")
    with app.app_context():
        slug = db.session.get(Episode, episode_id).slug
    public = app.test_client()
    assert "Watch, listen and read" not in public.get(f"/episodes/{slug}/").get_data(as_text=True)
    before = stored(app, episode_id)
    frozen_now(NOW + timedelta(seconds=5))
    data = short_form("Linked show", links=[("spotify", "https://open.spotify.example/ep")])
    assert post_form(client, edit_url(episode_id), data).status_code == 303
    after = stored(app, episode_id)
    assert after["links"] == [("spotify", "https://open.spotify.example/ep")]
    assert after["updated_at"] == NOW + timedelta(seconds=5) > before["updated_at"]
    html = public.get(f"/episodes/{slug}/").get_data(as_text=True)
    assert 'href="https://open.spotify.example/ep"' in html


def test_saving_without_changes_writes_nothing(app, client, moderator):
    episode_id = add_episode(app, title="Untouched")
    page = client.get(edit_url(episode_id)).get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), **short_form("Untouched")}
    before, actions = stored(app, episode_id), audit_actions(app)
    response = client.post(edit_url(episode_id), data=data, follow_redirects=True)
    assert "Nothing changed" in response.get_data(as_text=True)
    assert stored(app, episode_id) == before
    assert audit_actions(app) == actions


def test_a_past_episode_can_get_its_recording_and_recap_after_the_show(app, client, moderator):
    episode_id = add_episode(app, LAST_THURSDAY, title="Last week show")
    page = client.get(edit_url(episode_id)).get_data(as_text=True)
    assert "This episode is over" in page
    response = post_form(
        client,
        edit_url(episode_id),
        short_form(
            "Last week show",
            "2031-05-08T14:00",
            links=[
                ("youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
                ("apple-podcasts", "https://podcasts.apple.example/ep"),
            ],
            recap_url="https://superuser.example/last-week",
        ),
    )
    assert response.status_code == 303
    with app.app_context():
        slug = db.session.get(Episode, episode_id).slug
    html = app.test_client().get(f"/episodes/{slug}/").get_data(as_text=True)
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ" in html
    assert '<a href="https://podcasts.apple.example/ep">Apple Podcasts</a>' in html
    assert '<a href="https://superuser.example/last-week">Read the recap</a>' in html


def test_a_past_episode_can_be_corrected_to_another_past_time_once_confirmed(
    app, client, moderator
):
    episode_id = add_episode(app, LAST_THURSDAY, title="Wrong hour")
    page = client.get(edit_url(episode_id)).get_data(as_text=True)
    assert "Yes, change the time of an episode that already happened" in page
    before = stored(app, episode_id)
    data = short_form("Wrong hour", "2031-05-08T16:00")
    response = post_form(client, edit_url(episode_id), data)
    assert response.status_code == 422
    assert "This episode already happened: to correct its time, tick" in response.get_data(
        as_text=True
    )
    assert stored(app, episode_id) == before
    data = short_form("Wrong hour", "2031-05-08T16:00", confirm_past="y")
    assert post_form(client, edit_url(episode_id), data).status_code == 303
    after = stored(app, episode_id)
    assert after["starts_at"] == LAST_THURSDAY + timedelta(hours=2)
    assert after["sequence"] == before["sequence"] + 1


def test_an_upcoming_episode_offers_no_past_confirmation(app, client, moderator):
    episode_id = add_episode(app, title="Coming")
    page = client.get(edit_url(episode_id)).get_data(as_text=True)
    assert "an episode that already happened" not in page


def test_an_imported_start_with_seconds_is_not_a_move_when_saved_unchanged(app, client, moderator):
    episode_id = add_episode(app, LAST_THURSDAY + timedelta(seconds=7, microseconds=5), title="Old")
    data = short_form(
        "Old", "2031-05-08T14:00", links=[("youtube", "https://youtu.be/dQw4w9WgXcQ")]
    )
    assert post_form(client, edit_url(episode_id), data).status_code == 303
    row = stored(app, episode_id)
    assert row["starts_at"] == LAST_THURSDAY + timedelta(seconds=7, microseconds=5)
    assert row["sequence"] == 0 and len(row["links"]) == 1


def test_an_upcoming_episode_cannot_be_moved_into_the_past(app, client, moderator):
    episode_id = add_episode(app, title="Coming")
    before = stored(app, episode_id)
    data = short_form("Coming", "2031-05-01T14:00")
    response = post_form(client, edit_url(episode_id), data)
    assert response.status_code == 422
    assert "is in the past" in response.get_data(as_text=True)
    assert stored(app, episode_id) == before


def test_moving_onto_another_visible_episode_is_refused_naming_it(app, client, moderator):
    episode_id = add_episode(app, title="Mover")
    add_episode(app, NEXT_THURSDAY + timedelta(weeks=1), title="In the way")
    before = stored(app, episode_id)
    data = form_data(title="Mover renamed", starts_at="2031-05-29T14:30")
    response = post_form(client, edit_url(episode_id), data)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "In the way" in html and 'value="Mover renamed"' in html
    assert stored(app, episode_id) == before


def test_moving_bumps_the_invite_sequence(app, client, moderator):
    episode_id = add_episode(app, title="Moving show")
    with app.app_context():
        slug = db.session.get(Episode, episode_id).slug
    public = app.test_client()
    old = Calendar.from_ical(public.get(f"/episodes/{slug}.ics").get_data())
    [old_event] = old.walk("VEVENT")
    data = short_form("Moving show", "2031-05-22T17:00")
    assert post_form(client, edit_url(episode_id), data).status_code == 303
    new = Calendar.from_ical(public.get(f"/episodes/{slug}.ics").get_data())
    [new_event] = new.walk("VEVENT")
    assert int(new_event["SEQUENCE"]) == int(old_event["SEQUENCE"]) + 1
    assert str(new_event["UID"]) == str(old_event["UID"])
    assert new_event.decoded("DTSTART") == NEXT_THURSDAY + timedelta(hours=3)
    feed = Calendar.from_ical(public.get("/calendar.ics").get_data())
    [feed_event] = feed.walk("VEVENT")
    assert int(feed_event["SEQUENCE"]) == int(new_event["SEQUENCE"])


def test_a_missing_episode_is_404(app, client, moderator):
    assert client.get(edit_url(999)).status_code == 404
    page = client.get(NEW_URL).get_data(as_text=True)
    token = csrf_token_from(page)
    assert (
        client.post("/moderation/episodes/999/hide", data={"csrf_token": token}).status_code == 404
    )


# --- hide and unhide ------------------------------------------------------------------------


PUBLIC_PAGES = ["/", "/episodes/", "/feed.xml", "/calendar.ics", "/api/episodes"]


def test_hiding_takes_the_episode_off_every_public_page_and_unhiding_brings_it_back(
    app, client, moderator
):
    episode_id = add_episode(app, title="Shy episode")
    with app.app_context():
        slug = db.session.get(Episode, episode_id).slug
    public = app.test_client()
    for path in PUBLIC_PAGES:
        assert "Shy episode" in public.get(path).get_data(as_text=True), path
    response = post_form(
        client, edit_url(episode_id), {}, post_url=f"/moderation/episodes/{episode_id}/hide"
    )
    assert response.status_code == 303
    assert response.headers["Location"] == edit_url(episode_id)
    assert stored(app, episode_id)["hidden"] is True
    for path in PUBLIC_PAGES:
        assert "Shy episode" not in public.get(path).get_data(as_text=True), path
    assert public.get(f"/episodes/{slug}/").status_code == 404
    assert public.get(f"/episodes/{slug}.ics").status_code == 404
    api = json.loads(public.get("/api/episodes").get_data())
    assert api == [] or all(item.get("slug") != slug for item in api)
    page = client.get(edit_url(episode_id)).get_data(as_text=True)
    assert "Show this episode again" in page
    response = post_form(
        client, edit_url(episode_id), {}, post_url=f"/moderation/episodes/{episode_id}/unhide"
    )
    assert response.status_code == 303
    assert stored(app, episode_id)["hidden"] is False
    assert public.get(f"/episodes/{slug}/").status_code == 200
    assert audit_actions(app)[-2:] == ["episode.hide", "episode.unhide"]


def test_unhiding_onto_a_visible_episode_is_refused_and_it_stays_hidden(app, client, moderator):
    hidden_id = add_episode(app, title="Second thoughts", hidden=True)
    add_episode(app, NEXT_THURSDAY + timedelta(minutes=30), title="Took its place")
    before = stored(app, hidden_id)
    response = post_form(
        client, edit_url(hidden_id), {}, post_url=f"/moderation/episodes/{hidden_id}/unhide"
    )
    assert response.status_code == 409
    assert "Took its place" in response.get_data(as_text=True)
    assert stored(app, hidden_id) == before


def test_hide_without_csrf_token_is_refused_and_changes_nothing(app, client, moderator):
    episode_id = add_episode(app, title="Guarded")
    before = stored(app, episode_id)
    response = client.post(f"/moderation/episodes/{episode_id}/hide")
    assert response.status_code == 400
    assert stored(app, episode_id) == before
    assert client.get(f"/moderation/episodes/{episode_id}/hide").status_code == 405


def test_a_signed_in_non_moderator_is_refused(app, client, frozen_now, login_as):
    login_as(client, email="viewer@example.org", role="viewer")
    assert client.get(LIST_URL).status_code == 403
    assert client.get(NEW_URL).status_code == 403


# --- content is escaped or cleaned ----------------------------------------------------------


class MarkupAudit(HTMLParser):
    """Collects script tags, event-handler attributes and link targets of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict] = []
        self.handlers: list[tuple[str, str]] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name == "href" and value:
                self.hrefs.append(value)


def audit_markup(html: str) -> MarkupAudit:
    parser = MarkupAudit()
    parser.feed(html)
    return parser


XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>{{7*7}}'


def test_script_in_every_field_is_escaped_or_cleaned(app, client, moderator):
    data = form_data(
        title=f"Title {XSS}",
        description=f'<p onclick="x()">Hi <a href="javascript:alert(3)">there</a></p>{XSS}',
        **{
            "guests-0-name": f"Guest {XSS}",
            "guests-0-affiliation": f"Org {XSS}",
            "links-2-platform": '<svg onload="alert(4)">',
        },
    )
    response = post_form(client, NEW_URL, data)
    assert response.status_code == 303
    with app.app_context():
        episode = db.session.scalar(db.select(Episode))
        slug, episode_id = episode.slug, episode.id
        assert "<script" not in episode.description and "onclick" not in episode.description
        assert "javascript:" not in episode.description
    for html in (
        client.get(edit_url(episode_id)).get_data(as_text=True),
        client.get(LIST_URL).get_data(as_text=True),
        app.test_client().get(f"/episodes/{slug}/").get_data(as_text=True),
        app.test_client().get("/").get_data(as_text=True),
    ):
        found = audit_markup(html)
        assert all(s.get("src", "").startswith("/static/") for s in found.scripts), found.scripts
        assert found.handlers == []
        assert all(
            h.startswith(("/", "#", "http://", "https://", "mailto:", "webcal:"))
            for h in found.hrefs
        )
        assert "{{7*7}}" in html  # literal: no template injection


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": "!!! ???"},
        {"title": "É" * 300},
        {
            "guests-7-name": "Gap in the rows",
            "links-9-platform": "x",
            "links-9-url": "https://x.y/",
        },
        {f"links-{i}-url": f"https://x.example/{i}" for i in range(40)}
        | {f"links-{i}-platform": "p" for i in range(40)},
        {"links-abc-url": "https://x.example/", "guests--1-name": "odd"},
        {"duration_minutes": "-60"},
        {"duration_minutes": "1" * 40},
        {"starts_at": "2031-02-30T14:00"},
        {"starts_at": "0001-01-01T00:00"},
        {"recap_url": "https://[::1"},
        {"links-0-url": "http://" + "a" * 2100},
        {"links-0-platform": "p" * 60},
    ],
)
def test_odd_input_never_fails_the_server(app, client, moderator, overrides):
    response = post_form(client, NEW_URL, form_data(**overrides))
    assert response.status_code in {303, 409, 422}
    if response.status_code != 303:
        assert 'class="error-summary"' in response.get_data(as_text=True)


def test_a_refusal_about_the_whole_form_is_listed_in_the_summary(
    app, client, moderator, monkeypatch
):
    monkeypatch.setattr(editing, "MAX_LINKS", 1)
    before = counts(app)
    response = post_form(client, NEW_URL, form_data())
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    start = html.index('class="error-summary"')
    summary = html[start : html.index("</ul>", start)]
    assert "<li>An episode has at most 1 watch/listen links.</li>" in summary
    assert counts(app) == before


def test_the_episode_form_says_its_zone_and_follows_the_chosen_one(client, moderator):
    html = client.get(NEW_URL).get_data(as_text=True)
    assert '<label for="starts_at">Start (UTC)</label>' in html
    assert "Not in your zone" not in html
    client.set_cookie("tz", "America/Chicago", domain="live.test")
    html = client.get(NEW_URL).get_data(as_text=True)
    assert "Not in your zone, Chicago (UTC−0" in html
    # The free default slots are written in UTC, then in the chosen zone.
    assert "Thu 22 May 2031, 14:00 UTC · 09:00 in Chicago (Thu 22 May)" in html
