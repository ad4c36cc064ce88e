"""The site's other languages in the browser tests: which they are, how a browser asks for one,
and a page whose forms are sent by the words the page shows in that language.

The page checks (``site_pages.PAGES``) send their forms by the English names of buttons and
labels; ``InLanguage`` looks those names up in the catalog the site reads, so the same checks
run in Chinese and Portuguese. A word the catalog does not translate yet is looked for in
English, as the site then writes it: finding untranslated words is ``tests/test_translations.py``'s
job, not the page checks'.
"""

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from playwright.sync_api import BrowserContext, Locator, Page

import openinfra_live

ENGLISH = "en"
# The languages besides English, by Babel's name (the ``lang`` cookie's value).
OTHER_LANGUAGES = ["zh_Hans_CN", "pt_BR"]
LANGUAGES = [ENGLISH, *OTHER_LANGUAGES]
# What a browser set to the language sends in Accept-Language (Playwright's ``locale``).
BROWSER_LOCALE = {"en": "en-US", "zh_Hans_CN": "zh-CN", "pt_BR": "pt-BR"}
# What the pages must say in <html lang> and Content-Language, written out (BCP 47).
HTML_LANG = {"en": "en", "zh_Hans_CN": "zh-Hans-CN", "pt_BR": "pt-BR"}
CATALOGS = Path(openinfra_live.__file__).parent / "translations"


@cache
def _catalog(language: str) -> NullTranslations:
    """The compiled catalog the site reads (``tests/conftest.py`` compiles stale ones)."""
    if language == ENGLISH:
        return NullTranslations()
    found = Translations.load(str(CATALOGS), [language])
    assert isinstance(found, Translations), f"no compiled catalog for {language} in {CATALOGS}"
    return found


def say(text: str, language: str, *, partial: bool = False) -> str:
    """``text`` as the site writes it in ``language`` (English where it has no translation).

    ``partial``: ``text`` may be the start of the site's words, as Playwright finds a label by a
    part of it ("Content file" for "Content file (Markdown with front matter, or YAML)"); the
    one message that starts with it is translated whole.
    """
    catalog = _catalog(language)
    messages = getattr(catalog, "_catalog", {})
    if not partial or text in messages:
        return catalog.gettext(text)
    longer = [msgid for msgid in messages if isinstance(msgid, str) and msgid.startswith(text)]
    return catalog.gettext(longer[0]) if len(longer) == 1 else text


def choose_language(context: BrowserContext, base_url: str, language: str) -> None:
    """Give a browser the cookie the language chooser sets."""
    if language != ENGLISH:
        context.add_cookies([{"name": "lang", "value": language, "url": base_url}])


class InLanguage:
    """A page whose ``get_by_role(..., name=...)`` and ``get_by_label(...)`` take the site's
    English words and find them in ``language``; everything else is the page's own."""

    def __init__(self, page: Page, language: str) -> None:
        self._page = page
        self._language = language

    def get_by_role(self, role: str, *, name: str | None = None, **options) -> Locator:
        if isinstance(name, str):
            name = say(name, self._language)
        return self._page.get_by_role(role, name=name, **options)

    def get_by_label(self, text: str, **options) -> Locator:
        partial = not options.get("exact", False)
        return self._page.get_by_label(say(text, self._language, partial=partial), **options)

    def __getattr__(self, attribute: str):
        return getattr(self._page, attribute)


def in_language(page: Page, language: str) -> Page:
    """The page as the page checks drive it in ``language``."""
    return page if language == ENGLISH else InLanguage(page, language)  # type: ignore[return-value]
