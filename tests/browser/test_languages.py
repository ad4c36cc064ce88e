"""The site in Simplified Chinese and Brazilian Portuguese, in a browser.

A browser set to the language (its Accept-Language) proposes an episode and gets its mail in
that language; a visitor without script switches language with the footer's chooser; times are
written each language's way, the same by the site script as by the server; the home page and
the propose form fit a phone (screenshots in ``test-artifacts/screenshots``).

The expected words are written out here, read from the catalogs
(``openinfra_live/translations``): a missing or changed translation fails these tests. The
errors of an empty field ("该字段是必填字段。", "Campo obrigatório.") are WTForms' own.
"""

import re
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from openinfra_live.extensions import db
from openinfra_live.outbox import OutboxMail
from tests.browser.conftest import in_app
from tests.browser.languages import BROWSER_LOCALE, HTML_LANG, LANGUAGES, OTHER_LANGUAGES
from tests.browser.site_pages import build_demo_site
from tests.browser.support import (
    assert_no_horizontal_overflow,
    press_and_wait,
    screenshot,
    tab_to,
    type_into,
)
from tests.episodes.builders import make_episode
from tests.proposals.test_mail import body_of, header
from tests.ptg.builders import at, make_event, make_room, make_session, make_team

TITLE = "Running OpenStack on a ship"
DESCRIPTION = "How a cruise line keeps a cloud running at sea, with a satellite uplink."
REQUIRED = ("title", "description", "submitter_name", "submitter_email")

# What the pages and the mail say, from the catalogs.
WORDS = {
    "zh_Hans_CN": {
        "nav": ["节目", "提议节目"],
        "next_episode": "下一期节目",
        "recent": "近期节目",
        "labels": ["节目标题", "这期节目讲什么？", "您的姓名", "您的电子邮件地址"],
        "required_marker": "（必填）",
        "sections": ["创意", "关于您"],
        "send": "发送提案",
        "problem": "出现问题",
        "empty_field": "该字段是必填字段。",
        "summary_item": "节目标题：该字段是必填字段。",
        "received": "谢谢：我们已收到您的提案。本页面的地址已发送到您的电子邮箱，请勿外传。",
        "state": ["状态：", "已提交，等待审核"],
        "history": "迄今为止的进展",
        "subject": f"我们已收到您的节目创意：{TITLE}",
        "mail": [
            "Signe Holm，您好：",
            "感谢您为 OpenInfra Live 提议节目：",
            "审核员会审阅您的提案。您可以在其私密状态页面上跟进进展：",
            "请勿将此链接告诉他人：任何拥有此链接的人都可以查看并撤回您的提案。",
        ],
    },
    "pt_BR": {
        "nav": ["Episódios", "Propor um episódio"],
        "next_episode": "Próximo episódio",
        "recent": "Episódios recentes",
        "labels": [
            "Título do episódio",
            "Sobre o que é o episódio?",
            "Seu nome",
            "Seu endereço de e-mail",
        ],
        "required_marker": "(obrigatório)",
        "sections": ["A ideia", "Sobre você"],
        "send": "Enviar proposta",
        "problem": "Há um problema",
        "empty_field": "Campo obrigatório.",
        "summary_item": "Título do episódio: Campo obrigatório.",
        "received": (
            "Obrigado: sua proposta foi recebida. Enviamos o endereço desta página para o seu"
            " e-mail; mantenha-o privado."
        ),
        "state": ["Status:", "Enviada, aguardando revisão"],
        "history": "O que aconteceu até agora",
        "subject": f"Recebemos sua ideia de episódio: {TITLE}",
        "mail": [
            "Olá, Signe Holm,",
            "Obrigado por propor um episódio do OpenInfra Live:",
            "Um moderador vai analisá-la. Acompanhe o andamento na página de status privada:",
            "Guarde este link só para você: qualquer pessoa que o tenha pode ver sua proposta",
        ],
    },
}
# The English the same places say, none of which may be left on the pages or in the mail.
ENGLISH_WORDS = [
    "Propose an episode",
    "Title of the episode",
    "Send the proposal",
    "This field is required.",
    "There is a problem",
    "Submitted, waiting for review",
    "Thank you",
    "Hello",
]


def _language_of(page, response, language: str) -> None:
    """The page and its answer say they are in ``language``."""
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])
    assert response.headers.get("content-language") == HTML_LANG[language], page.url


