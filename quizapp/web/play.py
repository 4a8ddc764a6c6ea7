"""The student's pages: enter a PIN, then join and play on the phone."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import (Blueprint, Response, abort, current_app, redirect, render_template, request,
                   url_for)

from ..extensions import limiter
from ..services.games import game_by_pin, join_url

bp = Blueprint("play", __name__, url_prefix="/play")


def _pin_limit() -> str:
    return current_app.config["RATELIMIT_PIN_MISSES"]


def _missed(response) -> bool:
    """Only wrong PINs count against the limit; students who typed it right never wait."""
    return response.status_code == 404


@bp.get("/")
@limiter.limit(_pin_limit, deduct_when=_missed)
def enter():
    """A PIN typed by hand (when the QR code cannot be scanned)."""
    pin = "".join(c for c in request.args.get("pin", "") if c.isascii() and c.isdigit())[:6]
    if not pin:
        return render_template("play/enter.html", pin="", error=None)
    if game_by_pin(pin) is not None:
        return redirect(url_for("play.join", pin=pin))
    return render_template("play/enter.html", pin=pin, error=True), 404


@bp.get("/<pin>")
@limiter.limit(_pin_limit, deduct_when=_missed)
def join(pin: str):
    """The phone page: join, wait, answer, see results; one page, driven over Socket.IO."""
    game = game_by_pin(pin)
    if game is None:
        return render_template("play/enter.html", pin=pin, error=True), 404
    return render_template("play/play.html", game=game)


@bp.get("/<pin>/qr.svg")
@limiter.limit(_pin_limit, deduct_when=_missed)
def qr(pin: str):
    """The join URL as an SVG QR code, sharp at any projector size."""
    if game_by_pin(pin) is None:
        abort(404)
    image = qrcode.make(join_url(pin), image_factory=qrcode.image.svg.SvgPathImage,
                        error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return Response(buffer.getvalue(), mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=3600"})
