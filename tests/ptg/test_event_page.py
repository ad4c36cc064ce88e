"""The public event page: the organisers' description and FAQ (cleaned, cached, shown), the
list of PTGs under way or coming on /ptg/, and registration that closes when the event starts."""

from datetime import UTC, date, datetime, timedelta

import pytest

from openinfra_live.caching import version
from openinfra_live.extensions import db
from openinfra_live.ptg import events, registrations, rules
from openinfra_live.ptg.models import PtgEvent, PtgTeam
from tests.conftest import csrf_token_from, post_form
from tests.ptg.builders import make_event, make_team

TODAY = datetime(2030, 3, 1, 12, tzinfo=UTC)
EDIT = "/moderation/ptg/2030-march/edit"
DETAILS = {
    "name": "PTG March 2030",
    "slug": "2030-march",
    "starts_on": "2030-03-18",
    "ends_on": "2030-03-22",
    "format": "virtual",
    "registration_open": "y",
}


@pytest.fixture
def now(monkeypatch):
    """The clock, frozen at ``TODAY``; set ``now.at`` to move it."""

    class Clock:
        at = TODAY

    clock = Clock()
    monkeypatch.setattr("openinfra_live.clock.now", lambda: clock.at)
    return clock


def text_of(response) -> str:
    return response.get_data(as_text=True)


def event_row(app, slug: str = "2030-march") -> PtgEvent:
    with app.app_context():
        event = db.session.scalar(db.select(PtgEvent).filter_by(slug=slug))
        db.session.expunge(event)
        return event


# --- description and FAQ ---------------------------------------------------------------------


def test_description_and_faq_are_cleaned_on_the_way_in_and_shown(app, client, now, login_as):
    with app.app_context():
        make_event()
        db.session.commit()
    moderator = app.test_client()
    login_as(moderator)
    texts = {
        "description": '<p onclick="steal()">Meet <em>your</em> team.</p><script>alert(1)</script>',
        "faq": (
            "<p><strong>Is it free?</strong> Yes.</p>"
            '<p><a href="javascript:alert(1)">bad</a> <a href="https://ptg.example">good</a></p>'
            "<iframe src=https://evil.example></iframe>"
        ),
    }
    response = post_form(moderator, EDIT, {**DETAILS, **texts})
    assert response.status_code == 303

    event = event_row(app)
    assert event.description == "<p>Meet <em>your</em> team.</p>"  # script and its content gone
    assert "script" not in event.faq and "javascript" not in event.faq
    assert "iframe" not in event.faq and "onclick" not in event.description
    assert '<a href="https://ptg.example" rel="nofollow noopener noreferrer">good</a>' in event.faq

    page = text_of(client.get("/ptg/2030-march/"))
    assert "<p>Meet <em>your</em> team.</p>" in page
    assert "<p><strong>Is it free?</strong> Yes.</p>" in page
    # The organisers' texts replace the standard ones.
    assert "gives the groups that build open infrastructure software" not in page
    assert "How does a team get a room?" not in page
    assert "<script>alert" not in page and "onclick" not in page
    # The form shows what is stored, for the next edit.
    assert "Meet &lt;em&gt;your&lt;/em&gt; team." in text_of(moderator.get(EDIT))


def test_without_texts_the_page_shows_the_standard_introduction_and_questions(app, client, now):
    with app.app_context():
        make_event()
        db.session.commit()
    page = text_of(client.get("/ptg/2030-march/"))
    assert "gives the groups that build open infrastructure software" in page
    assert "How does a team get a room?" in page


def test_leaving_the_texts_out_of_a_save_keeps_them(app_ctx):
    event = make_event(description="<p>Kept</p>", faq="<p>Also kept</p>")
    details = {"name": event.name, "slug": event.slug, "format": "virtual"}
    details |= {"starts_on": event.starts_on, "ends_on": event.ends_on}
    events.save_event(event, **details)
    assert (event.description, event.faq) == ("<p>Kept</p>", "<p>Also kept</p>")
    events.save_event(event, **details, description="", faq="")
    assert (event.description, event.faq) == ("", "")


def test_a_text_longer_than_an_episode_description_is_refused(app, now, login_as):
    with app.app_context():
        make_event()
        db.session.commit()
    moderator = app.test_client()
    login_as(moderator)
    response = post_form(moderator, EDIT, {**DETAILS, "faq": "x" * 10_001})
    assert response.status_code == 400
    assert "Field cannot be longer than 10000 characters." in text_of(response)
    assert event_row(app).faq == ""


