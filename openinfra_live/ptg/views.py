"""Public PTG pages: events, team list, schedule, registration."""

from flask import Blueprint

bp = Blueprint("ptg", __name__, url_prefix="/ptg")
