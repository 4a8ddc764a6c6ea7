"""Web views: one blueprint per area."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from flask import Flask, current_app, jsonify, render_template, request, url_for
from flask_babel import get_locale
from werkzeug.exceptions import HTTPException

from ..errors import message
from ..extensions import db, login_manager
from ..models import User

API_ERROR_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                   405: "method_not_allowed", 409: "conflict", 413: "bad_request",
                   415: "bad_request", 429: "rate_limited"}


def register_blueprints(app: Flask) -> None:
    from . import (admin, api, api_org, api_records, auth, editor, host, main,  # noqa: F401
                   api_sync, play, quiz_files, records, resources)  # (api_*: api routes)
    from . import challenge  # before the API is registered: it adds the API's challenge routes

    for module in (main, auth, host, play, api, admin, records, editor, quiz_files,
                   resources):
        app.register_blueprint(module.bp)
    app.register_blueprint(records.public)
    app.register_blueprint(editor.media)
    app.register_blueprint(challenge.pupil)
    app.register_blueprint(challenge.host)
    app.context_processor(lambda: {"get_locale": get_locale, "asset": asset_url})
    app.add_template_filter(local_time, "localtime")
    app.after_request(_buffer_static_files)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.active else None  # deactivated: signed out


def local_path(target: object) -> str | None:
    """``target`` if it is a path on this site ("/..."), else None: never another host, whatever
    the browser makes of "//", "\\" or a scheme."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(c in target for c in "\\\r\n\t") or urlparse(target).scheme or urlparse(target).netloc:
        return None
    return target


@lru_cache(maxsize=None)
def _asset_version(path: str, mtime: float) -> str:
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()[:10]


def asset_url(filename: str) -> str:
    """A static file's URL carrying a hash of its content, so a phone never runs a stale script
    after an update while it may cache the file for an hour."""
    path = Path(current_app.static_folder) / filename
    version = _asset_version(str(path), path.stat().st_mtime) if path.exists() else "0"
    return url_for("static", filename=filename, v=version)


def _buffer_static_files(response):
    """Static files are small: read them whole so they are compressed like pages (runs before
    Flask-Compress, which leaves streamed responses to brotli only)."""
    if request.endpoint == "static" and response.direct_passthrough and response.status_code == 200:
        body = response.response
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        response.direct_passthrough = False
        response.set_data(data)
    return response


def local_time(value: datetime | str | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """A stored UTC time (datetime or ISO text) in the deployment's time zone."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.removesuffix("Z"))
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return value.replace(tzinfo=timezone.utc).astimezone(zone).strftime(fmt)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _http_error(exc: HTTPException):
    code = API_ERROR_CODES.get(exc.code or 500, "bad_request")
    if _wants_json():
        return jsonify(error=code, message=message(code)), exc.code
    if exc.code in (403, 404, 429):
        return render_template("error.html", status=exc.code, text=message(code)), exc.code
    return exc


def _unexpected_error(exc: Exception):
    db.session.rollback()
    from flask import current_app

    current_app.logger.exception("unhandled error on %s", request.path)
    if _wants_json():
        return jsonify(error="internal_error", message=message("internal_error")), 500
    return "Internal Server Error", 500
