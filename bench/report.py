"""The machine facts, the result tables and the targets of the performance issue, as Markdown."""

import importlib.metadata
import os
import platform
import sqlite3
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.importing import ImportTiming
from bench.inprocess import PageCost
from bench.load import WrkResult, wrk_version
from bench.servers import ROOT, STATIC_MODES, nginx_version

FLOOR_TARGET = 0.70
# Through nginx, against nginx sending the same bytes as a static file: small answers are
# dominated by the proxy's per-request work, which a static file does not do.
SMALL_STATIC_TARGET = 0.65
LARGE_STATIC_TARGET = 0.80
LARGE_ANSWER_BYTES = 20_000
GROWTH_TARGET = 1.5
LISTING_COLD_MS = 15.0
# A moderator's lists are held to the public listing's cold target.
MODERATION_COLD_MS = LISTING_COLD_MS
EPISODE_COLD_MS = 10.0
NUMBERS_YEAR_COLD_MS = 200.0
# Pages that sum up the whole archive: out of the growth target, under their own.
SUMMARY_PAGES = ("/numbers/",)
IMPORT_SECONDS = 30.0
WORKER_MB = 150.0
# "Within a few seconds": the proxy keeps pages 5 s, the application's version memo 1 s.
FRESH_SECONDS = 10.0


@dataclass
class Page:
    """One URL of the benchmark."""

    label: str
    path: str
    method: str = "GET"
    # Request headers of a variant of one of the URLs (gzip): loaded and shown in the
    # table like the others, but not one of the URLs the targets are about, unless ``targeted``
    # (a page asked for in another language is held to the same targets).
    headers: dict[str, str] = field(default_factory=dict)
    targeted: bool = False
    # Filled by probing the running site.
    status: int | None = None
    size: int = 0
    content_type: str = ""
    cache_control: str = ""
    has_validator: bool = False
    nginx_status: int | None = None
    nginx_cache: str = ""
    note: str = ""
    # Where nginx's static server has the same bytes; the form body of a POST.
    static_path: str = ""
    form_body: str = ""
    # Seconds of one request (site, then nginx's second); whether wrk loaded it.
    seconds: float | None = None
    nginx_seconds: float | None = None
    site_loaded: bool = False
    nginx_loaded: bool = False

    @property
    def measurable(self) -> bool:
        return self.status is not None and self.status < 400


@dataclass
class Results:
    """Everything one run measured."""

    settings: dict
    facts: dict
    pages: list[Page] = field(default_factory=list)
    # (server, page label) -> one result per round; the floor is ("floor", "/").
    rounds: dict[tuple[str, str], list[WrkResult | None]] = field(default_factory=dict)
    inprocess: dict[int, list[PageCost]] = field(default_factory=dict)
    listing_50: PageCost | None = None
    # A signed-in moderator's pages (``bench/moderation.py``), 1,000 proposals waiting.
    moderation: list[PageCost] = field(default_factory=list)
    imports: list[ImportTiming] = field(default_factory=list)
    worker_mb: list[float] = field(default_factory=list)
    floor_worker_mb: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    nginx_problem: str = ""
    post_note: str = ""
    # Seconds until an edit shows, by server ("site", "nginx"), and for the moderator who made
    # it on their next GET ("moderator"); None: not within the limit, not on that GET.
    freshness: dict[str, float | None] = field(default_factory=dict)


def _run(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip()


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


CPU_CHECK_LOOPS = 2_000_000


def cpu_check_ms() -> str:
    """A fixed pure-Python loop, best of three, in ms: the machine's speed at that moment.

    A machine shared with other work can be much slower in one run than in the last; this
    says so, where the load average (which counts only this machine's processes) may not."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(CPU_CHECK_LOOPS):
            total += number
        best = min(best, time.perf_counter() - started)
    return f"{best * 1000:.0f} ms"


def machine_facts(postgres_version: str | None) -> dict:
    """What the numbers were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
        memory = f"{mem_kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        memory = "unknown"
    commit = _run(["git", "rev-parse", "--short", "HEAD"])
    if commit and _run(["git", "status", "--porcelain", "--untracked-files=no"]):
        commit += " (with uncommitted changes)"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "CPU check at start (a fixed Python loop, best of 3)": cpu_check_ms(),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": postgres_version or "not used",
        "Flask / Werkzeug / SQLAlchemy": " / ".join(
            _version(p) for p in ("flask", "werkzeug", "sqlalchemy")
        ),
        "gunicorn": _version("gunicorn"),
        "nginx": nginx_version() or "not installed",
        "wrk": wrk_version() or "not installed",
        "commit": commit or "unknown",
    }


