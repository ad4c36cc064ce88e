"""The moderators' workspace in the browser: the outbox and its retry, imports, accounts, one's
own password, assigning and reopening a proposal.

Each journey checks what the person reads on the page and what the database holds afterwards.
Mails go to a real SMTP server on 127.0.0.1, which starts down where a journey needs it so.
"""

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from werkzeug.security import check_password_hash

from openinfra_live.auth.models import ROLE_ADMIN, User
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from openinfra_live.outbox import OutboxMail
from openinfra_live.proposals.models import Proposal, ProposalHistory
from openinfra_live.ptg.models import PtgTeam
from tests.browser.conftest import in_app
from tests.browser.support import press_and_wait, sign_in, tab_to, type_into
from tests.conftest import MODERATOR_PASSWORD, make_moderator
from tests.proposals.builders import make_proposal
from tests.proposals.test_mail import body_of
from tests.ptg.builders import make_event, make_team

JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
ADMIN_EMAIL = "admin@example.org"
NEW_PASSWORD = "a lighthouse keeps 7 ships"

# A small content file in the show's format: one episode to publish, one hidden draft.
CONTENT_FILE = b"""---
templateKey: openinfra-live
episodes:
  - episodeTitle: "Edge Clouds in Small Towns"
    date: 2022-05-05T14:00:00.000Z
    hidden: false
    episodeSpeakers: Alice Arden (Acme Cloud)
    episodeDescription: Operators tell how they run small clouds at the edge.
  - episodeTitle: "A Draft Nobody Should See"
    date: 2022-05-12T14:00:00.000Z
    hidden: true
---
"""
TEAM_LIST = "PTG teams\n\n  \u2022 Nova\n  \u2022 Cinder\n  \u2022 Aardvark\n".encode()


def _moderation_link(page: Page, label: str):
    return page.get_by_role("navigation", name="Moderation").get_by_role(
        "link", name=label, exact=True
    )


# --- 1. The outbox: a mail that failed is sent again --------------------------------------------


@JS
def test_a_failed_mail_is_retried_from_the_outbox(live, new_page, mail_server, javascript):
    def build() -> int:
        make_moderator()
        proposal, _ = make_proposal(email="sam@example.org", title="Ceph at scale")
        return proposal.id

    proposal_id = in_app(live.app, build)
    page = new_page(javascript=javascript)
    sign_in(page, live.url)
    page.goto(f"{live.url}/moderation/proposals/{proposal_id}")
    page.locator("#approve-message").fill("Welcome on the show!")
    page.get_by_role("button", name="Approve", exact=True).click()
    # The change stands though its mail could not leave.
    expect(page.locator(".flash-success")).to_contain_text("Approved")

    def failed_rows() -> list[tuple]:
        query = db.select(OutboxMail).where(OutboxMail.recipient == "sam@example.org")
        query = query.where(OutboxMail.status == "failed")
        return [(row.attempts, row.failure) for row in db.session.scalars(query)]

    [(attempts, failure)] = in_app(live.app, failed_rows)
    assert attempts == 1 and f"127.0.0.1:{mail_server.port} could not be reached" in failure
    assert in_app(live.app, lambda: db.session.get(Proposal, proposal_id).status) == "approved"

    _moderation_link(page, "Outbox").click()
    expect(page.locator("h1")).to_have_text("Outbox")
    row = page.locator("table.outbox tbody tr", has_text="Failed")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("sam@example.org")
    expect(row).to_contain_text("could not be reached")

    mail_server.start()
    row.get_by_role("button", name="Retry the mail to sam@example.org").click()
    expect(page.locator(".flash-success")).to_have_text("The mail to sam@example.org was sent.")
    expect(page.locator("table.outbox tbody tr", has_text="Failed")).to_have_count(0)
    expect(page.get_by_role("button", name="Retry the mail to sam@example.org")).to_have_count(0)

    [message] = mail_server.inbox.wait_for(1)
    assert message["To"] == "sam@example.org"
    assert "Welcome on the show!" in body_of(message)

    def approval_row() -> tuple:
        rows = db.session.scalars(db.select(OutboxMail).where(OutboxMail.attempts == 2)).all()
        return [(row.status, row.failure, row.sent_by, row.recipient) for row in rows]

    assert in_app(live.app, approval_row) == [("sent", "", "smtp", "sam@example.org")]


