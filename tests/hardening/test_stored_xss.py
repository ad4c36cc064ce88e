"""Stored XSS and template injection through every public field (RELIABILITY 18).

Each payload goes into every free-text field of the proposal form and the PTG registration
form. The pages that show what was stored are then parsed with ``html.parser``: the public
listing and episode page, the PTG team list, the moderation queue, the proposal detail, the
moderator's scheduling form (prefilled for editing), the submitter's edit form, the private
status pages and the moderators' registration pages. None may carry a script other than the
site's own file, an ``on*=`` attribute, or a link whose scheme is not http, https or mailto;
``{{7*7}}`` stays literal.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from openinfra_live.auth.models import User
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from openinfra_live.proposals import scheduling, services
from openinfra_live.proposals.models import Proposal
from openinfra_live.ptg import registrations
from openinfra_live.ptg.models import PtgTeam
from tests.conftest import post_form
from tests.hardening.support import PROPOSAL, SSTI, XSS_PAYLOADS, html_problems

REGISTER = "/ptg/2030-march/register"
FIRST_SLOT = datetime(2040, 1, 5, 14, 0, tzinfo=UTC)  # a Thursday far ahead


def proposal_form(n: int, payload: str) -> dict:
    return {
        **PROPOSAL,
        "title": f"P{n:02d} {payload}"[:200],
        "description": f"{payload} and enough words to pass the minimum length {payload}",
        "guests-0-name": payload[:200],
        "guests-0-affiliation": payload[:200],
        "guests-1-name": f"Guest {payload}"[:200],
        "organization": payload[:200],
        "submitter_name": payload[:120],
        "submitter_email": f"submitter{n}@example.org",
    }


def team_form(n: int, payload: str) -> dict:
    return {
        "name": f"Team {n:02d} {payload}"[:200],
        "kind": "other",
        "contact_name": payload[:120],
        "contact_email": f"team{n}@example.org",
        "hours_wanted": "4",
        "preferred_days": ["2030-03-18"],
        "time_windows": ["emea"],
        "etherpad_url": "https://etherpad.example.org/p/x",
        "website": "",
    }


SSTI_PAYLOAD = next(p for p in XSS_PAYLOADS if SSTI in p)


def assert_clean(client, url: str, payload: str = SSTI_PAYLOAD) -> str:
    """The page answers, nothing in it runs, and template syntax typed in stays literal.

    ``payload`` is what the page shows (lists show every payload, so the SSTI one too).
    """
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    text = response.get_data(as_text=True)
    assert html_problems(text) == [], url
    if SSTI in payload:
        assert SSTI in text, f"{url}: template syntax must be shown literally"
        assert "{% raw %}" in text and "{{ config }}" in text, url
    return text


def test_payloads_in_every_public_field_never_become_markup(app, client, login_as, no_mail):
    from tests.ptg.builders import make_event

    app.config["RATELIMIT_PUBLIC_FORMS"] = "1000 per minute"
    with app.app_context():
        make_event(registration_open=True)
        db.session.commit()

    # Two proposals per payload: one goes to the submitter for changes, one becomes an episode.
    status_pages = []
    for n, payload in enumerate(XSS_PAYLOADS * 2):
        response = post_form(client, "/propose", proposal_form(n, payload))
        assert response.status_code == 303, (payload, response.status_code)
        status_pages.append(response.headers["Location"])
    team_pages = []
    for n, payload in enumerate(XSS_PAYLOADS):
        response = post_form(client, REGISTER, team_form(n, payload))
        assert response.status_code == 303, (payload, response.status_code)
        team_pages.append(response.headers["Location"])

    moderator = app.test_client()
    moderator_id = login_as(moderator)

    # As received: the queue, each proposal's page, the private status pages.
    assert_clean(moderator, "/moderation/")
    with app.app_context():
        proposal_ids = db.session.scalars(db.select(Proposal.id).order_by(Proposal.id)).all()
        team_ids = db.session.scalars(db.select(PtgTeam.id).order_by(PtgTeam.id)).all()
    assert len(proposal_ids) == 2 * len(XSS_PAYLOADS) and len(team_ids) == len(XSS_PAYLOADS)
    payloads = list(XSS_PAYLOADS * 2)
    for proposal_id, payload in zip(proposal_ids, payloads, strict=True):
        assert_clean(moderator, f"/moderation/proposals/{proposal_id}", payload)
    for url, payload in zip(status_pages + team_pages, payloads + list(XSS_PAYLOADS), strict=True):
        assert_clean(client, url, payload)
    assert_clean(moderator, "/moderation/ptg/2030-march/")
    for team_id, payload in zip(team_ids, XSS_PAYLOADS, strict=True):
        assert_clean(moderator, f"/moderation/ptg/2030-march/registrations/{team_id}", payload)

    half = len(XSS_PAYLOADS)
    with app.app_context():
        actor = db.session.get(User, moderator_id)
        for proposal_id in proposal_ids[:half]:
            proposal = db.session.get(Proposal, proposal_id)
            services.request_changes(proposal, actor, message=f"Please change {proposal.title}")
        for proposal_id in proposal_ids[half:]:
            services.approve_proposal(db.session.get(Proposal, proposal_id), actor)
        for team_id, payload in zip(team_ids, XSS_PAYLOADS, strict=True):
            registrations.approve_team(
                db.session.get(PtgTeam, team_id), actor=None, message=payload
            )
        db.session.commit()

    # The submitter's edit form, prefilled with what was stored (``</textarea>`` included).
    for url, payload in zip(status_pages[:half], XSS_PAYLOADS, strict=True):
        text = assert_clean(client, url, payload)
        assert "<textarea" in text
    # The moderator's scheduling form, prefilled for editing, then the episodes it makes.
    for proposal_id, payload in zip(proposal_ids[half:], XSS_PAYLOADS, strict=True):
        assert_clean(moderator, f"/moderation/proposals/{proposal_id}/schedule", payload)
    with app.app_context():
        actor = db.session.get(User, moderator_id)
        for week, proposal_id in enumerate(proposal_ids[half:]):
            proposal = db.session.get(Proposal, proposal_id)
            scheduling.schedule_proposal(
                proposal,
                actor,
                starts_at=FIRST_SLOT + timedelta(weeks=week),
                title=proposal.title,
                description=proposal.description,
                guests=[(guest.name, guest.affiliation) for guest in proposal.guests],
            )
        db.session.commit()
        slugs = db.session.scalars(db.select(Episode.slug).order_by(Episode.starts_at)).all()
    assert len(slugs) == half

    assert_clean(client, "/episodes/")
    assert_clean(client, "/", payload="")  # the home page shows the next few only
    for slug, payload in zip(slugs, XSS_PAYLOADS, strict=True):
        assert_clean(client, f"/episodes/{quote(slug)}/", payload)
    for url in ("/ptg/", "/ptg/2030-march/"):
        assert_clean(client, url)
    for url, payload in zip(status_pages[half:] + team_pages, payloads, strict=True):
        assert_clean(client, url, payload)
    assert_clean(moderator, "/moderation/?state=all")
    for proposal_id, payload in zip(proposal_ids, payloads, strict=True):
        assert_clean(moderator, f"/moderation/proposals/{proposal_id}", payload)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_refused_forms_shown_again_with_the_payload_stay_inert(app, client, no_mail, payload):
    """A form refused for its e-mail or addresses is shown again with what was typed."""
    from tests.ptg.builders import make_event

    with app.app_context():
        make_event(registration_open=True)
        db.session.commit()
    bad_proposal = {**proposal_form(0, payload), "submitter_email": payload, "links": payload}
    response = post_form(client, "/propose", bad_proposal)
    assert response.status_code == 422
    assert html_problems(response.get_data(as_text=True)) == []
    bad_team = {**team_form(0, payload), "contact_email": payload, "video_url": payload}
    response = post_form(client, REGISTER, bad_team)
    assert response.status_code == 400
    assert html_problems(response.get_data(as_text=True)) == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(PtgTeam)) == 0


@pytest.mark.parametrize(
    "page",
    [
        "<p><script>alert(1)</script></p>",
        '<script src="https://cdn.example/x.js"></script>',
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<form action="javascript:alert(1)"></form>',
        "<svg onload=alert(1)></svg>",
        '<iframe src="https://example.org"></iframe>',
    ],
)
def test_the_html_checker_finds_what_it_looks_for(page):
    assert html_problems(f"<html><body>{page}</body></html>") != []


def test_the_html_checker_accepts_the_sites_own_markup():
    page = (
        '<script src="/static/js/site.js" defer></script><a href="/episodes/">a</a>'
        '<a href="https://example.org/" rel="nofollow">b</a><a href="mailto:a@example.org">c</a>'
        '<a href="webcal://live.test/calendar.ics">d</a><p>{{7*7}} onclick=x</p>'
    )
    assert html_problems(page) == []
