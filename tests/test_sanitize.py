"""The HTML cleaner: an XSS corpus, link hygiene and idempotence."""

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openinfra_live.sanitize import clean_html, to_plain_text

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '" onmouseover="alert(1)',
    "'><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<form action="https://evil.example"><button>go</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<a href="//evil.example/x">protocol relative</a>',
    '<a href="/\\evil.example">backslash</a>',
    "<!--<script>alert(1)</script>-->",
    '<object data="x.swf"></object>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "{{7*7}}",
]

SAFE_SCHEMES = {"http", "https", "mailto"}


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.problems: list[str] = []
        self.links: list[dict] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in {"script", "iframe", "object", "embed", "style", "form", "base", "meta", "svg"}:
            self.problems.append(f"tag {tag}")
        for name, _value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"attribute {name}")
        if tag == "a":
            self.links.append(dict(attrs))


def audit(html: str) -> _Audit:
    parser = _Audit()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_cleaned_html_has_no_script_handler_or_foreign_scheme(payload):
    cleaned = clean_html(payload)
    result = audit(cleaned)
    assert result.problems == []
    for link in result.links:
        href = link.get("href", "")
        assert href.split(":", 1)[0].lower() in SAFE_SCHEMES, href
        assert not href.startswith("//")


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_absolute_links_carry_nofollow_noopener_noreferrer(payload):
    for link in audit(clean_html(payload)).links:
        assert {"nofollow", "noopener", "noreferrer"} <= set(link.get("rel", "").split())


def test_allowed_markup_survives():
    html = (
        '<p>Join <strong>us</strong> and <em>them</em>: <a href="https://openinfra.dev/">site</a></p>'
        "<ul><li>one</li><li>two</li></ul>"
    )
    cleaned = clean_html(html)
    assert "<strong>us</strong>" in cleaned
    assert "<ul><li>one</li><li>two</li></ul>" in cleaned
    assert 'href="https://openinfra.dev/"' in cleaned


def test_protocol_relative_link_from_real_content_becomes_https():
    cleaned = clean_html('see the <a href="//www.youtube.com/watch?v=yf5iFiCg_Tw">May 20</a> one')
    assert 'href="https://www.youtube.com/watch?v=yf5iFiCg_Tw"' in cleaned


def test_plain_text_paragraphs_become_paragraphs_and_stay_escaped():
    assert clean_html("a < b\n\nc & d") == "<p>a &lt; b</p><p>c &amp; d</p>"


def test_template_syntax_stays_literal():
    assert clean_html("{{7*7}}") == "{{7*7}}"


def test_plain_text_strips_tags_and_entities():
    assert to_plain_text("<p>A &amp; B</p>\n<p>C</p>") == "A & B C"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcdehilmnoprstv:&#;()[]{}\n")), max_size=80))
def test_cleaning_is_idempotent_on_markup_like_text(text):
    once = clean_html(text)
    assert clean_html(once) == once
    assert audit(once).problems == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_cleaning_is_idempotent_on_any_text(text):
    once = clean_html(text)
    assert clean_html(once) == once


def test_paragraphs_are_decided_after_cleaning_so_a_second_pass_changes_nothing():
    once = clean_html("a\n\n<script>x</script>b")
    assert once == "<p>a</p><p>b</p>"  # the script goes with its content
    assert clean_html(once) == once


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["a", "b c", "\n\n", "\n", "<script>x</script>", "<em>e</em>", "<p>", "&", "<"]
        ),
        max_size=12,
    ).map("".join)
)
def test_cleaning_is_idempotent_with_paragraph_breaks(text):
    once = clean_html(text)
    assert clean_html(once) == once


def test_plain_text_separates_list_items_and_lines():
    assert to_plain_text("<ul><li>one</li><li>two</li></ul>x") == "one two x"
    assert to_plain_text("a<br>b &lt;c&gt;") == "a b <c>"


def test_plain_text_keeps_words_whole_across_inline_markup_and_drops_comments():
    assert to_plain_text("un<strong>break</strong>able <!-- a > b --> end") == "unbreakable end"
    assert (
        to_plain_text("<P>One</P><DIV>two</DIV><blockquote>three</blockquote>") == "One two three"
    )
    assert to_plain_text("a < b and c<d") == "a < b and c<d"
    assert to_plain_text("<!-- never closed") == ""


class _ParsedText(HTMLParser):
    """The text a browser's parse of the markup shows, block tags as spaces: the oracle."""

    BLOCKS = frozenset({"p", "br", "li", "ul", "ol", "blockquote", "div"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(" " if tag in self.BLOCKS else "")


def parsed_text(markup: str) -> str:
    parser = _ParsedText()
    parser.feed(markup)
    parser.close()
    return " ".join("".join(parser.parts).split())


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abpliemr:&#;!-\n")), max_size=80))
def test_plain_text_of_cleaned_markup_is_what_a_parser_reads(text):
    cleaned = clean_html(text)
    assert to_plain_text(cleaned) == parsed_text(cleaned)


@pytest.mark.parametrize(
    ("raw", "html", "text"),
    [
        ("<p>Hi</p><script>alert(1)</script><style>p { color: red }</style>", "<p>Hi</p>", "Hi"),
        ('a <SCRIPT type="x">var a = "</p>";</script > b', "a  b", "a b"),
        ("before <script>never closed, runs to the end", "before", "before"),
        ("<template><p>kept for later</p></template>after", "after", "after"),
        ("<noscript>Turn on JavaScript</noscript>Hello", "Hello", "Hello"),
        ("<scripts>a made-up tag keeps its text</scripts>", "a made-up tag keeps its text", None),
    ],
)
def test_script_and_style_are_dropped_with_their_content(raw, html, text):
    assert clean_html(raw) == html
    if text is not None:
        assert to_plain_text(raw) == text
