"""The numbers pages: figures as the public pages count them, every chart a well-formed SVG
with a title and its data, the same figures in a table beside it, the CSV downloads, the
years the site has, and the cache."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from openinfra_live.numbers.charts import NAMES
from tests.numbers.conftest import at
from tests.statements import statements_of

SVG = "{http://www.w3.org/2000/svg}"


class Tables(HTMLParser):
    """Each table of a page: its caption and its rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.cell: list[str] | None = None
        self.images: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th", "caption"):
            self.cell = []
        elif tag == "img":
            self.images.append(dict(attrs))

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def handle_endtag(self, tag):
        if tag == "caption" and self.cell is not None:
            self.tables[-1]["caption"] = "".join(self.cell).strip()
        elif tag in ("td", "th") and self.cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self.cell).split()))
        if tag in ("td", "th", "caption"):
            self.cell = None


def read_page(client, url: str) -> tuple[str, Tables]:
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.get_data(as_text=True)
    parsed = Tables()
    parsed.feed(page)
    return page, parsed


def table(parsed: Tables, caption: str) -> list[list[str]]:
    return next(t["rows"] for t in parsed.tables if t["caption"].startswith(caption))


def svg_of(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.content_type.startswith("image/svg+xml")
    assert "script" not in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    body = response.get_data(as_text=True)
    assert "<script" not in body.lower()
    # Nothing is fetched from elsewhere: every reference stays inside the image.
    hrefs = re.findall(r'(?:xlink:)?href="([^"]*)"', body)
    assert all(href.startswith("#") for href in hrefs), hrefs
    assert "url(http" not in body
    return ET.fromstring(body)


def bars_of(svg: ET.Element) -> list[str]:
    return [g.get("id") for g in svg.iter(f"{SVG}g") if (g.get("id") or "").startswith("bar-")]


def texts_of(svg: ET.Element) -> list[str]:
    return ["".join(t.itertext()).strip() for t in svg.iter(f"{SVG}text")]


def test_a_year_page_shows_its_figures(client, known):
    page, parsed = read_page(client, "/numbers/2024/")
    assert "<h1>2024 in numbers</h1>" in page
    text = " ".join(page.split())
    assert "Hours of content</dt><dd>5</dd>" in text
    assert "5, from 3 organisations" in text
    assert "First-time guests</dt><dd>4</dd>" in text
    assert "7: 4 approved, 2 scheduled" in text
    assert "41 days (the median of 3 episodes proposed on this site)" in text
    assert "4,000 over 2 episodes with a count; a median of 2,000 an episode" in text
    assert "5 teams at 2 events" in text
    assert "Audience questions</dt><dd>3 questions asked, 1 answered on air" in text
    assert "an average of 200 at the peak, over 2 episodes with a count" in text
    assert 'href="/episodes/' in text and "Ann again, with Cy</a> (3,000 views" in text
    assert "Hidden" not in text and "99,999" not in text


@pytest.mark.parametrize("name", NAMES)
def test_every_chart_of_a_year_is_an_svg_with_a_title_and_its_data_and_a_table(client, known, name):
    page, parsed = read_page(client, "/numbers/2024/")
    image = next(i for i in parsed.images if i["src"].startswith(f"/numbers/2024/{name}.svg?v="))
    svg = svg_of(client, image["src"])
    title = svg.find(f"{SVG}title")
    assert title is not None and title.text
    assert svg.find(f"{SVG}desc").text.startswith(title.text)
    assert image["alt"].startswith(title.text)
    rows = table(parsed, title.text)
    header, body = rows[0], rows[1:]
    series = len(header) - 1
    # A bar for every figure of the table (zero-height ones too), and the figures as text.
    assert len(bars_of(svg)) == len(body) * series
    if series == 1 and name != "views":
        texts = texts_of(svg)
        assert all(row[1] in texts for row in body), (texts, body)
    assert {
        "episodes": lambda: (
            body[0] == ["Jan", "1"] and body[11] == ["Dec", "1"] and len(body) == 12
        ),
        "views": lambda: [row[1] for row in body] == ["1,000", "3,000"],
        "proposals": lambda: (
            dict(body)["Still under review"] == "2" and dict(body)["Scheduled"] == "2"
        ),
        "ptg": lambda: (
            body
            == [
                ["PTG March 2024", "1", "1", "1", "0"],
                ["PTG October 2024", "2", "0", "0", "0"],
            ]
        ),
    }[name]()


def test_every_year_page_lists_each_year_and_links_to_it(client, known):
    page, parsed = read_page(client, "/numbers/")
    rows = table(parsed, "The figures of each year")
    assert [row[0] for row in rows[1:]] == ["2025 (so far)", "2024", "2023"]
    assert rows[2][:5] == ["2024", "4", "5", "5", "4"]
    for year in (2023, 2024, 2025):
        assert f'href="/numbers/{year}/"' in page
    for name in NAMES:
        svg = svg_of(client, f"/numbers/{name}.svg")
        assert svg.find(f"{SVG}title").text
    years = bars_of(svg_of(client, "/numbers/episodes.svg"))
    assert len(years) == 3


def test_a_year_in_progress_says_so_far(client, known):
    page, _ = read_page(client, "/numbers/2025/")
    assert "2025 in numbers, so far" in page
    assert "The figures so far" in page


def test_a_year_without_data_says_so_and_years_outside_the_site_are_not_found(client, known):
    page, _ = read_page(client, "/numbers/2012/")
    assert "The site knows of nothing in 2012" in page
    assert "<img" not in page
    for url in ("/numbers/1989/", "/numbers/3000/", "/numbers/99999.csv", "/numbers/2024/pie.svg"):
        assert client.get(url).status_code == 404, url


def test_a_chart_with_nothing_to_draw_is_not_offered(client, known):
    page, _ = read_page(client, "/numbers/2023/")
    assert "/numbers/2023/ptg.svg" not in page
    assert client.get("/numbers/2023/ptg.svg").status_code == 404


def test_the_year_csv_holds_the_same_figures(client, known):
    response = client.get("/numbers/2024.csv")
    assert response.content_type == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1
    row = rows[0]
    assert row["Year"] == "2024"
    assert (row["Episodes aired"], row["Hours of content"], row["Guests"]) == ("4", "5", "5")
    assert (row["First-time guests"], row["Proposals received"]) == ("4", "7")
    assert (row["Proposals approved"], row["Proposals scheduled"]) == ("4", "2")
    assert row["Median days from proposal to air"] == "41"
    assert (row["Views"], row["Median views per episode"]) == ("4000", "2000")
    assert row["Most watched episode"] == "Ann again, with Cy"
    assert (row["PTG events"], row["PTG teams"], row["PTG project teams"]) == ("2", "5", "3")
    asked = (row["Audience questions asked"], row["Audience questions answered on air"])
    assert asked == ("3", "1")
    live = (row["Episodes with a live count"], row["Average peak live viewers"])
    assert live == ("2", "200")


def test_the_csv_of_every_year_has_a_row_a_year_and_the_total(client, known):
    rows = list(csv.reader(io.StringIO(client.get("/numbers/all.csv").get_data(as_text=True))))
    assert [row[0] for row in rows[1:]] == ["2025", "2024", "2023", "All years"]
    assert rows[-1][1] == "6"


def test_a_title_that_looks_like_a_formula_stays_text_in_the_csv(app, client, now):
    with app.app_context():
        from tests.episodes.builders import make_episode

        make_episode("=HYPERLINK(1)", at(2024, 2, 1), views=5)
    rows = list(csv.DictReader(io.StringIO(client.get("/numbers/2024.csv").get_data(as_text=True))))
    assert rows[0]["Most watched episode"] == "'=HYPERLINK(1)"


def test_nothing_to_count_says_so(client, now):
    page, _ = read_page(client, "/numbers/")
    assert "There is nothing to count yet" in page


def test_the_pages_are_cached_under_the_content_version_and_a_change_shows(
    app, client, known, steady_statement_count
):
    client.get("/numbers/2024/")
    again = []
    assert statements_of(app, lambda: again.append(client.get("/numbers/2024/"))) == []
    assert again[0].status_code == 200
    with app.app_context():
        episode = db.session.scalars(db.select(Episode).where(Episode.title == "Ann and Bob")).one()
        episode.hidden = True
        db.session.commit()
    page, _ = read_page(client, "/numbers/2024/")
    assert "3,000 over 1 episode with a count" in " ".join(page.split())


def test_the_chart_svg_is_the_same_for_the_same_figures(client, known, app):
    first = client.get("/numbers/2024/episodes.svg").get_data()
    from openinfra_live import caching

    caching.clear(app)
    assert client.get("/numbers/2024/episodes.svg").get_data() == first


def test_charts_are_drawn_outside_the_web_worker_and_keep_any_language(app, client, known):
    """matplotlib draws in a process of its own: the worker never loads it (its memory), and
    titles in any script come back as they were written."""
    import sys

    from tests.ptg.builders import make_event, make_team

    with app.app_context():
        event = make_event(
            "2024-shanghai", "PTG 上海 2024", at(2024, 11, 4).date(), at(2024, 11, 8).date()
        )
        make_team(event, "Nova")
        db.session.commit()
    svg = svg_of(client, "/numbers/2024/ptg.svg")
    assert "PTG 上海 2024" in texts_of(svg)
    assert "matplotlib" not in sys.modules


def test_a_chart_is_named_by_its_figures_so_a_change_of_figures_is_a_new_image(app, client, known):
    _, parsed = read_page(client, "/numbers/2024/")
    before = {image["src"] for image in parsed.images}
    with app.app_context():
        episode = db.session.scalars(db.select(Episode).where(Episode.title == "Ann and Bob")).one()
        episode.views = 1234
        db.session.commit()
    _, parsed = read_page(client, "/numbers/2024/")
    after = {image["src"] for image in parsed.images}
    changed = before ^ after
    # The views chart has new figures, and so a new address; the others keep theirs.
    assert {src.split("?")[0] for src in changed} == {"/numbers/2024/views.svg"}
    new_views = next(src for src in after if src.startswith("/numbers/2024/views.svg"))
    assert "1,234" in client.get(new_views).get_data(as_text=True)
