"""A signed-in moderator's pages, in-process: the queue, the episode list and the audit log with
1,000 proposals waiting (and as many audit entries) beside the archive's episodes.

Moderation pages are never cached: every request renders, so *cold* (an empty response cache)
and *warm* (the same request again) should agree. Each request comes from a client that is
already signed in (its session cookie set beforehand, not timed), as a moderator at work is.
"""

import statistics
import time
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import event, insert

from bench.inprocess import PageCost, StatementCounter, _clear_response_cache
from openinfra_live.extensions import db

WAITING_PROPOSALS = 1000
MODERATOR_EMAIL = "bench.queue@example.org"
# (label, address) of each page measured; a search that matches one proposal in ten.
PAGES = [
    ("/moderation/", "/moderation/"),
    ("/moderation/?page=10", "/moderation/?page=10"),
    ("/moderation/?q=<proposer>", "/moderation/?q=proposer7"),
    ("/moderation/episodes/", "/moderation/episodes/"),
    ("/moderation/audit", "/moderation/audit"),
]


def add_waiting_proposals(app: Flask, count: int = WAITING_PROPOSALS) -> str:
    """Insert ``count`` waiting proposals, an audit entry for each and a moderator; returns the
    moderator's login id. Bulk inserts: the pages are measured, not the submission service."""
    from openinfra_live.audit import AuditEntry
    from openinfra_live.auth.models import User
    from openinfra_live.proposals.models import Proposal

    start = datetime.now(UTC) - timedelta(hours=count)
    proposals, entries = [], []
    for n in range(count):
        created = start + timedelta(hours=n)
        proposals.append(
            {
                "title": f"Proposal {n}: operating open infrastructure at scale, lessons learnt",
                "description": "<p>What we run, what broke and what we changed.</p>",
                "submitter_name": f"Proposer{n % 10} Example",
                "submitter_email": f"proposer{n % 10}.{n}@example.org",
                "organization": "Example Cloud",
                "preferred_month": "",
                "links": "",
                "status": "approved" if n % 4 == 0 else "submitted",
                "token_hash": f"bench{n:059d}",
                "tags": "operators" if n % 3 == 0 else "",
                "created_at": created,
                "updated_at": created,
            }
        )
        entries.append(
            {
                "created_at": created,
                "actor_label": "anonymous",
                "action": "proposal.submit",
                "object_type": "proposal",
                "object_id": str(n + 1),
                "ip": "192.0.2.1",
                "detail": None,
            }
        )
    with app.app_context():
        db.session.execute(insert(Proposal), proposals)
        db.session.execute(insert(AuditEntry), entries)
        moderator = User(email=MODERATOR_EMAIL, password_hash="-", display_name="Queue")
        db.session.add(moderator)
        db.session.commit()
        return moderator.get_id()


def _signed_in_get(app: Flask, user_id: str, url: str, counter: StatementCounter) -> tuple:
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = user_id, True
    timings = []
    for clear in (True, False):
        if clear:
            _clear_response_cache(app)
        before = counter.count
        started = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        elapsed = (time.perf_counter() - started) * 1000
        timings.append((elapsed, counter.count - before, response.status_code, len(body)))
    return timings[0], timings[1]


def measure(app: Flask, user_id: str, requests: int, budget_seconds: float) -> list[PageCost]:
    """Median cold and warm time and SQL statements of each page for the signed-in moderator;
    a page gets ``requests`` samples, fewer (at least 3) past ``budget_seconds``."""
    counter = StatementCounter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        _signed_in_get(app, user_id, "/healthz", counter)  # connect
        costs = []
        for label, url in PAGES:
            # Not timed: the templates compile once per worker, as for any page of a site
            # that has served a while (the public pages' medians over many samples skip it).
            _signed_in_get(app, user_id, url, counter)
            cold, warm, answer = [], [], (0, 0)
            started = time.perf_counter()
            while len(cold) < requests:
                first, again = _signed_in_get(app, user_id, url, counter)
                cold.append(first[:2])
                warm.append(again[:2])
                answer = first[2:]
                if len(cold) >= 3 and time.perf_counter() - started > budget_seconds:
                    break
            costs.append(
                PageCost(
                    url=label,
                    status=answer[0],
                    size=answer[1],
                    cold_ms=statistics.median(ms for ms, _ in cold),
                    warm_ms=statistics.median(ms for ms, _ in warm),
                    cold_queries=round(statistics.median(q for _, q in cold)),
                    warm_queries=round(statistics.median(q for _, q in warm)),
                    samples=len(cold),
                )
            )
        return costs
    finally:
        event.remove(engine, "before_cursor_execute", counter)
