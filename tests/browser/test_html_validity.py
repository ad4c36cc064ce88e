"""Every page passes the Nu HTML checker, as the server sends it (one checker run for all)."""

import json
import subprocess

from playwright.sync_api import BrowserContext

from tests.browser.conftest import vnu_jar
from tests.browser.site_pages import (
    PAGES,
    DemoSite,
    Visit,
    moderator_context,
    open_context,
    visit,
)
from tests.browser.support import save_source


def fetch(context: BrowserContext, site: DemoSite, target: Visit) -> str:
    """The HTML of a page; plain pages are fetched without rendering them (with the context's
    cookies), pages with a sent form are reached in the browser."""
    if target.submit is not None:
        page = context.new_page()
        try:
            return visit(page, site, target)
        finally:
            page.close()
    response = context.request.get(site.base_url + target.path(site))
    assert response.status == target.status, f"{target.name}: {response.status}"
    return response.text()


def test_every_page_is_valid_html(chromium, demo_site):
    jar = vnu_jar()
    contexts = {
        False: open_context(chromium, javascript=False),
        True: moderator_context(chromium, demo_site, javascript=False),
    }
    files, unreachable = {}, []
    try:
        for target in PAGES:
            try:
                html = fetch(contexts[target.moderator], demo_site, target)
            except Exception as error:  # noqa: BLE001 - one missing page must not hide the rest
                unreachable.append(f"{target.name}: {str(error).splitlines()[0]}")
            else:
                files[str(save_source(target.name, html))] = target.name
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
    assert errors == [], "\n".join(errors)
    assert unreachable == [], "\n".join(unreachable)