# --- 2. Imports: a content file, a team list, and a file that cannot be read --------------------


@JS
def test_an_admin_imports_episodes_and_a_team_list(live, new_page, tmp_path, javascript):
    def build() -> None:
        make_moderator(ADMIN_EMAIL, role=ROLE_ADMIN)
        event = make_event("march-2030", "PTG March 2030", date(2030, 3, 18), date(2030, 3, 22))
        make_team(event, "Aardvark")
        db.session.commit()

    in_app(live.app, build)
    content = tmp_path / "openinfra-live.md"
    content.write_bytes(CONTENT_FILE)
    teams = tmp_path / "teams.txt"
    teams.write_bytes(TEAM_LIST)
    broken = tmp_path / "broken.yaml"
    broken.write_bytes(b"episodes: [unclosed")

    admin = new_page(javascript=javascript)
    sign_in(admin, live.url, email=ADMIN_EMAIL)
    _moderation_link(admin, "Imports").click()
    expect(admin.locator("h1")).to_have_text("Imports")
    admin.get_by_label("Content file").set_input_files(content)
    admin.get_by_role("button", name="Import the episodes").click()
    expect(admin.locator("h1")).to_have_text("Episodes imported")
    expect(admin.get_by_role("status")).to_contain_text("2 created")
    expect(admin.get_by_role("status")).to_contain_text("(from openinfra-live.md)")
    expect(admin.locator(".import-report")).to_contain_text("edge-clouds-in-small-towns")

    def episodes() -> dict[str, bool]:
        return {row.title: row.hidden for row in db.session.scalars(db.select(Episode))}

    assert in_app(live.app, episodes) == {
        "Edge Clouds in Small Towns": False,
        "A Draft Nobody Should See": True,
    }
    visitor = new_page(javascript=javascript)
    visitor.goto(live.url + "/episodes/")
    expect(visitor.locator("main")).to_contain_text("Edge Clouds in Small Towns")
    expect(visitor.locator("main")).not_to_contain_text("A Draft Nobody Should See")

    # A file that cannot be read: the reason next to the field, and nothing changes.
    admin.get_by_role("link", name="Import another file").click()
    admin.get_by_label("Content file").set_input_files(broken)
    admin.get_by_role("button", name="Import the episodes").click()
    expect(admin.locator("h1")).to_have_text("Imports")
    expect(admin.locator(".error-summary")).to_contain_text("YAML")
    assert in_app(live.app, episodes) == {
        "Edge Clouds in Small Towns": False,
        "A Draft Nobody Should See": True,
    }

    admin.get_by_label("PTG event").select_option(label="PTG March 2030")
    admin.get_by_label("Team list").set_input_files(teams)
    admin.get_by_role("button", name="Import the teams").click()
    expect(admin.locator("h1")).to_have_text("PTG teams imported")
    expect(admin.get_by_role("status")).to_contain_text("(from teams.txt)")
    report = admin.locator(".import-report")
    expect(report).to_contain_text("already present: Aardvark")
    expect(report).to_contain_text("Nova")
    expect(report).to_contain_text("Cinder")

    def team_states() -> dict[str, str]:
        return {team.name: team.status for team in db.session.scalars(db.select(PtgTeam))}

    assert in_app(live.app, team_states) == {
        "Aardvark": "approved",
        "Nova": "approved",
        "Cinder": "approved",
    }

    # An empty team list is refused whole.
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"\n   \n")
    admin.get_by_role("link", name="Import another file").click()
    admin.get_by_label("Team list").set_input_files(empty)
    admin.get_by_role("button", name="Import the teams").click()
    expect(admin.locator(".error-summary")).to_contain_text("No team names found")
    assert len(in_app(live.app, team_states)) == 3


