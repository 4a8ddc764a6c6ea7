"""Configuration: defaults read from the environment, one override class for tests."""
from __future__ import annotations

import os

ASYNC_MODES = ("gevent", "eventlet", "threading")


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings for a real server. Every value can be set from the environment."""

    # Empty means: use (and create once) instance/secret_key, so a laptop install needs no setup.
    SECRET_KEY = os.environ.get("QUIZAPP_SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # gevent by default. eventlet works for the embedded SQLite set-up only: psycopg 3 blocks
    # eventlet's hub, so PostgreSQL deployments must use gevent. threading is for tests.
    ASYNC_MODE = os.environ.get("QUIZAPP_ASYNC_MODE", "gevent")
    PUBLIC_URL = os.environ.get("QUIZAPP_PUBLIC_URL", "")
    HOST = os.environ.get("QUIZAPP_HOST", "0.0.0.0")
    PORT = int(os.environ.get("QUIZAPP_PORT", "5000"))
    ADMIN_PASSWORD = os.environ.get("QUIZAPP_ADMIN_PASSWORD", "")
    QUESTIONS_DIR = os.environ.get("QUIZAPP_QUESTIONS_DIR", "")
    SEED_DEMO = _bool("QUIZAPP_SEED_DEMO", True)
    TIMEZONE = os.environ.get("QUIZAPP_TIMEZONE", "Asia/Ho_Chi_Minh")
    BABEL_DEFAULT_LOCALE = "vi"
    LANGUAGES = ("vi", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    API_TOKEN_MAX_AGE = 12 * 3600
    # Seconds between coalesced host updates (lobby list, answered counter).
    HOST_UPDATE_INTERVAL = 0.3
    JSON_SORT_KEYS = False


class TestConfig(Config):
    """Tests: threading mode for the Flask-SocketIO test client, no demo data unless asked."""

    TESTING = True
    ASYNC_MODE = "threading"
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = False
    SEED_DEMO = False
    HOST_UPDATE_INTERVAL = 0.05
