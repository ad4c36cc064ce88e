"""``python -m bench``: the whole benchmark, from an empty temp dir to ``bench/RESULTS.md``."""

import argparse
import gzip
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from bench import datagen, importing, inprocess, load, moderation, report, servers
from bench.report import Page, Results

SIZES = (50, 1000, 10000)
LARGEST = SIZES[-1]
SECRET_KEY = "bench-secret-key-not-for-production"
# Raised for the run so the POST benchmark measures the form, not the limiter's refusals.
RAISED_FORM_LIMIT = "1000000 per minute"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the site: data generation, in-process cost, gunicorn, nginx, wrk.",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1 round of 1 s")
    parser.add_argument("--rounds", type=int, help="rounds of interleaved runs (default 3)")
    parser.add_argument("--duration", type=float, help="seconds of each wrk run (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers (one per core)"
    )
    parser.add_argument(
        "--requests", type=int, help="in-process requests per page and size (default 100)"
    )
    parser.add_argument(
        "--import-episodes",
        type=int,
        help="entries in the timed import (default 10,000; 2,000 with --quick, extrapolated)",
    )
    parser.add_argument(
        "--slow-limit",
        type=float,
        default=2.0,
        help="seconds above which one request of a page is too slow to load with wrk",
    )
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL")
    parser.add_argument("--no-nginx", action="store_true", help="skip the nginx measurements")
    parser.add_argument(
        "--output",
        type=Path,
        default=Path(__file__).resolve().parent / "RESULTS.md",
        help="where the Markdown report goes (default bench/RESULTS.md)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the run's temp directory")
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.duration = args.duration or (1 if args.quick else 3)
    args.requests = args.requests or (5 if args.quick else 100)
    args.import_episodes = args.import_episodes or (2000 if args.quick else 10000)
    args.argv = " ".join(argv if argv is not None else sys.argv[1:])
    return args


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


NUMBERS_YEAR = time.gmtime().tm_year - 1


def get_pages(dataset: datagen.Dataset) -> list[Page]:
    """The URLs of the issue, with this database's episode and event."""
    slug, event, word = dataset.episode_slug, dataset.event_slug, dataset.search_word
    unmatched = dataset.unmatched_word
    return [
        Page("/", "/"),
        Page("/episodes/", "/episodes/"),
        Page("/episodes/?page=150", "/episodes/?page=150"),
        Page(f"/episodes/?q={word}", f"/episodes/?q={word}"),
        Page(f"/episodes/?q={unmatched}", f"/episodes/?q={unmatched}"),
        Page("/episodes/<slug>/", f"/episodes/{slug}/"),
        # The next episode: the question form and 25 approved questions on its page.
        Page("/episodes/<next>/", f"/episodes/{dataset.next_episode_slug}/"),
        Page("/episodes/<slug>.ics", f"/episodes/{slug}.ics"),
        # The share card a link preview fetches: a PNG kept in the response cache.
        Page("/episodes/<slug>/card.png", f"/episodes/{slug}/card.png"),
        Page("/calendar.ics", "/calendar.ics"),
        Page("/feed.xml", "/feed.xml"),
        Page("/api/episodes", "/api/episodes"),
        Page(f"/ptg/{event}/", f"/ptg/{event}/"),
        Page(f"/ptg/{event}/schedule", f"/ptg/{event}/schedule"),
        # The show in numbers: every year, last year's page (a whole year of weekly episodes in
        # every size) and one of its charts, an SVG drawn with matplotlib.
        Page("/numbers/", "/numbers/"),
        Page("/numbers/<year>/", f"/numbers/{NUMBERS_YEAR}/"),
        Page("/numbers/<year>/episodes.svg", f"/numbers/{NUMBERS_YEAR}/episodes.svg"),
    ]


# Calendar clients and browsers send this; wrk and the URL list do not.
ACCEPT_GZIP = {"Accept-Encoding": "gzip"}


def language_variants(dataset: datagen.Dataset) -> list[Page]:
    """Pages asked for in Chinese and Portuguese (the browser's Accept-Language): the language
    is in every cache key, and these pages are held to the same targets as the English ones."""
    slug, event = dataset.episode_slug, dataset.event_slug
    asked = [
        ("/", "/", "pt-BR"),
        ("/episodes/<slug>/", f"/episodes/{slug}/", "zh-CN"),
        ("/ptg/<event>/schedule", f"/ptg/{event}/schedule", "pt-BR"),
        ("/numbers/", "/numbers/", "zh-CN"),
    ]
    return [
        Page(f"{label} ({language})", path, headers={"Accept-Language": language}, targeted=True)
        for label, path, language in asked
    ]


