"""Every setting the README names can be set from the environment, and the README's defaults
are the real ones."""

import re
from pathlib import Path

import pytest

from openinfra_live import config, create_app

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]+)` \| (.*?) \| .* \|$", re.MULTILINE)

# Values that must mean something to the app; the others are made from the default's type.
SAMPLES = {
    "SECRET_KEY": "a-secret-from-the-environment",
    "SITE_URL": "https://env.example",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_PUBLIC_FORMS": "3 per minute",
    "LOGIN_FAILURE_LIMIT": "4 per 10 minutes",
    "LOGIN_ACCOUNT_FAILURE_LIMIT": "40 per hour",
    "LOGIN_ADDRESS_LIMIT": "9 per minute",
    "CACHE_REDIS_URL": "redis://127.0.0.1:1/0",
    "DEFAULT_SLOT_WEEKDAY": "1",
}


def readme_settings() -> dict[str, str]:
    """The settings table of the README: name → its default column."""
    section = README.read_text(encoding="utf-8").split("### Settings", 1)[1].split("\n#", 1)[0]
    return dict(ROW.findall(section))


def sample(name: str) -> tuple[str, object]:
    """A value to put in the environment, and the setting it must become."""
    if name in SAMPLES:
        raw = SAMPLES[name]
        default = config.DEFAULTS.get(name, "")
        return raw, int(raw) if isinstance(default, int) else raw
    default = config.DEFAULTS[name]
    if isinstance(default, bool):
        return ("0", False) if default else ("1", True)
    if isinstance(default, int):
        return str(default + 7), default + 7
    if isinstance(default, float):
        return str(default + 0.5), default + 0.5
    return f"{name.lower()}-from-the-environment", f"{name.lower()}-from-the-environment"


def test_the_readme_lists_the_settings_that_matter():
    names = set(readme_settings())
    assert {"SECRET_KEY", "DATABASE_URL", "SITE_URL", "RATELIMIT_STORAGE_URI"} <= names
    assert {"RATELIMIT_PUBLIC_FORMS", "LOGIN_FAILURE_LIMIT", "LOGIN_ADDRESS_LIMIT"} <= names
    assert {"MAIL_SERVER", "MAIL_PORT", "CALENDAR_PAST_DAYS"} <= names


@pytest.mark.parametrize("name", sorted(readme_settings()))
def test_each_readme_setting_is_read_from_the_environment(name, tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    for other in config.ENVIRONMENT_KEYS:
        monkeypatch.delenv(other, raising=False)
    if name == "DATABASE_URL":
        raw = "postgresql://someone@db.example/live"
        expected: object = "postgresql+psycopg://someone@db.example/live"
    else:
        raw, expected = sample(name)
    monkeypatch.setenv(name, raw)

    app = create_app({"TESTING": True}, serving=True)

    if name == "DATABASE_URL":
        assert app.config["SQLALCHEMY_DATABASE_URI"] == expected
    else:
        assert app.config[name] == expected
        if name in config.DEFAULTS:
            assert expected != config.DEFAULTS[name], "the sample must differ from the default"


@pytest.mark.parametrize("name", sorted(readme_settings()))
def test_the_readme_gives_the_real_default(name):
    written = readme_settings()[name]
    literal = re.fullmatch(r"`([^`]*)`", written)
    default = config.DEFAULTS.get(name)
    if literal is None:  # described in words: none, or where it is made
        assert not default or name == "RATELIMIT_STORAGE_URI" or isinstance(default, dict), written
        return
    if isinstance(default, bool):
        assert literal.group(1) == str(int(default))
    else:
        assert literal.group(1) == str(default)