def _no_english_left(text: str, where: str) -> None:
    left = [words for words in ENGLISH_WORDS if words in text]
    assert left == [], f"English left on {where}: {left}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_a_proposal_is_sent_and_confirmed_in_the_browsers_language(
    live, new_page, mail_server, language
):
    mail_server.start()
    words = WORDS[language]
    page = new_page(locale=BROWSER_LOCALE[language])

    _language_of(page, page.goto(live.url + "/"), language)
    navigation = page.locator("header nav")
    for name in words["nav"]:
        expect(navigation.get_by_role("link", name=name, exact=True)).to_have_count(1)
    expect(page.locator("#featured-heading")).to_have_text(words["next_episode"])
    expect(page.locator("#recent-heading")).to_have_text(words["recent"])

    tab_to(page, "nav a[href='/propose']")
    with page.expect_navigation() as opened:
        page.keyboard.press("Enter")
    assert page.url == live.url + "/propose"
    _language_of(page, opened.value, language)
    expect(page.locator("h1")).to_have_text(words["nav"][1])
    form = page.locator("form[action='/propose']")
    expect(form.locator("h2")).to_have_text(words["sections"])
    for field, label in zip(REQUIRED, words["labels"], strict=True):
        expect(form.locator(f"label[for={field}]")).to_have_text(label)
        expect(form.locator(f".field:has(#{field}) .required")).to_have_text(
            words["required_marker"]
        )
    expect(form.locator("button[type=submit]")).to_have_text(words["send"])
    _no_english_left(page.locator("body").inner_text(), "the propose form")

    # Sent empty: the errors, their summary and its links are in the language.
    tab_to(page, "form[action='/propose'] button[type=submit]")
    with page.expect_navigation() as sent:
        page.keyboard.press("Enter")
    assert sent.value.status == 422
    _language_of(page, sent.value, language)
    summary = page.locator("#error-summary")
    expect(summary.locator("h2")).to_have_text(words["problem"])
    expect(summary.locator("a[href='#title']")).to_have_text(words["summary_item"])
    for field in REQUIRED:
        expect(page.locator(f"#{field}-error")).to_have_text(words["empty_field"])
    _no_english_left(page.locator("body").inner_text(), "the propose form with errors")

    type_into(page, "#title", TITLE)
    type_into(page, "#description", DESCRIPTION)
    type_into(page, "#guests-0-name", "Signe Holm")
    type_into(page, "#submitter_name", "Signe Holm")
    type_into(page, "#submitter_email", "signe@example.org")
    tab_to(page, "form[action='/propose'] button[type=submit]")
    press_and_wait(page)

    # The private status page, in the language; the content stays as it was written.
    assert re.fullmatch(re.escape(live.url) + r"/proposals/[A-Za-z0-9_-]+", page.url), page.url
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])
    expect(page.locator(".flash-success")).to_have_text(words["received"])
    expect(page.locator("h1")).to_have_text(TITLE)
    for part in words["state"]:
        expect(page.locator("#state-heading")).to_contain_text(part)
    expect(page.locator("#history-heading")).to_have_text(words["history"])
    _no_english_left(page.locator("body").inner_text(), "the status page")

    # The confirmation, to the submitter, in the language the proposal was written in.
    [message] = mail_server.inbox.wait_for(1)
    assert message["To"] == "signe@example.org"
    assert header(message, "Subject") == words["subject"]
    body = body_of(message)
    for line in words["mail"]:
        assert line in body, body
    assert page.url in body
    _no_english_left(body, "the mail")
    [row] = in_app(live.app, lambda: db.session.scalars(db.select(OutboxMail)).all())
    assert (row.language, row.subject, row.status) == (language, words["subject"], "sent")


