"""The language a page is written in: chosen with the chooser (a cookie), else the browser's,
else English; kept apart in every cache."""

import re
from datetime import UTC, datetime

import pytest

from bench import servers
from openinfra_live import i18n
from tests.conftest import another_app, csrf_token_from, post_form
from tests.episodes.builders import make_episode
from tests.test_edit_links import behind_nginx


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("pt-BR,pt;q=0.9,en;q=0.8", "pt_BR"),
        ("pt-PT", "pt_BR"),  # the nearest we have
        ("zh-CN,zh;q=0.9", "zh_Hans_CN"),
        ("zh-Hans", "zh_Hans_CN"),
        ("zh", "zh_Hans_CN"),
        # Traditional Chinese readers are not answered in Simplified Chinese.
        ("zh-TW,en;q=0.5", "en"),
        ("fr-FR,fr;q=0.9", "en"),
        ("fr;q=0.9,pt;q=0.8,en;q=0.7", "pt_BR"),
        ("en;q=0.5,zh-CN;q=0.9", "zh_Hans_CN"),  # by quality, not by position
        ("pt-BR;q=0", "en"),  # q=0 is "not this one"
        ("pt;q=abc,de", "en"),
        ("*", "en"),
    ],
)
def test_the_browser_languages_choose_the_best_of_ours(header, language):
    assert i18n.from_accept_language(header) == language


def test_every_language_has_its_own_name():
    assert i18n.LANGUAGES == {
        "en": "English",
        "zh_Hans_CN": "简体中文",
        "pt_BR": "Português (Brasil)",
    }
    assert i18n.html_lang("zh_Hans_CN") == "zh-Hans-CN"
    assert i18n.html_lang("pt_BR") == "pt-BR"


def test_the_chosen_language_beats_the_browser(client):
    client.set_cookie("lang", "pt_BR", domain="live.test")
    response = client.get("/", headers={"Accept-Language": "zh-CN"})
    assert response.headers["Content-Language"] == "pt-BR"
    assert '<html lang="pt-BR"' in response.get_data(as_text=True)


def test_an_unknown_chosen_language_is_ignored(client):
    client.set_cookie("lang", "xx", domain="live.test")
    response = client.get("/", headers={"Accept-Language": "zh-CN"})
    assert response.headers["Content-Language"] == "zh-Hans-CN"


@pytest.mark.parametrize("header", [None, "pt-BR", "zh-CN"])
def test_a_page_says_its_language(client, header):
    headers = {"Accept-Language": header} if header else {}
    response = client.get("/", headers=headers)
    expected = i18n.html_lang(i18n.from_accept_language(header))
    assert response.headers["Content-Language"] == expected
    assert f'<html lang="{expected}"' in response.get_data(as_text=True)


def test_the_cache_keeps_each_language_apart(client):
    """The same address in three languages, asked in turn twice (the second time from the
    response cache): each answer in its own language, each with its own validator."""
    etags = {}
    for _ in range(2):
        for header in ("en", "pt-BR", "zh-CN"):
            response = client.get("/episodes/", headers={"Accept-Language": header})
            language = i18n.html_lang(i18n.from_accept_language(header))
            assert response.headers["Content-Language"] == language
            assert f'<html lang="{language}"' in response.get_data(as_text=True)
            assert "Accept-Language" in response.headers["Vary"]
            etags.setdefault(header, response.headers["ETag"])
            assert response.headers["ETag"] == etags[header]
    assert len(set(etags.values())) == 3


def test_a_validator_of_one_language_is_not_fresh_in_another(client):
    english = client.get("/episodes/", headers={"Accept-Language": "en"})
    again = client.get(
        "/episodes/",
        headers={"Accept-Language": "pt-BR", "If-None-Match": english.headers["ETag"]},
    )
    assert again.status_code == 200
    assert again.headers["Content-Language"] == "pt-BR"


def test_the_language_page_offers_each_language_in_its_own_words(client):
    html = client.get("/language?next=/episodes/").get_data(as_text=True)
    for language, name in i18n.LANGUAGES.items():
        assert f'value="{language}"' in html
        assert f'lang="{i18n.html_lang(language)}">{name}</label>' in html
    assert 'name="next" type="hidden" value="/episodes/"' in html


