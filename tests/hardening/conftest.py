"""Fixtures shared by the hardening tests."""

import pytest


@pytest.fixture
def no_mail(monkeypatch):
    """Mail the site would send is dropped."""
    monkeypatch.setattr("openinfra_live.mail.send", lambda *args, **kwargs: None)