def test_the_footer_chooser_changes_the_language_without_script(live, new_page):
    page = new_page(javascript=False)  # the browser asks for English
    start = "/episodes/?q=zuul"
    _language_of(page, page.goto(live.url + start), "en")
    footer = page.locator("footer")

    footer.get_by_label("Language").select_option(label="Português (Brasil)")
    with page.expect_navigation() as chosen:
        footer.get_by_role("button", name="Change").click()
    # Back on the same page (its query kept), now in Portuguese, the choice shown.
    assert page.url == live.url + start
    _language_of(page, chosen.value, "pt_BR")
    expect(footer.get_by_label("Idioma")).to_have_value("pt_BR")
    expect(page.locator("header nav a[href='/episodes/']")).to_have_text("Episódios")
    assert {"name": "lang", "value": "pt_BR"}.items() <= _cookie(page, "lang").items()

    # The next page stays in Portuguese, though the browser still asks for English.
    with page.expect_navigation() as following:
        page.locator("header nav").get_by_role("link", name="Propor um episódio").click()
    assert page.url == live.url + "/propose"
    _language_of(page, following.value, "pt_BR")
    expect(page.locator("h1")).to_have_text("Propor um episódio")

    expect(footer.locator("button[type=submit]")).to_have_text("Mudar")
    footer.get_by_label("Idioma").select_option(label="简体中文")
    with page.expect_navigation() as chosen:
        footer.get_by_role("button", name="Mudar").click()
    assert page.url == live.url + "/propose"
    _language_of(page, chosen.value, "zh_Hans_CN")
    expect(page.locator("h1")).to_have_text("提议节目")
    expect(footer.get_by_label("语言")).to_have_value("zh_Hans_CN")
    expect(footer.locator("button[type=submit]")).to_have_text("切换")

    with page.expect_navigation() as following:
        page.locator("header nav").get_by_role("link", name="节目", exact=True).click()
    assert page.url == live.url + "/episodes/"
    _language_of(page, following.value, "zh_Hans_CN")


def _cookie(page, name: str) -> dict:
    return next((c for c in page.context.cookies() if c["name"] == name), {})


# --- Times in each language, in three zones -----------------------------------------------

ZONES = ["Asia/Shanghai", "America/Sao_Paulo", "Europe/Berlin"]
# 02:30 UTC is still the evening before in São Paulo; 23:30 UTC is already the next day in
# Shanghai and Berlin (winter time in both months).
EARLY = datetime(2026, 1, 8, 2, 30, tzinfo=UTC)
LATE = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
# What an episode's page says of its time, UTC then local, written out by hand.
EXPECTED = {
    ("en", "Asia/Shanghai"): (
        "Thu 8 Jan 2026, 02:30 UTC · 10:30 in Shanghai (Thu 8 Jan)",
        "Thu 3 Dec 2026, 23:30 UTC · 07:30 in Shanghai (Fri 4 Dec)",
    ),
    ("en", "America/Sao_Paulo"): (
        "Thu 8 Jan 2026, 02:30 UTC · 23:30 in São Paulo (Wed 7 Jan)",
        "Thu 3 Dec 2026, 23:30 UTC · 20:30 in São Paulo (Thu 3 Dec)",
    ),
    ("en", "Europe/Berlin"): (
        "Thu 8 Jan 2026, 02:30 UTC · 03:30 in Berlin (Thu 8 Jan)",
        "Thu 3 Dec 2026, 23:30 UTC · 00:30 in Berlin (Fri 4 Dec)",
    ),
    ("zh_Hans_CN", "Asia/Shanghai"): (
        "2026年1月8日周四 02:30 UTC · 上海时间 10:30（1月8日周四）",
        "2026年12月3日周四 23:30 UTC · 上海时间 07:30（12月4日周五）",
    ),
    ("zh_Hans_CN", "America/Sao_Paulo"): (
        "2026年1月8日周四 02:30 UTC · 圣保罗时间 23:30（1月7日周三）",
        "2026年12月3日周四 23:30 UTC · 圣保罗时间 20:30（12月3日周四）",
    ),
    ("zh_Hans_CN", "Europe/Berlin"): (
        "2026年1月8日周四 02:30 UTC · 柏林时间 03:30（1月8日周四）",
        "2026年12月3日周四 23:30 UTC · 柏林时间 00:30（12月4日周五）",
    ),
    ("pt_BR", "Asia/Shanghai"): (
        "qui., 8 de jan. de 2026, 02:30 UTC · 10:30 em Xangai (qui., 8 de jan.)",
        "qui., 3 de dez. de 2026, 23:30 UTC · 07:30 em Xangai (sex., 4 de dez.)",
    ),
    ("pt_BR", "America/Sao_Paulo"): (
        "qui., 8 de jan. de 2026, 02:30 UTC · 23:30 em São Paulo (qua., 7 de jan.)",
        "qui., 3 de dez. de 2026, 23:30 UTC · 20:30 em São Paulo (qui., 3 de dez.)",
    ),
    ("pt_BR", "Europe/Berlin"): (
        "qui., 8 de jan. de 2026, 02:30 UTC · 03:30 em Berlim (qui., 8 de jan.)",
        "qui., 3 de dez. de 2026, 23:30 UTC · 00:30 em Berlim (sex., 4 de dez.)",
    ),
}
# A PTG session 22:00–01:00 UTC from Tuesday 19 March 2030: the next day in Shanghai.
EXPECTED_RANGE = {
    "en": "22:00–01:00 UTC · 06:00–09:00 in Shanghai (Wed 20 Mar)",
    "zh_Hans_CN": "22:00–01:00 UTC · 上海时间 06:00–09:00（3月20日周三）",
    "pt_BR": "22:00–01:00 UTC · 06:00–09:00 em Xangai (qua., 20 de mar.)",
}