def compressed_variants() -> list[Page]:
    """The calendar and the feed as calendar clients and feed readers get them: compressed.
    Shown beside the issue's URLs, outside its targets."""
    return [
        Page(f"{path} (gzip)", path, headers=ACCEPT_GZIP) for path in ("/calendar.ics", "/feed.xml")
    ]


class Databases:
    """Fresh databases for the run: SQLite files, or databases of a throw-away PostgreSQL."""

    def __init__(self, run_dir: Path, postgres: bool) -> None:
        self.run_dir = run_dir
        self.server = None
        self.version: str | None = None
        if postgres:
            from tests.servers import PostgresServer, postgres_bindir

            bindir = postgres_bindir()
            if bindir is None:
                raise SystemExit("--postgres: PostgreSQL's server is not installed")
            say("starting a throw-away PostgreSQL")
            self.server = PostgresServer(bindir).start()
            self.version = self._server_version()

    @property
    def backend(self) -> str:
        return "postgresql" if self.server else "sqlite"

    def _server_version(self) -> str:
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.server.port} user=postgres dbname=postgres"
        ) as conn:
            return str(conn.execute("SHOW server_version").fetchone()[0])

    def new(self, name: str, backend: str | None = None) -> str:
        if (backend or self.backend) == "postgresql":
            return self.server.create_database(name)
        return f"sqlite:///{self.run_dir / (name + '.sqlite')}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def write_instance(path: Path, csrf: bool) -> Path:
    """An instance directory whose config.py raises the form limit (and turns CSRF off)."""
    path.mkdir(parents=True, exist_ok=True)
    lines = [f"RATELIMIT_PUBLIC_FORMS = {RAISED_FORM_LIMIT!r}"]
    if not csrf:
        lines.append("WTF_CSRF_ENABLED = False")
    (path / "config.py").write_text("\n".join(lines) + "\n")
    return path


def app_factory(instance: Path, **extra: object) -> Callable[[str], Flask]:
    def make(database_uri: str) -> Flask:
        from openinfra_live import create_app

        os.environ["INSTANCE_PATH"] = str(instance)
        return create_app(
            {"SQLALCHEMY_DATABASE_URI": database_uri, "SECRET_KEY": SECRET_KEY, **extra}
        )

    return make


def dispose(app: Flask) -> None:
    from openinfra_live.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def run_inprocess(
    args: argparse.Namespace, dbs: Databases, results: Results, instance: Path
) -> tuple[str, datagen.Dataset]:
    """Generate each database size, then measure every page in-process in all of them, the
    sizes taking turns; returns the largest."""
    make = app_factory(instance)
    apps: dict[int, Flask] = {}
    urls: dict[int, list[str]] = {}
    largest_uri, largest = "", None
    for size in SIZES:
        uri = dbs.new(f"bench_{size}")
        apps[size] = make(uri)
        started = time.perf_counter()
        dataset = datagen.generate(apps[size], size)
        say(f"{size:,} episodes generated in {time.perf_counter() - started:.1f} s")
        urls[size] = [page.path for page in get_pages(dataset)]
        largest_uri, largest = uri, dataset
    budget = 2.0 if args.quick else 8.0
    results.inprocess.update(inprocess.measure_side_by_side(apps, urls, args.requests, budget))
    say("in-process cost measured")
    for app in apps.values():
        dispose(app)
    # The listing target is a page of 50 episodes: the same archive, 50 a page.
    app = app_factory(instance, EPISODES_PER_PAGE=50)(largest_uri)
    results.listing_50 = inprocess.measure(app, ["/episodes/"], args.requests, 8.0)[0]
    dispose(app)
    # A signed-in moderator's pages, with 1,000 proposals waiting beside the largest archive
    # (proposals and the audit log are no public content: the public pages are unchanged).
    app = make(largest_uri)
    moderator = moderation.add_waiting_proposals(app)
    results.moderation = moderation.measure(app, moderator, args.requests, budget)
    say("moderation pages measured")
    dispose(app)
    return largest_uri, largest


