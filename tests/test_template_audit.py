"""A static audit: nothing bypasses Jinja's escaping outside one allow-listed helper."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
PACKAGE = ROOT / "openinfra_live"

# The one place allowed to mark HTML safe: it only ever receives sanitize.clean_html output, or
# HTML the site's own templates rendered (stored episode cards).
MARKUP_ALLOWED_IN = {"templating.py"}

TEMPLATE_PATTERNS = {
    "|safe filter": re.compile(r"\|\s*safe\b"),
    "Markup(": re.compile(r"\bMarkup\s*\("),
    "autoescape false": re.compile(r"autoescape\s+false", re.IGNORECASE),
    "unquoted attribute expression": re.compile(r"\s[a-zA-Z-]+=\{\{"),
    "inline event handler": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "inline style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
}


def test_templates_never_bypass_escaping_or_use_inline_code():
    findings = []
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix not in {".html", ".txt", ".xml"}:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for name, pattern in TEMPLATE_PATTERNS.items():
                if pattern.search(line):
                    findings.append(f"{path.relative_to(ROOT)}:{number}: {name}")
    assert findings == []


def test_python_code_marks_html_safe_only_in_the_allow_listed_helper():
    findings = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        if "render_template_string" in text:
            findings.append(f"{path.relative_to(ROOT)}: render_template_string")
        if re.search(r"\bMarkup\s*\(", text) and path.name not in MARKUP_ALLOWED_IN:
            findings.append(f"{path.relative_to(ROOT)}: Markup(")
    assert findings == []


def test_the_audit_would_catch_a_safe_filter():
    assert TEMPLATE_PATTERNS["|safe filter"].search("{{ value | safe }}")
    assert TEMPLATE_PATTERNS["unquoted attribute expression"].search("<a href={{ url }}>")
    quoted = '<a href="/x?next={{ p }}">'
    assert not TEMPLATE_PATTERNS["unquoted attribute expression"].search(quoted)
    assert TEMPLATE_PATTERNS["inline script"].search("<script>alert(1)</script>")
    assert not TEMPLATE_PATTERNS["inline script"].search('<script src="/x.js" defer></script>')
