"""Share cards: the 1200 × 630 PNG a link preview shows (``og:image``), drawn with Pillow, and
the Open Graph tags of every page.

Fonts come from the system's packages at known paths (``CARD_FONTS``, ``CARD_CJK_FONTS`` in the
config override them): DejaVu for Latin and Cyrillic, WenQuanYi Micro Hei for Chinese. A character
no installed font has is left out, never drawn as a box; a text that would lose half of itself
so (Chinese without the CJK font) is left off the card.
A drawing depends only on its :class:`Card`, so the last ones drawn are kept: a change elsewhere
on the site costs a query, not a new drawing.
"""

import functools
import io
import os
import re
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, request
from flask_babel import gettext, lazy_gettext, ngettext
from jinja2 import pass_context
from PIL import Image, ImageDraw, ImageFont

from openinfra_live import caching
from openinfra_live.templating import human_date
from openinfra_live.timezones import human_utc
from openinfra_live.urls import site_domain, site_url_for

WIDTH, HEIGHT = 1200, 630
# The site's colours (static/css/site.css): ink, muted, accent, panel, line.
INK, MUTED, ACCENT, WHITE = "#1b1f24", "#4a5360", "#a3113f", "#ffffff"
PANEL, LINE = "#f4f5f7", "#d0d5dc"
DEJAVU = "/usr/share/fonts/truetype/dejavu/"
FONTS = {"regular": DEJAVU + "DejaVuSans.ttf", "bold": DEJAVU + "DejaVuSans-Bold.ttf"}
CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",)
# Bumped when the drawing changes, so that validators of older drawings no longer match.
DRAWING = 1
MARGIN, BAND = 72, 16
TITLE_SIZES, TITLE_LINES, DETAIL_SIZE = (64, 56, 48), 4, 30
_CJK = r"\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
_TOKEN = re.compile(rf"\s*([{_CJK}]|[^\s{_CJK}]+)")


@dataclass(frozen=True)
class Card:
    """What a card says: a small line above (the show), the title, lines below, and the foot."""

    kicker: str
    title: str
    details: tuple[str, ...] = ()
    foot: str = ""


@dataclass(frozen=True)
class Fonts:
    """The font files found: a regular and a bold Latin face, and a CJK face when installed."""

    regular: str
    bold: str
    cjk: str | None


def fonts() -> Fonts:
    """The font files this site draws with, from the config or the known Debian paths."""
    latin = {**FONTS, **current_app.config.get("CARD_FONTS", {})}
    cjk = current_app.config.get("CARD_CJK_FONTS", CJK_FONTS)
    return Fonts(latin["regular"], latin["bold"], next((p for p in cjk if os.path.isfile(p)), None))


@functools.lru_cache(maxsize=32)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


@functools.lru_cache(maxsize=4096)
def has_glyph(path: str, char: str) -> bool:
    """Whether the font at ``path`` draws ``char`` itself rather than its "missing" box."""
    if char.isspace():
        return True
    # A private-use character is missing from these fonts: it draws as the font's box.
    return _drawn(path, char) != _drawn(path, "\ue000")


@functools.lru_cache(maxsize=64)
def _drawn(path: str, char: str) -> bytes:
    image = Image.new("L", (48, 48))
    ImageDraw.Draw(image).text((8, 8), char, font=_font(path, 24), fill=255)
    return image.tobytes()


def _face(text: str, latin: str, found: Fonts) -> tuple[str | None, str]:
    """The font to draw ``text`` with, and what of it to draw: ``latin`` when it has every
    character, else the CJK font when that has them; else the one that has most of them, without
    the others (never their boxes), or None when that would leave less than half of the text."""
    best, kept = None, ""
    for path in filter(None, (latin, found.cjk)):
        if all(has_glyph(path, c) for c in text):
            return path, text
        drawn = " ".join("".join(c for c in text if has_glyph(path, c)).split())
        best, kept = (path, drawn) if len(drawn) > len(kept) else (best, kept)
    visible = len("".join(text.split()))
    if best and 2 * len("".join(kept.split())) >= visible and any(c.isalnum() for c in kept):
        return best, kept
    return None, ""


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Words, and each CJK character on its own (a line may break between them), each with
    whether a space came before it."""
    return [(m.group(1), m.group(0) != m.group(1)) for m in _TOKEN.finditer(text)]


def _join(tokens: list[tuple[str, bool]]) -> str:
    return "".join((" " if space and i else "") + word for i, (word, space) in enumerate(tokens))


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of ``width`` pixels, broken between words; shortened
    with an ellipsis after the last whole word that fits when too long. Only a single word wider
    than a line is cut inside."""
    result: list[list[tuple[str, bool]]] = []
    line: list[tuple[str, bool]] = []
    for token in _tokens(text):
        if font.getlength(_join([*line, token])) <= width or not line:
            line.append(token)
            continue
        result.append(line)
        line = [token]
        if len(result) == lines:
            break
    else:
        if line:
            result.append(line)
        line = []
    fitted = [
        _join(t) if font.getlength(_join(t)) <= width else _ellipsis(t, font, width) for t in result
    ]
    if line and fitted and not fitted[-1].endswith("…"):  # words were left over
        fitted[-1] = _ellipsis(result[-1], font, width)
    return fitted


