"""Every page passes the Nu HTML checker, as the server sends it (one checker run for all), in
English and in each of the site's other languages."""

import json
import subprocess

import pytest
from playwright.sync_api import BrowserContext

from tests.browser.conftest import vnu_jar
from tests.browser.languages import (
    ENGLISH,
    HTML_LANG,
    OTHER_LANGUAGES,
    choose_language,
    in_language,
)
from tests.browser.site_pages import (
    PAGES,
    DemoSite,
    Visit,
    moderator_context,
    open_context,
    visit,
)
from tests.browser.support import save_source


def fetch(context: BrowserContext, site: DemoSite, target: Visit, language: str = ENGLISH) -> str:
    """The HTML of a page; plain pages are fetched without rendering them (with the context's
    cookies), pages with a sent form are reached in the browser (its form sent by the words
    of ``language``)."""
    if target.submit is not None:
        page = context.new_page()
        try:
            return visit(in_language(page, language), site, target)
        finally:
            page.close()
    response = context.request.get(site.base_url + target.path(site))
    assert response.status == target.status, f"{target.name}: {response.status}"
    return response.text()


def test_every_page_is_valid_html(chromium, demo_site):
    _check_every_page(chromium, demo_site, ENGLISH)


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_page_is_valid_html_in_each_language(chromium, demo_site, language):
    """The same pages in the site's other languages (the chooser's cookie), saved as
    ``home-pt_BR.html`` and so on."""
    _check_every_page(chromium, demo_site, language)


def _check_every_page(chromium, demo_site, language: str) -> None:
    jar = vnu_jar()
    contexts = {
        False: open_context(chromium, javascript=False),
        True: moderator_context(chromium, demo_site, javascript=False),
    }
    for context in contexts.values():
        choose_language(context, demo_site.base_url, language)
    suffix = "" if language == ENGLISH else f"-{language}"
    files, unreachable, wrong_language = {}, [], []
    try:
        for target in PAGES:
            try:
                html = fetch(contexts[target.moderator], demo_site, target, language)
            except Exception as error:  # noqa: BLE001 - one missing page must not hide the rest
                unreachable.append(f"{target.name}: {str(error).splitlines()[0]}")
            else:
                files[str(save_source(target.name + suffix, html))] = target.name + suffix
                if f'<html lang="{HTML_LANG[language]}">' not in html:
                    wrong_language.append(target.name + suffix)
    finally:
        for context in contexts.values():
            context.close()

    # The checker is a Java program that takes seconds to start: one run checks every page.
    result = subprocess.run(
        ["java", "-jar", jar, "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [
        f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))}:"
        f"{m.get('lastLine')}: {m['message']} [{m.get('extract', '').strip()}]"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert result.returncode in (0, 1), result.stderr
    # Everything found, at once: a checker error must not hide a page in the wrong language.
    problems = [
        *errors,
        *(f"unreachable: {text}" for text in unreachable),
        *(f"{name}: <html lang> is not {HTML_LANG[language]}" for name in wrong_language),
    ]
    assert problems == [], "\n".join(problems)