def run_imports(args: argparse.Namespace, dbs: Databases, results: Results) -> None:
    """Time ``flask import-episodes`` on fresh databases (SQLite always: the target's)."""
    content = dbs.run_dir / "openinfra-live.md"
    datagen.write_content_file(content, args.import_episodes)
    instance = write_instance(dbs.run_dir / "instance-import", csrf=True)
    backends = ["sqlite"] + (["postgresql"] if dbs.server else [])
    for backend in backends:
        uri = dbs.new("bench_import", backend)
        importing.migrate_fresh(app_factory(instance), uri)
        say(f"importing {args.import_episodes:,} episodes on {backend}")
        timing = importing.time_import(backend, uri, instance, content, args.import_episodes)
        results.imports.append(timing)
        if timing.seconds is not None:
            say(f"import on {backend}: {timing.seconds:.1f} s")
        else:
            say(f"import on {backend}: {timing.problem}")


def timed_probe(port: int, page: Page) -> tuple[servers.Response | None, float]:
    """One request for the page, and how long it took."""
    started = time.perf_counter()
    try:
        answer = servers.fetch(port, page.path, headers=page.headers, timeout=300)
    except OSError as error:
        page.note = f"request failed: {error}"
        answer = None
    return answer, time.perf_counter() - started


WARM_PROBES = 8


def warm_up(port: int, page: Page, slow_limit: float) -> float:
    """Ask for ``page`` until three answers in a row are fast (or ``WARM_PROBES`` were sent):
    every worker then holds it. Returns the last request's duration."""
    fast_in_a_row, seconds = 0, 0.0
    for _ in range(WARM_PROBES):
        _, seconds = timed_probe(port, page)
        fast_in_a_row = fast_in_a_row + 1 if seconds <= slow_limit / 10 else 0
        if fast_in_a_row == 3:
            break
    return seconds


def _extension(content_type: str) -> str:
    for kind, ext in (
        ("calendar", ".ics"),
        ("atom", ".atom"),
        ("xml", ".xml"),
        ("json", ".json"),
        ("html", ".html"),
    ):
        if kind in content_type:
            return ext
    return ".txt"


def start_site(
    name: str, run_dir: Path, env: dict[str, str], workers: int, *, csrf: bool, **options
) -> servers.Child:
    """The site under gunicorn, in an instance directory of its own (see ``write_instance``)."""
    instance = write_instance(run_dir / f"instance-{name}", csrf=csrf)
    return servers.start_gunicorn(
        name, "wsgi:app", run_dir, {**env, "INSTANCE_PATH": str(instance)}, workers, **options
    )


