"""Fixtures shared by the moderation tests."""

from tests.proposals.test_mail import inbox  # noqa: F401 (the SMTP server fixture)
