"""Who may do what, as small predicates, and the decorator moderation views carry."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from openinfra_live.extensions import login_manager


def can_moderate(user: Any) -> bool:
    """Moderators with an active account review proposals, registrations and episodes."""
    return bool(user.is_authenticated and getattr(user, "is_moderator", False))


def moderator_required(view: Callable) -> Callable:
    """Send anonymous visitors to the login page and refuse signed-in non-moderators (403)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not can_moderate(current_user):
            abort(403)
        return view(*args, **kwargs)

    wrapped.moderator_only = True  # type: ignore[attr-defined]
    return wrapped
