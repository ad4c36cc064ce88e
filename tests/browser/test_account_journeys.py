"""Accounts by keyboard only: a forgotten password, and an invitation to moderate.

The links come from the mails, read from a real SMTP server on 127.0.0.1; every step uses
Tab, Enter and typing (following the link of a mail is opening its address). Every stop of
the Tab key must show focus.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import in_app
from tests.browser.support import press_and_wait, sign_in, tab_to, type_into
from tests.conftest import make_moderator
from tests.proposals.test_mail import Inbox, body_of

NEW_PASSWORD = "an orange kite over 4 hills"
LINK_RE = re.compile(r"http://127\.0\.0\.1:\d+/login/(?:reset|invite)/[A-Za-z0-9_-]{43}")


@pytest.fixture
def inbox(mail_server) -> Inbox:
    """A real SMTP server that the live site sends its mails to, for one test."""
    return mail_server.start().inbox


def _link(message) -> str:
    match = LINK_RE.search(body_of(message))
    assert match, body_of(message)
    return match.group(0)


def test_a_forgotten_password_is_replaced_by_keyboard(live, new_page, inbox):
    in_app(live.app, make_moderator)
    page = new_page()
    page.goto(live.url + "/login")
    tab_to(page, "a[href='/login/reset']")
    press_and_wait(page)
    assert page.url == live.url + "/login/reset"

    # Sent empty first: the error is announced and tied to the field.
    tab_to(page, "form[action='/login/reset'] button[type=submit]")
    press_and_wait(page)
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")

    type_into(page, "#email", "mod@example.org")
    tab_to(page, "form[action='/login/reset'] button[type=submit]")
    press_and_wait(page)
    expect(page.locator("h1")).to_have_text("Check your mail")

    [message] = inbox.wait_for(1)
    assert message["To"] == "mod@example.org"
    page.goto(_link(message))
    expect(page.locator("h1")).to_have_text("Choose a new password")
    type_into(page, "#password", NEW_PASSWORD)
    type_into(page, "#confirm_password", NEW_PASSWORD)
    tab_to(page, "form.login-form button[type=submit]")
    press_and_wait(page)
    assert page.url == live.url + "/moderation/"
    expect(page.locator(".flash-success")).to_contain_text("Your password is changed")

    # The link worked once; the new password signs in elsewhere.
    page.goto(_link(message))
    expect(page.locator("h1")).to_have_text("This link does not work")
    other = new_page()
    other.goto(live.url + "/login")
    type_into(other, "#email", "mod@example.org")
    type_into(other, "#password", NEW_PASSWORD)
    tab_to(other, "form.login-form button[type=submit]")
    press_and_wait(other)
    assert other.url == live.url + "/moderation/"


def test_an_admin_invites_a_moderator_who_sets_a_password_by_keyboard(live, new_page, inbox):
    in_app(live.app, lambda: make_moderator("admin@example.org", role="admin"))
    admin = new_page()
    sign_in(admin, live.url, email="admin@example.org")
    admin.goto(live.url + "/moderation/accounts/")
    type_into(admin, "#email", "newcomer@example.org")
    tab_to(admin, "form[action$='/accounts/invite'] button[type=submit]")
    press_and_wait(admin)
    expect(admin.locator(".flash-success")).to_contain_text("Invitation sent to newcomer@")
    expect(admin.locator(".invitations")).to_contain_text("newcomer@example.org")

    [message] = inbox.wait_for(1)
    assert message["To"] == "newcomer@example.org"
    invitee = new_page()
    invitee.goto(_link(message))
    expect(invitee.locator("h1")).to_have_text("Join the moderators")
    type_into(invitee, "#display_name", "Nia Newcomer")
    type_into(invitee, "#password", NEW_PASSWORD)
    type_into(invitee, "#confirm_password", NEW_PASSWORD)
    tab_to(invitee, "form.login-form button[type=submit]")
    press_and_wait(invitee)
    assert invitee.url == live.url + "/moderation/"
    expect(invitee.locator(".flash-success")).to_contain_text("Welcome")

    admin.goto(live.url + "/moderation/accounts/")
    row = admin.locator("tr", has_text="newcomer@example.org")
    expect(row).to_contain_text("Nia Newcomer")
    expect(row).to_contain_text("Active")
    # An invitee is a moderator, who may not manage accounts.
    assert invitee.goto(live.url + "/moderation/accounts/").status == 403
