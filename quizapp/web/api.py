"""The JSON API (``/api/v1``): tokens, quizzes, sessions and their results, schools."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..errors import message
from ..extensions import csrf, db, limiter
from ..models import Game, Quiz, School, User
from ..records import scope
from ..services.accounts import authenticate, issue_api_token, user_for_api_token
from ..services.org import school_json, search_schools
from ..services.quizzes import find as find_quiz
from ..services.quizzes import visible as visible_quizzes
from ..services.games import (GameOptions, OptionsError, can_host, game_by_pin, game_links,
                              open_game, player_count, results)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def fail(status: int, code: str, text: str | None = None):
    return jsonify(error=code, message=text or message(code)), status


def _is_text(value: object) -> bool:
    """A string that can be stored: no lone surrogates (valid JSON can carry them)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def api_login_required(view):
    """Bearer token from ``POST /api/v1/tokens``, or the browser's signed-in session."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        user: User | None = None
        if header.startswith("Bearer "):
            user = user_for_api_token(header[7:].strip())
        elif current_user.is_authenticated:
            user = current_user._get_current_object()
        if user is None:
            return fail(401, "unauthorized")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped


@bp.post("/tokens")
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"])
def create_token():
    """HTTP Basic credentials in, a bearer token out."""
    try:
        auth = request.authorization
    except ValueError:  # a Basic header that is not base64 of text
        auth = None
    if auth is None or auth.type != "basic" or not auth.username or not auth.password:
        return fail(401, "unauthorized")
    user = authenticate(auth.username, auth.password)
    if user is None:
        return fail(401, "unauthorized", _("Wrong username or password."))
    return jsonify(token=issue_api_token(user), role=user.role)


@bp.get("/quizzes")
@api_login_required
def quizzes():
    rows = db.session.scalars(select(Quiz).where(visible_quizzes(g.api_user))
                              .order_by(Quiz.slug)).all()
    return jsonify(quizzes=[{"slug": q.slug, "title": q.title, "language": q.language,
                             "questions": q.question_count, "kind": q.kind, "level": q.level,
                             "status": q.status, "origin": q.origin,
                             "translation_of": q.translation_of}
                            for q in rows])


@bp.post("/games")
@api_login_required
def create_game():
    """Open a session: ``{"quiz": slug, "school": code, "class_label"?, "options"?}``."""
    user = g.api_user
    if not user.can_host:
        return fail(403, "forbidden")
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than any real request
        body = None
    if not isinstance(body, dict):
        return fail(400, "bad_request", _("Send a JSON object."))
    slug, code = body.get("quiz"), body.get("school")
    label = body.get("class_label", "")
    if not all(_is_text(v) for v in (slug, code, label)):
        return fail(400, "bad_request", _("quiz and school are required strings."))
    if len(label) > 40:
        return fail(400, "bad_request", _("class_label is at most 40 characters."))
    in_person = body.get("in_person", True)
    if not isinstance(in_person, bool):
        return fail(400, "bad_request", _("in_person must be true or false."))
    try:
        options = GameOptions.parse(body.get("options"))
    except OptionsError as exc:
        return fail(400, "bad_request", str(exc))
    quiz = find_quiz(user, slug)
    if quiz is None:
        return fail(404, "not_found", _("No quiz has this slug."))
    school = db.session.scalar(select(School).where(School.code == code.strip().upper()))
    if school is None:
        return fail(404, "not_found", _("No school has this code."))
    game = open_game(quiz, school, user, label, options, in_person=in_person)
    return jsonify(**game_links(game), host_token=game.host_token), 201


def _game_for(pin: str, check) -> tuple[Game | None, tuple | None]:
    game = game_by_pin(pin)
    if game is None:
        return None, fail(404, "game_not_found")
    if not check(g.api_user, game):
        return None, fail(403, "forbidden")
    return game, None


@bp.get("/games/<pin>")
@api_login_required
def game_state(pin: str):
    game, problem = _game_for(pin, scope.may_see_session)
    if problem:
        return problem
    return jsonify(pin=game.pin, quiz=game.quiz.slug, school=game.school.code,
                   class_label=game.class_label, phase=game.phase, index=game.current_index,
                   total=len(game.questions), players=player_count(game),
                   options=game.options, in_person=game.in_person,
                   **({"host_token": game.host_token} if can_host(g.api_user, game) else {}))


@bp.get("/games/<pin>/results")
@api_login_required
def game_results(pin: str):
    """The session's record, as its page shows it to the caller: without the players'
    nicknames for those who see figures only (``players_hidden``)."""
    game, problem = _game_for(pin, scope.may_see_session)
    if problem:
        return problem
    body = results(game)
    if not scope.may_see_players(g.api_user, game):
        body.update(players=[], players_hidden=True)
    return jsonify(body)


@bp.get("/schools")
@api_login_required
def schools():
    """Schools the caller may see (staff their own, everyone else all, to open sessions) whose
    name or code has the words of ``q``, with or without diacritics; the caller's own unit's
    schools first. ``limit``: at most 200."""
    rows = search_schools(request.args.get("q", ""), g.api_user,
                          limit=request.args.get("limit", 200, type=int))
    return jsonify(schools=[school_json(s) for s in rows])
