"""Load with wrk: running it, reading its ``--latency`` report, and the POST /propose script."""

import re
import secrets
import shutil
import subprocess
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

_DURATION = re.compile(r"^([\d.]+)(us|ms|s|m|h)$")
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass
class WrkResult:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad_status: int
    socket_errors: int
    timeouts: int


def _ms(value: str) -> float:
    match = _DURATION.match(value.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {value!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Read the numbers out of ``wrk --latency`` output."""
    percentiles = dict(re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", output, re.MULTILINE))
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    if not (rps and total and "50" in percentiles and "99" in percentiles):
        raise ValueError("unexpected wrk output:\n" + output)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = [int(n) for n in sockets.groups()] if sockets else [0, 0, 0, 0]
    return WrkResult(
        requests_per_second=float(rps.group(1)),
        p50_ms=_ms(percentiles["50"]),
        p99_ms=_ms(percentiles["99"]),
        requests=int(total.group(1)),
        bad_status=int(bad.group(1)) if bad else 0,
        socket_errors=sum(errors[:3]),
        timeouts=errors[3],
    )


def wrk_binary() -> str | None:
    return shutil.which("wrk")


def run_wrk(
    url: str,
    duration: float,
    threads: int,
    connections: int,
    script: Path | None = None,
    headers: dict[str, str] | None = None,
) -> WrkResult:
    """One wrk run against ``url`` (on 127.0.0.1), with ``headers`` on every request."""
    binary = wrk_binary()
    if binary is None:
        raise FileNotFoundError("wrk is not installed (apt-get install wrk)")
    command = [
        binary,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    return parse_wrk(done.stdout)


# The propose form


class _FormFields(HTMLParser):
    """The fields of each POST form of a page: (name, type, value, options)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: list | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower()}
            self._form["fields"] = []
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            # Options carry no name: before the check below, which skips unnamed tags.
            self._select[3].append(a.get("value", ""))
            if "selected" in a:
                self._select[2] = a.get("value", "")
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and any(
                f[0] == a["name"] for f in self._form["fields"]
            ):
                return  # one value per checkbox group or radio group is enough
            self._form["fields"].append([a["name"], kind, a.get("value", ""), []])
        elif tag == "textarea":
            self._textarea = [a["name"], "textarea", "", []]
            self._form["fields"].append(self._textarea)
        elif tag == "select":
            self._select = [a["name"], "select", "", []]
            self._form["fields"].append(self._select)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


NONCE = "__NONCE__"
_DESCRIPTION = (
    "A live demo of upgrading a production OpenStack cloud without downtime, followed by "
    "questions from the audience. Operators from two public clouds compare their approaches to "
    "rolling upgrades, database migrations and API compatibility, and what they would do "
    "differently next time."
)


def _value_for(name: str, kind: str, value: str, options: list[str]) -> str | None:
    """A plausible answer to one field, chosen from its name and type."""
    low = name.lower()
    if low in {"csrf_token"}:
        return None  # CSRF is off for the POST benchmark
    if low == "website":
        return ""  # the honeypot: people leave it empty
    if low == "nonce":
        return NONCE
    if kind == "select":
        choices = [o for o in options if o]
        return choices[0] if choices else ""
    if kind in {"checkbox", "radio"}:
        return value or "y"
    if kind == "hidden":
        return value
    if "email" in low:
        return "bench.submitter@example.org"
    if "month" in low:
        return (datetime.now(UTC) + timedelta(days=62)).strftime("%Y-%m")
    if "title" in low:
        return "Zero-downtime upgrades of a production OpenStack cloud"
    if "description" in low or "abstract" in low or kind == "textarea" and "link" not in low:
        return _DESCRIPTION
    if "link" in low or "url" in low:
        return "https://example.org/slides"
    if "organi" in low or "affiliation" in low or "company" in low:
        return "Example Cloud"
    if "name" in low:
        return "Alex Example"
    if kind == "number":
        return "1"
    if kind == "date":
        return (datetime.now(UTC) + timedelta(days=62)).strftime("%Y-%m-%d")
    return value or "Benchmark"


def form_body(page_html: str) -> str:
    """A URL-encoded body for the page's POST form (the one with most fields); the nonce is
    left as ``__NONCE__`` for the caller to make unique per request."""
    parser = _FormFields()
    parser.feed(page_html)
    forms = [f for f in parser.forms if f["method"] == "post"]
    if not forms:
        raise ValueError("the page has no POST form")
    form = max(forms, key=lambda f: len(f["fields"]))
    pairs = []
    for name, kind, value, options in form["fields"]:
        answer = _value_for(name, kind, value, options)
        if answer is not None:
            pairs.append((name, answer))
    return urllib.parse.urlencode(pairs, safe="_")


def filled_form(page_html: str, **changes: str) -> str:
    """A URL-encoded body for the page's largest POST form as it stands (a moderator's edit
    form), with ``changes`` applied; check boxes and radio buttons are left unchecked."""
    parser = _FormFields()
    parser.feed(page_html)
    form = max((f for f in parser.forms if f["method"] == "post"), key=lambda f: len(f["fields"]))
    pairs = [
        (name, changes.get(name, value))
        for name, kind, value, _options in form["fields"]
        if kind not in {"checkbox", "radio"}
    ]
    return urllib.parse.urlencode(pairs)


def with_nonce(body: str) -> str:
    return body.replace(NONCE, "bench-" + secrets.token_hex(12))


LUA_TEMPLATE = """\
-- POST {path}: the form's fields with a new nonce each time, as a new visitor's form would
-- have (a repeated nonce is answered from the first submission instead of storing another).
local body_template = [==[{body}]==]
local run = "{run}"
local counter = 0

function setup(thread)
  thread_count = (thread_count or 0) + 1
  thread:set("thread_number", thread_count)
end

function request()
  counter = counter + 1
  local nonce = string.format("%s-%d-%d", run, thread_number or 0, counter)
  local body = (string.gsub(body_template, "{nonce}", nonce))
  return wrk.format("POST", "{path}",
    {{["Content-Type"] = "application/x-www-form-urlencoded"}}, body)
end
"""


def write_post_script(path: Path, url_path: str, body: str) -> Path:
    """A wrk script posting ``body`` to ``url_path`` with a unique nonce per request."""
    path.write_text(
        LUA_TEMPLATE.format(path=url_path, body=body, run=secrets.token_hex(6), nonce=NONCE)
    )
    return path


def wrk_version() -> str | None:
    binary = wrk_binary()
    if binary is None:
        return None
    done = subprocess.run([binary, "-v"], capture_output=True, text=True)
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0].split(" [")[0].replace("wrk ", "") if first else None
