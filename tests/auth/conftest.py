"""Helpers for the sign-in tests: sign in through the real form, move the limiter's clock."""

import html
import re
import types
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import MODERATOR_PASSWORD, csrf_token_from, make_moderator

MODERATOR_EMAIL = "mod@example.org"
WRONG_CURRENT = "not my current password"


def sign_in(
    client: FlaskClient,
    email: str = MODERATOR_EMAIL,
    password: str = MODERATOR_PASSWORD,
    next_: str | None = None,
    **kw,
):
    """Fill in and post the sign-in form as a browser would: CSRF token and hidden fields."""
    page_url = "/login" if next_ is None else "/login?" + urlencode({"next": next_})
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(html),
        "next": hidden_value(html, "next"),
        "email": email,
        "password": password,
    }
    return client.post("/login", data=data, **kw)


def hidden_value(page: str, name: str) -> str:
    """The (unescaped) value of a hidden input of ``page``."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag:
            match = re.search(r'value="([^"]*)"', tag)
            return html.unescape(match.group(1)) if match else ""
    raise AssertionError(f"no input named {name!r} on the page")


@pytest.fixture
def moderator(app: Flask):
    """An active moderator with the known test password; returns its id."""
    with app.app_context():
        return make_moderator(MODERATOR_EMAIL).id


class LimiterClock:
    """Moves the clock of the limiter's in-memory storage (it reads ``time.time``)."""

    def __init__(self, real: Callable[[], float]) -> None:
        self.real = real
        self.offset = 0.0

    def time(self) -> float:
        return self.real() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def limiter_clock(monkeypatch) -> LimiterClock:
    import time

    import limits.storage.memory as memory

    clock = LimiterClock(time.time)
    monkeypatch.setattr(memory, "time", types.SimpleNamespace(time=clock.time))
    return clock


# One-time links by mail -------------------------------------------------------------------

from tests.proposals.test_mail import body_of, inbox  # noqa: E402, F401 (the SMTP server)

LINK_RE = re.compile(r"https?://\S+/login/(?:reset|invite)/[A-Za-z0-9_-]{43}")


def link_in(message) -> str:
    """The path of the one-time link in a mail (the mail carries it absolute)."""
    match = LINK_RE.search(body_of(message))
    assert match, body_of(message)
    url = match.group(0)
    assert url.startswith("http://live.test/"), url
    return url.removeprefix("http://live.test")


def ask_for_reset(client: FlaskClient, email: str = MODERATOR_EMAIL, **kw):
    """Send the forgotten-password form as a browser would."""
    page = client.get("/login/reset", **kw)
    assert page.status_code == 200, page.status_code
    data = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), "email": email}
    return client.post("/login/reset", data=data, **kw)


def send_form(client: FlaskClient, url: str, data: dict, **kw):
    """Load the form at ``url`` and post ``data`` with its CSRF token."""
    page = client.get(url, **kw)
    assert page.status_code == 200, (url, page.status_code)
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, **kw)


def is_sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login?")
