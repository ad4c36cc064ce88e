"""Public pages of the show: home, archive, episode pages, invites, feeds and the API."""

from flask import Blueprint, render_template

bp = Blueprint("episodes", __name__)


@bp.get("/")
def index():
    """The home page: the next episode first, upcoming and recent ones, calls to action."""
    return render_template("episodes/index.html")
