"""The benchmark's own logic: reading wrk, judging the targets, the servers it configures.

The benchmark itself never runs in the test suite (its numbers depend on the machine); these
check the parts whose mistakes would make its report say something untrue.
"""

import http.server
import itertools
import threading
from collections.abc import Iterator

import pytest
from flask import request, request_started

from bench import cli, inprocess, load, moderation, report, servers
from bench.inprocess import PageCost

WRK_OUTPUT = """\
Running 3s test @ http://127.0.0.1:8000/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.52ms  310.00us   9.10ms   90.00%
  Latency Distribution
     50%    1.43ms
     75%    1.60ms
     90%    1.80ms
     99%    2.25ms
  15000 requests in 3.00s, 200.00MB read
  Socket errors: connect 0, read 2, write 1, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   5000.50
Transfer/sec:     66.00MB
"""


def test_wrk_output_is_read_with_its_errors():
    result = load.parse_wrk(WRK_OUTPUT)

    assert result.requests_per_second == 5000.50
    assert (result.p50_ms, result.p99_ms) == (1.43, 2.25)
    assert result.requests == 15000
    assert (result.bad_status, result.socket_errors, result.timeouts) == (7, 3, 3)


def test_unexpected_wrk_output_is_an_error_not_a_number():
    with pytest.raises(ValueError):
        load.parse_wrk("wrk: connection refused\n")


def cost(url: str, cold_ms: float) -> PageCost:
    return PageCost(
        url=url,
        status=200,
        size=1000,
        cold_ms=cold_ms,
        warm_ms=0.2,
        cold_queries=4,
        warm_queries=0,
        samples=25,
    )


def results_with_costs(costs_1000: list[float], costs_10000: list[float]) -> report.Results:
    pages = [report.Page(f"/page-{n}", f"/page-{n}", status=200) for n in range(len(costs_1000))]
    results = report.Results(settings={}, facts={}, pages=pages)
    results.inprocess = {
        1000: [cost(p.path, ms) for p, ms in zip(pages, costs_1000, strict=True)],
        10000: [cost(p.path, ms) for p, ms in zip(pages, costs_10000, strict=True)],
    }
    return results


def growth_verdict(results: report.Results) -> report.Verdict:
    return next(v for v in report.verdicts(results) if v.target.startswith("cold cost 10,000"))


def test_the_growth_verdict_names_every_page_above_the_target():
    results = results_with_costs([1.0, 1.0, 1.0], [1.2, 4.0, 10.0])

    verdict = growth_verdict(results)

    assert verdict.verdict == "MISS"
    assert "worst 10.00× (`/page-2`)" in verdict.measured
    assert "2 of 3 above: `/page-1` 4.00×, `/page-2` 10.00×" in verdict.measured


def test_growth_within_the_target_on_every_page_passes():
    verdict = growth_verdict(results_with_costs([1.0, 2.0], [1.5, 2.2]))

    assert verdict.verdict == "PASS"
    assert "above" not in verdict.measured


def wrk_result(requests_per_second: float) -> load.WrkResult:
    return load.WrkResult(
        requests_per_second=requests_per_second,
        p50_ms=1.0,
        p99_ms=2.0,
        requests=int(requests_per_second * 3),
        bad_status=0,
        socket_errors=0,
        timeouts=0,
    )


def test_variant_rows_are_shown_but_not_judged():
    page = report.Page("/feed.xml", "/feed.xml", status=200, site_loaded=True)
    variant = report.Page(
        "/feed.xml (gzip)", "/feed.xml", status=200, site_loaded=True, headers=cli.ACCEPT_GZIP
    )
    results = report.Results(settings={}, facts={}, pages=[page, variant])
    fast = wrk_result(requests_per_second=1000.0)
    slow = wrk_result(requests_per_second=100.0)
    results.rounds = {
        ("floor", "/"): [fast],
        ("site", "/feed.xml"): [fast],
        ("site", "/feed.xml (gzip)"): [slow],
    }

    floor_verdict = next(v for v in report.verdicts(results) if "hello floor" in v.target)

    assert floor_verdict.verdict == "PASS"
    assert "0 of 1 below" in floor_verdict.measured
    assert any("`/feed.xml (gzip)`" in line for line in report.load_table(results))


def test_only_the_compressed_copies_are_served_with_gzip_static(tmp_path):
    ports = {mode: 8080 + number for number, mode in enumerate(servers.STATIC_MODES)}
    conf = servers.add_static_servers("events {}\nhttp {\n}\n", ports, tmp_path)

    static = conf.split("server {")[1:]
    assert len(static) == len(servers.STATIC_MODES) == 2
    for server in static:
        assert "location / { try_files $uri =404; }" in server
        assert "location /compressed/ { gzip_static on; try_files $uri =404; }" in server
        # Nowhere else: with gzip_vary on, gzip_static looks for a .gz file on every request.
        assert server.count("gzip_static") == 1


