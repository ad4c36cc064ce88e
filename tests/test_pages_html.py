"""Every public episode page is well-structured HTML: landmarks, one h1, ordered headings,
labelled fields, alt texts, and no inline style or script (the CSP forbids them)."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest

from openinfra_live import clock
from openinfra_live.extensions import db
from openinfra_live.ptg.models import PtgEvent
from tests.episodes.builders import make_episode

NOW = datetime(2024, 5, 16, 14, 30, tzinfo=UTC)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class PageAudit(HTMLParser):
    tags: list[tuple[str, dict]] = field(default_factory=list)
    headings: list[int] = field(default_factory=list)
    label_for: set[str] = field(default_factory=set)
    unlabelled: list[str] = field(default_factory=list)
    inline_code: list[str] = field(default_factory=list)
    open_labels: int = 0

    def __post_init__(self) -> None:
        HTMLParser.__init__(self)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))
        if "style" in attributes or tag == "style":
            self.inline_code.append(f"style on <{tag}>")
        if tag == "script" and not attributes.get("src"):
            self.inline_code.append("inline <script>")
        self.inline_code += [f"{name} on <{tag}>" for name in attributes if name.startswith("on")]
        if tag == "label":
            self.open_labels += 1
            if attributes.get("for"):
                self.label_for.add(attributes["for"])
        if tag in {"input", "select", "textarea"}:
            kind = attributes.get("type", "text")
            if kind in {"hidden", "submit", "button", "reset"}:
                return
            if (
                self.open_labels
                or attributes.get("aria-label")
                or attributes.get("aria-labelledby")
            ):
                return
            self.unlabelled.append(attributes.get("id") or attributes.get("name") or tag)

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1

    def finish(self) -> "PageAudit":
        # A field labelled by a later <label for> is fine too.
        self.unlabelled = [name for name in self.unlabelled if name not in self.label_for]
        return self

    def has(self, tag: str, **attrs) -> bool:
        return any(t == tag and all(a.get(k) == v for k, v in attrs.items()) for t, a in self.tags)


def audit(html: str) -> PageAudit:
    parser = PageAudit()
    parser.feed(html)
    parser.close()
    return parser.finish()


@pytest.fixture
def public_pages(app, monkeypatch) -> list[str]:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    with app.app_context():
        make_episode(
            "Live right now",
            NOW.replace(minute=0),
            slug="live",
            description="<p>On <a href='https://example.org'>air</a>.</p><ul><li>one</li></ul>",
            links=[("youtube", "https://www.youtube.com/watch?v=pHHCIGkpNzs")],
            guests=[("Ana", "ACME"), "Bob"],
            recap_url="https://superuser.example.org/recap/",
        )
        make_episode("Next week", NOW + timedelta(days=7), slug="next", description="")
        make_episode("Aired", NOW - timedelta(days=7), slug="aired")
        db.session.add(
            PtgEvent(slug="ptg", name="PTG", starts_on=date(2024, 6, 1), ends_on=date(2024, 6, 5))
        )
        db.session.commit()
    return [
        "/",
        "/episodes/",
        "/episodes/?q=nothing-matches",
        "/episodes/?year=2024&q=air",
        "/episodes/live/",
        "/episodes/next/",
        "/episodes/aired/",
    ]


def test_public_episode_pages_are_well_structured(client, public_pages):
    problems = []
    for url in public_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = audit(response.get_data(as_text=True))
        for landmark in ("header", "nav", "main", "footer"):
            if not page.has(landmark):
                problems.append(f"{url}: no <{landmark}>")
        if not page.has("a", href="#main") or not page.has("main", id="main"):
            problems.append(f"{url}: no skip link to #main")
        if page.headings.count(1) != 1 or page.headings[:1] != [1]:
            problems.append(f"{url}: headings start {page.headings[:3]}, want one h1 first")
        for before, after in zip(page.headings, page.headings[1:], strict=False):
            if after > before + 1:
                problems.append(f"{url}: heading h{before} followed by h{after}")
        problems += [
            f"{url}: <img> without alt" for t, a in page.tags if t == "img" and "alt" not in a
        ]
        problems += [f"{url}: field {name} has no label" for name in page.unlabelled]
        problems += [f"{url}: {found}" for found in page.inline_code]
    assert problems == []


def test_the_audit_catches_what_it_is_for():
    page = audit(
        '<h1>a</h1><h3 style="x">b</h3><img src="x"><input name="q">'
        '<script>alert(1)</script><a onclick="y()">z</a>'
    )

    assert page.headings == [1, 3]
    assert page.unlabelled == ["q"]
    assert len(page.inline_code) == 3
    assert not page.has("main")
    assert audit('<label for="q">Q</label><input id="q">').unlabelled == []
    assert audit("<label>Q <input name='q'></label>").unlabelled == []
