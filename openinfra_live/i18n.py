"""The languages of the site: which one a request is answered in, and how to say so.

Pages are written in the visitor's language: the one chosen with the footer's chooser (a
cookie), else the best of ``Accept-Language``, else English. Catalogs are gettext ``.po`` files
in ``openinfra_live/translations/``; ``make translations`` compiles them. Content (titles,
descriptions) is never translated: only the site's own words.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response, g, has_request_context, request
from flask_babel import Babel, force_locale, get_locale

# Every language the site is written in, by Babel's name, with its own name for itself.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "zh_Hans_CN": "简体中文",
    "pt_BR": "Português (Brasil)",
}
DEFAULT = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# What a browser may say for each language (``Accept-Language: zh-CN``, ``pt``, ``zh-Hans``).
_MATCHES: dict[str, str] = {
    "en": "en",
    "zh": "zh_Hans_CN",
    "zh-cn": "zh_Hans_CN",
    "zh-hans": "zh_Hans_CN",
    "zh-hans-cn": "zh_Hans_CN",
    "zh-sg": "zh_Hans_CN",
    "pt": "pt_BR",
    "pt-br": "pt_BR",
}

babel = Babel()


def chosen_language() -> str | None:
    """The language the visitor chose with the chooser (the cookie), if it is one of ours."""
    name = request.cookies.get(COOKIE)
    return name if name in LANGUAGES else None


def from_accept_language(header: str | None) -> str:
    """The language of ours a browser prefers most, by its ``Accept-Language`` header.

    A tag we have no language for is skipped; its base language is tried next (``pt-PT`` finds
    Brazilian Portuguese, ``zh-TW`` is not answered in Simplified Chinese but in the next choice).
    """
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag == "*":
            return DEFAULT
        if tag in _MATCHES:
            return _MATCHES[tag]
        base = tag.split("-", 1)[0]
        if base in _MATCHES and not (base == "zh" and tag not in _MATCHES):
            return _MATCHES[base]
    return DEFAULT


def request_language() -> str:
    """This request's language: chosen, else asked for by the browser, else English."""
    cached = g.get("language")
    if cached is None:
        cached = chosen_language() or from_accept_language(request.headers.get("Accept-Language"))
        g.language = cached
    return cached


def _select_locale() -> str:
    return request_language() if has_request_context() else DEFAULT


def current_language() -> str:
    """The language being written now (a request's, or the one forced for a mail)."""
    locale = get_locale()
    return str(locale) if locale is not None else DEFAULT


def html_lang(language: str | None = None) -> str:
    """The BCP 47 tag of a language, for ``<html lang>``: ``zh-Hans-CN``, ``pt-BR``."""
    return (language or current_language()).replace("_", "-")


def stored_language(value: str | None) -> str:
    """A language read from a row: one of ours, else English."""
    return value if value in LANGUAGES else DEFAULT


def address_args() -> dict[str, str]:
    """The query that asks a feed, an invite or a card for the language being written (their
    address alone decides their language); nothing for English."""
    language = current_language()
    return {} if language == DEFAULT else {"lang": language}


@contextmanager
def written_in(language: str | None) -> Iterator[None]:
    """Write in ``language`` (a mail to somebody who asked in it) whatever the request's."""
    with force_locale(stored_language(language)):
        yield


def _forget_language() -> None:
    # Each request reads its own language, even in an app context it shares with others.
    g.pop("language", None)
    if (state := g.get("_flask_babel")) is not None:
        state.babel_locale = state.babel_translations = None


def _say_language(response: Response) -> Response:
    if response.mimetype == "text/html" and "Content-Language" not in response.headers:
        response.headers["Content-Language"] = html_lang()
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=_select_locale)
    app.before_request(_forget_language)
    app.after_request(_say_language)
    app.add_template_global(html_lang)
    # Whitespace inside {% trans %} blocks is folded, so a catalog holds one line per sentence.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
