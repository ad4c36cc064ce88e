"""Public PTG pages: the featured event, one event, registration and the private status page."""

import re
from datetime import UTC, date, datetime

import pytest

from openinfra_live.extensions import db
from openinfra_live.ptg.models import PtgTeam
from tests.conftest import csrf_token_from, post_form
from tests.ptg.builders import at, make_event, make_room, make_session, make_team

TODAY = datetime(2030, 3, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr("openinfra_live.clock.now", lambda: TODAY)


def add_events(app):
    with app.app_context():
        past = make_event(
            "2029-october", "PTG October 2029", date(2029, 10, 22), date(2029, 10, 26)
        )
        make_team(past, "Swift")
        upcoming = make_event("2030-march", "PTG March 2030", date(2030, 3, 18), date(2030, 3, 22))
        make_event("2030-october", "PTG October 2030", date(2030, 10, 21), date(2030, 10, 25))
        make_team(upcoming, "Nova")
        make_team(upcoming, "Scientific SIG", kind="sig")
        make_team(upcoming, "Edge Computing Group", kind="working_group")
        make_team(upcoming, "Hidden Pending", status="pending")
        make_team(upcoming, "Gone", status="declined")
        db.session.commit()


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_index_shows_the_next_event_with_approved_teams_by_kind(app, client):
    add_events(app)
    page = text_of(client.get("/ptg/"))
    assert "<h1>PTG March 2030</h1>" in page
    teams = page[page.index("Official team list") :]
    assert (
        teams.index("Project teams") < teams.index("Nova") < teams.index("Special interest groups")
    )
    assert (
        teams.index("Scientific SIG")
        < teams.index("Working groups")
        < teams.index("Edge Computing")
    )
    assert "Hidden Pending" not in page and "Gone" not in page
    assert 'href="/ptg/2030-march/register"' in page
    assert 'href="/ptg/2029-october/"' in page  # past PTGs
    assert "Who should attend" in page and "Who should not attend" in page
    assert "Code of conduct" in page and "Frequently asked questions" in page


def test_index_prefers_the_event_under_way(app, client, monkeypatch):
    add_events(app)
    monkeypatch.setattr("openinfra_live.clock.now", lambda: datetime(2030, 3, 22, 23, tzinfo=UTC))
    page = text_of(client.get("/ptg/"))
    assert "<h1>PTG March 2030</h1>" in page and "Under way" in page


def test_index_falls_back_to_the_latest_past_event(app, client, monkeypatch):
    add_events(app)
    monkeypatch.setattr("openinfra_live.clock.now", lambda: datetime(2031, 1, 1, tzinfo=UTC))
    page = text_of(client.get("/ptg/"))
    assert "<h1>PTG October 2030</h1>" in page and "Past event" in page


def test_index_without_any_event_says_so(client):
    response = client.get("/ptg/")
    assert response.status_code == 200
    assert "No PTG has been announced yet" in text_of(response)


def test_a_past_event_has_its_own_page(app, client):
    add_events(app)
    page = text_of(client.get("/ptg/2029-october/"))
    assert "<h1>PTG October 2029</h1>" in page and "Swift" in page and "Teams that met" in page


@pytest.mark.parametrize(
    "path",
    [
        "/ptg/nope/",
        "/ptg/NOPE/",
        "/ptg/a..b/",
        "/ptg/nope/register",
        "/ptg/nope/schedule",
        "/ptg/nope/schedule.ics",
        "/ptg/nope/ptgbot.json",
        "/ptg/2030-march/teams/999.ics",
        "/ptg/2030-march/teams/-1.ics",
        "/ptg/2030-march/teams/abc.ics",
        "/ptg/registrations/short",
        "/ptg/registrations/" + "A" * 43,
        "/ptg/registrations/" + "A" * 500,
    ],
)
def test_unknown_things_are_404(app, client, path):
    add_events(app)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/ptg/", "/ptg/2030-march/"])
def test_event_pages_answer_304_until_a_team_is_approved(app, client, path):
    add_events(app)
    first = client.get(path)
    etag = first.headers["ETag"]

    assert first.headers["Cache-Control"] == "public, max-age=0, s-maxage=5"
    assert "Last-Modified" in first.headers
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    with app.app_context():
        team = db.session.scalar(db.select(PtgTeam).filter_by(name="Hidden Pending"))
        team.status = "approved"
        db.session.commit()
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "Hidden Pending" in text_of(changed)


# --- registration ---------------------------------------------------------------------------

FORM = {
    "name": "Nova",
    "kind": "project_team",
    "contact_name": "Ada Lovelace",
    "contact_email": "ada@example.org",
    "expected_attendees": "12",
    "hours_wanted": "8",
    "preferred_days": ["2030-03-18", "2030-03-19"],
    "time_windows": ["emea", "americas"],
    "runs_onboarding": "y",
    "etherpad_url": "https://etherpad.example.org/p/nova",
    "video_url": "",
}
REGISTER = "/ptg/2030-march/register"


def register(client, **changes):
    page = client.get(REGISTER)
    html = text_of(page)
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="nonce" name="nonce" type="hidden" value="([^"]+)"', html
    )
    data = {**FORM, "csrf_token": csrf_token_from(html), **changes}
    if nonce and "nonce" not in changes:
        data["nonce"] = nonce.group(1)
    return client.post(REGISTER, data=data)


