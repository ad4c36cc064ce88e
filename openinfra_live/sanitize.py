"""Cleaning of user-supplied HTML. The only module that imports bleach.

Descriptions accept a little HTML (links, paragraphs, emphasis, lists). Whatever else arrives is
stripped; links keep only http, https and mailto targets and get ``rel="nofollow noopener
noreferrer"``. Swapping bleach for another cleaner means changing this file alone.
"""

import html
import re
from functools import partial
from urllib.parse import urlsplit

import bleach
from bleach.linkifier import LinkifyFilter

ALLOWED_TAGS = frozenset(
    {"a", "p", "br", "em", "strong", "i", "b", "ul", "ol", "li", "code", "blockquote"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"

_HREF = (None, "href")
_REL = (None, "rel")
_BLOCK_TAG_RE = re.compile(r"<(p|ul|ol|blockquote)[\s>]")
_BLANK_LINES_RE = re.compile(r"\n\s*\n")


def _safe_link(attrs: dict, new: bool = False) -> dict | None:
    """Keep a link only when it points to an absolute http(s) or mailto target."""
    href = (attrs.get(_HREF) or "").strip()
    # Protocol-relative links ("//host/path") appear in real content; browsers read
    # "/\host" the same way, so both become explicit https links.
    if href[:2] in {"//", "/\\", "\\\\", "\\/"}:
        href = "https://" + href[2:].lstrip("/\\")
    parts = urlsplit(href)
    if parts.scheme.lower() not in ALLOWED_PROTOCOLS:
        return None
    if parts.scheme.lower() in {"http", "https"} and not parts.netloc:
        return None
    attrs[_HREF] = href
    attrs[_REL] = LINK_REL
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_safe_link], skip_tags={"code"}, parse_email=False)],
)


# Elements whose content is code, not text: stripping their tags alone would leave the code on
# the page as words. Unclosed, they run to the end, as browsers read them.
_RAW_TEXT_RE = re.compile(
    r"<(script|style|template|noscript)(?![A-Za-z0-9])[^>]*>.*?(?:</\1\s*>|\Z)", re.I | re.S
)


def _without_raw_text(text: str) -> str:
    """``text`` without script, style, template and noscript elements, content included."""
    return _RAW_TEXT_RE.sub("", text) if "<" in text else text


def clean_html(value: str | None) -> str:
    """Return ``value`` as safe HTML; text without block markup is split into paragraphs
    at blank lines (decided after cleaning, so cleaning twice changes nothing)."""
    if not value:
        return ""
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    cleaned = _cleaner.clean(_without_raw_text(text)).strip()
    if _BLOCK_TAG_RE.search(cleaned):
        return cleaned
    paragraphs = [p.strip() for p in _BLANK_LINES_RE.split(cleaned) if p.strip()]
    if len(paragraphs) > 1:
        # Cleaned again: an inline element may span a blank line and must be re-balanced.
        return _cleaner.clean("".join(f"<p>{p}</p>" for p in paragraphs))
    return cleaned


_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
# A tag is ``<`` followed by a letter (or ``/``, ``!``, ``?``), as in the HTML parsing rules; a
# lone ``<`` as in "a < b" is text. Block tags and line breaks separate words; others do not.
_BREAKING_TAG_RE = re.compile(r"</?(?:p|br|li|ul|ol|blockquote|div)(?![A-Za-z0-9])[^>]*>", re.I)
_TAG_RE = re.compile(r"<(?:/?[A-Za-z]|[!?])[^>]*>")


def to_plain_text(value: str | None) -> str:
    """Strip every tag and entity: for calendar invites, feeds and summaries.

    Regular expressions, not the cleaner nor a parser: the text is never rendered as HTML (it
    is escaped wherever it goes), and listings and invites of many episodes need it fast.
    """
    if not value:
        return ""
    text = _COMMENT_RE.sub("", value) if "<!--" in value else value
    text = _TAG_RE.sub("", _BREAKING_TAG_RE.sub(" ", _without_raw_text(text)))
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())
