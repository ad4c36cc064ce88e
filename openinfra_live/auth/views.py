"""Moderator sign-in and sign-out."""

from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign a moderator in."""
    return "login", 501