def teams(app):
    with app.app_context():
        return db.session.scalars(db.select(PtgTeam)).all()


def test_the_form_offers_the_event_days_and_three_windows_in_utc(client, open_event):
    page = text_of(client.get(REGISTER))
    for day in ("2030-03-18", "2030-03-22"):
        assert f'value="{day}"' in page
    # Each window a span in UTC, which the script follows with the visitor's own time.
    assert (
        '<span class="time-range" data-local-range><time datetime="2030-03-18T00:00:00Z">00:00'
        '</time>–<time datetime="2030-03-18T04:00:00Z">04:00</time> UTC</span>'
    ) in page
    assert '<time datetime="2030-03-18T07:00:00Z">07:00</time>' in page
    assert '<time datetime="2030-03-18T14:00:00Z">14:00</time>' in page
    assert "Asia-Pacific" in page and "Europe and Africa" in page and "Americas" in page
    assert 'name="website"' in page  # the honeypot
    client.set_cookie("tz", "Asia/Shanghai", domain="live.test")
    page = text_of(client.get(REGISTER))
    assert "00:00–04:00 UTC · 08:00–12:00 in Shanghai" in " ".join(
        re.sub(r"<[^>]+>", "", page).split()
    )


def test_registering_redirects_to_a_private_status_page(app, client, open_event, sent_mail):
    response = register(client)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert re.fullmatch(r"/ptg/registrations/[A-Za-z0-9_-]{43}", location)
    [team] = teams(app)
    assert team.status == "pending" and team.preferred_days == ["2030-03-18", "2030-03-19"]
    assert team.time_windows == ["emea", "americas"] and team.runs_onboarding
    status = client.get(location)
    assert status.status_code == 200
    assert status.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in status.headers["Cache-Control"]
    page = text_of(status)
    assert "Nova at PTG March 2030" in page and "Waiting for review" in page
    assert "Withdraw this registration" in page
    # Private: search engines are asked to keep it out, as the proposal's status page is.
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert sent_mail[0][3]["status_url"].endswith(location)


def test_posting_the_same_form_twice_makes_one_registration(app, client, open_event, sent_mail):
    page = text_of(client.get(REGISTER))
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page).group(1)
    data = {**FORM, "csrf_token": csrf_token_from(page), "nonce": nonce}
    first = client.post(REGISTER, data=data)
    second = client.post(REGISTER, data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(teams(app)) == 1


@pytest.mark.parametrize("second_name", ["nova", " NOVA ", "No va"])
def test_a_second_registration_of_the_team_is_told_it_is_registered(
    app, client, open_event, sent_mail, second_name
):
    assert register(client).status_code == 303
    response = register(client, name=second_name, contact_email="other@example.org")
    assert response.status_code == 400
    assert "is already registered for PTG March 2030" in text_of(response)
    assert len(teams(app)) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hours_wanted": "2.5"}, "whole number of hours"),
        ({"hours_wanted": "abc"}, "whole number of hours"),
        ({"hours_wanted": "17"}, "at most 16 hours in total"),
        ({"hours_wanted": "9"}, "at most 4 hours per day"),
        ({"hours_wanted": "0"}, "at least one hour"),
        ({"preferred_days": []}, "Choose at least one day"),
        ({"preferred_days": ["2031-01-01"]}, "not a valid choice"),
        ({"time_windows": []}, "Choose at least one time window"),
        ({"video_url": "javascript:alert(1)"}, "http:// or https://"),
        ({"etherpad_url": "data:text/html,x"}, "http:// or https://"),
        ({"contact_email": "not-an-email"}, "Invalid email"),
        ({"name": ""}, "This field is required"),
        ({"kind": "cabal"}, "Not a valid choice"),
        ({"expected_attendees": "-3"}, "Number must be"),
        ({"name": "x" * 201}, "Field cannot be longer than 200"),
    ],
)
def test_bad_input_shows_errors_and_keeps_what_was_typed(app, client, open_event, changes, message):
    response = register(client, **changes)
    assert response.status_code == 400
    page = text_of(response)
    assert message in page, page[page.find("error-summary") :][:800]
    assert "ada@example.org" in page or changes.get("contact_email", "") in page
    assert teams(app) == []