def test_choosing_a_language_sets_the_cookie_and_goes_back(client):
    response = post_form(
        client, "/language?next=/episodes/", {"language": "zh_Hans_CN", "next": "/episodes/"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/episodes/")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=zh_Hans_CN")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/episodes/")
    assert page.headers["Content-Language"] == "zh-Hans-CN"


def test_the_footer_chooser_works_from_a_shared_page(client):
    """The footer's form is on pages every visitor shares: its token is not the session's."""
    html = client.get("/episodes/").get_data(as_text=True)
    token = csrf_token_from(html.split('action="/language"', 1)[1])
    other_visitor = client.application.test_client()
    response = other_visitor.post(
        "/language", data={"csrf_token": token, "language": "pt_BR", "next": "/episodes/"}
    )
    assert response.status_code == 303
    assert response.headers["Set-Cookie"].startswith("lang=pt_BR")


def test_a_language_sent_from_another_site_is_refused(client):
    html = client.get("/language").get_data(as_text=True)
    response = client.post(
        "/language",
        data={"csrf_token": csrf_token_from(html), "language": "pt_BR"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 400
    assert "lang=" not in response.headers.get("Set-Cookie", "")


def test_an_unknown_language_is_refused_with_an_error(client):
    response = post_form(client, "/language", {"language": "xx"})
    assert response.status_code == 200
    assert "Pick a language from the list." in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers


def test_a_foreign_next_goes_home(client):
    response = post_form(client, "/language", {"language": "pt_BR", "next": "//evil.com"})
    assert response.status_code == 303
    assert "evil.com" not in response.headers["Location"]


def test_feeds_and_invites_are_written_in_the_language_of_their_address(client):
    english = client.get("/calendar.ics", headers={"Accept-Language": "pt-BR"})
    portuguese = client.get("/calendar.ics?lang=pt_BR")
    assert english.status_code == portuguese.status_code == 200
    assert "Accept-Language" not in english.headers.get("Vary", "")
    assert english.headers["ETag"] != portuguese.headers["ETag"]


def test_through_nginx_each_language_gets_its_own_page(app, tmp_path):
    """deploy/nginx.conf keeps pages five seconds: a page in one language is never the copy
    served to a visitor whose browser asks for, or who chose, another."""
    asked = [
        ({"Accept-Language": "pt-BR"}, "pt-BR"),
        ({"Accept-Language": "pt-BR"}, "pt-BR"),
        ({}, "en"),
        ({"Accept-Language": "zh-CN,zh;q=0.9"}, "zh-Hans-CN"),
        ({"Accept-Language": "pt-BR", "Cookie": "lang=zh_Hans_CN"}, "zh-Hans-CN"),
        ({"Accept-Language": "zh-CN", "Cookie": "lang=en"}, "en"),
        ({}, "en"),
    ]
    with another_app(app, SERVER_NAME=None) as site, behind_nginx(site, tmp_path) as port:
        answers = [servers.fetch(port, "/episodes/", headers=headers) for headers, _ in asked]

    for answer, (_, language) in zip(answers, asked, strict=True):
        assert answer.status == 200
        assert answer.headers["content-language"] == language
        assert f'<html lang="{language}"'.encode() in answer.body
    # The second visitor asking in Portuguese, and the second without a language, were served
    # from nginx's cache: the key holds the language and nothing more personal.
    assert answers[1].headers["x-cache-status"] == "HIT"
    assert answers[6].headers["x-cache-status"] == "HIT"


def test_links_to_feeds_invites_cards_and_charts_carry_the_language(app_ctx, client):
    """What a page in Portuguese links to is written in Portuguese too: the link says so, as
    their address alone decides their language (a page in English adds nothing)."""
    make_episode("Aired", datetime(2025, 3, 6, 14, 0, tzinfo=UTC))
    english = client.get("/numbers/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    portuguese = client.get("/numbers/", headers={"Accept-Language": "pt-BR"})
    html = portuguese.get_data(as_text=True)
    charts = re.findall(r'<img src="([^"]+\.svg[^"]*)"', html)
    assert charts and all("lang=pt_BR" in src for src in charts)
    assert "lang=" not in "".join(re.findall(r'<img src="([^"]+)"', english))
    assert 'href="/calendar.ics?lang=pt_BR"' in html
    assert re.search(r'og:image" content="[^"]*card\.png\?lang=pt_BR"', html)
    chart = client.get(charts[0].replace("&amp;", "&"))
    assert chart.status_code == 200
    assert "Episodes aired each year" not in chart.get_data(as_text=True)
