"""Every page a person can see, on a site filled with the demo content, for the page checks.

``build_demo_site`` makes the content (the ``demo_site`` fixture, once per module); ``PAGES``
lists the public pages, the forms with their errors shown, the private status pages and the
moderators' pages. A page that shows a form's errors is reached by sending the form empty (or
wrong), as a person would.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from playwright.sync_api import Browser, BrowserContext, Page

from openinfra_live import clock
from openinfra_live.demo import load_demo
from openinfra_live.extensions import db
from openinfra_live.proposals import services as proposal_services
from openinfra_live.ptg import registrations, rules
from openinfra_live.ptg.models import PtgSession
from tests.browser.conftest import guard
from tests.browser.support import sign_in
from tests.conftest import make_moderator


@dataclass(frozen=True)
class DemoSite:
    base_url: str
    past_episode: str
    past_episode_id: int
    upcoming_episode: str
    event: str
    room_id: int
    pending_team_id: int
    registration_token: str
    proposal_id: int
    proposal_token: str
    approved_proposal_id: int
    ptg_session_id: int = 0
    changes_token: str = ""
    # Specials: the demo's two-day special and its first segment.
    special_episode: str = ""
    special_episode_id: int = 0
    special_segment_id: int = 0
    # The next episode, which takes questions (the demo gives it some).
    upcoming_episode_id: int = 0


def build_demo_site(app, base_url: str) -> DemoSite:
    """The demo content, a moderator, an approved proposal and a pending team registration."""

    def build() -> DemoSite:
        now = clock.now()
        content = load_demo(now)
        db.session.flush()
        moderator = make_moderator(role="admin")  # commits the demo content too
        (first, first_token), (second, _) = content.proposals[:2]
        proposal_services.approve_proposal(second, moderator, "Looks good.")
        event = content.event
        team, token = registrations.register_team(
            event,
            rules.RegistrationData(
                name="Quantum Tunnelling SIG",
                kind="sig",
                contact_name="Rosa Quant",
                contact_email="rosa@example.org",
                hours_wanted=2,
                preferred_days=[event.starts_on.isoformat()],
                time_windows=["emea"],
            ),
        )
        # Plain words: a proposal whose moderator asked for changes (their message, the edit form).
        asked = proposal_services.submit_proposal(
            proposal_services.ProposalContent(
                title="Edge clouds in rail yards",
                description="How a railway runs OpenStack in its yards.",
                guests=[("Ana Rail", "Example Railways")],
                links=["https://example.org/rail"],
            ),
            submitter_name="Ana Rail",
            submitter_email="ana.rail@example.org",
        )
        proposal_services.request_changes(asked.proposal, moderator, "Please add a second guest.")
        ACCOUNT_LINKS.update(_account_links(moderator))
        add_outbox_examples()
        db.session.commit()
        past = [e for e in content.episodes if e.starts_at < now and e.links]
        # The numbers pages draw views: a few past episodes have a count.
        for rank, episode in enumerate(sorted(past, key=lambda e: e.starts_at)):
            episode.views, episode.peak_live_viewers = 350 * (rank + 1), 40 + rank
        db.session.commit()
        upcoming = [e for e in content.episodes if e.starts_at > now + timedelta(hours=2)]
        last_past = max(past, key=lambda e: e.starts_at)
        special = next(e for e in content.episodes if e.special)
        next_episode = min(upcoming, key=lambda e: e.starts_at)
        return DemoSite(
            upcoming_episode_id=next_episode.id,
            special_episode=special.slug,
            special_episode_id=special.id,
            special_segment_id=special.segments[0].id,
            base_url=base_url,
            past_episode=last_past.slug,
            upcoming_episode=next_episode.slug,
            event=event.slug,
            room_id=event.rooms[0].id,
            pending_team_id=team.id,
            registration_token=token,
            proposal_id=first.id,
            proposal_token=first_token,
            approved_proposal_id=second.id,
            changes_token=asked.token,
            past_episode_id=last_past.id,
            ptg_session_id=db.session.scalar(
                db.select(PtgSession.id).filter_by(event_id=event.id).order_by(PtgSession.id)
            ),
        )

    # A request context: registering a team mails its private link, an absolute address.
    with app.test_request_context("/", base_url=base_url):
        try:
            return build()
        finally:
            db.session.remove()


def open_context(
    chromium: Browser, *, width: int = 1280, bypass_csp: bool = False, javascript: bool = True
) -> BrowserContext:
    context = chromium.new_context(
        viewport={"width": width, "height": 900},
        java_script_enabled=javascript,
        bypass_csp=bypass_csp,
        locale="en-US",
        timezone_id="UTC",
    )
    guard(context)
    context.set_default_timeout(10_000)
    return context


def moderator_context(chromium: Browser, site: DemoSite, **options) -> BrowserContext:
    context = open_context(chromium, **options)
    page = context.new_page()
    sign_in(page, site.base_url)
    page.close()
    return context


def _submit(button: str) -> Callable[[Page], None]:
    def submit(page: Page) -> None:
        page.get_by_role("button", name=button, exact=True).click()

    return submit


def _custom_slot_without_a_time(page: Page) -> None:
    page.get_by_label("Another time (below)").check()
    page.get_by_role("button", name="Schedule it").click()


def _retime_without_confirming(page: Page) -> None:
    start = page.get_by_label("Start (UTC)")
    start.fill(start.input_value()[:11] + "06:00")
    page.get_by_role("button", name="Save changes").click()


def _blank_request_for_changes(page: Page) -> None:
    # Spaces pass the browser's own ``required`` check; the server strips them and refuses.
    page.get_by_label("What should the submitter change?").fill("   ")
    page.get_by_role("button", name="Request changes", exact=True).click()


def _wrong_password(page: Page) -> None:
    page.get_by_label("E-mail address").fill("mod@example.org")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()


def _session_past_the_day_limit(page: Page) -> None:
    page.get_by_label("Start (UTC)").select_option(label="00:00")
    page.get_by_label("End (UTC)").select_option(label="24:00")
    page.get_by_role("button", name="Save the session").click()


@dataclass(frozen=True)
class Visit:
    name: str
    path: Callable[[DemoSite], str]
    moderator: bool = False
    # Sends a form from the page; the page checked is the one that comes back.
    submit: Callable[[Page], None] | None = None
    status: int = 200


def _form(
    name: str,
    path: Callable[[DemoSite], str],
    submit: Callable[[Page], None],
    status: int,
    *,
    moderator: bool = False,
    errors: str | None = None,
) -> list[Visit]:
    """A page with a form, then the same page after sending the form wrong (``errors`` names
    that visit, by default ``name-errors``)."""
    return [
        Visit(name, path, moderator=moderator),
        Visit(errors or f"{name}-errors", path, moderator, submit, status),
    ]


def _moderation(name: str, path: Callable[[DemoSite], str]) -> Visit:
    return Visit(name, path, moderator=True)


PAGES = [
    Visit("home", lambda s: "/"),
    Visit("archive", lambda s: "/episodes/"),
    Visit("archive-search", lambda s: "/episodes/?q=upgrade"),
    Visit("episode-past", lambda s: f"/episodes/{s.past_episode}/"),
    Visit("episode-upcoming", lambda s: f"/episodes/{s.upcoming_episode}/"),
    *_form("propose", lambda s: "/propose", _submit("Send the proposal"), 422),
    *_form(
        "questions-ask",
        lambda s: f"/episodes/{s.upcoming_episode}/questions",
        _submit("Send the question"),
        422,
    ),
    Visit("proposal-status", lambda s: f"/proposals/{s.proposal_token}"),
    Visit("ptg", lambda s: "/ptg/"),
    Visit("ptg-event", lambda s: f"/ptg/{s.event}/"),
    *_form("ptg-register", lambda s: f"/ptg/{s.event}/register", _submit("Register the team"), 400),
    Visit("ptg-registration-status", lambda s: f"/ptg/registrations/{s.registration_token}"),
    Visit("ptg-schedule", lambda s: f"/ptg/{s.event}/schedule"),
    Visit("timezone", lambda s: "/timezone?next=/"),
    *_form("login", lambda s: "/login", _submit("Sign in"), 200),
    Visit("login-wrong-password", lambda s: "/login", submit=_wrong_password, status=200),
    Visit("not-found", lambda s: "/no-such-page", status=404),
    _moderation("moderation-queue", lambda s: "/moderation/"),
    _moderation("moderation-queue-all", lambda s: "/moderation/?state=all"),
    *_form(
        "moderation-proposal",
        lambda s: f"/moderation/proposals/{s.proposal_id}",
        _blank_request_for_changes,
        422,
        moderator=True,
    ),
    *_form(
        "moderation-schedule",
        lambda s: f"/moderation/proposals/{s.approved_proposal_id}/schedule",
        _custom_slot_without_a_time,
        422,
        moderator=True,
    ),
    _moderation("moderation-audit", lambda s: "/moderation/audit"),
    _moderation("moderation-questions", lambda s: "/moderation/questions/"),
    _moderation(
        "moderation-questions-run",
        lambda s: f"/moderation/questions/episodes/{s.upcoming_episode_id}",
    ),
    _moderation("moderation-episodes", lambda s: "/moderation/episodes/"),
    *_form(
        "moderation-episode-new",
        lambda s: "/moderation/episodes/new",
        _submit("Create the episode"),
        422,
        moderator=True,
    ),
    _moderation(
        "moderation-episode-edit", lambda s: f"/moderation/episodes/{s.past_episode_id}/edit"
    ),
    _moderation("moderation-ptg", lambda s: "/moderation/ptg/"),
    *_form(
        "moderation-ptg-event",
        lambda s: f"/moderation/ptg/{s.event}/",
        _submit("Add room"),
        400,
        moderator=True,
        errors="moderation-ptg-room-errors",
    ),
    _moderation("moderation-ptg-event-edit", lambda s: f"/moderation/ptg/{s.event}/edit"),
    *_form(
        "moderation-ptg-event-new",
        lambda s: "/moderation/ptg/events/new",
        _submit("Save"),
        400,
        moderator=True,
    ),
    _moderation(
        "moderation-ptg-registration",
        lambda s: f"/moderation/ptg/{s.event}/registrations/{s.pending_team_id}",
    ),
    _moderation(
        "moderation-ptg-room-edit", lambda s: f"/moderation/ptg/{s.event}/rooms/{s.room_id}/edit"
    ),
    # Moderation navigation and list searches; public pages with a moderator's Edit link.
    _moderation("moderation-queue-search", lambda s: "/moderation/?state=all&q=a"),
    _moderation("moderation-queue-no-results", lambda s: "/moderation/?q=zzz-nothing"),
    _moderation("moderation-episodes-no-results", lambda s: "/moderation/episodes/?q=zzz"),
    _moderation("moderation-audit-search", lambda s: "/moderation/audit?q=mod%40example.org"),
    _moderation("moderation-audit-no-results", lambda s: "/moderation/audit?q=zzz-nothing"),
    _moderation("episode-past-moderator", lambda s: f"/episodes/{s.past_episode}/"),
    _moderation("ptg-event-moderator", lambda s: f"/ptg/{s.event}/"),
    # PTG moderation: a session changed in place, deleting rooms and events, removing a team.
    _moderation(
        "moderation-ptg-session-edit",
        lambda s: f"/moderation/ptg/{s.event}/sessions/{s.ptg_session_id}/edit",
    ),
    # Refused by a rule of the whole session (no one field is wrong), so not an "-errors" page.
    Visit(
        "moderation-ptg-session-edit-refused",
        lambda s: f"/moderation/ptg/{s.event}/sessions/{s.ptg_session_id}/edit",
        moderator=True,
        submit=_session_past_the_day_limit,
        status=400,
    ),
    _moderation(
        "moderation-ptg-room-delete",
        lambda s: f"/moderation/ptg/{s.event}/rooms/{s.room_id}/delete",
    ),
    _moderation("moderation-ptg-event-delete", lambda s: f"/moderation/ptg/{s.event}/delete"),
    *_form(
        "moderation-ptg-registration-remove",
        lambda s: f"/moderation/ptg/{s.event}/registrations/{s.pending_team_id}/remove",
        _submit("Remove the registration"),
        400,
        moderator=True,
    ),
    # Scheduling and episodes: a past episode re-timed without the confirmation; the delete
    # confirmation, and its error when not ticked.
    Visit(
        "moderation-episode-edit-past-errors",
        lambda s: f"/moderation/episodes/{s.past_episode_id}/edit",
        True,
        _retime_without_confirming,
        422,
    ),
    *_form(
        "moderation-episode-delete",
        lambda s: f"/moderation/episodes/{s.past_episode_id}/delete",
        _submit("Delete the episode"),
        422,
        moderator=True,
    ),
    # --- the outbox (mails sent, printed and failed, with a retry) ---
    _moderation("moderation-outbox", lambda s: "/moderation/outbox"),
    _moderation("moderation-outbox-failed", lambda s: "/moderation/outbox?status=failed"),
]

# Accounts (password reset, invitation, own password, accounts and imports pages) ----------------

# The paths of a reset link and an invitation, made with the demo site (``build_demo_site``).
ACCOUNT_LINKS: dict[str, str] = {}


def _account_links(moderator) -> dict[str, str]:
    from urllib.parse import urlsplit

    from openinfra_live.auth import accounts, links
    from openinfra_live.auth.models import PURPOSE_INVITE, PURPOSE_RESET

    _, reset = links.issue(PURPOSE_RESET, links.RESET_LIFETIME, user=moderator)
    _, invite = links.issue(PURPOSE_INVITE, accounts.INVITE_LIFETIME, email="new@example.org")
    return {"reset": urlsplit(reset).path, "invite": urlsplit(invite).path}


def _upload_views(page: Page) -> None:
    csv = b"Content,Video title,Views\nTotal,,12\nAAAAAAAAAAA,Elsewhere,12\n"
    page.get_by_label("View counts").set_input_files(
        files=[{"name": "Table data.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    page.get_by_role("button", name="Import the views").click()


def _upload_an_empty_content_file(page: Page) -> None:
    page.get_by_label("Content file").set_input_files(
        files=[{"name": "empty.yaml", "mimeType": "text/yaml", "buffer": b"episodes: []\n"}]
    )
    page.get_by_role("button", name="Import the episodes").click()


ACCOUNT_PAGES = [
    *_form("login-reset", lambda s: "/login/reset", _submit("Send the link"), 422),
    Visit("login-reset-sent", lambda s: "/login/reset?sent=1"),
    Visit("login-reset-invalid", lambda s: "/login/reset/" + "A" * 43, status=404),
    *_form(
        "login-reset-password",
        lambda s: ACCOUNT_LINKS["reset"],
        _submit("Change the password"),
        422,
    ),
    *_form("invitation", lambda s: ACCOUNT_LINKS["invite"], _submit("Create my account"), 422),
    *_form(
        "account-password",
        lambda s: "/account/password",
        _submit("Change the password"),
        422,
        moderator=True,
    ),
    *_form(
        "moderation-accounts",
        lambda s: "/moderation/accounts/",
        _submit("Send the invitation"),
        422,
        moderator=True,
    ),
    *_form(
        "moderation-imports",
        lambda s: "/moderation/imports/",
        _submit("Import the episodes"),
        422,
        moderator=True,
    ),
    Visit(
        "moderation-import-report",
        lambda s: "/moderation/imports/",
        moderator=True,
        submit=_upload_an_empty_content_file,
    ),
]
PAGES += ACCOUNT_PAGES
# The numbers: every year, this year (so far), a year without data, the views import.
PAGES += [
    Visit("numbers", lambda s: "/numbers/"),
    Visit("numbers-year", lambda s: f"/numbers/{clock.now().year}/"),
    Visit("numbers-empty-year", lambda s: "/numbers/2001/"),
    Visit(
        "moderation-imports-views-errors",
        lambda s: "/moderation/imports/",
        moderator=True,
        submit=_submit("Import the views"),
        status=422,
    ),
    Visit(
        "moderation-views-report",
        lambda s: "/moderation/imports/",
        moderator=True,
        submit=_upload_views,
    ),
]
# Plain words: the moderators' message above the edit form; withdrawing asks to confirm.
PAGES += [
    Visit("proposal-status-changes", lambda s: f"/proposals/{s.changes_token}"),
    Visit("proposal-withdraw", lambda s: f"/proposals/{s.proposal_token}/withdraw"),
    Visit(
        "ptg-registration-withdraw",
        lambda s: f"/ptg/registrations/{s.registration_token}/withdraw",
    ),
]

# Episode pages: the archive's empty states (a search and a year that hold no episode) --------
PAGES += [
    Visit("archive-empty-search", lambda s: "/episodes/?q=zuul+2019"),
    Visit("archive-empty-year", lambda s: "/episodes/?year=2001"),
]

# Layout: moderation pages with other content than the ones above (an approved proposal and
# its scheduling button, a queue filtered by state, an episode search with results).
PAGES += [
    _moderation(
        "moderation-proposal-approved", lambda s: f"/moderation/proposals/{s.approved_proposal_id}"
    ),
    _moderation("moderation-queue-approved", lambda s: "/moderation/?state=approved"),
    _moderation("moderation-episodes-search", lambda s: "/moderation/episodes/?q=a"),
]


def add_outbox_examples() -> None:
    """A mail in each state the outbox page shows: failed (with a retry), sent over SMTP,
    printed on the console, and a sent secret one (its text not shown)."""
    from openinfra_live.outbox import OutboxMail

    now = clock.now()
    common = {"template": "mail/ptg_approved.txt", "queued_at": now, "last_attempt_at": now}
    db.session.add_all(
        [
            OutboxMail(
                recipient="lead@example.org",
                subject="PTG registration approved: Nova",
                body="Hello,\n\nNova is approved.",
                status="failed",
                attempts=2,
                failure="The mail server 127.0.0.1:2525 could not be reached (Connection refused).",
                **common,
            ),
            OutboxMail(
                recipient="ops@example.org",
                subject="PTG registration approved: Ironic",
                body="Hello,\n\nIronic is approved.",
                status="sent",
                sent_by="smtp",
                sent_at=now,
                attempts=1,
                **common,
            ),
            OutboxMail(
                recipient="sam@example.org",
                subject="We received your episode idea",
                body=None,
                secret=True,
                status="sent",
                sent_by="console",
                sent_at=now,
                attempts=1,
                **common,
            ),
        ]
    )


# Specials: a special's public page, its moderation page with its segments, and the segment
# forms (a new segment sent without a title shows its errors), and a segment's deletion page.
PAGES += [
    Visit("special", lambda s: f"/episodes/{s.special_episode}/"),
    _moderation(
        "moderation-special-edit", lambda s: f"/moderation/episodes/{s.special_episode_id}/edit"
    ),
    *_form(
        "moderation-segment-new",
        lambda s: f"/moderation/episodes/{s.special_episode_id}/segments/new",
        _submit("Add the segment"),
        422,
        moderator=True,
    ),
    _moderation(
        "moderation-segment-edit",
        lambda s: (
            f"/moderation/episodes/{s.special_episode_id}/segments/{s.special_segment_id}/edit"
        ),
    ),
    _moderation(
        "moderation-segment-delete",
        lambda s: (
            f"/moderation/episodes/{s.special_episode_id}/segments/{s.special_segment_id}/delete"
        ),
    ),
]

PAGE_IDS = [visit.name for visit in PAGES]


def visit(page: Page, site: DemoSite, target: Visit) -> str:
    """Open the page (sending its form when it has one); return the HTML the server sent."""
    response = page.goto(site.base_url + target.path(site))
    if target.submit is not None:
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            target.submit(page)
        response = posted.value
        page.wait_for_load_state()
    assert response.status == target.status, f"{target.name}: {response.status} at {page.url}"
    return response.text()