def test_the_page_stays_cached_and_a_new_faq_moves_the_content_version(app, client, now, login_as):
    with app.app_context():
        make_event()
        db.session.commit()
        before = version.read().token
    first = client.get("/ptg/2030-march/")
    assert first.headers["Cache-Control"] == "public, max-age=0, s-maxage=5"
    etag = first.headers["ETag"]
    assert client.get("/ptg/2030-march/", headers={"If-None-Match": etag}).status_code == 304

    moderator = app.test_client()
    login_as(moderator)
    post_form(moderator, EDIT, {**DETAILS, "faq": "<p>Bring a headset.</p>"})

    with app.app_context():
        assert version.read().token != before
    again = client.get("/ptg/2030-march/", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag
    assert "<p>Bring a headset.</p>" in text_of(again)
    assert again.headers["Cache-Control"] == "public, max-age=0, s-maxage=5"


# --- /ptg/ lists every PTG under way or coming -----------------------------------------------


def add_events(app) -> None:
    with app.app_context():
        make_event("2029-october", "PTG October 2029", date(2029, 10, 22), date(2029, 10, 26))
        running = make_event("2030-march", "PTG March 2030", date(2030, 3, 18), date(2030, 3, 22))
        make_team(running, "Nova")
        make_event("2030-june", "PTG June 2030", date(2030, 6, 3), date(2030, 6, 7))
        make_event("2030-october", "PTG October 2030", date(2030, 10, 21), date(2030, 10, 25))
        db.session.commit()


def section(page: str, title_id: str) -> str:
    start = page.index(f'id="{title_id}"')
    return page[start : page.index("</section>", start)]


def test_index_shows_the_running_event_then_every_upcoming_one_and_links_past_ones(
    app, client, now
):
    add_events(app)
    now.at = datetime(2030, 3, 19, 9, tzinfo=UTC)
    page = text_of(client.get("/ptg/"))
    assert "<h1>PTG March 2030</h1>" in page and "Under way" in page
    coming = section(page, "coming-title")
    assert coming.index("PTG June 2030") < coming.index("PTG October 2030")
    assert 'href="/ptg/2030-june/"' in coming and 'href="/ptg/2030-october/"' in coming
    assert "PTG March 2030" not in coming and "PTG October 2029" not in coming
    past = section(page, "past-title")
    assert 'href="/ptg/2029-october/"' in past and "2030" not in past
    assert page.index('id="coming-title"') < page.index('id="past-title"')


def test_before_any_event_starts_the_next_one_leads_and_the_others_follow(app, client, now):
    add_events(app)
    page = text_of(client.get("/ptg/"))
    assert "<h1>PTG March 2030</h1>" in page and "Under way" not in page
    coming = section(page, "coming-title")
    assert "PTG June 2030" in coming and "PTG October 2030" in coming
    assert "registration open" in coming


def test_two_events_under_way_are_both_listed(app, client, now):
    add_events(app)
    with app.app_context():
        make_event("2030-march-asia", "PTG March 2030, Asia", date(2030, 3, 19), date(2030, 3, 20))
        db.session.commit()
    now.at = datetime(2030, 3, 19, 9, tzinfo=UTC)
    page = text_of(client.get("/ptg/"))
    assert "<h1>PTG March 2030</h1>" in page
    assert "PTG March 2030, Asia" in section(page, "coming-title")


def test_an_event_page_also_lists_the_ptgs_coming(app, client, now):
    add_events(app)
    page = text_of(client.get("/ptg/2029-october/"))
    coming = section(page, "coming-title")
    assert "PTG March 2030" in coming and "PTG October 2030" in coming


# --- registration closes when the event starts -----------------------------------------------

REGISTER = "/ptg/2030-march/register"
FORM = {
    "name": "Ironic",
    "kind": "project_team",
    "contact_name": "Julia",
    "contact_email": "julia@example.org",
    "hours_wanted": "2",
    "preferred_days": "2030-03-19",
    "time_windows": "emea",
}
START = datetime(2030, 3, 18, tzinfo=UTC)


def team_count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(PtgTeam))


@pytest.fixture
def open_march(app) -> None:
    with app.app_context():
        make_event(registration_open=True)
        db.session.commit()


def test_the_last_second_before_the_start_still_takes_a_registration(
    app, client, now, open_march, sent_mail
):
    now.at = START - timedelta(seconds=1)
    assert 'href="/ptg/2030-march/register"' in text_of(client.get("/ptg/2030-march/"))
    response = post_form(client, REGISTER, FORM)
    assert response.status_code == 303
    assert team_count(app) == 1


def test_at_the_start_registration_is_closed_whatever_the_checkbox_says(
    app, client, now, open_march, sent_mail
):
    now.at = START - timedelta(minutes=5)
    form_page = text_of(client.get(REGISTER))  # loaded while it was open
    now.at = START
    assert event_row(app).registration_open  # the checkbox still says open
    page = client.get(REGISTER)
    assert page.status_code == 403 and "Registration is closed" in text_of(page)
    assert "registration closes when the event starts" in text_of(page)
    posted = client.post(REGISTER, data={**FORM, "csrf_token": csrf_token_from(form_page)})
    assert posted.status_code == 403 and "Registration is closed" in text_of(posted)
    assert team_count(app) == 0 and sent_mail == []
    event_page = text_of(client.get("/ptg/2030-march/"))
    assert "Team registration is <strong>closed</strong>" in event_page
    assert 'href="/ptg/2030-march/register"' not in event_page


def test_the_service_refuses_a_registration_once_the_event_started(app_ctx, monkeypatch):
    event = make_event(registration_open=True)
    monkeypatch.setattr("openinfra_live.clock.now", lambda: START + timedelta(hours=3))
    data = rules.RegistrationData(
        name="Ironic",
        kind="project_team",
        contact_name="Julia",
        contact_email="julia@example.org",
        hours_wanted=2,
        preferred_days=["2030-03-19"],
        time_windows=["emea"],
    )
    with pytest.raises(rules.RegistrationClosed):
        registrations.register_team(event, data)


@pytest.mark.parametrize(
    ("checkbox", "moment", "open_"),
    [
        (True, START - timedelta(microseconds=1), True),
        (True, START, False),
        (True, START + timedelta(days=10), False),
        (False, START - timedelta(days=10), False),
    ],
)
def test_takes_registrations_follows_the_checkbox_until_the_start(checkbox, moment, open_):
    event = PtgEvent(starts_on=START.date(), registration_open=checkbox)
    assert event.takes_registrations(moment) is open_


def test_the_home_page_stops_calling_registration_open_at_the_start(app, client, now, open_march):
    now.at = START - timedelta(minutes=1)
    assert "Team registration is open." in text_of(client.get("/"))
    now.at = START + timedelta(minutes=1)
    home = text_of(client.get("/"))
    assert "PTG March 2030" in home and "Team registration is open." not in home