def _times_on_the_site(app) -> dict[str, str]:
    def build() -> dict[str, str]:
        early = make_episode("Early bird: Swift at dawn", EARLY)
        late = make_episode("Night owl: Zuul after hours", LATE)
        event = make_event(starts_on=date(2030, 3, 18), ends_on=date(2030, 3, 22))
        make_session(make_team(event, "Nova"), make_room(event, "Bexar"), at(19, 22), at(20, 1))
        db.session.commit()
        return {
            "early": f"/episodes/{early.slug}/",
            "late": f"/episodes/{late.slug}/",
            "ptg": "/ptg/2030-march/schedule",
        }

    return in_app(app, build)


def _local_texts(page) -> list[str]:
    """Every local time the page shows in its text, in order (not the grid's hour column)."""
    return page.eval_on_selector_all(
        "main .local-time:not(td)", "nodes => nodes.map(n => n.textContent)"
    )


@pytest.mark.parametrize("zone_name", ZONES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_times_are_written_the_languages_way_by_the_script_as_by_the_server(
    live, new_page, language, zone_name
):
    paths = _times_on_the_site(live.app)
    locale = BROWSER_LOCALE[language]
    # The script writes local times in the browser's zone; the server in the zone the visitor
    # chose (the cookie), with script off.
    with_script = new_page(timezone_id=zone_name, locale=locale)
    from_server = new_page(timezone_id="UTC", javascript=False, locale=locale)
    from_server.context.add_cookies([{"name": "tz", "value": zone_name, "url": live.url}])
    for path in ["/", "/episodes/?year=2026", paths["early"], paths["late"], paths["ptg"]]:
        _language_of(from_server, from_server.goto(live.url + path), language)
        written = _local_texts(from_server)
        assert written, path
        _language_of(with_script, with_script.goto(live.url + path), language)
        expect(with_script.locator("main .local-time:not(td)")).to_have_count(len(written))
        assert _local_texts(with_script) == written, path

    early, late = EXPECTED[language, zone_name]
    for page in (with_script, from_server):
        page.goto(live.url + paths["early"])
        expect(page.locator("main")).to_contain_text(early)
        page.goto(live.url + paths["late"])
        expect(page.locator("main")).to_contain_text(late)
    if zone_name == "Asia/Shanghai":
        with_script.goto(live.url + paths["ptg"])
        expect(with_script.locator(".schedule-list li").first).to_contain_text(
            EXPECTED_RANGE[language]
        )


# --- A phone's screen ---------------------------------------------------------------------


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_the_home_page_and_the_propose_form_fit_a_phone(live, new_page, language):
    """Screenshots at 360 px (``home-pt_BR-360.png`` …), on the demo content."""
    build_demo_site(live.app, live.url)
    page = new_page(width=360, locale=BROWSER_LOCALE[language])
    words = WORDS[language]

    _language_of(page, page.goto(live.url + "/"), language)
    expect(page.locator("#featured-heading")).to_have_text(words["next_episode"])
    _capture(page, f"home-{language}-360")

    _language_of(page, page.goto(live.url + "/propose"), language)
    expect(page.locator("h1")).to_have_text(words["nav"][1])
    _capture(page, f"propose-{language}-360")

    with page.expect_navigation() as sent:
        page.locator("form[action='/propose'] button[type=submit]").click()
    assert sent.value.status == 422
    expect(page.locator("#error-summary h2")).to_have_text(words["problem"])
    _capture(page, f"propose-errors-{language}-360")


def _capture(page, name: str) -> None:
    path = screenshot(page, name)
    assert path.stat().st_size > 5_000, path
    assert_no_horizontal_overflow(page, name)
