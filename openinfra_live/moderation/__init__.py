"""Moderator views over the services of proposals, episodes and PTG. No models of its own."""

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from openinfra_live import security
from openinfra_live.extensions import db

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


def page(template: str, status: int = 200, **context: Any) -> Response:
    """A moderation page: never stored by a cache."""
    return security.no_store(make_response(render_template(template, **context), status))


def see_other(endpoint: str, **values: Any) -> Response:
    """The 303 redirect that ends a moderator's POST."""
    return security.no_store(redirect(url_for(endpoint, **values), 303))


def paginate(query: Select, per_page: int) -> Pagination:
    """The ``?page=`` page of ``query``; 404 for a page that does not exist."""
    number = request.args.get("page", 1, type=int)
    if number < 1:
        abort(404)
    result = db.paginate(query, page=number, per_page=per_page, error_out=False)
    if number > 1 and not result.items:
        abort(404)
    return result


# The view modules register their routes on ``bp``; imported last because they import it.
from openinfra_live.moderation import (  # noqa: E402, F401
    accounts,
    audit,
    episodes,
    imports,
    outbox,
    proposals,
    ptg,
    ptg_schedule,
    questions,
    queue,
    segments,
)
