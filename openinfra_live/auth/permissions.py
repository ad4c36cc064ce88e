"""Who may do what, as small predicates, and the decorators moderation views carry."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from openinfra_live.extensions import login_manager


def can_moderate(user: Any) -> bool:
    """Moderators and admins with an active account review proposals, registrations and
    episodes."""
    return bool(user.is_authenticated and getattr(user, "is_moderator", False))


def can_manage_accounts(user: Any) -> bool:
    """Admins with an active account manage the accounts and import content files."""
    return bool(user.is_authenticated and getattr(user, "is_admin", False))


def _guarded(view: Callable, allowed: Callable[[Any], bool]) -> Callable:
    """Send anonymous visitors to the login page and refuse the others ``allowed`` refuses."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not allowed(current_user):
            abort(403)
        return view(*args, **kwargs)

    # The route tests find every guarded view by this mark (tests/auth/test_moderator_routes).
    wrapped.moderator_only = True  # type: ignore[attr-defined]
    return wrapped


def moderator_required(view: Callable) -> Callable:
    """Send anonymous visitors to the login page and refuse signed-in non-moderators (403)."""
    return _guarded(view, can_moderate)


def admin_required(view: Callable) -> Callable:
    """Send anonymous visitors to the login page and refuse signed-in non-admins (403)."""
    wrapped = _guarded(view, can_manage_accounts)
    wrapped.admin_only = True  # type: ignore[attr-defined]
    return wrapped
