"""Fixtures shared by the PTG tests."""

import pytest


@pytest.fixture
def sent_mail(monkeypatch):
    """Every mail the site sends, as ``(to, subject, template, context)``, instead of sending it."""
    sent = []
    monkeypatch.setattr(
        "openinfra_live.mail.send",
        lambda to, subject, template, **ctx: sent.append((to, subject, template, ctx)),
    )
    return sent


from tests.proposals.test_mail import inbox  # noqa: E402, F401 (the SMTP server fixture)
