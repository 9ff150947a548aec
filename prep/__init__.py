"""The application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, flash, jsonify, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from prep.config import Config, instance_secret_key, normalise_database_url
from prep.extensions import csrf, db, limiter, login_manager, migrate

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(config_class: type = Config, instance_path: str | None = None, **overrides) -> Flask:
    """Build the Flask app: configuration, extensions, blueprints, CLI and error handlers.

    ``instance_path`` (default ``$PREP_INSTANCE_PATH`` or ``instance/``) holds the SQLite database
    and the development secret key; ``overrides`` set configuration keys last.
    """
    app = Flask(
        __name__,
        instance_path=instance_path
        or os.environ.get("PREP_INSTANCE_PATH")
        or str(Path(__file__).resolve().parent.parent / "instance"),
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(config_class)
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    uri = app.config.get("SQLALCHEMY_DATABASE_URI") or f"sqlite:///{Path(app.instance_path) / 'prep.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(uri)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to see that page."
    login_manager.login_message_category = "info"

    from prep import models  # noqa: F401  (register every model on the metadata)
    from prep.admin.routes import bp as admin_bp
    from prep.api.routes import bp as api_bp
    from prep.api.tokens import user_from_bearer
    from prep.auth.access import enforce_access
    from prep.auth.routes import bp as auth_bp
    from prep.authoring.routes import bp as authoring_bp
    from prep.exams.routes import bp as exams_bp
    from prep.lookup.routes import bp as lookup_bp
    from prep.main.routes import bp as main_bp

    login_manager.request_loader(lambda _request: user_from_bearer())
    for bp in (main_bp, auth_bp, admin_bp, authoring_bp, exams_bp, api_bp, lookup_bp):
        app.register_blueprint(bp)
    if app.config.get("BENCH_ENDPOINTS"):
        from prep.api.bench import bp as bench_bp

        app.register_blueprint(bench_bp)
    app.before_request(enforce_access)

    from prep.cli import register_cli

    register_cli(app)
    _register_template_helpers(app)
    _register_error_handlers(app)
    _add_security_headers(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: WAL (readers never block the writer), foreign keys on, wait on locks."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@login_manager.user_loader
def _load_user(session_id: str):
    from prep.auth.models import User

    user_id, _, generation = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_generation != generation:
        return None  # disabled, or the password changed since this session logged in
    return user


def _register_template_helpers(app: Flask) -> None:
    from prep.domains import domain_name
    from prep.rendering import render_markdown

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["domain_name"] = domain_name
    app.jinja_env.globals["app_name"] = "CodeReady"


def _error_payload(code: int, name: str, message: str):
    from prep.auth.access import wants_json

    if wants_json():
        response = jsonify(error=name, message=message)
        response.status_code = code
        return response
    return render_template("error.html", code=code, name=name, message=message), code


MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "There is nothing here. Check the address, or go back to the start page.",
    405: "This address does not accept that kind of request.",
    413: "What you sent is too large.",
    429: "Too many attempts. Wait a minute and try again.",
    500: "Something went wrong on our side. Nothing you saved was lost; try again in a moment.",
}


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        from prep.auth.access import wants_json

        message = "Your form expired or was sent from another site. Reload the page and try again."
        if not wants_json() and request.method == "POST" and request.referrer:
            flash(message, "error")
            return redirect(request.referrer), 303
        return _error_payload(400, "csrf", message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 500
        message = MESSAGES.get(code) or exc.description or "Error"
        if code == 400 and exc.description and "could not understand" not in exc.description:
            message = exc.description
        return _error_payload(code, (exc.name or "error").lower().replace(" ", "_"), message)

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return _error_payload(500, "server_error", MESSAGES[500])


def _add_security_headers(app: Flask) -> None:
    @app.after_request
    def headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        return response