def _median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _rps(results: Results, server: str, label: str) -> float | None:
    runs = results.rounds.get((server, label)) or []
    return _median([r.requests_per_second for r in runs if r])


def _latency(results: Results, server: str, label: str) -> tuple[float | None, float | None]:
    runs = [r for r in results.rounds.get((server, label)) or [] if r]
    return _median([r.p50_ms for r in runs]), _median([r.p99_ms for r in runs])


def faster(*runs: WrkResult | None) -> WrkResult | None:
    """The run that served the most requests per second; a failed run (None) never is."""
    return max((run for run in runs if run), key=lambda run: run.requests_per_second, default=None)


def static_winners(results: Results) -> dict[str, list[str]]:
    """For each way nginx can send a static file, the pages it sent faster (median rate)."""
    winners: dict[str, list[str]] = {mode: [] for mode in STATIC_MODES}
    for page in results.pages:
        rates = {mode: _rps(results, f"static {mode}", page.label) for mode in STATIC_MODES}
        measured = {mode: rate for mode, rate in rates.items() if rate}
        if measured:
            winners[max(measured, key=measured.__getitem__)].append(page.label)
    return winners


def paired_ratio(results: Results, server: str, label: str, base: tuple[str, str]) -> float | None:
    """The median over rounds of (this round's rate / the base's rate in the same round)."""
    runs = results.rounds.get((server, label)) or []
    bases = results.rounds.get(base) or []
    ratios = [
        run.requests_per_second / ref.requests_per_second
        for run, ref in zip(runs, bases, strict=False)
        if run and ref and ref.requests_per_second
    ]
    return _median(ratios)


def site_ratio(results: Results, page: Page) -> float | None:
    """The page's rate over the floor's; estimated from one request when it was not loaded."""
    if page.site_loaded:
        return paired_ratio(results, "site", page.label, ("floor", "/"))
    floor = _rps(results, "floor", "/")
    if page.measurable and page.seconds and floor:
        return estimated_rps(results, page) / floor
    return None


def estimated_rps(results: Results, page: Page) -> float:
    """What the workers could serve of a page too slow to load: one request each at a time."""
    return results.settings.get("workers", 1) / page.seconds


