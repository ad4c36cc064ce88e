"""Finding the system programs some tests need, and skipping (or failing) without them.

``make test`` skips a test whose program is missing and names what is missing; with
``OPENINFRA_REQUIRE_SYSTEM_PARTS=1`` (set by CI) a missing program fails the test instead.
"""

import os
import shutil

import pytest

from tests.servers import postgres_bindir

STRICT = os.environ.get("OPENINFRA_REQUIRE_SYSTEM_PARTS", "") not in {"", "0", "false"}


def missing(part: str, how_to_get: str) -> None:
    """Skip the current test, or fail it when every system part is required."""
    message = f"{part} is not installed ({how_to_get})"
    if STRICT:
        pytest.fail(message + "; OPENINFRA_REQUIRE_SYSTEM_PARTS is set", pytrace=False)
    pytest.skip(message)


def require_postgres() -> str:
    bindir = postgres_bindir()
    if bindir is None:
        missing("PostgreSQL's server", "apt-get install postgresql")
    return bindir  # type: ignore[return-value]


def require_program(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        missing(name, f"apt-get install {package}")
    return path  # type: ignore[return-value]