def test_the_static_file_is_sent_each_way_nginx_can_send_it(tmp_path):
    ports = {"sendfile": 8081, "read": 8082}
    conf = servers.add_static_servers("events {}\nhttp {\n}\n", ports, tmp_path)

    by_port = {
        int(s.split("listen 127.0.0.1:")[1].split(";")[0]): s for s in conf.split("server {")[1:]
    }
    assert "sendfile on;" in by_port[8081]
    assert "sendfile off;" in by_port[8082]


def test_the_static_reference_of_a_round_is_its_faster_server():
    slow, fast = wrk_result(requests_per_second=100.0), wrk_result(requests_per_second=300.0)

    assert report.faster(slow, fast) is fast
    assert report.faster(fast, None) is fast
    assert report.faster(None, None) is None


def test_the_report_names_the_way_each_static_file_went_faster():
    small = report.Page("/", "/", status=200, nginx_loaded=True)
    large = report.Page("/calendar.ics", "/calendar.ics", status=200, nginx_loaded=True)
    results = report.Results(settings={}, facts={}, pages=[small, large])
    results.rounds = {
        ("static sendfile", "/"): [wrk_result(40_000.0)],
        ("static read", "/"): [wrk_result(50_000.0)],
        ("static sendfile", "/calendar.ics"): [wrk_result(300.0)],
        ("static read", "/calendar.ics"): [wrk_result(270.0)],
    }

    assert report.static_winners(results) == {"sendfile": ["/calendar.ics"], "read": ["/"]}


def test_in_process_pages_take_turns_pass_by_pass(app):
    """A slow moment of the machine falls on a share of every page's samples, not on all the
    samples of one page."""
    paths: list[str] = []

    def record(sender: object, **extra: object) -> None:
        paths.append(request.path)

    with request_started.connected_to(record, app):
        costs = inprocess.measure_side_by_side(
            {0: app}, {0: ["/", "/episodes/"]}, requests=10, budget_seconds=60.0
        )

    assert [cost.samples for cost in costs[0]] == [10, 10]
    assert all(cost.status == 200 for cost in costs[0])
    pages = [path for path, _ in itertools.groupby(p for p in paths if p != "/healthz")]
    assert pages == ["/", "/episodes/"] * inprocess.PASSES


@pytest.fixture
def header_recorder() -> Iterator[tuple[int, list[dict[str, str]]]]:
    """A real HTTP server on 127.0.0.1 that keeps the headers of each request it answers."""
    seen: list[dict[str, str]] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append({name.lower(): value for name, value in self.headers.items()})
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


def test_probes_ask_for_what_wrk_asks_for(header_recorder):
    port, seen = header_recorder

    plain = servers.fetch(port, "/")
    compressed = servers.fetch(port, "/", headers=cli.ACCEPT_GZIP)

    assert plain.body == compressed.body == b"ok"
    assert "accept-encoding" not in seen[0]  # as wrk: http.client alone would send "identity"
    assert seen[1]["accept-encoding"] == "gzip"
    assert seen[0]["host"] == f"127.0.0.1:{port}"


def test_the_report_records_the_machine_speed_at_the_start(monkeypatch):
    monkeypatch.setattr(report, "CPU_CHECK_LOOPS", 1000)
    facts = report.machine_facts(postgres_version=None)

    check = facts["CPU check at start (a fixed Python loop, best of 3)"]
    number, unit = check.split()
    assert unit == "ms"
    assert int(number) >= 0
    assert list(facts).index("load average at start") < list(facts).index(
        "CPU check at start (a fixed Python loop, best of 3)"
    )


def nginx_verdict(pages_and_ratios: list[tuple[int, float]]) -> report.Verdict:
    pages = [
        report.Page(f"/page-{n}", f"/page-{n}", status=200, size=size, nginx_loaded=True)
        for n, (size, _) in enumerate(pages_and_ratios)
    ]
    results = report.Results(settings={}, facts={}, pages=pages)
    for page, (_, ratio) in zip(pages, pages_and_ratios, strict=True):
        results.rounds[("nginx", page.label)] = [wrk_result(ratio * 10_000.0)]
        results.rounds[("static", page.label)] = [wrk_result(10_000.0)]
    return next(v for v in report.verdicts(results) if v.target.startswith("via deploy/nginx"))


def test_answers_under_20_kb_need_065_of_the_static_file_through_nginx():
    assert nginx_verdict([(5_000, 0.66), (30_000, 0.81)]).verdict == "PASS"
    assert nginx_verdict([(5_000, 0.60), (30_000, 0.81)]).verdict == "MISS"