def _n(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if value < 10 else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def _problems(results: Results, server: str, label: str) -> str:
    runs = [r for r in results.rounds.get((server, label)) or [] if r]
    bad = sum(r.bad_status for r in runs)
    errors = sum(r.socket_errors + r.timeouts for r in runs)
    parts = []
    if bad:
        parts.append(f"{bad} non-2xx/3xx")
    if errors:
        parts.append(f"{errors} socket errors/timeouts")
    return "; ".join(parts)


def _status(page: Page) -> str:
    if page.status is None:
        return "not probed"
    if page.status == 404:
        return "**missing** (404)"
    return str(page.status)


def load_table(results: Results) -> list[str]:
    floor = ("floor", "/")
    p50, p99 = _latency(results, *floor)
    lines = [
        f"Framework floor (one-route Flask app, same gunicorn settings): "
        f"**{_n(_rps(results, *floor))} req/s**, p50 {_ms(p50)} ms, p99 {_ms(p99)} ms.",
        "",
        "| page | status | site req/s | p50 ms | p99 ms | × floor "
        "| nginx req/s | p50 ms | p99 ms | cache | static req/s | × static | problems |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |",
    ]
    for page in results.pages:
        name = f"{page.method} {page.label}" if page.method != "GET" else page.label
        if not page.measurable:
            lines.append(f"| `{name}` | {_status(page)} |" + " – |" * 10 + f" {page.note} |")
            continue
        s50, s99 = _latency(results, "site", page.label)
        site_rps = _n(_rps(results, "site", page.label))
        if not page.site_loaded and page.seconds:
            s50 = page.seconds * 1000
            site_rps = f"≈ {estimated_rps(results, page):.2f}"
        n50, n99 = _latency(results, "nginx", page.label)
        nginx_note = ""
        if not results.nginx_problem and page.method == "GET" and not page.nginx_loaded:
            took = f"one request {page.nginx_seconds:.1f} s" if page.nginx_seconds else ""
            if page.nginx_status and page.nginx_status >= 400:
                took += f", answered {page.nginx_status}"
            nginx_note = f"not loaded through nginx ({took.strip(', ')})"
        problems = "; ".join(
            p
            for p in (
                _problems(results, "site", page.label),
                _problems(results, "nginx", page.label),
                page.note,
                nginx_note,
            )
            if p
        )
        lines.append(
            f"| `{name}` | {_status(page)} | {site_rps} "
            f"| {_ms(s50)} | {_ms(s99)} "
            f"| {_ratio(site_ratio(results, page))} "
            f"| {_n(_rps(results, 'nginx', page.label))} | {_ms(n50)} | {_ms(n99)} "
            f"| {page.nginx_cache or '–'} | {_n(_rps(results, 'static', page.label))} "
            f"| {_ratio(paired_ratio(results, 'nginx', page.label, ('static', page.label)))} "
            f"| {problems} |"
        )
    return lines


def headers_table(results: Results) -> list[str]:
    lines = [
        "| page | bytes | Content-Type | Cache-Control | ETag/Last-Modified |",
        "| --- | ---: | --- | --- | --- |",
    ]
    for page in results.pages:
        if not page.measurable or page.method != "GET":
            continue
        lines.append(
            f"| `{page.label}` | {page.size:,} | {page.content_type or '–'} "
            f"| {page.cache_control or '–'} | {'yes' if page.has_validator else 'no'} |"
        )
    return lines


def _cost_cell(cost: PageCost | None) -> str:
    if cost is None:
        return "–"
    if cost.status >= 400:
        return f"{cost.status}"
    return f"{_ms(cost.cold_ms)} ms / {cost.cold_queries} q"


def growth(results: Results, url_index: int) -> float | None:
    small = results.inprocess.get(1000, [])
    large = results.inprocess.get(10000, [])
    if url_index >= len(small) or url_index >= len(large):
        return None
    a, b = small[url_index], large[url_index]
    if a.status >= 400 or b.status >= 400 or not a.cold_ms:
        return None
    return b.cold_ms / a.cold_ms


def inprocess_table(results: Results) -> list[str]:
    sizes = sorted(results.inprocess)
    if not sizes:
        return ["(not measured)"]
    header = " | ".join(f"{size:,} episodes: cold" for size in sizes)
    lines = [
        f"| page | {header} | warm ({sizes[-1]:,}) | 10,000 ÷ 1,000 |",
        "| --- |" + " ---: |" * (len(sizes) + 2),
    ]
    largest = results.inprocess[sizes[-1]]
    for index, cost in enumerate(largest):
        cells = []
        for size in sizes:
            costs = results.inprocess[size]
            cells.append(_cost_cell(costs[index] if index < len(costs) else None))
        warm = "–" if cost.status >= 400 else f"{_ms(cost.warm_ms)} ms / {cost.warm_queries} q"
        lines.append(
            f"| `{_label_of(results, index)}` | {' | '.join(cells)} | {warm} "
            f"| {_ratio(growth(results, index))} |"
        )
    if results.listing_50 is not None:
        c = results.listing_50
        lines.append(
            f"| `/episodes/` at 50 a page | – | – | {_cost_cell(c)} "
            f"| {_ms(c.warm_ms)} ms / {c.warm_queries} q | – |"
        )
    return lines


def _label_of(results: Results, index: int) -> str:
    gets = _get_pages(results)
    return gets[index].label if index < len(gets) else "?"


@dataclass
class Verdict:
    target: str
    verdict: str
    measured: str


def static_target_of(page: Page) -> float:
    """The share of nginx's static rate ``page`` must reach through nginx, by its size."""
    return LARGE_STATIC_TARGET if page.size >= LARGE_ANSWER_BYTES else SMALL_STATIC_TARGET


def _get_pages(results: Results) -> list[Page]:
    """The issue's GET URLs, in order (the in-process costs are listed in the same order)."""
    return [p for p in results.pages if p.method == "GET" and (p.targeted or not p.headers)]


def _missing(results: Results) -> list[str]:
    """Pages that could not be measured: missing (404) or failing (another status)."""
    return [
        f"{p.label} ({'missing' if p.status == 404 else p.status or 'no answer'})"
        for p in _get_pages(results)
        if not p.measurable
    ]


def _cost(results: Results, size: int, label: str) -> PageCost | None:
    gets = _get_pages(results)
    costs = results.inprocess.get(size, [])
    for page, cost in zip(gets, costs, strict=False):
        if page.label == label:
            return cost
    return None


def verdicts(results: Results) -> list[Verdict]:
    """Each target of the issue: PASS, MISS, or NOT MEASURED, with what was measured."""
    out = []
    missing = _missing(results)
    missing_text = f"; not measurable: {', '.join(missing)}" if missing else ""

    ratios = {p.label: site_ratio(results, p) for p in _get_pages(results) if p.measurable}
    ratios = {k: v for k, v in ratios.items() if v is not None}
    if ratios:
        worst = min(ratios, key=ratios.get)
        ok = all(v >= FLOOR_TARGET for v in ratios.values()) and not missing
        below = sum(1 for v in ratios.values() if v < FLOOR_TARGET)
        out.append(
            Verdict(
                f"public GETs ≥ {FLOOR_TARGET:.2f} × Flask hello floor (10,000 episodes)",
                "PASS" if ok else "MISS",
                f"worst {ratios[worst]:.2f}× (`{worst}`); {below} of {len(ratios)} below"
                + missing_text,
            )
        )
    else:
        out.append(Verdict("public GETs ≥ 0.70 × floor", "NOT MEASURED", "no page answered"))

    static_target = (
        f"via deploy/nginx.conf ≥ {SMALL_STATIC_TARGET:.2f} × nginx static file under "
        f"{LARGE_ANSWER_BYTES // 1000} KB, ≥ {LARGE_STATIC_TARGET:.2f} × from there"
    )
    if results.nginx_problem:
        out.append(Verdict(static_target, "NOT MEASURED", results.nginx_problem))
    else:
        pages = {p.label: p for p in _get_pages(results) if p.measurable}
        nratios = {
            label: paired_ratio(results, "nginx", label, ("static", label)) for label in pages
        }
        unloaded = [k for k, v in nratios.items() if v is None]
        nginx_text = missing_text
        if unloaded:
            nginx_text += f"; too slow through nginx, not loaded: {', '.join(unloaded)}"
        shortfalls = {k: v / static_target_of(pages[k]) for k, v in nratios.items() if v}
        if shortfalls:
            worst = min(shortfalls, key=shortfalls.get)
            below = sum(1 for v in shortfalls.values() if v < 1)
            ok = not below and not (missing or unloaded)
            out.append(
                Verdict(
                    static_target,
                    "PASS" if ok else "MISS",
                    f"worst {nratios[worst]:.2f}× (`{worst}`, {pages[worst].size:,} bytes, "
                    f"target {static_target_of(pages[worst]):.2f}×); {below} of "
                    f"{len(shortfalls)} below" + nginx_text,
                )
            )

    if results.freshness:
        nginx_seconds = results.freshness.get("nginx")
        moderator = results.freshness.get("moderator")
        ok = moderator is not None and (
            "nginx" not in results.freshness
            or (nginx_seconds is not None and nginx_seconds <= FRESH_SECONDS)
        )
        out.append(
            Verdict(
                f"a moderator's change shows through nginx within {FRESH_SECONDS:g} s, and "
                "through gunicorn on the moderator's next GET",
                "PASS" if ok else "MISS",
                "episode title edited: "
                + ", ".join(
                    f"{name} {'not within 30 s' if value is None else f'{value:.1f} s'}"
                    for name, value in results.freshness.items()
                    if name != "moderator"
                )
                + "; the moderator who saved it: "
                + ("not on the next GET" if moderator is None else "on the next GET"),
            )
        )

    # The numbers pages add up the whole archive, so their cost grows with it by design: they
    # have a target of their own (a year's page cold within NUMBERS_YEAR_COLD_MS), below.
    growths = {
        p.label: growth(results, i)
        for i, p in enumerate(_get_pages(results))
        if growth(results, i) is not None and not p.label.startswith(SUMMARY_PAGES)
    }
    if growths:
        worst = max(growths, key=growths.get)
        above = [label for label, value in growths.items() if value > GROWTH_TARGET]
        measured = f"worst {growths[worst]:.2f}× (`{worst}`)"
        if above:
            measured += f"; {len(above)} of {len(growths)} above: " + ", ".join(
                f"`{label}` {growths[label]:.2f}×" for label in above
            )
        out.append(
            Verdict(
                f"cold cost 10,000 ÷ 1,000 episodes ≤ {GROWTH_TARGET}× on every page",
                "PASS" if not above and not missing else "MISS",
                measured + missing_text,
            )
        )
    else:
        out.append(Verdict("cold cost growth ≤ 1.5×", "NOT MEASURED", "no page answered"))

    listing = results.listing_50
    if listing is not None and listing.status < 400:
        out.append(
            Verdict(
                f"cold listing page of 50 episodes ≤ {LISTING_COLD_MS:g} ms in-process",
                "PASS" if listing.cold_ms <= LISTING_COLD_MS else "MISS",
                f"{listing.cold_ms:.2f} ms, {listing.cold_queries} SQL statements "
                "(`/episodes/`, 50 a page, 10,000 in the database)",
            )
        )
    else:
        out.append(
            Verdict(
                f"cold listing page of 50 episodes ≤ {LISTING_COLD_MS:g} ms",
                "NOT MEASURED",
                f"`/episodes/` answered {listing.status if listing else 'nothing'}",
            )
        )

    # The past episode's page and the next one's, with its question form: the slower counts.
    episode_labels = [p.label for p in _get_pages(results) if p.label.startswith("/episodes/<")]
    episode_labels = [label for label in episode_labels if label.endswith(">/")]
    costs = [(label, _cost(results, 10000, label)) for label in episode_labels]
    measured = [(label, cost) for label, cost in costs if cost is not None and cost.status < 400]
    if measured and len(measured) == len(costs):
        label, episode = max(measured, key=lambda item: item[1].cold_ms)
        out.append(
            Verdict(
                f"cold episode page ≤ {EPISODE_COLD_MS:g} ms in-process",
                "PASS" if episode.cold_ms <= EPISODE_COLD_MS else "MISS",
                f"worst {episode.cold_ms:.2f} ms, {episode.cold_queries} SQL statements "
                f"(`{label}`; "
                + ", ".join(f"`{other}` {cost.cold_ms:.2f} ms" for other, cost in measured)
                + ")",
            )
        )
    else:
        out.append(
            Verdict(
                f"cold episode page ≤ {EPISODE_COLD_MS:g} ms",
                "NOT MEASURED",
                ", ".join(
                    f"`{label}` answered {cost.status if cost else 'nothing'}"
                    for label, cost in costs
                ),
            )
        )

    year_page = _cost(results, 10000, "/numbers/<year>/")
    target = f"cold build of a year's page ≤ {NUMBERS_YEAR_COLD_MS:g} ms in-process"
    if year_page is not None and year_page.status < 400:
        out.append(
            Verdict(
                target,
                "PASS" if year_page.cold_ms <= NUMBERS_YEAR_COLD_MS else "MISS",
                f"{year_page.cold_ms:.2f} ms, {year_page.cold_queries} SQL statements "
                f"(`{year_page.url}`, 10,000 episodes)" + _every_year_cost(results),
            )
        )
    else:
        answered = year_page.status if year_page else "nothing"
        out.append(Verdict(target, "NOT MEASURED", f"answered {answered}"))

    out.append(moderation_verdict(results))

    sqlite_import = next((t for t in results.imports if t.backend == "sqlite"), None)
    if sqlite_import is None or sqlite_import.seconds is None:
        out.append(
            Verdict(
                "import 10,000 episodes < 30 s on SQLite",
                "NOT MEASURED",
                sqlite_import.problem if sqlite_import else "not run",
            )
        )
    else:
        estimate = sqlite_import.seconds * 10000 / sqlite_import.episodes
        extrapolated = sqlite_import.episodes != 10000
        ok = estimate < IMPORT_SECONDS and not sqlite_import.problem
        out.append(
            Verdict(
                f"import 10,000 episodes < {IMPORT_SECONDS:g} s on SQLite",
                "PASS" if ok else "MISS",
                f"{sqlite_import.seconds:.1f} s for {sqlite_import.episodes:,}"
                + (f" (≈ {estimate:.0f} s for 10,000, extrapolated)" if extrapolated else "")
                + (f"; {sqlite_import.problem}" if sqlite_import.problem else ""),
            )
        )

    if results.worker_mb:
        top = max(results.worker_mb)
        out.append(
            Verdict(
                f"memory per worker < {WORKER_MB:g} MB (10,000 episodes)",
                "PASS" if top < WORKER_MB else "MISS",
                f"RSS after the run: {', '.join(f'{m:.0f}' for m in results.worker_mb)} MB "
                f"(hello floor: {', '.join(f'{m:.0f}' for m in results.floor_worker_mb)} MB)",
            )
        )
    else:
        out.append(Verdict("memory per worker < 150 MB", "NOT MEASURED", "no worker found"))
    return out


def _every_year_cost(results) -> str:
    every = _cost(results, 10000, "/numbers/")
    if every is None or every.status >= 400:
        return ""
    return f"; every year's page: {every.cold_ms:.2f} ms, {every.cold_queries} SQL statements"


def moderation_verdict(results: Results) -> Verdict:
    """A signed-in moderator's pages, cold, against the public listing's cold target."""
    target = (
        f"a moderator's cold pages ≤ {MODERATION_COLD_MS:g} ms in-process (the public "
        "listing's target), 1,000 proposals waiting"
    )
    if not results.moderation:
        return Verdict(target, "NOT MEASURED", "not run")
    failing = [c for c in results.moderation if c.status != 200]
    slow = [c for c in results.moderation if c.status == 200 and c.cold_ms > MODERATION_COLD_MS]
    worst = max(results.moderation, key=lambda c: c.cold_ms)
    measured = f"worst {worst.cold_ms:.2f} ms, {worst.cold_queries} SQL statements (`{worst.url}`)"
    if slow:
        measured += f"; {len(slow)} of {len(results.moderation)} above: " + ", ".join(
            f"`{c.url}` {c.cold_ms:.2f} ms" for c in slow
        )
    if failing:
        measured += "; answered an error: " + ", ".join(f"`{c.url}` {c.status}" for c in failing)
    return Verdict(target, "MISS" if slow or failing else "PASS", measured)


def moderation_table(results: Results) -> list[str]:
    """The moderator's pages beside the public listing's cold target."""
    if not results.moderation:
        return ["(not measured)"]
    lines = [
        f"| page | status | bytes | cold | warm | cold ÷ {MODERATION_COLD_MS:g} ms |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for cost in results.moderation:
        lines.append(
            f"| `{cost.url}` | {cost.status} | {cost.size:,} | {_cost_cell(cost)} "
            f"| {_ms(cost.warm_ms)} ms / {cost.warm_queries} q "
            f"| {_ratio(cost.cold_ms / MODERATION_COLD_MS)} |"
        )
    return lines


def render(results: Results) -> str:
    """The whole report as Markdown: written to bench/RESULTS.md and printed."""
    s = results.settings
    winners = static_winners(results)
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{' '.join(['python -m bench', s['argv']]).strip()}`. "
        "How to run it and what each number means: "
        "[README.md](README.md).",
        "",
    ]
    if s.get("quick"):
        lines += [
            "**Smoke run (`--quick`)**: durations too short for the numbers to mean much.",
            "",
        ]
    lines += ["## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in results.facts.items()]
    lines += [
        "",
        "## Run",
        "",
        f"- database: {s['backend']}, {s['episodes']:,} episodes ({s['visible']:,} visible), "
        f"PTG `{s['event']}` with {s['teams']} approved teams and {s['sessions']} sessions",
        f"- gunicorn: `-w {s['workers']}` sync workers, site and hello floor alike; "
        f"wrk `-t{s['threads']} -c{s['connections']} -d{s['duration']}s --latency` on "
        f"127.0.0.1, {s['rounds']} round(s), servers interleaved within each round",
        "- ratios are paired: each round's rate divided by the floor's (or the static file's) "
        "rate of the same round, then the median over rounds",
        "- the static file is the physical limit: in each round, the faster of two servers of "
        "the same nginx, one sending it with sendfile() (`"
        + STATIC_MODES["sendfile"]
        + "`), one reading and writing it (`"
        + STATIC_MODES["read"]
        + "`); faster with sendfile(): "
        + (", ".join(f"`{label}`" for label in winners["sendfile"]) or "none")
        + "; by reading: "
        + (", ".join(f"`{label}`" for label in winners["read"]) or "none"),
        f"- episode page: `/episodes/{s['slug']}/`; the next episode (`<next>`): "
        f"`/episodes/{s.get('next_slug', '')}/`, with the question form and 25 approved questions "
        f"listed; search words: `{s['word']}` (in many "
        f"episodes), `{s['unmatched']}` (in none)",
        "- POST /propose runs against a second gunicorn of the same site whose instance config "
        "sets `WTF_CSRF_ENABLED = False` (wrk cannot carry a CSRF token) and raises "
        "`RATELIMIT_PUBLIC_FORMS`; each request has a fresh form nonce. The GET pages run with "
        "CSRF on, as in production.",
        "",
        "## Targets",
        "",
        "| target | verdict | measured |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {v.target} | **{v.verdict}** | {v.measured} |" for v in verdicts(results)]
    lines += ["", "## Served (wrk)", ""]
    lines += load_table(results)
    if results.nginx_problem:
        lines += ["", f"nginx: {results.nginx_problem}"]
    if results.post_note:
        lines += ["", f"POST /propose: {results.post_note}"]
    lines += ["", "## Response headers (site, first request)", ""]
    lines += headers_table(results)
    lines += [
        "",
        "## In-process cost (Flask test client; median ms / SQL statements per request)",
        "",
        "Cold: a new client and an empty response cache; warm: the same request repeated.",
        "",
    ]
    lines += inprocess_table(results)
    lines += [
        "",
        "## A signed-in moderator's pages (in-process, 1,000 proposals waiting, largest archive)",
        "",
        "Never cached: cold (an empty response cache) and warm both render; the session cookie "
        "is set before the request, the user is loaded by the request.",
        "",
    ]
    lines += moderation_table(results)
    lines += ["", "## Import (`flask import-episodes FILE`, whole command)", ""]
    for timing in results.imports:
        if timing.seconds is None:
            lines.append(f"- {timing.backend}: not measured: {timing.problem}")
        else:
            lines.append(
                f"- {timing.backend}: {timing.seconds:.1f} s for {timing.episodes:,} entries, "
                f"{timing.stored:,} episodes stored"
                + (f"; {timing.problem}" if timing.problem else "")
                + (f" — `{timing.summary}`" if timing.summary else "")
            )
    if results.notes:
        lines += ["", "## Notes", ""]
        lines += [f"- {note}" for note in results.notes]
    return "\n".join(lines) + "\n"