def test_the_honeypot_refuses_bots(app, client, open_event):
    response = register(client, website="http://spam.example")
    assert response.status_code == 400
    assert teams(app) == []


def test_registration_needs_a_csrf_token(app, client, open_event):
    response = client.post(REGISTER, data=FORM)
    assert response.status_code == 400
    assert teams(app) == []


def test_a_closed_registration_answers_403_with_an_explanation(app, client):
    with app.app_context():
        event = make_event(registration_open=True)
        db.session.commit()
        event_id = event.id
    html = text_of(client.get(REGISTER))  # the form was open when the visitor loaded it
    with app.app_context():
        from openinfra_live.ptg.models import PtgEvent

        db.session.get(PtgEvent, event_id).registration_open = False
        db.session.commit()
    posted = client.post(REGISTER, data={**FORM, "csrf_token": csrf_token_from(html)})
    for response in (client.get(REGISTER), posted):
        assert response.status_code == 403
        assert "Registration is closed" in text_of(response)
    assert teams(app) == []


def test_extra_fields_cannot_set_the_state(app, client, open_event, sent_mail):
    register(client, status="approved", id="77", token_hash="x")
    [team] = teams(app)
    assert team.status == "pending" and team.id != 77


def test_withdraw_from_the_status_page(app, client, open_event, sent_mail):
    location = register(client).headers["Location"]
    assert f'href="{location}/withdraw"' in client.get(location).get_data(as_text=True)
    confirm = text_of(client.get(location + "/withdraw"))
    assert "This is final: a withdrawn registration cannot be reopened." in confirm
    assert '<meta name="robots" content="noindex, nofollow">' in confirm
    token = csrf_token_from(confirm)
    response = post_form(client, location + "/withdraw", {})
    assert response.status_code == 303 and response.headers["Location"] == location
    [team] = teams(app)
    assert team.status == "withdrawn"
    page = text_of(client.get(location))
    assert "Withdrawn" in page and "Withdraw this registration" not in page
    assert [m[2] for m in sent_mail] == ["mail/ptg_registered.txt", "mail/ptg_withdrawn.txt"]
    again = client.post(location + "/withdraw", data={"csrf_token": token})
    assert again.status_code == 303
    assert "cannot be withdrawn" in text_of(client.get(location))
    # A final registration offers no confirmation step: back to its page.
    final = client.get(location + "/withdraw")
    assert final.status_code == 303 and final.headers["Location"] == location


def test_withdraw_needs_csrf_and_the_right_token(app, client, open_event, sent_mail):
    location = register(client).headers["Location"]
    assert client.post(location + "/withdraw").status_code == 400
    html = text_of(client.get(location + "/withdraw"))
    wrong = "/ptg/registrations/" + "B" * 43 + "/withdraw"
    assert client.post(wrong, data={"csrf_token": csrf_token_from(html)}).status_code == 404
    assert teams(app)[0].status == "pending"


def test_the_status_page_shows_public_messages_and_sessions_once_placed(
    app, client, open_event, sent_mail
):
    location = register(client).headers["Location"]
    with app.app_context():
        from openinfra_live.ptg import registrations

        team = db.session.scalars(db.select(PtgTeam)).one()
        registrations.approve_team(team, actor=None, message="Welcome aboard!")
        make_session(team, make_room(team.event, "Cactus"), at(18, 14), at(18, 16))
        db.session.commit()
    page = text_of(client.get(location))
    assert "Approved" in page and "Welcome aboard!" in page
    assert "Cactus" in page and 'datetime="2030-03-18T14:00:00Z"' in page
    assert "lead@example.org" not in page


def test_registration_posts_are_rate_limited_per_address(app, client, open_event, sent_mail):
    app.config["RATELIMIT_PUBLIC_FORMS"] = "2 per minute"
    statuses = [register(client, name=f"Team {n}").status_code for n in range(3)]
    assert statuses == [303, 303, 429]
    assert client.get(REGISTER).status_code == 200  # reading the form is not limited
    assert len(teams(app)) == 2


def test_team_names_are_escaped_everywhere(app, client, open_event, sent_mail):
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>{{7*7}}"
    location = register(client, name=payload).headers["Location"]
    with app.app_context():
        from openinfra_live.ptg import registrations

        team = db.session.scalars(db.select(PtgTeam)).one()
        registrations.approve_team(team, actor=None, message="<b>hi</b>")
        make_session(team, make_room(team.event, "Room <i>"), at(18, 14), at(18, 15))
        db.session.commit()
    for path in (location, "/ptg/", "/ptg/2030-march/", "/ptg/2030-march/schedule"):
        page = text_of(client.get(path))
        assert "<script>alert" not in page and "<img src=x" not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path
        assert "{{7*7}}" in page, path
