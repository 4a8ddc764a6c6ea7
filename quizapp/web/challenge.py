"""Challenges (docs/challenge.md): a session's quiz played again at home, at the pupils' own
pace, until a deadline.

- ``pupil`` (``/c``): the pupil's phone page, its QR code, the page for parents, and the JSON
  the page plays by (``join``, ``state``, ``answer``, ``talk``). No sign-in: an attempt is
  named by the secret token its join returned, so these are exempt from CSRF (no cookie
  authenticates them) and every error is JSON ``{"ok": false, "error", "message"}``.
- ``host`` (``/host/challenges``): opening a challenge (from a finished session or a quiz), its
  page with the link, the QR code, the card to print, the figures and closing it early.
- ``POST /api/v1/challenges`` and ``GET /api/v1/challenges/<code>/results`` (docs/protocol.md).
"""
from __future__ import annotations

import io
from functools import wraps

import qrcode
import qrcode.image.svg
from flask import (Blueprint, Response, abort, flash, g, jsonify, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import ValidationError

from ..errors import message
from ..extensions import csrf, db, limiter
from ..models import Game, School
from ..records import queries, scope
from ..services import challenges, guesses
from ..services.challenges import ChallengeError
from ..services.games import game_by_pin, public_base_url, results
from ..services.org import OrgError, school_from_input, unit_schools
from ..services.quizzes import find as find_quiz
from ..services.quizzes import runnable
from . import API_ERROR_CODES
from .api import _is_text, api_login_required, fail
from .api import bp as api
from .validators import DataRequired, Length

pupil = Blueprint("challenge", __name__, url_prefix="/c")
host = Blueprint("challenges", __name__, url_prefix="/host/challenges")
csrf.exempt(pupil)  # token-authenticated JSON and plain pages: no cookie to ride on

#: Requests per minute from one address. Pupils play from home, each on their own connection;
#: these only stop a script (wrong codes and tokens are held back by services/guesses.py).
JOIN_LIMIT = "20 per minute"
PLAY_LIMIT = "180 per minute"
#: The largest JSON body a pupil's page sends (an answer is a few dozen bytes).
MAX_BODY = 8 * 1024
JSON_VIEWS = {"challenge.join", "challenge.state", "challenge.answer", "challenge.talk"}


# ----- the pupil's side -----------------------------------------------------------------------

@pupil.errorhandler(ChallengeError)
def _refused(exc: ChallengeError):
    return jsonify(exc.body()), exc.status


@pupil.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    """The JSON views answer every error in JSON (a body too large, a limit reached); the
    pages as the rest of the site does."""
    if request.endpoint in JSON_VIEWS:
        code = API_ERROR_CODES.get(exc.code or 400, "bad_request")
        return jsonify(ok=False, error=code, message=message(code)), exc.code
    if exc.code in (404, 429):
        return render_template("error.html", status=exc.code,
                               text=message("not_found" if exc.code == 404 else "rate_limited")
                               ), exc.code
    return exc


def _address() -> str:
    return request.remote_addr or "unknown"


def _found(code: str) -> Game:
    """The challenge a link names. A code that names none is a miss for the address (guessing
    is what an address is held back for: services/guesses.py); one that does stays open to it."""
    address = _address()
    if not guesses.may_try(address, code):
        raise ChallengeError("rate_limited")
    game = challenges.by_code(code)
    if game is None:
        guesses.count_miss(address)
        raise ChallengeError("challenge_not_found")
    guesses.remember(address, code)
    return game


def _page(code: str) -> Game:
    try:
        return _found(code)
    except ChallengeError as exc:
        abort(exc.status)


def _body() -> dict:
    request.max_content_length = MAX_BODY
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than any real request
        body = None
    if not isinstance(body, dict):
        raise ChallengeError("bad_request", _("Send a JSON object."))
    return body


def _attempt(game: Game, token: object):
    """The attempt a token names; a wrong token is a miss for the address."""
    try:
        return challenges.attempt(game, token)
    except ChallengeError:
        guesses.count_miss(_address())
        raise


@pupil.get("/<code>")
def play(code: str):
    """The pupil's page: a nickname, then the questions one by one, then the end."""
    game = _page(code)
    return render_template("challenge/play.html", game=game, closed=challenges.is_closed(game),
                           deadline=challenges.deadline_text(game))


@pupil.get("/<code>/qr.svg")
def qr(code: str):
    """The challenge's link as an SVG QR code (the presenter's page, the card, a Zalo post)."""
    game = _page(code)
    image = qrcode.make(challenges.url(game), image_factory=qrcode.image.svg.SvgPathImage,
                        error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return Response(buffer.getvalue(), mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=3600"})


@pupil.get("/<code>/parents")
def parents(code: str):
    """One printable page for parents: what the quiz teaches, the red flags, the helplines. No
    name and no score: the same page for every family, open after the deadline too."""
    game = _page(code)
    return render_template("challenge/parents.html", game=game,
                           lessons=challenges.lessons(game), url=challenges.url(game))


@pupil.post("/<code>/join")
@limiter.limit(JOIN_LIMIT)
def join(code: str):
    """``{"nickname", "class_label"?}`` → 201 ``{"ok", "token", "player_id", "nickname",
    "state"}``."""
    game = _found(code)
    body = _body()
    player, token = challenges.join(game, body.get("nickname"), body.get("class_label", ""))
    return jsonify(ok=True, token=token, player_id=player.public_id, nickname=player.nickname,
                   state=challenges.state(game, player)), 201


@pupil.get("/<code>/state")
@limiter.limit(PLAY_LIMIT)
def state(code: str):
    """``?token=`` → ``{"ok": true, ...}``: the attempt's screen (after the deadline too, with
    ``closed: true``)."""
    game = _found(code)
    player = _attempt(game, request.args.get("token"))
    return jsonify(ok=True, **challenges.state(game, player))


@pupil.post("/<code>/answer")
@limiter.limit(PLAY_LIMIT)
def answer(code: str):
    """``{"token", "question": int, "choice": int | [int]}`` → ``{"ok": true, "result",
    "state"}`` (``"duplicate": true`` for the same answer again)."""
    game = _found(code)
    body = _body()
    player = _attempt(game, body.get("token"))
    result, duplicate = challenges.answer(game, player, body.get("question"), body.get("choice"))
    extra = {"duplicate": True} if duplicate else {}
    return jsonify(ok=True, result=result, state=challenges.state(game, player), **extra)


@pupil.post("/<code>/talk")
@limiter.limit(JOIN_LIMIT)
def talk(code: str):
    """``{"token", "answer": "parent" | "someone" | "not_yet"}`` → 201 ``{"ok": true}``, once per
    finished attempt."""
    game = _found(code)
    body = _body()
    player = _attempt(game, body.get("token"))
    challenges.talk(game, player, body.get("answer"))
    return jsonify(ok=True), 201


@pupil.app_template_global("pupils_at_home")
def pupils_at_home(campaign) -> int:
    """Pupils who played a challenge at home in a campaign's window (the public page)."""
    window = queries.Filters(campaign.starts, campaign.ends)
    return queries.self_paced_figures(window.any_mode())["students"]


# ----- the presenter's side (and a school's staff) -----------------------------------------------

def opener_required(view):
    """Signed in as someone who may open a challenge: a presenter, an admin, a school's staff."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not (current_user.can_host or current_user.role == "staff"):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@host.app_template_global("may_open_challenge")
def may_open_challenge(game: Game) -> bool:
    """Whether the signed-in user may follow this session with a challenge (its record page
    offers "Play it at home")."""
    return challenges.may_open_from(current_user, game)


@host.app_template_global("may_manage_challenge")
def may_manage_challenge(game: Game) -> bool:
    return challenges.may_manage(current_user, game)


class ChallengeForm(FlaskForm):
    quiz = SelectField(_l("Quiz"), validate_choice=False)  # checked against what the user may run
    school = StringField(_l("School"), validators=[Length(max=250)])
    class_label = StringField(_l("Class"), validators=[Length(max=40)])
    closes_at = StringField(_l("Open until"), validators=[DataRequired(), Length(max=40)])

    chosen_deadline = None

    def validate_closes_at(self, field) -> None:
        try:
            self.chosen_deadline = challenges.parse_deadline(field.data)
        except ChallengeError as exc:
            raise ValidationError(exc.message) from None


def _session_to_follow(pin: str | None) -> Game | None:
    if not pin:
        return None
    session = game_by_pin(pin)
    if session is None:
        abort(404)
    if not challenges.may_open_from(current_user, session):
        abort(403)
    return session


@host.route("/new", methods=["GET", "POST"])
@opener_required
def new():
    """Open a challenge: from a finished session (``?from=<pin>``: its quiz, school and class)
    or from a quiz, for a school and a class; the deadline in local time."""
    follows = _session_to_follow(request.values.get("from"))
    form = ChallengeForm(formdata=request.form if request.method == "POST" else None)
    quizzes = [q for q in runnable(current_user) if q.kind == "quiz"]
    form.quiz.choices = [SelectChoice(q.slug, f"{q.title} ({q.question_count})") for q in quizzes]
    staff_school = current_user.school if current_user.role == "staff" else None
    if not form.is_submitted():
        form.closes_at.data = challenges.local_input(challenges.default_deadline())
        if request.args.get("quiz"):
            form.quiz.data = request.args["quiz"]
        if follows is not None:
            form.class_label.data = follows.class_label
        elif staff_school is not None:
            form.school.data = staff_school.code
    problem = None
    if follows is not None and follows.phase != "over":
        problem = _("End the session first: the challenge replays it at home.")
    if form.validate_on_submit() and problem is None:
        try:
            game = _open_from_form(form, follows, staff_school)
        except ChallengeError as exc:
            problem = exc.message
        else:
            return redirect(url_for("challenges.show", code=game.code))
    status = 400 if problem and form.is_submitted() else 200
    return render_template("challenge/new.html", form=form, follows=follows, problem=problem,
                           schools=unit_schools(current_user), staff_school=staff_school,
                           max_days=challenges.MAX_DAYS), status


def _open_from_form(form: ChallengeForm, follows: Game | None, staff_school) -> Game:
    label = (form.class_label.data or "").strip()
    if follows is not None:
        return challenges.open_from_session(follows, current_user, form.chosen_deadline, label)
    quiz = find_quiz(current_user, form.quiz.data)
    if quiz is None or quiz.kind != "quiz":
        raise ChallengeError("bad_request", _("Choose a quiz."))
    try:
        school = staff_school or school_from_input(form.school.data or "")
    except OrgError as exc:
        raise ChallengeError("bad_request", exc.message) from None
    if not challenges.may_open_for(current_user, school):
        raise ChallengeError("forbidden", _("You may open a challenge for your own school only."))
    return challenges.open_challenge(quiz, school, current_user, label, form.chosen_deadline)


def _managed(code: str) -> Game:
    game = challenges.by_code(code)
    if game is None:
        abort(404)
    if not challenges.may_manage(current_user, game):
        abort(403)
    return game


@host.get("/<code>")
@opener_required
def show(code: str):
    """The challenge's page: the link and its QR code, the message to post, the deadline, how
    many played, their average score, what they said about talking at home; closing it."""
    game = _managed(code)
    return render_template("challenge/show.html", game=game, figures=challenges.figures(game),
                           url=challenges.url(game), closed=challenges.is_closed(game),
                           deadline=challenges.deadline_text(game),
                           follows=db.session.get(Game, game.follows_id) if game.follows_id
                           else None)


@host.get("/<code>/card")
@opener_required
def card(code: str):
    """The card to print for the class noticeboard: the QR code, the link, the deadline."""
    game = _managed(code)
    return render_template("challenge/card.html", game=game, url=challenges.url(game),
                           deadline=challenges.deadline_text(game))


@host.post("/<code>/close")
@opener_required
def close(code: str):
    """Close the challenge now: answers are refused from here on."""
    game = _managed(code)
    challenges.close(game)
    flash(_("The challenge is closed: pupils can no longer answer. The page for parents stays "
            "open."), "notice")
    return redirect(url_for("challenges.show", code=game.code), code=303)


# ----- the API --------------------------------------------------------------------------------

@api.post("/challenges")
@api_login_required
def api_open_challenge():
    """``{"quiz": slug | "game": pin, "school"?: code, "class_label"?, "closes_at"?}`` → 201
    ``{"code", "url", "qr_url", "closes_at", "page_url"}``."""
    user = g.api_user
    if not (user.can_host or user.role == "staff"):
        return fail(403, "forbidden")
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        body = None
    if not isinstance(body, dict):
        return fail(400, "bad_request", _("Send a JSON object."))
    if ("quiz" in body) == ("game" in body):
        return fail(400, "bad_request", _("Send either quiz (a slug) or game (a session's PIN)."))
    label = body.get("class_label", "")
    school_code = body.get("school")
    if not _is_text(label) or len(label) > 40:
        return fail(400, "bad_request", _("class_label is a text of at most 40 characters."))
    if school_code is not None and not _is_text(school_code):
        return fail(400, "bad_request", _("school is a school's code."))
    try:
        closes_at = (challenges.parse_deadline(body["closes_at"])
                     if body.get("closes_at") is not None else None)
        if "game" in body:
            game = _api_from_session(user, body["game"], school_code, label, closes_at)
        else:
            game = _api_from_quiz(user, body["quiz"], school_code, label, closes_at)
    except ChallengeError as exc:
        return fail(exc.status, exc.code, exc.message)
    return jsonify(code=game.code, url=challenges.url(game), qr_url=challenges.qr_url(game),
                   closes_at=challenges.iso(game.closes_at), pin=game.pin,
                   page_url=public_base_url() + url_for("challenges.show", code=game.code)), 201


def _api_from_session(user, pin: object, school_code, label: str, closes_at) -> Game:
    session = game_by_pin(pin)
    if session is None or session.mode == challenges.MODE:
        raise ChallengeError("game_not_found")
    if not challenges.may_open_from(user, session):
        raise ChallengeError("forbidden")
    if school_code is not None and school_code.strip().upper() != session.school.code:
        raise ChallengeError("bad_request", _("A challenge from a session is for that session's "
                                              "school."))
    return challenges.open_from_session(session, user, closes_at, label)


def _api_from_quiz(user, slug: object, school_code, label: str, closes_at) -> Game:
    if not isinstance(school_code, str) or not school_code.strip():
        raise ChallengeError("bad_request", _("quiz and school are required strings."))
    quiz = find_quiz(user, slug)
    if quiz is None:
        raise ChallengeError("not_found", _("No quiz has this slug."))
    school = db.session.scalar(select(School).where(School.code == school_code.strip().upper()))
    if school is None:
        raise ChallengeError("not_found", _("No school has this code."))
    if not challenges.may_open_for(user, school):
        raise ChallengeError("forbidden", _("You may open a challenge for your own school only."))
    return challenges.open_challenge(quiz, school, user, label, closes_at)


@api.get("/challenges/<code>/results")
@api_login_required
def api_challenge_results(code: str):
    """The challenge's record (as ``/games/<pin>/results``) with its own figures: the deadline,
    whether it is closed, attempts played and finished, the home-talk answers."""
    game = challenges.by_code(code)
    if game is None:
        return fail(404, "challenge_not_found", str(challenges.MESSAGES["challenge_not_found"]))
    user = g.api_user
    if not (scope.may_see_session(user, game) or challenges.may_manage(user, game)):
        return fail(403, "forbidden")
    body = results(game)
    if not (scope.may_see_players(user, game) or challenges.may_manage(user, game)):
        body.update(players=[], players_hidden=True)
    body.update(mode=game.mode, code=game.code, url=challenges.url(game),
                closes_at=challenges.iso(game.closes_at), closed=challenges.is_closed(game),
                follows=game_pin(game.follows_id), **challenges.figures(game).as_dict())
    return jsonify(body)


def game_pin(game_id: int | None) -> str | None:
    return db.session.scalar(select(Game.pin).where(Game.id == game_id)) if game_id else None
