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
