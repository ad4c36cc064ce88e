"""Proofs that a stored text is the HTML cleaner's output, so pages need not clean it again.

Rich text is cleaned on the way in (the editor, the importer). Pages used to clean it again on
the way out, so that a row written by any other path could not bring markup past the
allow-list; for an episode page that second cleaning was a third of its cost.

A *stamp* is a keyed digest of a text, written next to it only when the text is what
``sanitize.clean_html`` makes of it. The key comes from the app's secret key and the cleaner's
policy (``sanitize.POLICY``). A page prints a text whose stamp verifies as it is, and cleans any
other, exactly as before (``templating.clean_html``); the cleaner is idempotent, so both give
the same HTML. Hence:

- a row changed by SQL, a restored backup or a bug, whose stamp no longer matches its text, is
  cleaned at render; nobody can write a matching stamp without the secret key;
- a new cleaner or allow-list, or a new secret key, voids every stamp: texts are cleaned at
  render until they are stamped again (``flask stamp-descriptions``).
"""

import hashlib
import hmac

from flask import current_app

from openinfra_live import sanitize

_PERSON = b"clean-stamp"


def _key() -> bytes:
    """The current app's stamping key: its secret key and the cleaner's policy."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    basis = f"{sanitize.POLICY}\x00{app.config['SECRET_KEY']}"
    known = app.extensions.get("clean_stamp_key")
    if known is None or known[0] != basis:
        known = (basis, hashlib.blake2b(basis.encode(), digest_size=32, person=_PERSON).digest())
        app.extensions["clean_stamp_key"] = known
    return known[1]


def cleaned_stamp(cleaned: str) -> str:
    """The stamp of ``cleaned``, which the caller has just had from ``sanitize.clean_html``."""
    return hashlib.blake2b(cleaned.encode(), key=_key(), digest_size=16).hexdigest()


def is_stamped(text: str | None, stamp: str | None) -> bool:
    """Whether ``stamp`` proves ``text`` is the cleaner's output under this policy and key."""
    if not stamp:
        return False
    return hmac.compare_digest(stamp, cleaned_stamp(text or ""))


def cleaned_html(text: str | None, stamp: str | None) -> str:
    """``text`` as the cleaner makes it: as stored when ``stamp`` proves it is already the
    cleaner's output, else cleaned now."""
    if is_stamped(text, stamp):
        return text or ""
    return sanitize.clean_html(text)


def stamp_for(text: str | None) -> str:
    """The stamp ``text`` deserves: its digest when it is the cleaner's output, else ""."""
    text = text or ""
    return cleaned_stamp(text) if sanitize.clean_html(text) == text else ""
