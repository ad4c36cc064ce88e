"""A live server on 127.0.0.1 and Debian's Chromium driven by Playwright.

The browser is never downloaded: ``/usr/bin/chromium`` (``apt-get install chromium``) is used,
and its tests are skipped (failed when system parts are required) where it is missing.
"""

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from openinfra_live.extensions import db
from tests.conftest import build_migrated_app, empty_all_tables
from tests.servers import free_port
from tests.system_parts import missing
from tests.test_outbox import MailServer

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".test-tools" / "node_modules"
ARTIFACTS = ROOT / "test-artifacts"
OFF_SITE = re.compile(r"^(?!http://127\.0\.0\.1[:/])")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        missing("Chromium", "apt-get install chromium")
    return path


def buffered(app):
    """The app, its responses read whole and closed before the server sends them.

    The development server skips closing a response when the browser drops the connection
    (Chromium drops its favicon request when a page closes): the open static file then
    surfaces later as a ResourceWarning, an error in this suite. Pages are small.
    """

    def wsgi(environ, start_response):
        result = app(environ, start_response)
        try:
            return [b"".join(result)]
        finally:
            if hasattr(result, "close"):
                result.close()

    return wsgi


class LiveServer:
    def __init__(self, app) -> None:
        self.app = app
        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, buffered(app), threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "LiveServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("live") / "live.sqlite"
    app = build_migrated_app(f"sqlite:///{path}")
    app.config.update(SERVER_NAME=None, TESTING=False, RATELIMIT_ENABLED=False)
    return app


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[LiveServer]:
    server = LiveServer(live_app)
    # Links in mails name the site by its configured address: here, this server.
    live_app.config["SITE_URL"] = server.url
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live(live_server) -> Iterator[LiveServer]:
    """The live server on empty tables (emptied again after the test)."""
    empty_all_tables(live_server.app)
    yield live_server
    empty_all_tables(live_server.app)


@pytest.fixture(scope="session")
def chromium():
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright for Python", "pip install playwright")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


def guard(context) -> None:
    """Keep a browser context on this machine: the site works on a closed network, so nothing
    may leave 127.0.0.1 (a test that expects a request to another host routes it on the page,
    which takes precedence)."""
    context.route(OFF_SITE, lambda route: route.abort())


@pytest.fixture
def new_page(chromium):
    """``new_page(timezone_id=..., width=..., javascript=True, locale="en-US")`` opens a fresh
    context; ``locale`` is the language the browser asks for (``Accept-Language``)."""
    contexts = []

    def open_page(
        timezone_id: str = "UTC",
        width: int = 1280,
        javascript: bool = True,
        bypass_csp: bool = False,
        locale: str = "en-US",
    ):
        # ``bypass_csp`` only for axe-core runs: Playwright injects axe as an inline <script>,
        # which the site's Content-Security-Policy (rightly) refuses. Every other page keeps
        # the policy, so a template that needs inline script still fails its journey.
        context = chromium.new_context(
            timezone_id=timezone_id,
            viewport={"width": width, "height": 900},
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,
            locale=locale,
        )
        guard(context)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def axe_script() -> str:
    path = TOOLS / "axe-core" / "axe.min.js"
    if not path.exists():
        missing("axe-core", "make test installs it from the npm registry (needs npm)")
    return path.read_text()


def vnu_jar() -> str:
    path = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not path.exists():
        missing("the Nu HTML checker (vnu-jar)", "make test installs it from the npm registry")
    if shutil.which("java") is None:
        missing("Java", "apt-get install default-jre-headless")
    return str(path)


def in_app(app, function):
    with app.app_context():
        try:
            return function()
        finally:
            db.session.remove()


@pytest.fixture(scope="module")
def demo_site(live_server):
    """The demo content, a moderator and a few private links, for a whole module.

    A module using it must not use ``live``, which empties the tables.
    """
    from tests.browser.site_pages import build_demo_site

    empty_all_tables(live_server.app)
    yield build_demo_site(live_server.app, live_server.url)
    empty_all_tables(live_server.app)


@pytest.fixture
def mail_server(live) -> Iterator[MailServer]:
    """A real SMTP server on 127.0.0.1 that the live site mails through; it starts down
    (``.start()`` brings it up), so a journey can see a mail fail and be retried."""
    server = MailServer()
    config = live.app.config
    saved = {key: config[key] for key in ("MAIL_SERVER", "MAIL_PORT")}
    config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    config.update(saved)
    server.stop()
