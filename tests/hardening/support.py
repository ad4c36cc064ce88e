"""Shared pieces of the hardening tests: snapshots of stored rows, an HTML checker, and the
site run for real (gunicorn on a free port, the ``flask`` CLI) with a small HTTP client."""

import hashlib
import html
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from openinfra_live.extensions import db
from tests.conftest import csrf_token_from
from tests.proposals.builders import guest_rows
from tests.servers import free_port, wait_for_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "hardening-secret-key"
PASSWORD = "correct horse battery staple 42"

# What a public request may create or change; the audit log is checked on its own.
STORED_TABLES = (
    "proposals",
    "proposal_guests",
    "proposal_history",
    "ptg_events",
    "ptg_teams",
    "ptg_team_history",
    "ptg_sessions",
    "episodes",
    "episode_links",
    "episode_guests",
    "users",
)

# Fixed payloads for stored XSS and template injection (RELIABILITY 18).
XSS_PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    '<a href="javascript:alert(4)">j</a>',
    '<a href="JaVaScRiPt:alert(5)">J</a>',
    '<a href="jav&#x09;ascript:alert(6)">t</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg3KTwvc2NyaXB0Pg==">d</a>',
    '" onmouseover="alert(8)" x="',
    "' onfocus='alert(9)' autofocus '",
    "</textarea><script>alert(10)</script>",
    '"><iframe src="javascript:alert(11)"></iframe>',
    "<a href=//evil.example/x>slash</a>",
    "{{7*7}} {% raw %}{{ config }}{% endraw %} ${7*7}",
    "<math><mi xlink:href=javascript:alert(12)>m</mi></math>",
    "<style>@import 'http://evil.example/x.css';</style>",
)
SSTI = "{{7*7}}"


def snapshot(tables: tuple[str, ...] = STORED_TABLES) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row of ``tables`` (inside an app context)."""
    result = {}
    for name in tables:
        table = db.metadata.tables[name]
        rows = db.session.execute(db.select(table).order_by(*table.primary_key.columns)).all()
        digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
        result[name] = (len(rows), digest)
    db.session.rollback()
    return result


def count_rows(table: str, where: str = "", **params) -> int:
    """``SELECT count(*)`` of a table, with an optional literal condition (app context)."""
    sql = f'SELECT count(*) FROM "{table}"' + (f" WHERE {where}" if where else "")
    value = db.session.execute(db.text(sql), params).scalar_one()
    db.session.rollback()
    return value


# --- HTML ------------------------------------------------------------------------------------

_SAFE_SCHEMES = {"http", "https", "mailto"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcdoc", "data"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            src = values.get("src") or ""
            if not src.startswith("/static/"):
                self.problems.append(f"script not from /static/: {attrs!r}")
            self._in_script = True
        if tag in {"iframe", "object", "embed", "style", "base", "math", "svg"}:
            self.problems.append(f"unexpected <{tag}>: {attrs!r}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler attribute {name}= on <{tag}>")
            if name in _URL_ATTRIBUTES and value is not None and not _is_safe_url(value):
                self.problems.append(f"unsafe {name}={value!r} on <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data[:80]!r}")


# The site's own calendar subscription links (webcal:// to this host) are not user content.
_OWN_WEBCAL = re.compile(r"^webcal://(live\.test|127\.0\.0\.1(:\d+)?)/[\w./-]*\.ics$")


def _is_safe_url(value: str) -> bool:
    # Browsers drop whitespace and control characters inside a scheme: ``jav\tascript:``.
    squeezed = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(value)).lower()
    if _OWN_WEBCAL.match(squeezed):
        return True
    if squeezed.startswith("//"):
        return True  # same scheme as the page; checked for rel= by the sanitizer tests
    scheme = re.match(r"^([a-z][a-z0-9+.\-]*):", squeezed)
    return scheme is None or scheme.group(1) in _SAFE_SCHEMES


def html_problems(page: str) -> list[str]:
    """Scripts not from /static/, inline script, ``on*=`` attributes and unsafe URLs."""
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return collector.problems


# --- the site run for real -------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class LiveClient:
    """A browser-like client of one server: keeps cookies, never follows redirects."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 60.0

    def request(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> Reply:
        connection = HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode("utf-8")
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            received = {k.lower(): v for k, v in response.getheaders()}
            for raw in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(raw)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Reply(response.status, received, text)
        finally:
            connection.close()

    def get(self, path: str, **kw) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, form: dict, **kw) -> Reply:
        return self.request("POST", path, form=form, **kw)

    def submit(self, page_path: str, data: dict, post_path: str | None = None, **kw) -> Reply:
        """Load the form page, then post ``data`` with its CSRF token (and nonce, if any)."""
        page = self.get(page_path)
        assert page.status == 200, (page_path, page.status)
        payload = {"csrf_token": csrf_token_from(page.body), **data}
        nonce = hidden_value(page.body, "nonce")
        if nonce is not None:
            payload.setdefault("nonce", nonce)
        return self.post(post_path or page_path, payload, **kw)

    def login(self, email: str, password: str = PASSWORD) -> None:
        reply = self.submit("/login", {"email": email, "password": password, "next": ""})
        assert reply.status == 303, (reply.status, reply.body[:500])