def run_served(
    args: argparse.Namespace, uri: str, dataset: datagen.Dataset, results: Results, run_dir: Path
) -> None:
    """gunicorn (site, floor), nginx (proxy, static), and wrk rounds over every URL."""
    if load.wrk_binary() is None:
        results.notes.append("wrk is not installed (apt-get install wrk): nothing was served")
        results.pages = get_pages(dataset)
        return
    children: list[servers.Child] = []
    try:
        env = {"DATABASE_URL": uri, "SECRET_KEY": SECRET_KEY, "PROXY_FIX_X_FOR": "1"}
        socket_path = run_dir / "site.sock"
        site = start_site("site", run_dir, env, args.workers, csrf=True, unix_socket=socket_path)
        children.append(site)
        post_site = start_site("site-post", run_dir, env, args.workers, csrf=False)
        children.append(post_site)
        floor = servers.start_gunicorn("floor", "bench.hello:app", run_dir, {}, args.workers)
        children.append(floor)
        for child in (site, post_site):
            child.wait_ready("/healthz")
        floor.wait_ready("/")
        say("gunicorn up: site, site with CSRF off (POST), hello floor")

        pages = get_pages(dataset) + language_variants(dataset) + compressed_variants()
        static_dir = run_dir / "static-copies"
        static_dir.mkdir()
        for index, page in enumerate(pages):
            answer, page.seconds = timed_probe(site.port, page)
            if answer is None:
                continue
            page.status = answer.status
            page.size = len(answer.body)
            page.content_type = answer.headers.get("content-type", "")
            page.cache_control = answer.headers.get("cache-control", "")
            page.has_validator = "etag" in answer.headers or "last-modified" in answer.headers
            if page.measurable:
                name = f"{index}{_extension(page.content_type)}"
                if answer.headers.get("content-encoding") == "gzip":
                    # nginx sends ``name.gz`` as it is (gzip_static) to a client asking for it.
                    name = f"compressed/{name}"
                    (static_dir / "compressed").mkdir(exist_ok=True)
                    (static_dir / f"{name}.gz").write_bytes(answer.body)
                    (static_dir / name).write_bytes(gzip.decompress(answer.body))
                else:
                    (static_dir / name).write_bytes(answer.body)
                page.static_path = "/" + name
                # Each worker keeps its own copy when no shared cache is configured: ask until
                # several answers in a row come from a cache, then load the page. A page that
                # still takes seconds would leave gunicorn a backlog of minutes after wrk
                # stops, spoiling every later run: it is reported, not loaded.
                repeat = warm_up(site.port, page, args.slow_limit)
                page.site_loaded = repeat <= args.slow_limit
                if page.seconds > args.slow_limit:
                    page.note = f"first request {page.seconds:.1f} s, then {repeat * 1000:.0f} ms"
                if not page.site_loaded:
                    page.note = f"one request takes {repeat:.1f} s: not loaded with wrk"
            elif page.status != 404:
                page.note = f"answered {page.status}"
        missing = [p.label for p in pages if p.status == 404]
        if missing:
            say(f"missing pages (404): {', '.join(missing)}")

        propose = Page("/propose", "/propose", method="POST")
        pages.append(propose)
        post_script = prepare_post(post_site.port, propose, run_dir, results)

        nginx = None
        if args.no_nginx:
            results.nginx_problem = "skipped (--no-nginx)"
        elif servers.nginx_binary() is None:
            results.nginx_problem = "not installed (apt-get install nginx)"
        else:
            try:
                nginx = servers.start_nginx(run_dir, f"unix:{socket_path}", static_dir)
                children.append(nginx)
                nginx.wait_ready("/healthz")
                say("nginx up with deploy/nginx.conf, and static servers in the same nginx")
            except (RuntimeError, TimeoutError, KeyError, ValueError, OSError) as error:
                results.nginx_problem = f"did not start: {error}"
                nginx = None
        if nginx is not None:
            for page in pages:
                if page.method != "GET" or not page.measurable:
                    continue
                timed_probe(nginx.port, page)  # fills the proxy cache when the page may be kept
                again, page.nginx_seconds = timed_probe(nginx.port, page)
                if again is not None:
                    page.nginx_status = again.status
                    page.nginx_cache = again.headers.get("x-cache-status", "")
                    page.nginx_loaded = again.status < 400 and page.nginx_seconds <= args.slow_limit
                for static_port in nginx.extra["static_ports"].values():
                    check = servers.fetch(static_port, page.static_path, headers=page.headers)
                    if check.status != 200 or len(check.body) != page.size:
                        page.note = f"static copy answered {check.status}"

        gets = [p for p in pages if p.method == "GET" and p.site_loaded]
        wrk = {"threads": args.threads, "connections": args.connections}

        def measure(
            server: str,
            label: str,
            port: int,
            path: str,
            script: Path | None = None,
            headers: dict[str, str] | None = None,
        ) -> None:
            try:
                result = load.run_wrk(
                    f"http://127.0.0.1:{port}{path}",
                    args.duration,
                    script=script,
                    headers=headers,
                    **wrk,
                )
            except (RuntimeError, ValueError, OSError) as error:
                results.notes.append(f"wrk on {server} {label}: {error}")
                result = None
            results.rounds.setdefault((server, label), []).append(result)

        def drain(port: int) -> None:
            """Wait for the requests wrk left queued: the next run starts on an idle server."""
            try:
                servers.fetch(port, "/healthz", timeout=300)
            except OSError as error:
                results.notes.append(f"server on port {port} did not answer: {error}")

        say("warming up")
        for page in gets:
            try:
                load.run_wrk(
                    f"http://127.0.0.1:{site.port}{page.path}", 1, headers=page.headers, **wrk
                )
            except (RuntimeError, ValueError, OSError) as error:
                results.notes.append(f"warm-up of {page.label}: {error}")
            drain(site.port)
        runs = (
            1
            + len(gets)
            + (1 + len(servers.STATIC_MODES)) * sum(1 for p in pages if p.nginx_loaded)
            + (1 if post_script else 0)
        )
        say(
            f"{args.rounds} round(s) of {runs} wrk runs of {args.duration:g} s "
            f"(about {args.rounds * runs * (args.duration + 0.3) / 60:.1f} min)"
        )
        for round_number in range(1, args.rounds + 1):
            measure("floor", "/", floor.port, "/")
            for page in pages:
                if page.method != "GET":
                    continue
                if page.site_loaded:
                    measure("site", page.label, site.port, page.path, headers=page.headers)
                    drain(site.port)
                if nginx is not None and page.nginx_loaded:
                    measure("nginx", page.label, nginx.port, page.path, headers=page.headers)
                    drain(site.port)
                    for mode, static_port in nginx.extra["static_ports"].items():
                        measure(
                            f"static {mode}",
                            page.label,
                            static_port,
                            page.static_path,
                            headers=page.headers,
                        )
                    results.rounds.setdefault(("static", page.label), []).append(
                        report.faster(
                            *(
                                results.rounds[(f"static {mode}", page.label)][-1]
                                for mode in servers.STATIC_MODES
                            )
                        )
                    )
            if post_script is not None:
                script = load.write_post_script(post_script, "/propose", propose.form_body)
                measure("site", propose.label, post_site.port, "/", script)
                drain(post_site.port)
            say(f"round {round_number} done")

        episode_page = next(p for p in pages if p.label == "/episodes/<slug>/")
        if episode_page.measurable:
            results.freshness = freshness(
                app_factory(run_dir / "instance-site")(uri),
                dataset.episode_slug,
                episode_page.path,
                {"site": site.port, **({"nginx": nginx.port} if nginx else {})},
            )
        results.worker_mb = worker_memory(site)
        results.floor_worker_mb = worker_memory(floor)
        results.pages = pages
    finally:
        for child in reversed(children):
            child.stop()