def test_answers_of_20_kb_and_more_need_080_of_the_static_file_through_nginx():
    verdict = nginx_verdict([(5_000, 0.70), (30_000, 0.75)])

    assert verdict.verdict == "MISS"
    assert "`/page-1`, 30,000 bytes, target 0.80×" in verdict.measured
    assert "1 of 2 below" in verdict.measured


def freshness_verdict(freshness: dict[str, float | None]) -> report.Verdict:
    results = report.Results(settings={}, facts={}, freshness=freshness)
    return next(v for v in report.verdicts(results) if "moderator" in v.target)


def test_a_change_must_show_through_nginx_and_at_once_for_its_moderator():
    assert freshness_verdict({"site": 0.1, "nginx": 5.0, "moderator": 0.02}).verdict == "PASS"
    assert freshness_verdict({"site": 0.1, "nginx": 12.0, "moderator": 0.02}).verdict == "MISS"
    late_for_moderator = freshness_verdict({"site": 0.1, "nginx": 5.0, "moderator": None})
    assert late_for_moderator.verdict == "MISS"
    assert "not on the next GET" in late_for_moderator.measured


@pytest.mark.parametrize(
    ("listing_ms", "episode_ms", "verdicts"),
    [(14.0, 9.0, ["PASS", "PASS"]), (16.0, 11.0, ["MISS", "MISS"])],
)
def test_cold_pages_are_held_to_15_and_10_ms(listing_ms, episode_ms, verdicts):
    results = results_with_costs([1.0], [episode_ms])
    results.pages[0].label = "/episodes/<slug>/"
    results.listing_50 = cost("/episodes/", listing_ms)

    found = {v.target: v.verdict for v in report.verdicts(results)}

    assert found["cold listing page of 50 episodes ≤ 15 ms in-process"] == verdicts[0]
    assert found["cold episode page ≤ 10 ms in-process"] == verdicts[1]


EDIT_FORM = """
<form method="post" action="/moderation/episodes/1/edit">
  <input type="hidden" name="csrf_token" value="tok">
  <input name="title" value="Old title">
  <select name="links-0-platform"><option value="youtube">Y</option>
    <option value="zoom" selected>Z</option></select>
  <textarea name="description">&lt;p&gt;Kept&lt;/p&gt;</textarea>
  <input type="checkbox" name="hidden" value="y">
  <button type="submit">Save</button>
</form>
"""


def test_an_edit_form_is_posted_back_as_it_stands_with_the_change():
    body = load.filled_form(EDIT_FORM, title="New title")

    assert body == (
        "csrf_token=tok&title=New+title&links-0-platform=zoom&description=%3Cp%3EKept%3C%2Fp%3E"
    )


# --- a signed-in moderator's pages ------------------------------------------------------------


def moderation_verdict(costs: list[PageCost]) -> report.Verdict:
    results = results_with_costs([1.0], [1.0])
    results.moderation = costs
    return next(v for v in report.verdicts(results) if v.target.startswith("a moderator's cold"))


def test_a_moderators_pages_are_held_to_the_public_listings_cold_target():
    fast = [cost("/moderation/", 9.0), cost("/moderation/audit", 14.9)]
    slow = [cost("/moderation/", 9.0), cost("/moderation/episodes/", 22.0)]
    failing = [cost("/moderation/", 9.0), PageCost("/moderation/audit", 500, 0, 3.0, 3.0, 1, 1, 3)]

    assert report.MODERATION_COLD_MS == report.LISTING_COLD_MS
    assert moderation_verdict(fast).verdict == "PASS"
    verdict = moderation_verdict(slow)
    assert verdict.verdict == "MISS" and "`/moderation/episodes/` 22.00 ms" in verdict.measured
    verdict = moderation_verdict(failing)
    assert verdict.verdict == "MISS" and "`/moderation/audit` 500" in verdict.measured
    assert moderation_verdict([]).verdict == "NOT MEASURED"


def test_the_moderation_measurement_runs_signed_in_with_a_thousand_waiting_proposals(app):
    from openinfra_live.extensions import db
    from openinfra_live.proposals.models import Proposal

    user_id = moderation.add_waiting_proposals(app)
    costs = moderation.measure(app, user_id, requests=1, budget_seconds=1.0)

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 1000
    assert [c.url for c in costs] == [label for label, _ in moderation.PAGES]
    # 200s, not the login page's redirect: the requests were signed in; page 10 exists.
    assert all(c.status == 200 and 0 < c.size < 50_000 for c in costs), costs
    assert all(c.cold_queries > 0 and c.samples == 1 for c in costs)
    table = "\n".join(report.moderation_table(report.Results({}, {}, moderation=costs)))
    assert "`/moderation/?page=10` | 200" in table