def _ellipsis(tokens: list[tuple[str, bool]], font: ImageFont.FreeTypeFont, width: int) -> str:
    while len(tokens) > 1 and font.getlength(_join(tokens) + "…") > width:
        tokens = tokens[:-1]
    text = _join(tokens).rstrip(",;:.–—-")
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _title_lines(title: str, path: str, width: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size at which the title fits, or the smallest one with an ellipsis."""
    for size in TITLE_SIZES:
        font = _font(path, size)
        lines = wrap(title, font, width, TITLE_LINES)
        if not lines[-1].endswith("…") or size == TITLE_SIZES[-1]:
            return font, lines
    raise AssertionError("unreachable")


@functools.lru_cache(maxsize=64)
def render(card: Card, found: Fonts) -> bytes:
    """The card as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, BAND - 1, HEIGHT), fill=ACCENT)
    draw.rectangle((BAND, HEIGHT - 96, WIDTH, HEIGHT), fill=PANEL)
    draw.line((BAND, HEIGHT - 97, WIDTH, HEIGHT - 97), fill=LINE, width=2)
    left, width, y = BAND + MARGIN - 16, WIDTH - BAND - 2 * MARGIN + 16, 60
    face, kicker = _face(card.kicker, found.bold, found)
    if face:
        draw.text((left, y), kicker.upper(), font=_font(face, 30), fill=ACCENT)
    y += 70
    face, title = _face(card.title, found.bold, found)
    if face and title.strip():
        font, lines = _title_lines(title, face, width)
        step = int(font.size * 1.2)
        for line in lines:
            draw.text((left, y), line, font=font, fill=INK)
            y += step
        y += 24
    for text in card.details:
        face, detail = _face(text, found.regular, found)
        room = min(2, (HEIGHT - 110 - y) // 42)  # lines left above the foot
        if not face or room < 1:
            continue
        for line in wrap(detail, _font(face, DETAIL_SIZE), width, room):
            draw.text((left, y), line, font=_font(face, DETAIL_SIZE), fill=MUTED)
            y += 42
        y += 8
    face, foot = _face(card.foot, found.bold, found)
    if face:
        draw.text((left, HEIGHT - 64), foot, font=_font(face, 28), fill=INK, anchor="lm")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def png(card: Card) -> Response:
    """The card as a cached PNG answer: its ETag follows what the card says and the fonts
    installed (a 304 when the visitor holds it); Last-Modified is the content version's."""
    found = fonts()
    parts = ("card", DRAWING, card, found)
    validators = caching.Validators.from_parts(parts, caching.data_validators().last_modified)
    build = functools.partial(Response, mimetype="image/png")
    return caching.respond(validators, lambda: build(render(card, found)))


def listing(names: list[str], limit: int = 4) -> str:
    """``A, B and C``; past ``limit`` names, ``A, B, C and 2 more``."""
    if len(names) > limit:
        more = len(names) - limit + 1
        names = [*names[: limit - 1], ngettext("%(num)d more", "%(num)d more", more)]
    if len(names) < 2:
        return "".join(names)
    return gettext("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])


def event_dates(event: Any) -> str:
    """``6 April 2026 to 10 April 2026``: the days of a PTG, as its page writes them."""
    return gettext(
        "%(start)s to %(end)s", start=human_date(event.starts_on), end=human_date(event.ends_on)
    )


def site_card() -> Card:
    """The card of pages without one of their own."""
    return Card(
        "OpenInfra Live & PTG",
        gettext("OpenInfra Live and the Project Teams Gathering"),
        (gettext("The weekly open infrastructure show, live on Thursdays at 14:00 UTC"),),
        site_domain(),
    )


# --- the tags: which address a page shares, and its image --------------------------------------

# Pages whose address may be shared. Any other page (status pages opened by a private link,
# sign-in and moderation, errors) shares the home page instead: its own address could hold a
# token, and a preview of it would tell nobody anything.
SHARED_PAGES = {"episodes.index", "episodes.archive", "episodes.detail", "proposals.propose"}
SHARED_PAGES |= {"ptg.index", "ptg.event", "ptg.register", "ptg.schedule"}
# The query a shared address keeps (the archive's search, year and page); anything else added
# to an address (tracking tags, junk) is not repeated in the tags.
SHARED_QUERY = ("q", "year", "page")
SITE_ALT = lazy_gettext(
    "OpenInfra Live & PTG: the weekly open infrastructure show and the Project Teams Gathering"
)


@dataclass(frozen=True)
class ShareMeta:
    """The values of one page's Open Graph and Twitter card tags, addresses absolute."""

    url: str
    image: str
    image_alt: str
    type: str = "website"
    title: str = ""


def _page_url() -> str:
    endpoint, args = request.endpoint or "", dict(request.view_args or {})
    if endpoint not in SHARED_PAGES or "token" in args:
        return site_url_for("episodes.index")
    query = {key: request.args[key] for key in SHARED_QUERY if request.args.get(key)}
    return site_url_for(endpoint, **{**query, **args})


@pass_context
def share_meta(context: Any) -> ShareMeta:
    """The page's tags: its card when it has one (an episode, a PTG), else the site's."""
    url, endpoint = _page_url(), request.endpoint or ""
    episode, event = context.get("episode"), context.get("event")
    if context.get("error") is not None:  # an error page, at whatever address was asked for
        url, endpoint = site_url_for("episodes.index"), ""
    if endpoint == "episodes.detail" and episode is not None:
        image = site_url_for("episodes.card", slug=episode.slug)
        alt = gettext(
            "%(title)s: OpenInfra Live, %(when)s",
            title=episode.title,
            when=human_utc(episode.starts_at),
        )
        return ShareMeta(url, image, alt, "article", episode.title)
    if endpoint in SHARED_PAGES and endpoint.startswith("ptg.") and event is not None:
        alt = gettext(
            "%(name)s: the Project Teams Gathering, %(dates)s",
            name=event.name,
            dates=event_dates(event),
        )
        image = site_url_for("ptg.card", event=event.slug)
        return ShareMeta(url, image, alt)
    return ShareMeta(url, site_url_for("episodes.site_card"), str(SITE_ALT))