def freshness(
    app: Flask, slug: str, path: str, ports: dict[str, int], limit: float = 30.0
) -> dict[str, float | None]:
    """Seconds until an edited episode title shows on its page, directly and through nginx,
    and (``"moderator"``) for the moderator who saved an edit, on their next GET.

    The page is requested first so that every cache holds the old version; the edit is an ORM
    change committed like a moderator's, so whatever the application invalidates on a write
    is invalidated here too.
    """
    from openinfra_live.episodes.models import Episode
    from openinfra_live.extensions import db

    for port in ports.values():
        servers.fetch(port, path)
        servers.fetch(port, path)
    with app.app_context():
        episode = db.session.scalar(db.select(Episode).where(Episode.slug == slug))
        new_title = f"{episode.title} Revised {int(time.time())}"
        episode.title = new_title
        db.session.commit()
        changed = time.perf_counter()
    seen: dict[str, float | None] = dict.fromkeys(ports)
    while time.perf_counter() - changed < limit and any(v is None for v in seen.values()):
        for name, port in ports.items():
            if seen[name] is None and new_title.encode() in servers.fetch(port, path).body:
                seen[name] = time.perf_counter() - changed
        time.sleep(0.1)
    seen["moderator"] = moderator_sees_own_change(app, ports["site"])
    dispose(app)
    return seen


MODERATOR_EMAIL, MODERATOR_PASSWORD = "bench.moderator@example.org", "bench-moderator-password"
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def moderator_sees_own_change(app: Flask, port: int) -> float | None:
    """Seconds from a signed-in moderator's saved edit of the newest episode (its edit form,
    through gunicorn) until the same client's next GET of its page; None when that GET does not
    show it. The newest: the form refuses the years of the generator's oldest episodes."""
    from werkzeug.security import generate_password_hash

    from openinfra_live.auth.models import User
    from openinfra_live.episodes.models import Episode
    from openinfra_live.extensions import db

    with app.app_context():
        password_hash = generate_password_hash(MODERATOR_PASSWORD, method="scrypt")
        db.session.add(User(email=MODERATOR_EMAIL, password_hash=password_hash, display_name="B"))
        db.session.commit()
        newest = db.select(Episode.id, Episode.slug).where(Episode.hidden.is_(False))
        episode_id, slug = db.session.execute(newest.order_by(Episode.starts_at.desc())).first()
    path = f"/episodes/{slug}/"
    for _ in range(2):
        servers.fetch(port, path)  # every cache now holds the page as it was
    form = "application/x-www-form-urlencoded"

    def visit(url: str, body: str | None = None) -> servers.Response:
        nonlocal cookie
        headers = {"Cookie": cookie} if cookie else {}
        if body is not None:
            headers["Content-Type"] = form
        answer = servers.fetch(
            port,
            url,
            "POST" if body is not None else "GET",
            body.encode() if body is not None else None,
            headers,
        )
        cookie = answer.headers.get("set-cookie", cookie).split(";", 1)[0]
        return answer

    cookie = ""
    login = visit("/login").body.decode()
    fields = {"email": MODERATOR_EMAIL, "password": MODERATOR_PASSWORD, "next": ""}
    visit("/login", urllib.parse.urlencode({**fields, "csrf_token": token_in(login)}))
    edit_url = f"/moderation/episodes/{episode_id}/edit"
    new_title = f"Moderated {int(time.time())}"
    edit_form = visit(edit_url).body.decode()
    saved = visit(edit_url, load.filled_form(edit_form, title=new_title))
    started = time.perf_counter()
    if saved.status != 303:
        return None
    visit(saved.headers.get("location", edit_url))  # the browser follows the redirect
    shown = new_title.encode() in visit(path).body
    return time.perf_counter() - started if shown else None


