"""Imports from the browser, for admins: the show's content file, a PTG team list and a CSV of
views.

The same readers as ``flask import-episodes``, ``flask import-ptg-teams`` and ``flask
import-views``, and the same report. A file that cannot be read is refused whole, with the
reason, and changes nothing.
"""

from datetime import time

from flask import Response, current_app, request
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.exc import SQLAlchemyError
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from openinfra_live import audit, workflow
from openinfra_live.auth.permissions import admin_required
from openinfra_live.episodes.audience import ViewsFileError, import_view_counts, read_view_counts
from openinfra_live.episodes.content_file import ContentFileError, load_entries
from openinfra_live.episodes.importer import import_episodes
from openinfra_live.extensions import db
from openinfra_live.moderation import bp, page
from openinfra_live.ptg.models import PtgEvent
from openinfra_live.ptg.teamlist import UnknownEvent, find_event, import_team_names, parse_team_list

REFUSED = lazy_gettext(
    "The database refused the changes; nothing was imported. Try again in a moment."
)


class UnreadableFile(Exception):
    """The upload is not UTF-8 text; the message says so for the person who sent it."""


class ContentImportForm(FlaskForm):
    """The show's content file."""

    content_file = FileField(
        lazy_gettext("Content file (Markdown with front matter, or YAML)"),
        validators=[FileRequired(message=lazy_gettext("Choose the content file to import."))],
    )


class TeamImportForm(FlaskForm):
    """A PTG event and its team list."""

    event = SelectField(lazy_gettext("PTG event"), choices=[])
    team_file = FileField(
        lazy_gettext("Team list (text, one team a line)"),
        validators=[FileRequired(message=lazy_gettext("Choose the team list to import."))],
    )

    def load_events(self) -> "TeamImportForm":
        events = db.session.scalars(db.select(PtgEvent).order_by(PtgEvent.starts_on.desc()))
        self.event.choices = [SelectChoice(event.slug, event.name) for event in events]
        return self


class ViewsImportForm(FlaskForm):
    """A CSV of view counts, as YouTube Studio exports it."""

    views_file = FileField(
        lazy_gettext("View counts (CSV, as YouTube Studio exports it)"),
        validators=[FileRequired(message=lazy_gettext("Choose the CSV of view counts to import."))],
    )


def _text_of(upload) -> str:
    """The upload's text, refused when it is not UTF-8 or holds NUL bytes."""
    raw = upload.read()
    if b"\x00" in raw:
        raise UnreadableFile(gettext("This is not a text file (it holds NUL bytes)."))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            gettext("This file is not UTF-8 text (%(reason)s).", reason=error.reason)
        ) from error


def _forms(
    content: ContentImportForm | None = None,
    teams: TeamImportForm | None = None,
    views: ViewsImportForm | None = None,
):
    return {
        "content_form": content or ContentImportForm(formdata=None),
        "team_form": teams or TeamImportForm(formdata=None).load_events(),
        "views_form": views or ViewsImportForm(formdata=None),
    }


def _report(kind: str, filename: str, lines: list[str], summary: str) -> Response:
    return page(
        "moderation/import_report.html", kind=kind, filename=filename, lines=lines, summary=summary
    )


@bp.get("/imports/")
@admin_required
def imports() -> Response:
    """The upload forms: the show's content file, a PTG team list, a CSV of views."""
    return page("moderation/imports.html", **_forms())


@bp.post("/imports/episodes")
@admin_required
def import_content_file() -> Response:
    """Create or update episodes from an uploaded content file; show the import's report."""
    form = ContentImportForm()
    if form.validate_on_submit():
        upload = form.content_file.data
        try:
            entries = load_entries(_text_of(upload))
            config = current_app.config
            lines: list[str] = []
            report = import_episodes(
                entries,
                progress=lines.append,
                default_start=time(config["DEFAULT_SLOT_HOUR"], config["DEFAULT_SLOT_MINUTE"]),
                default_minutes=config["DEFAULT_EPISODE_MINUTES"],
            )
            audit.record(
                "episodes_imported",
                object_type="episode",
                actor=current_user,
                detail={"file": (upload.filename or "")[:200], "summary": report.summary()},
            )
            workflow.commit()  # with the mails the import's signal queued
        except (UnreadableFile, ContentFileError) as error:
            db.session.rollback()
            form.content_file.errors = [str(error)]
        except SQLAlchemyError:
            db.session.rollback()
            form.content_file.errors = [str(REFUSED)]
        else:
            return _report("episodes", upload.filename or "", lines, report.summary())
    return page("moderation/imports.html", 422, **_forms(content=form))


@bp.post("/imports/ptg-teams")
@admin_required
def import_team_list() -> Response:
    """Add the teams of an uploaded list to a PTG event, approved; show the import's report."""
    form = TeamImportForm().load_events()
    if form.validate_on_submit():
        upload = form.team_file.data
        try:
            event = find_event(form.event.data)
            names = parse_team_list(_text_of(upload))
            if not names:
                raise UnreadableFile(gettext("No team names found in this file."))
            lines: list[str] = []
            report = import_team_names(event, names, progress=lines.append)
            audit.record(
                "ptg_teams_imported",
                event,
                actor=current_user,
                detail={"file": (upload.filename or "")[:200], "summary": report.summary()},
            )
            db.session.commit()
        except (UnreadableFile, UnknownEvent) as error:
            db.session.rollback()
            form.team_file.errors = [str(error)]
        except SQLAlchemyError:
            db.session.rollback()
            form.team_file.errors = [str(REFUSED)]
        else:
            return _report("teams", upload.filename or "", lines, report.summary())
    elif request.method == "POST" and not form.event.choices:
        form.event.errors = [gettext("There is no PTG event yet: create it first.")]
    return page("moderation/imports.html", 422, **_forms(teams=form))


@bp.post("/imports/views")
@admin_required
def import_views_file() -> Response:
    """Store episodes' views from an uploaded CSV of view counts; show the import's report."""
    form = ViewsImportForm()
    if form.validate_on_submit():
        upload = form.views_file.data
        try:
            found = read_view_counts(_text_of(upload))
            lines: list[str] = []
            report = import_view_counts(found, progress=lines.append, actor=current_user)
            db.session.commit()
        except (UnreadableFile, ViewsFileError) as error:
            db.session.rollback()
            form.views_file.errors = [gettext("%(error)s Nothing was imported.", error=error)]
        except SQLAlchemyError:
            db.session.rollback()
            form.views_file.errors = [str(REFUSED)]
        else:
            return _report("views", upload.filename or "", lines, report.summary())
    return page("moderation/imports.html", 422, **_forms(views=form))