# --- 3. Accounts: deactivate, reactivate, and the last admin kept --------------------------------


@JS
def test_an_admin_deactivates_and_reactivates_a_moderator(live, new_page, javascript):
    def build() -> None:
        make_moderator(ADMIN_EMAIL, role=ROLE_ADMIN)
        make_moderator()

    in_app(live.app, build)
    moderator = new_page(javascript=javascript)
    sign_in(moderator, live.url)
    admin = new_page(javascript=javascript)
    sign_in(admin, live.url, email=ADMIN_EMAIL)
    _moderation_link(admin, "Accounts").click()

    admin.get_by_role("button", name="Deactivate mod@example.org").click()
    expect(admin.locator(".flash-success")).to_contain_text(
        "The account of mod@example.org is deactivated"
    )
    row = admin.locator("tr", has_text="mod@example.org")
    expect(row).to_contain_text("Deactivated")

    def active(email: str) -> bool:
        return in_app(
            live.app, lambda: db.session.scalar(db.select(User.active).filter_by(email=email))
        )

    assert active("mod@example.org") is False
    # The moderator's open session ends at their next page.
    moderator.goto(live.url + "/moderation/")
    assert "/login" in moderator.url, moderator.url
    # Nor can they sign in again while deactivated.
    type_into(moderator, "#email", "mod@example.org")
    type_into(moderator, "#password", MODERATOR_PASSWORD)
    tab_to(moderator, "form.login-form button[type=submit]")
    press_and_wait(moderator)
    assert "/login" in moderator.url, moderator.url
    expect(moderator.locator(".error-summary, .flash-error").first).to_be_visible()

    admin.get_by_role("button", name="Reactivate mod@example.org").click()
    expect(admin.locator(".flash-success")).to_have_text(
        "The account of mod@example.org is active again."
    )
    expect(admin.locator("tr", has_text="mod@example.org")).to_contain_text("Active")
    assert active("mod@example.org") is True
    sign_in(moderator, live.url)

    # The only admin cannot deactivate themselves: someone must still manage the accounts.
    admin.get_by_role("button", name=f"Deactivate {ADMIN_EMAIL}").click()
    expect(admin.locator(".flash-error")).to_contain_text(
        f"{ADMIN_EMAIL} is the last active admin: make another account an admin first"
    )
    expect(admin.locator("tr", has_text=ADMIN_EMAIL)).to_contain_text("Active")
    assert active(ADMIN_EMAIL) is True


# --- 4. One's own password, by keyboard only ----------------------------------------------------


def _submit_password_form(page: Page, current: str, new: str) -> None:
    type_into(page, "#current_password", current)
    type_into(page, "#password", new)
    type_into(page, "#confirm_password", new)
    tab_to(page, "form[action='/account/password'] button[type=submit]")
    press_and_wait(page)


def hash_matches(password: str) -> bool:
    query = db.select(User.password_hash).filter_by(email="mod@example.org")
    return check_password_hash(db.session.scalar(query), password)


