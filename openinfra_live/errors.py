"""Error pages in the site's layout, for HTML and JSON clients alike."""

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from openinfra_live import audit
from openinfra_live.extensions import db

ERROR_PAGES = {400, 403, 404, 405, 413, 429, 500}


def render_error(error: HTTPException) -> Response:
    """Render ``errors/<code>.html`` (JSON under ``/api/``) with the error's status."""
    code = error.code or 500
    if request.path.startswith("/api/"):
        response = jsonify(error=error.name, message=error.description)
    else:
        page = code if code in ERROR_PAGES else (400 if code < 500 else 500)
        response = make_response(render_template(f"errors/{page}.html", error=error))
    response.status_code = code
    valid_methods = getattr(error, "valid_methods", None)
    if code == 405 and valid_methods:
        response.headers["Allow"] = ", ".join(valid_methods)
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def handle_csrf_error(error: CSRFError) -> Response:
    """A stale or missing token: ask to resubmit, keeping what was typed where possible."""
    db.session.rollback()
    audit.record("csrf_failure", object_type="request", object_id=request.path[:64])
    db.session.commit()
    form_data = [
        (key, value)
        for key, value in request.form.items(multi=True)
        if key not in {"csrf_token", "website"} and "password" not in key and value
    ]
    page = render_template("errors/csrf.html", error=error, form_data=form_data)
    return make_response(page, 400)


def handle_unexpected_error(error: Exception) -> Response:
    """Roll back whatever the request half-wrote and show a page with no details."""
    db.session.rollback()
    return render_error(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, handle_unexpected_error)
