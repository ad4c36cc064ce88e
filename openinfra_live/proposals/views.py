"""The public *propose an episode* form and the submitter's private status page."""

from flask import Blueprint

bp = Blueprint("proposals", __name__)
