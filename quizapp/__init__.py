"""Không một mình — a live quiz server for online-safety sessions in schools."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix
from sqlalchemy.engine import Engine

from .config import ASYNC_MODES, Config
from .extensions import babel, compress, csrf, db, limiter, login_manager, migrate, socketio

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | type | None = None) -> Flask:
    """Build the app: defaults, then ``instance/config.py`` if present, then ``test_config``."""
    app = Flask(__name__, instance_relative_config=True,
                instance_path=_instance_path(),
                static_folder=str(ROOT / "static"), template_folder=str(ROOT / "templates"))
    app.config.from_object(Config)
    app.config.from_pyfile("config.py", silent=True)
    if isinstance(test_config, dict):
        app.config.from_mapping(test_config)
    elif test_config is not None:
        app.config.from_object(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _fill_defaults(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(ROOT / "quizapp" / "translations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    # Handlers must be registered before init_app, which hands them to each new server.
    from .realtime import handlers, packets

    packets.install()

    socketio.init_app(app, async_mode=app.config["ASYNC_MODE"],
                      message_queue=app.config["REDIS_URL"] or None,
                      channel=app.config["SOCKETIO_CHANNEL"],
                      ping_interval=app.config["PING_INTERVAL"],
                      ping_timeout=app.config["PING_TIMEOUT"], max_http_buffer_size=64 * 1024,
                      serializer=packets.SocketIOPacket)
    handlers.install_light_events(app, socketio.server)
    if socketio.server.eio.async_mode == "gevent":
        from .realtime import pings

        pings.install()

    from . import cli, models  # noqa: F401  (models register their tables)
    from .web import register_blueprints

    register_blueprints(app)
    cli.init_app(app)
    if app.config["PROXIES"]:
        # the client's own address (rate limits) and scheme, from the proxy's headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXIES"],
                                x_proto=app.config["PROXIES"])
    return app


def _instance_path() -> str | None:
    """``QUIZAPP_INSTANCE_PATH`` moves the instance folder (database, secret) elsewhere."""
    path = os.environ.get("QUIZAPP_INSTANCE_PATH")
    return os.path.abspath(path) if path else None


def _fill_defaults(app: Flask) -> None:
    mode = app.config["ASYNC_MODE"]
    if mode not in ASYNC_MODES:
        raise RuntimeError(f"QUIZAPP_ASYNC_MODE must be one of {', '.join(ASYNC_MODES)}")
    if app.config["ENVIRONMENT"] == "production":
        _require_real_secret(app.config.get("SECRET_KEY") or "")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_path = Path(app.instance_path) / "quizapp.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgresql://"):]
    if not app.config.get("QUESTIONS_DIR"):
        app.config["QUESTIONS_DIR"] = str(ROOT / "questions")


WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "test-secret-key", "default"}


def _require_real_secret(key: str) -> None:
    """Production needs QUIZAPP_SECRET_KEY: at least 32 characters, not a placeholder."""
    if key.lower() in WEAK_SECRETS or len(key) < 32 or len(set(key)) < 10:
        raise RuntimeError(
            "QUIZAPP_ENV=production needs QUIZAPP_SECRET_KEY set to a random value of at least "
            "32 characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'")


def _instance_secret(instance: Path) -> str:
    """A random secret kept in the instance folder, so a laptop install needs no set-up and
    sessions survive a restart."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    os.chmod(path, 0o600)
    return key


def select_locale() -> str:
    """The deployment's language (``QUIZAPP_LANGUAGE``: Vietnamese unless set) unless the
    visitor chose the other (``?lang=`` or the ``lang`` cookie). Outside a request (a Socket.IO
    event handled without one), the connection's language in ``g``; a command's output is in
    the deployment's language."""
    if has_request_context():
        choice = request.args.get("lang") or request.cookies.get("lang")
    else:
        choice = g.get("locale") if has_app_context() else None
    if choice in Config.LANGUAGES:
        return choice
    default = current_app.config.get("BABEL_DEFAULT_LOCALE") if has_app_context() else None
    return default if default in Config.LANGUAGES else Config.BABEL_DEFAULT_LOCALE


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: write-ahead log (readers never block the writer), wait on locks instead of
    failing, and enforce foreign keys."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
