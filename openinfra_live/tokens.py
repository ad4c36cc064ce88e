"""Private status-link tokens: 256 bits, random or derived from a stored seed under the secret
key, stored only as their SHA-256 (the database holds no working link)."""

import base64
import hashlib
import hmac
import secrets
from typing import Any

from flask import current_app

from openinfra_live.extensions import db

TOKEN_BYTES = 32


def new_token() -> tuple[str, str]:
    """Return ``(token, token_hash)``: give the token to the person, store the hash."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def derive(purpose: bytes, seed: str) -> str:
    """The token of ``seed`` for ``purpose``: HMAC-SHA-256 under the secret key, URL-safe.

    The formula must never change: stored seeds would then open no page.
    """
    key = current_app.config["SECRET_KEY"]
    key_bytes = key.encode("utf-8") if isinstance(key, str) else key
    digest = hmac.new(key_bytes, purpose + seed.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def hash_token(token: str) -> str:
    """The SHA-256 of ``token``, as stored in the database."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(token: str) -> bool:
    """Cheap shape check before touching the database (43 URL-safe characters)."""
    return len(token) == 43 and all(c.isalnum() or c in "-_" for c in token)


def find(model: Any, token: str) -> Any:
    """The ``model`` row whose ``token_hash`` the token opens, or None (the same for any miss)."""
    if not looks_like_token(token):
        return None
    return db.session.scalar(db.select(model).where(model.token_hash == hash_token(token)))
