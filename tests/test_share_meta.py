"""Open Graph and Twitter card tags on every page a visitor opens without signing in: absolute
addresses on the configured site address (never the request's host), an image with its size and
a text; a page opened by a private link shares the home page, never its own address."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests.browser.site_pages import ACCOUNT_LINKS, PAGES, DemoSite, Visit, build_demo_site

SITE = "https://share.example/live"
REQUIRED = ("og:title", "og:description", "og:url", "og:image", "og:image:width")
REQUIRED += ("og:image:height", "og:image:alt", "og:type", "og:site_name", "twitter:card")
# Pages opened by a private link (a token in the address): they must not share it.
PRIVATE = {"proposal-status", "proposal-status-changes", "proposal-withdraw"}
PRIVATE |= {"ptg-registration-status", "ptg-registration-withdraw"}
PRIVATE |= {"login-reset-password", "invitation", "login-reset-invalid"}
# Pages of content, which share their own address; sign-in, settings and errors share the home.
OWN_ADDRESS = {"home", "archive", "archive-search", "archive-empty-search", "archive-empty-year"}
OWN_ADDRESS |= {"episode-past", "episode-upcoming", "special", "propose", "ptg", "ptg-event"}
OWN_ADDRESS |= {"ptg-register", "ptg-schedule"}
PUBLIC_VISITS = [visit for visit in PAGES if not visit.moderator and visit.submit is None]


class MetaTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        name = values.get("property") or values.get("name")
        if tag == "meta" and name and (name.startswith(("og:", "twitter:"))):
            self.tags.setdefault(name, []).append(values.get("content") or "")


def meta_of(html: str) -> dict[str, str]:
    parser = MetaTags()
    parser.feed(html)
    assert all(len(values) == 1 for values in parser.tags.values()), parser.tags
    return {name: values[0] for name, values in parser.tags.items()}


@pytest.fixture
def site(app) -> DemoSite:
    site = build_demo_site(app, "http://live.test")
    app.config["SITE_URL"] = SITE + "/"  # after the demo: its private links are paths here
    return site


def _page(client, site: DemoSite, visit: Visit) -> tuple[str, dict[str, str]]:
    path = visit.path(site)
    response = client.get(path, base_url="http://attacker.example")
    assert response.status_code == visit.status, path
    return path, meta_of(response.get_data(as_text=True))


def test_every_public_page_has_complete_share_tags(app, client, site):
    checked = 0
    for visit in PUBLIC_VISITS:
        path, meta = _page(client, site, visit)
        missing = [name for name in REQUIRED if not meta.get(name, "").strip()]
        assert not missing, (visit.name, missing)
        assert meta["twitter:card"] == "summary_large_image"
        assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
        for name in ("og:url", "og:image"):
            assert meta[name].startswith(SITE + "/"), (visit.name, name, meta[name])
        assert "attacker.example" not in str(meta)
        assert "None" not in meta["og:image:alt"] and "{" not in meta["og:title"]
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize("visit", PUBLIC_VISITS, ids=lambda visit: visit.name)
def test_a_content_page_shares_its_own_address_and_others_the_home_page(client, site, visit):
    path, meta = _page(client, site, visit)

    assert meta["og:url"] == (SITE + path if visit.name in OWN_ADDRESS else SITE + "/")


@pytest.mark.parametrize(
    "visit", [v for v in PUBLIC_VISITS if v.name in PRIVATE], ids=lambda visit: visit.name
)
def test_a_private_page_shares_the_home_page_and_not_its_token(app, client, site, visit):
    path, meta = _page(client, site, visit)
    secrets = [site.proposal_token, site.registration_token, site.changes_token]
    secrets += [urlsplit(link).path.rsplit("/", 1)[-1] for link in ACCOUNT_LINKS.values()]

    assert meta["og:url"] == SITE + "/"
    assert not any(secret and secret in value for secret in secrets for value in meta.values())
    assert meta["og:image"] == SITE + "/card.png"


def test_an_episode_page_names_its_own_card(app, client, site):
    _, meta = _page(client, site, Visit("episode", lambda s: f"/episodes/{s.past_episode}/"))

    assert meta["og:image"] == f"{SITE}/episodes/{site.past_episode}/card.png"
    assert meta["og:type"] == "article"
    assert "UTC" in meta["og:image:alt"]
    image = client.get(urlsplit(meta["og:image"]).path.removeprefix("/live"))
    assert image.status_code == 200
    assert image.mimetype == "image/png"


@pytest.mark.parametrize("page", ["/ptg/{event}/", "/ptg/{event}/schedule", "/ptg/"])
def test_ptg_pages_name_the_ptg_card(app, client, site, page):
    _, meta = _page(client, site, Visit("ptg", lambda s: page.format(event=s.event)))

    assert meta["og:image"] == f"{SITE}/ptg/{site.event}/card.png"
    image = client.get(f"/ptg/{site.event}/card.png")
    assert image.status_code == 200


def test_only_the_archive_query_is_shared(client, site):
    path = f"/episodes/{site.past_episode}/?utm_source=x&slug=other"
    meta = meta_of(client.get(path).get_data(as_text=True))
    archive = meta_of(client.get("/episodes/?q=edge&utm_source=x").get_data(as_text=True))

    assert meta["og:url"] == f"{SITE}/episodes/{site.past_episode}/"
    assert archive["og:url"] == f"{SITE}/episodes/?q=edge"


def test_pages_without_a_card_of_their_own_name_the_site_card(app, client, site):
    for path in ("/", "/episodes/", "/propose", "/no-such-page", "/episodes/no-such-episode/"):
        meta = meta_of(client.get(path).get_data(as_text=True))
        assert meta["og:image"] == SITE + "/card.png", path
        if path.startswith("/no") or "no-such" in path:  # an error page shares the home page
            assert meta["og:url"] == SITE + "/", path
    assert client.get("/card.png").status_code == 200
