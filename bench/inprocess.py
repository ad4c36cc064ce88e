"""In-process cost of each page: Flask's test client, no server, no network.

*Cold* is a first visit: a new client (no cookies, no validators) and an empty response cache.
A response cache takes part by registering itself as ``app.extensions["response_cache"]`` with
a ``clear()`` method; the harness calls it before each cold request. *Warm* repeats the request
without clearing, which is what most visitors get once caching is in place.
"""

import statistics
import time
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import event

from openinfra_live.extensions import db


@dataclass
class PageCost:
    """The median cost of one URL in one database."""

    url: str
    status: int
    size: int
    cold_ms: float
    warm_ms: float
    cold_queries: int
    warm_queries: int
    samples: int


class StatementCounter:
    """Counts the SQL statements an engine runs, through ``before_cursor_execute``."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object, **kwargs: object) -> None:
        self.count += 1


def _clear_response_cache(app: Flask) -> None:
    cache = app.extensions.get("response_cache")
    if cache is not None and hasattr(cache, "clear"):
        cache.clear()


def _timed_get(app: Flask, url: str, counter: StatementCounter) -> tuple[float, int, int, int]:
    client = app.test_client()
    before = counter.count
    started = time.perf_counter()
    response = client.get(url)
    body = response.get_data()
    elapsed = time.perf_counter() - started
    return elapsed * 1000, counter.count - before, response.status_code, len(body)


def measure(app: Flask, urls: list[str], requests: int, budget_seconds: float) -> list[PageCost]:
    """Median cold and warm time and SQL statements of each URL in one app."""
    return measure_side_by_side({0: app}, {0: urls}, requests, budget_seconds)[0]


# A page's requests are spread over this many passes over all the pages: a slow moment of the
# machine (seconds long on a shared one) then falls on a share of every page's samples, which
# the median passes over, rather than on all the samples of the page measured at that moment.
PASSES = 5


@dataclass
class _Samples:
    """What one page has measured so far, in each app."""

    cold: dict[int, list[tuple[float, int]]]
    warm: dict[int, list[tuple[float, int]]]
    answers: dict[int, tuple[int, int]] = field(default_factory=dict)
    turns: int = 0
    seconds: float = 0.0

    def finished(self, requests: int, budget_seconds: float) -> bool:
        """Whether the page has its ``requests`` turns, or the most its budget allows."""
        if self.turns >= requests:
            return True
        if self.turns >= 3 and self.seconds > budget_seconds * len(self.cold):
            return True
        # One sample of a page that takes seconds says enough.
        return self.turns > 0 and any(
            samples[0][0] > budget_seconds * 1000 for samples in self.cold.values()
        )


def measure_side_by_side(
    apps: dict[int, Flask], urls: dict[int, list[str]], requests: int, budget_seconds: float
) -> dict[int, list[PageCost]]:
    """Median cold and warm time and SQL statements of each URL, in each app (one app a
    database size; ``urls[size]`` are the same pages in the same order for each).

    The apps take turns request by request (A B C A B C …), so that a slow moment of the
    machine falls on every size alike and the ratios between sizes stay fair; a page's turns
    are spread over :data:`PASSES` passes over all the pages. A page gets ``requests`` turns,
    fewer (at least 3) when they would take more than ``budget_seconds`` per app, and a single
    one when one request takes longer than that (a page that rebuilds a 10,000-episode feed can
    take many seconds).
    """
    counters: dict[int, StatementCounter] = {}
    engines = {}
    for size, app in apps.items():
        with app.app_context():
            engines[size] = db.engine
        counters[size] = StatementCounter()
        event.listen(engines[size], "before_cursor_execute", counters[size])
    try:
        for size, app in apps.items():
            _timed_get(app, "/healthz", counters[size])  # connect, compile the first statements
        pages = [
            _Samples(cold={size: [] for size in apps}, warm={size: [] for size in apps})
            for _ in next(iter(urls.values()))
        ]
        turns_per_pass = -(-requests // PASSES)
        for _ in range(PASSES):
            for index, page in enumerate(pages):
                for _ in range(turns_per_pass):
                    if page.finished(requests, budget_seconds):
                        break
                    started = time.perf_counter()
                    for size, app in apps.items():
                        url = urls[size][index]
                        _clear_response_cache(app)
                        ms, queries, status, length = _timed_get(app, url, counters[size])
                        page.cold[size].append((ms, queries))
                        page.answers[size] = (status, length)
                        ms, queries, _, _ = _timed_get(app, url, counters[size])
                        page.warm[size].append((ms, queries))
                    page.turns += 1
                    page.seconds += time.perf_counter() - started
        return {
            size: [
                PageCost(
                    url=urls[size][index],
                    status=page.answers[size][0],
                    size=page.answers[size][1],
                    cold_ms=statistics.median(ms for ms, _ in page.cold[size]),
                    warm_ms=statistics.median(ms for ms, _ in page.warm[size]),
                    cold_queries=round(statistics.median(q for _, q in page.cold[size])),
                    warm_queries=round(statistics.median(q for _, q in page.warm[size])),
                    samples=len(page.cold[size]),
                )
                for index, page in enumerate(pages)
            ]
            for size in apps
        }
    finally:
        for size, engine in engines.items():
            event.remove(engine, "before_cursor_execute", counters[size])
