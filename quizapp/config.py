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

    # "production" for a shared deployment: the server then refuses to start without a real
    # QUIZAPP_SECRET_KEY (every process must share it, and a default one would let anyone forge
    # a presenter's session). Elsewhere an empty key means: use (and create once)
    # instance/secret_key, so a laptop install needs no set-up.
    ENVIRONMENT = os.environ.get("QUIZAPP_ENV", "development")
    SECRET_KEY = os.environ.get("QUIZAPP_SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # With REDIS_URL: the Socket.IO message queue's channel, and the rate limits' key prefix
    # (separate deployments may share one Redis).
    SOCKETIO_CHANNEL = os.environ.get("QUIZAPP_REDIS_CHANNEL", "quizapp")
    RATELIMIT_KEY_PREFIX = os.environ.get("QUIZAPP_REDIS_CHANNEL", "quizapp")
    # gevent by default. eventlet works for the embedded SQLite set-up only: psycopg 3 blocks
    # eventlet's hub, so PostgreSQL deployments must use gevent. threading is for tests.
    ASYNC_MODE = os.environ.get("QUIZAPP_ASYNC_MODE", "gevent")
    PUBLIC_URL = os.environ.get("QUIZAPP_PUBLIC_URL", "")
    # Behind nginx: how many proxies set X-Forwarded-For/-Proto (0 when clients connect directly).
    PROXIES = int(os.environ.get("QUIZAPP_PROXIES", "0"))
    HOST = os.environ.get("QUIZAPP_HOST", "0.0.0.0")
    PORT = int(os.environ.get("QUIZAPP_PORT", "5000"))
    ADMIN_PASSWORD = os.environ.get("QUIZAPP_ADMIN_PASSWORD", "")
    QUESTIONS_DIR = os.environ.get("QUIZAPP_QUESTIONS_DIR", "")
    # uploaded pictures of questions (and the resources page's files): the instance folder's
    # media/ unless set
    MEDIA_DIR = os.environ.get("QUIZAPP_MEDIA_DIR", "")
    # the largest request body read at all (a resource file of 20 MB and its form); each upload
    # has its own, smaller limit
    # field kit: a laptop removes the children's data of a session the central server confirmed;
    # how long (s) the link token a central server gives a laptop at "sync pull" stays valid
    SYNC_PURGE = _bool("QUIZAPP_SYNC_PURGE", True)
    SYNC_LINK_MAX_AGE = int(os.environ.get("QUIZAPP_SYNC_LINK_MAX_AGE", str(180 * 24 * 3600)))
    MAX_CONTENT_LENGTH = int(os.environ.get("QUIZAPP_MAX_UPLOAD_MB", "25")) * 1024 * 1024
    SEED_DEMO = _bool("QUIZAPP_SEED_DEMO", True)
    # The laptop's hotspot, shown in every lobby as a Wi-Fi QR code (a session may set its own;
    # docs/classroom.md). The password is kept in memory only: never logged or stored.
    WIFI_SSID = os.environ.get("QUIZAPP_WIFI_SSID", "")
    WIFI_PASSWORD = os.environ.get("QUIZAPP_WIFI_PASSWORD", "")
    WIFI_SECURITY = os.environ.get("QUIZAPP_WIFI_SECURITY", "WPA")  # WPA, WEP or nopass
    WIFI_HIDDEN = _bool("QUIZAPP_WIFI_HIDDEN", False)
    TIMEZONE = os.environ.get("QUIZAPP_TIMEZONE", "Asia/Ho_Chi_Minh")
    # The person to contact for difficulties (named in the campaign letter): shown to presenters
    # and school staff and printed on the reports. Admins may change it in the app.
    SUPPORT_NAME = os.environ.get("QUIZAPP_SUPPORT_NAME", "")
    SUPPORT_UNIT = os.environ.get("QUIZAPP_SUPPORT_UNIT", "")
    SUPPORT_PHONE = os.environ.get("QUIZAPP_SUPPORT_PHONE", "")
    LANGUAGES = ("vi", "en")
    #: the language of pages until a visitor picks the other, and of commands' output
    BABEL_DEFAULT_LOCALE = (os.environ.get("QUIZAPP_LANGUAGE", "vi")
                            if os.environ.get("QUIZAPP_LANGUAGE", "vi") in LANGUAGES else "vi")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    API_TOKEN_MAX_AGE = 12 * 3600
    # Rate limits (Flask-Limiter syntax), kept in Redis when REDIS_URL is set so that every
    # process counts together. A school's phones share one public address, so joining an open
    # game is bounded by the game's size and per connection, never per address; wrong PINs and
    # tokens are what an address is held back for (quizapp/services/guesses.py).
    # (quizapp-memory: limits' memory storage without a timer thread per hit, quizapp/ratelimit.py)
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "quizapp-memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = os.environ.get("QUIZAPP_LIMIT_LOGIN", "10 per minute")
    RATELIMIT_LOGIN_USER = os.environ.get("QUIZAPP_LIMIT_LOGIN_USER", "5 per minute")
    RATELIMIT_PIN_MISSES = os.environ.get("QUIZAPP_LIMIT_PIN_MISSES", "30 per minute")
    RATELIMIT_JOINS_PER_CONNECTION = os.environ.get("QUIZAPP_LIMIT_JOINS_PER_CONNECTION",
                                                    "10 per minute")
    # Largest number of players in one game (a school assembly is up to ~2,000).
    MAX_PLAYERS = int(os.environ.get("QUIZAPP_MAX_PLAYERS", "3000"))
    # Engine.IO heartbeat (whole seconds): a ping every PING_INTERVAL; a phone that has not answered
    # within PING_TIMEOUT more is dropped (and resumes when it comes back).
    PING_INTERVAL = int(os.environ.get("QUIZAPP_PING_INTERVAL", "10"))
    PING_TIMEOUT = int(os.environ.get("QUIZAPP_PING_TIMEOUT", "20"))
    # Seconds an idle keep-alive HTTP connection is kept open (the gevent server): phones keep
    # the connections they loaded the page with, and need only their WebSocket after joining.
    KEEPALIVE_TIMEOUT = float(os.environ.get("QUIZAPP_KEEPALIVE_TIMEOUT", "15"))
    # Seconds between coalesced host updates (lobby list, answered counter).
    HOST_UPDATE_INTERVAL = 0.3
    JSON_SORT_KEYS = False
    # Phones on 3G: pages, styles and scripts go out compressed (gzip; brotli where asked).
    COMPRESS_MIMETYPES = ["text/html", "text/css", "application/javascript", "text/javascript",
                          "application/json", "image/svg+xml"]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIN_SIZE = 500
    # Static files may be cached for an hour; pages add a hash of the content to their URLs, so
    # an update reaches phones at once.
    SEND_FILE_MAX_AGE_DEFAULT = 3600


class TestConfig(Config):
    """Tests: threading mode for the Flask-SocketIO test client, no demo data unless asked."""

    TESTING = True
    ASYNC_MODE = "threading"
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = False
    SEED_DEMO = False
    HOST_UPDATE_INTERVAL = 0.05
    WIFI_SSID = WIFI_PASSWORD = ""  # whatever the machine running the tests has set
