"""Home page, language choice and health check."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy import text

from ..extensions import db
from ..realtime.live import live_games
from . import local_path

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("home.html")


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember the chosen language in a cookie and go back where the visitor was."""
    target = local_path(request.args.get("next")) or url_for("main.index")
    response = redirect(target)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@bp.get("/healthz")
def healthz():
    """The database answers; ``games`` is how many live games this process holds."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok", games=len(live_games(current_app._get_current_object())))