def test_a_moderator_changes_their_password_by_keyboard(live, new_page):
    in_app(live.app, make_moderator)
    elsewhere = new_page()
    sign_in(elsewhere, live.url)
    page = new_page()
    sign_in(page, live.url)
    tab_to(page, "a[href='/account/password']")
    press_and_wait(page)
    expect(page.locator("h1")).to_have_text("Change your password")

    _submit_password_form(page, "not my password at all", NEW_PASSWORD)
    expect(page.locator("#error-summary")).to_contain_text("The current password is not right.")
    expect(page.locator("#current_password")).to_have_attribute("aria-invalid", "true")
    assert in_app(live.app, lambda: hash_matches(MODERATOR_PASSWORD))

    _submit_password_form(page, MODERATOR_PASSWORD, NEW_PASSWORD)
    expect(page.locator(".flash-success")).to_have_text(
        "Your password is changed. Your other sessions are signed out."
    )

    # This session stays; the one in the elsewhere browser ends, and the old password fails there.
    page.reload()
    assert page.url == live.url + "/account/password"
    elsewhere.goto(live.url + "/moderation/")
    assert "/login" in elsewhere.url, elsewhere.url
    type_into(elsewhere, "#email", "mod@example.org")
    type_into(elsewhere, "#password", MODERATOR_PASSWORD)
    tab_to(elsewhere, "form.login-form button[type=submit]")
    press_and_wait(elsewhere)
    assert "/login" in elsewhere.url, "the old password still signs in"
    expect(elsewhere.locator(".error-summary, .flash-error").first).to_be_visible()
    elsewhere.goto(live.url + "/login")
    type_into(elsewhere, "#email", "mod@example.org")
    type_into(elsewhere, "#password", NEW_PASSWORD)
    tab_to(elsewhere, "form.login-form button[type=submit]")
    press_and_wait(elsewhere)
    assert elsewhere.url == live.url + "/moderation/"

    assert in_app(live.app, lambda: hash_matches(NEW_PASSWORD))
    assert not in_app(live.app, lambda: hash_matches(MODERATOR_PASSWORD))


# --- 5. Assigning a proposal, and reopening a declined one --------------------------------------


@JS
def test_a_moderator_assigns_a_proposal_and_reopens_a_declined_one(live, new_page, javascript):
    def build() -> tuple[int, int, int]:
        make_moderator(display_name="Mo Derator")
        other = make_moderator("ana@example.org", display_name="Ana Other")
        waiting, _ = make_proposal(title="Ceph at scale")
        declined, _ = make_proposal("declined", title="Gating at scale", email="g@example.org")
        return waiting.id, declined.id, other.id

    waiting_id, declined_id, ana_id = in_app(live.app, build)
    page = new_page(javascript=javascript)
    sign_in(page, live.url)
    page.goto(f"{live.url}/moderation/proposals/{waiting_id}")
    page.get_by_label("Moderator", exact=True).select_option(label="Ana Other")
    page.locator("#assign-note").fill("Ana knows the Ceph people.")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator(".flash-success")).to_have_text("Assigned.")
    expect(page.locator(".claim")).to_contain_text("Claimed by Ana Other.")
    entry = page.locator("ol.history li", has_text="assigned the proposal")
    expect(entry).to_contain_text("Mo Derator")
    expect(entry).to_contain_text("Ana knows the Ceph people.")

    def assignment() -> tuple:
        proposal = db.session.get(Proposal, waiting_id)
        last = db.session.scalars(
            db.select(ProposalHistory)
            .filter_by(proposal_id=waiting_id)
            .order_by(ProposalHistory.id.desc())
        ).first()
        return proposal.claimed_by_id, proposal.status, last.action, last.message

    assert in_app(live.app, assignment) == (
        ana_id,
        "submitted",
        "assign",
        "Ana knows the Ceph people.",
    )

    page.goto(f"{live.url}/moderation/proposals/{declined_id}")
    expect(page.locator("h1 + p .badge")).to_have_text("Declined")
    page.locator("#reopen-message").fill("We have a slot for this after all.")
    page.get_by_role("button", name="Reopen", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("Reopened")
    expect(page.locator("h1 + p .badge")).to_have_text("Submitted, waiting for review")
    expect(page.locator("ol.history li", has_text="reopened the proposal")).to_contain_text(
        "We have a slot for this after all."
    )
    assert in_app(live.app, lambda: db.session.get(Proposal, declined_id).status) == "submitted"
    page.goto(live.url + "/moderation/")
    expect(page.locator("main")).to_contain_text("Gating at scale")