def token_in(page_html: str) -> str:
    """The CSRF token of a page's form."""
    match = CSRF_TOKEN.search(page_html)
    return match.group(1) if match else ""


def prepare_post(port: int, page: Page, run_dir: Path, results: Results) -> Path | None:
    """Fill the propose form once to check it is accepted; returns the wrk script's path."""
    form = servers.fetch(port, page.path)
    page.status = form.status
    if form.status == 404:
        return None
    if form.status >= 400:
        page.note = f"GET /propose answered {form.status}"
        return None
    try:
        page.form_body = load.form_body(form.body.decode("utf-8", "replace"))
    except ValueError as error:
        page.status, page.note = None, f"no form to post: {error}"
        return None
    answer = servers.fetch(
        port,
        page.path,
        method="POST",
        body=load.with_nonce(page.form_body).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    page.status = answer.status
    page.size = len(answer.body)
    fields = sorted({pair.split("=")[0] for pair in page.form_body.split("&")})
    results.post_note = (
        f"a single POST answered {answer.status}"
        + (f" → {answer.headers.get('location', '')}" if answer.status in (302, 303) else "")
        + f"; fields sent: {', '.join(fields)}"
    )
    if answer.status != 303:
        page.note = f"POST answered {answer.status}, not 303: the form was refused, not loaded"
        return None
    page.site_loaded = True
    return run_dir / "propose.lua"


def worker_memory(child: servers.Child) -> list[float]:
    """Resident memory of each gunicorn worker, in MB."""
    sizes = [servers.rss_mib(pid) for pid in servers.child_pids(child.process.pid)]
    return [size * 1024 * 1024 / 1e6 for size in sizes if size is not None]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the report."""
    args = parse_args(argv)
    # Migrations log each step; the benchmark prints its own progress.
    logging.disable(logging.INFO)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    run_dir = Path(tempfile.mkdtemp(prefix="openinfra-bench-"))
    # nginx workers may run under another user: they need to reach the run's files.
    run_dir.chmod(0o755)
    dbs = None
    started = time.monotonic()
    try:
        dbs = Databases(run_dir, args.postgres)
        results = Results(settings={}, facts=report.machine_facts(dbs.version))
        instance = write_instance(run_dir / "instance-inprocess", csrf=True)
        uri, dataset = run_inprocess(args, dbs, results, instance)
        run_imports(args, dbs, results)
        run_served(args, uri, dataset, results, run_dir)
        results.settings = {
            "argv": args.argv,
            "quick": args.quick,
            "backend": dbs.backend,
            "episodes": dataset.episodes,
            "visible": dataset.visible_episodes,
            "event": dataset.event_slug,
            "teams": dataset.teams,
            "sessions": dataset.sessions,
            "slug": dataset.episode_slug,
            "next_slug": dataset.next_episode_slug,
            "word": dataset.search_word,
            "unmatched": dataset.unmatched_word,
            "workers": args.workers,
            "threads": args.threads,
            "connections": args.connections,
            "duration": f"{args.duration:g}",
            "rounds": args.rounds,
        }
        results.facts["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        results.facts["CPU check at end (the same loop)"] = report.cpu_check_ms()
        results.facts["benchmark wall time"] = f"{(time.monotonic() - started) / 60:.1f} min"
        text = report.render(results)
        args.output.write_text(text)
        print(text)
        say(f"written to {args.output}")
        return 0
    finally:
        if dbs is not None:
            dbs.stop()
        if args.keep:
            say(f"run directory kept: {run_dir}")
        else:
            shutil.rmtree(run_dir, ignore_errors=True)
