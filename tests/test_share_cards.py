"""Share cards: a 1200 × 630 PNG per episode and per PTG, and the site's, drawn with Pillow;
the title wrapped at words and shortened with an ellipsis, Chinese drawn with a CJK font and
never as boxes; cached under the content version with validators, drawn once per change."""

import io
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image, ImageChops, ImageDraw

from openinfra_live import cards
from openinfra_live.episodes.cards import episode_card
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from tests.episodes.builders import make_episode
from tests.ptg.builders import make_event
from tests.statements import statements_of
from tests.system_parts import missing

STARTS = datetime(2024, 5, 9, 14, 0, tzinfo=UTC)
CHINESE = "开放基础设施直播：边缘计算"
# The part of the card the title is drawn in (below the show's name, above the details).
TITLE_AREA = (72, 130, 1130, 200)
LONG_TITLE = " ".join(f"word{n:02d}" for n in range(50))[:300]


def _image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def _dark_pixels(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Pixels of text colour (the ink is dark on the white card) inside ``box``."""
    return sum(image.crop(box).convert("L").histogram()[:80])


def _differing(a: Image.Image, b: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Pixels that differ between ``a`` and ``b`` inside ``box``."""
    difference = ImageChops.difference(a.crop(box), b.crop(box)).convert("L")
    return sum(difference.point(lambda v: 255 if v else 0).histogram()[1:])


def _blank_title(app, slug: str) -> Image.Image:
    """The same episode's card drawn with no title at all."""
    with app.test_request_context("/"):
        episode = db.session.scalar(db.select(Episode).filter_by(slug=slug))
        card = episode_card(episode)
        blank = cards.Card(card.kicker, "", card.details, card.foot)
        return _image(cards.render(blank, cards.fonts()))


def _require_cjk_font() -> str:
    path = cards.CJK_FONTS[0]
    if not os.path.isfile(path):
        missing("The WenQuanYi Micro Hei font", "apt-get install fonts-wqy-microhei")
    return path


@pytest.fixture(autouse=True)
def dejavu() -> None:
    for path in cards.FONTS.values():
        if not os.path.isfile(path):
            missing("The DejaVu fonts", "apt-get install fonts-dejavu-core")


@pytest.fixture
def episode(app):
    with app.app_context():
        return make_episode(
            "Running OpenStack at the edge", STARTS, slug="edge", guests=["Ana Rail", "Bo Chen"]
        ).slug


def test_the_card_is_a_1200_by_630_png_with_the_title_drawn(app, client, episode):
    response = client.get("/episodes/edge/card.png")

    image = _image(response.get_data())
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert image.size == (1200, 630)
    assert _dark_pixels(image, TITLE_AREA) > 2000
    assert _differing(image, _blank_title(app, "edge"), TITLE_AREA) > 2000


def test_the_card_says_when_in_utc_and_who(app, episode):
    with app.test_request_context("/"):
        card = episode_card(db.session.scalar(db.select(Episode).filter_by(slug="edge")))
    plain = replace(card, details=())

    assert card.kicker == "OpenInfra Live"
    assert card.title == "Running OpenStack at the edge"
    assert card.details == ("Thu 9 May 2024, 14:00 UTC", "With Ana Rail and Bo Chen")
    assert card.foot == "live.test"
    drawn, bare = _image(cards.render(card, FONTS)), _image(cards.render(plain, FONTS))
    assert _differing(drawn, bare, (72, 200, 1130, 520)) > 1000


def test_a_300_character_title_is_wrapped_at_words_and_shortened(app, client):
    with app.app_context():
        make_episode(LONG_TITLE, STARTS, slug="long")
    response = client.get("/episodes/long/card.png")

    image = _image(response.get_data())
    assert response.status_code == 200
    assert image.size == (1200, 630)
    assert _dark_pixels(image, TITLE_AREA) > 2000
    with app.test_request_context("/"):
        font = cards._font(cards.fonts().bold, cards.TITLE_SIZES[-1])
    lines = cards.wrap(LONG_TITLE, font, 1000, cards.TITLE_LINES)
    assert len(lines) == cards.TITLE_LINES
    assert lines[-1].endswith("…")
    words = set(LONG_TITLE.split())
    assert all(word in words for line in lines for word in line.rstrip("…").split())
    assert all(font.getlength(line) <= 1000 for line in lines)


def test_the_details_never_run_into_the_foot():
    names = ", ".join(f"Guest Number{n} Withalongname" for n in range(12))
    # Four lines at the largest size: the title takes the most room it can.
    title = "OpenInfra Live, the weekly open infrastructure show, and the Project Teams Gathering"
    card = cards.Card("OpenInfra Live", title, ("Thu 9 May 2024, 14:00 UTC", names), "x")
    image = _image(cards.render(card, FONTS))

    gap = image.crop((0 + cards.BAND, 630 - 108, 1200, 630 - 98)).convert("L")
    assert gap.getextrema() == (255, 255)  # white all along, just above the foot's line
    details = image.crop((72, 440, 1130, 520)).convert("L")
    assert sum(details.histogram()[:200]) > 1000  # while the details are drawn


def test_a_short_title_keeps_every_word_and_no_ellipsis():
    font = cards._font(FONTS.bold, 64)
    lines = cards.wrap("Running OpenStack at the edge: lessons from telcos", font, 1000, 4)
    assert " ".join(lines) == "Running OpenStack at the edge: lessons from telcos"
    assert len(lines) > 1
    assert not any(line.endswith("…") for line in lines)


def test_a_chinese_title_is_drawn_with_a_cjk_font_not_as_boxes(app, client):
    cjk = _require_cjk_font()
    with app.app_context():
        make_episode(CHINESE, STARTS, slug="chinese")
    response = client.get("/episodes/chinese/card.png")

    image = _image(response.get_data())
    assert response.status_code == 200
    assert image.size == (1200, 630)
    assert _dark_pixels(image, TITLE_AREA) > 2000
    assert all(cards.has_glyph(cjk, char) for char in CHINESE)
    # The check that keeps boxes out tells a font without these characters apart.
    assert not any(cards.has_glyph(FONTS.bold, char) for char in "开放基础")
    # The title is exactly the CJK font's drawing, and not the boxes DejaVu alone would draw.
    assert _differing(image, _title_drawn_with(cjk), TITLE_AREA) == 0
    assert _differing(image, _title_drawn_with(FONTS.bold), TITLE_AREA) > 2000


def _title_drawn_with(font_path: str) -> Image.Image:
    image = Image.new("RGB", (1200, 630), cards.WHITE)
    font = cards._font(font_path, cards.TITLE_SIZES[0])
    ImageDraw.Draw(image).text(TITLE_AREA[:2], CHINESE, font=font, fill=cards.INK)
    return image


def test_without_a_cjk_font_a_chinese_title_is_left_off_rather_than_boxed(app, client):
    app.config["CARD_CJK_FONTS"] = ("/nonexistent/font.ttc",)
    with app.app_context():
        make_episode(CHINESE, STARTS, slug="chinese")
    response = client.get("/episodes/chinese/card.png")

    image = _image(response.get_data())
    assert response.status_code == 200
    assert _differing(image, _blank_title(app, "chinese"), (0, 0, 1200, 630)) == 0
    drawn = sum(image.crop((72, 130, 1130, 330)).convert("L").histogram()[:200])
    assert drawn > 1000  # the date and time are still there, in the title's place


def test_a_character_no_font_has_is_left_out_not_boxed():
    with_rocket = cards.Card("OpenInfra Live", "Edge clouds 🚀 in rail yards")
    without = cards.Card("OpenInfra Live", "Edge clouds in rail yards")
    boxed = _image(cards.render(with_rocket, FONTS))

    assert not cards.has_glyph(FONTS.bold, "🚀")
    assert _differing(boxed, _image(cards.render(without, FONTS)), (0, 0, 1200, 630)) == 0


def test_cyrillic_is_drawn_with_dejavu():
    assert all(cards.has_glyph(FONTS.bold, char) for char in "Облачная инфраструктура")
    card = cards.Card("OpenInfra Live", "Облачная инфраструктура")
    blank = cards.Card("OpenInfra Live", "")
    drawn = _differing(
        _image(cards.render(card, FONTS)), _image(cards.render(blank, FONTS)), TITLE_AREA
    )
    assert drawn > 2000


def test_a_repeat_visit_gets_304(app, client, episode):
    first = client.get("/episodes/edge/card.png")
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]

    by_etag = client.get("/episodes/edge/card.png", headers={"If-None-Match": etag})
    by_date = client.get("/episodes/edge/card.png", headers={"If-Modified-Since": last_modified})

    assert by_etag.status_code == 304
    assert by_etag.get_data() == b""
    assert by_date.status_code == 304