def hidden_value(page: str, name: str) -> str | None:
    for tag in re.findall(r"<input\b[^>]*>", page):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            value = re.search(r'\bvalue="([^"]*)"', tag)
            return html.unescape(value.group(1)) if value else ""
    return None


def site_environment(instance: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment an operator gives the site: database, instance folder, secret key."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": SECRET_KEY,
            "MAIL_SERVER": "",
            "PYTHONPATH": str(PROJECT_ROOT),
        }
    )
    env.update(extra)
    return env


def write_instance_config(instance: Path, **settings: object) -> Path:
    """An instance folder whose ``config.py`` holds ``settings`` (as an operator would write)."""
    instance.mkdir(parents=True, exist_ok=True)
    lines = [f"{key} = {value!r}" for key, value in settings.items()]
    (instance / "config.py").write_text("\n".join(lines) + "\n")
    return instance


def flask_cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run ``flask --app openinfra_live ARGS`` as an operator would; returns its output."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "openinfra_live", *args],
        cwd=PROJECT_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def prepare_database(env: dict[str, str], moderators: tuple[str, ...] = ()) -> None:
    """Migrate the database and create moderator accounts through the CLI, as an operator."""
    flask_cli(env, "db", "upgrade")
    for email in moderators:
        flask_cli(env, "create-moderator", email, "--password-stdin", stdin=PASSWORD + "\n")


def prepare_database_here(database_url: str, moderators: tuple[str, ...] = (), setup=None) -> None:
    """The same as ``prepare_database``, in this process (two interpreters fewer to start).

    ``setup`` is called inside the app context to add rows before the site starts.
    """
    from flask_migrate import upgrade

    from openinfra_live import create_app
    from tests.conftest import base_test_config, make_moderator

    app = create_app(base_test_config(database_url))
    with app.app_context():
        upgrade()
        for email in moderators:
            make_moderator(email, PASSWORD)
        if setup is not None:
            setup()
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


class Gunicorn:
    """``gunicorn APP`` on 127.0.0.1 and a free port, its log in a file.

    ``--preload`` by default: the app is built once and each worker is a fork of it, so a
    server with several workers (or one whose worker is killed) is ready in one app build.
    Building the app opens no database connection, so no connection is shared by workers.
    """

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        workers: int = 1,
        app: str = "wsgi:app",
        preload: bool = True,
    ):
        self.port = free_port()
        self.log = log
        self._log_file = open(log, "wb")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
                *(["--preload"] if preload else []),
                app,
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60.0) -> "Gunicorn":
        wait_for_port(self.port, timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.log.read_text())
            try:
                if LiveClient(self.port, timeout=5).get("/healthz").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError("the site did not answer /healthz:\n" + self.log.read_text())

    def client(self) -> LiveClient:
        return LiveClient(self.port)

    def log_text(self) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            # Graceful shutdown: a worker finishes the request it is in. A client has its answer
            # before the worker has logged the request, and a quick shutdown (SIGINT) landing in
            # between printed a SystemExit traceback in the log that the tests check.
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log_file.close()


def start_sites(count: int, env: dict[str, str], tmp_path: Path, **kw) -> list[Gunicorn]:
    """Start ``count`` servers at once (they boot in parallel), then wait for each."""
    servers = [Gunicorn(env, tmp_path / f"gunicorn-{n}.log", **kw) for n in range(count)]
    try:
        for server in servers:
            server.wait_ready()
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


def token_of(location: str) -> str:
    """The private token at the end of a status-page address."""
    return urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1]


PROPOSAL = {
    "title": "Running Kubernetes on bare metal",
    "description": "How we run a hundred clusters on OpenStack Ironic, and what broke.",
    **guest_rows(("Ada Lovelace", "Analytical Engines")),
    "organization": "Example Cloud",
    "preferred_month": "",
    "links": "https://example.org/talk",
    "submitter_name": "Sam Submitter",
    "submitter_email": "sam@example.org",
    "website": "",
}

# The PTG registration form filled in, but for the team's name.
TEAM = {
    "kind": "project_team",
    "contact_name": "Ada Lovelace",
    "contact_email": "ada@example.org",
    "hours_wanted": "4",
    "preferred_days": ["2030-03-18"],
    "time_windows": ["emea"],
    "website": "",
}
