"""The format of the episode cards the running site renders (see episodes/cards.py): a hash of
the card's template, of the episode page's address rule and of :data:`CARD_CODE_VERSION`. A
stored card of another format was rendered by another version of the site."""

import hashlib

from flask import current_app

CARD_TEMPLATE = "_partials/episodes.html"
# Change it when the Python a card is rendered with changes (the excerpt, the time filters), so
# that stored cards are rendered again.
CARD_CODE_VERSION = "1"


def stored_card_format() -> str:
    """The running site's card format, worked out once per application."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("card_format")
    if found is None:
        source, _, _ = app.jinja_env.loader.get_source(app.jinja_env, CARD_TEMPLATE)
        rule = next(r.rule for r in app.url_map.iter_rules() if r.endpoint == "episodes.detail")
        digest = hashlib.sha256("\0".join((source, rule, CARD_CODE_VERSION)).encode())
        found = app.extensions["card_format"] = digest.hexdigest()[:16]
    return found
