"""Moderator views over the services of proposals, episodes and PTG. No models of its own."""

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

# The view modules register their routes on ``bp``; imported last because they import it.
from openinfra_live.moderation import audit, episodes, proposals, ptg, queue  # noqa: E402, F401