def test_a_change_of_the_episode_changes_the_etag_and_the_image(app, client, episode):
    first = client.get("/episodes/edge/card.png")
    with app.app_context():
        db.session.scalar(db.select(Episode).filter_by(slug="edge")).title = "Edge, take two"
        db.session.commit()

    second = client.get("/episodes/edge/card.png", headers={"If-None-Match": first.headers["ETag"]})

    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"]
    assert second.get_data() != first.get_data()


def test_the_card_is_drawn_once_per_change_of_the_episode(app, client, episode):
    cards.render.cache_clear()
    for _ in range(3):
        assert client.get("/episodes/edge/card.png").status_code == 200
    etag = client.get("/episodes/edge/card.png").headers["ETag"]
    with app.app_context():  # another episode: the site's content changes, this card does not
        make_episode("Something else", datetime(2024, 6, 6, 14, 0, tzinfo=UTC))
    after_other = client.get("/episodes/edge/card.png")
    assert cards.render.cache_info().misses == 1
    assert after_other.headers["ETag"] == etag

    with app.app_context():
        db.session.scalar(db.select(Episode).filter_by(slug="edge")).guest_pairs = [("Cy", "")]
        db.session.commit()
    assert client.get("/episodes/edge/card.png").status_code == 200
    assert cards.render.cache_info().misses == 2


