"""Moderator views over the services of proposals, episodes and PTG. No models of its own."""

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
