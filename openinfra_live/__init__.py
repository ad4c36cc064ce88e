"""The OpenInfra Live & PTG community site."""

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from openinfra_live import config as settings
from openinfra_live.extensions import csrf, db, limiter, login_manager

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None, *, serving: bool = False) -> Flask:
    """Build the application: defaults, then ``instance/config.py``, the environment, tests.

    ``serving`` is for the web workers (``wsgi.py``): they never migrate the schema, so Alembic
    is not loaded (about 12 MB a worker). The ``flask`` command and the tests build the app
    without it and have ``flask db``.
    """
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    configure(app, test_config)
    register_extensions(app, migrations=not serving)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    return app


def configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(settings.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(settings.from_environment(os.environ))
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        default_sqlite = "sqlite:///" + str(Path(app.instance_path) / "openinfra_live.sqlite")
        app.config["SQLALCHEMY_DATABASE_URI"] = settings.database_uri(
            app.config.get("DATABASE_URL") or default_sqlite
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.load_or_create_secret_key(app.instance_path)
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1, x_host=0
        )


def register_extensions(app: Flask, migrations: bool = True) -> None:
    from openinfra_live import (
        assets,
        caching,
        database,
        i18n,
        models,  # noqa: F401  (the whole schema, for Alembic)
        security,
    )
    from openinfra_live.auth import loader  # noqa: F401  (user_loader)

    database.init_app(app)
    db.init_app(app)
    if migrations:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    i18n.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    caching.init_app(app)


def register_blueprints(app: Flask) -> None:
    from openinfra_live import health, preferences
    from openinfra_live.auth.views import bp as auth_bp
    from openinfra_live.episodes.views import bp as episodes_bp
    from openinfra_live.moderation import bp as moderation_bp
    from openinfra_live.numbers.views import bp as numbers_bp
    from openinfra_live.proposals.views import bp as proposals_bp
    from openinfra_live.ptg.views import bp as ptg_bp
    from openinfra_live.questions.views import bp as questions_bp

    for blueprint in (
        health.bp,
        preferences.bp,
        episodes_bp,
        proposals_bp,
        ptg_bp,
        questions_bp,
        numbers_bp,
        auth_bp,
        moderation_bp,
    ):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from openinfra_live import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from openinfra_live import maintenance
    from openinfra_live.auth import commands as auth_commands
    from openinfra_live.episodes import commands as episode_commands
    from openinfra_live.ptg import commands as ptg_commands

    for module in (episode_commands, ptg_commands, auth_commands, maintenance):
        for command in module.COMMANDS:
            app.cli.add_command(command)


def register_template_helpers(app: Flask) -> None:
    from openinfra_live import templating

    templating.init_app(app)