@pytest.mark.parametrize("slug", ["hidden", "no-such-episode"])
def test_a_hidden_or_unknown_episode_has_no_card(app, client, slug):
    with app.app_context():
        make_episode("Not yet public", STARTS, slug="hidden", hidden=True)

    assert client.get(f"/episodes/{slug}/card.png").status_code == 404


def test_a_ptg_has_its_own_card(app, client):
    with app.app_context():
        make_event(location="Vancouver", format="hybrid")
        db.session.commit()
    response = client.get("/ptg/2030-march/card.png")

    image = _image(response.get_data())
    assert response.status_code == 200
    assert image.size == (1200, 630)
    assert _dark_pixels(image, TITLE_AREA) > 2000
    again = client.get(
        "/ptg/2030-march/card.png", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    assert client.get("/ptg/no-such-ptg/card.png").status_code == 404


def test_a_card_costs_no_statement_once_cached(app, client, episode, steady_statement_count):
    client.get("/episodes/edge/card.png")

    statements = statements_of(app, lambda: client.get("/episodes/edge/card.png"))

    assert statements == []


def test_the_site_has_a_card(app, client):
    response = client.get("/card.png")

    assert response.status_code == 200
    assert _image(response.get_data()).size == (1200, 630)


def test_guest_lists_are_shortened():
    assert cards.listing(["A"]) == "A"
    assert cards.listing(["A", "B"]) == "A and B"
    assert cards.listing(["A", "B", "C", "D"]) == "A, B, C and D"
    assert cards.listing(["A", "B", "C", "D", "E", "F"]) == "A, B, C and 3 more"


FONTS = cards.Fonts(cards.FONTS["regular"], cards.FONTS["bold"], cards.CJK_FONTS[0])


def test_a_special_card_says_its_dates_and_size(app_ctx):
    from openinfra_live.episodes.specials import SegmentFields, add_segment, create_special

    start = datetime(2031, 6, 2, 14, 0, tzinfo=UTC)
    special = create_special(title="Keynotes", starts_at=start, duration_minutes=60)
    add_segment(special, SegmentFields("Opening", start, 60, [("Ada Lovelace", "")]))
    add_segment(
        special, SegmentFields("Day two", start + timedelta(days=1), 60, [("Alan Turing", "")])
    )
    card = episode_card(special)
    assert card.details[0] == "2 June 2031 to 3 June 2031 · 2 days · 2 segments"
    assert card.details[1] == "With Ada Lovelace and Alan Turing"
