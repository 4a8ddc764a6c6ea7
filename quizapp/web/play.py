"""The student's pages: enter a PIN, then join and play on the phone."""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from ..models import Game
from ..services import guesses
from ..services.games import game_by_pin, join_url
from ..services.qr import svg as qr_svg

bp = Blueprint("play", __name__, url_prefix="/play")


def _guessed(pin: str) -> Game | None:
    """The game a phone asks for by PIN (typed, or in the QR code's URL). Only PINs that find
    no game count against the address; a school whose address is held back keeps the PINs it
    already used (see services/guesses.py)."""
    address = request.remote_addr or "unknown"
    if not guesses.may_try(address, pin):
        abort(429)
    game = game_by_pin(pin)
    if game is None or game.mode != "live":  # a challenge is opened by its link, not its PIN
        guesses.count_miss(address)
        return None
    guesses.remember(address, game.pin)
    return game


@bp.get("/")
def enter():
    """A PIN typed by hand (when the QR code cannot be scanned)."""
    pin = "".join(c for c in request.args.get("pin", "") if c.isascii() and c.isdigit())[:6]
    if not pin:
        return render_template("play/enter.html", pin="", error=None)
    if _guessed(pin) is not None:
        return redirect(url_for("play.join", pin=pin))
    return render_template("play/enter.html", pin=pin, error=True), 404


@bp.get("/<pin>")
def join(pin: str):
    """The phone page: join, wait, answer, see results; one page, driven over Socket.IO."""
    game = _guessed(pin)
    if game is None:
        return render_template("play/enter.html", pin=pin, error=True), 404
    return render_template("play/play.html", game=game)


@bp.get("/<pin>/qr.svg")
def qr(pin: str):
    """The join URL as an SVG QR code, sharp at any projector size."""
    if _guessed(pin) is None:
        abort(404)
    return Response(qr_svg(join_url(pin)), mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=3600"})
