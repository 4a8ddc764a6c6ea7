"""Web views: one blueprint per area."""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import get_locale
from werkzeug.exceptions import HTTPException

from ..errors import message
from ..extensions import db, login_manager
from ..models import User

API_ERROR_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                   405: "method_not_allowed", 409: "conflict", 413: "bad_request",
                   415: "bad_request", 429: "rate_limited"}


def register_blueprints(app: Flask) -> None:
    from . import api, auth, host, main, play

    for module in (main, auth, host, play, api):
        app.register_blueprint(module.bp)
    app.context_processor(lambda: {"get_locale": get_locale})
    app.add_template_filter(local_time, "localtime")
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None


def local_path(target: object) -> str | None:
    """``target`` if it is a path on this site ("/..."), else None: never another host, whatever
    the browser makes of "//", "\\" or a scheme."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(c in target for c in "\\\r\n\t") or urlparse(target).scheme or urlparse(target).netloc:
        return None
    return target


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
