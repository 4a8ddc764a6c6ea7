"""The presenter's pages: sessions, a new session, the projector and the results; the lobby's
Wi-Fi step and the printable join card (docs/classroom.md)."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import ValidationError

from ..extensions import db, socketio
from ..models import Game, Player, School, SessionSummary
from ..realtime.live import host_room
from ..records import scope
from ..services import qr, wifi
from ..services.games import (TEAM_DISCUSSION, GameOptions, OptionsError, can_host,
                              check_quizzes, check_suggestions, game_links, help_requests,
                              open_game, results)
from ..services.org import OrgError, only_school, school_from_input, unit_schools
from ..services.quizzes import find as find_quiz
from ..services.quizzes import runnable
from .validators import DataRequired, Length

bp = Blueprint("host", __name__, url_prefix="/host")


def presenter_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.can_host:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


WIFI_SECURITY = [SelectChoice("WPA", _l("WPA, WPA2 or WPA3")),
                 SelectChoice("WEP", "WEP"), SelectChoice("nopass", _l("None (an open network)"))]


def _network_from(form) -> wifi.WifiNetwork:
    """The network a presenter typed (``wifi_*`` fields), or ``WifiError``."""
    return wifi.network(form.get("wifi_ssid", ""), form.get("wifi_password", ""),
                        form.get("wifi_security", "WPA"),
                        form.get("wifi_hidden") in ("y", "on", "1"))


class NewSessionForm(FlaskForm):
    quiz = SelectField(_l("Quiz"), validators=[DataRequired()])
    # the code, or "CODE — Name" as the school search writes it, or words of the name
    school = StringField(_l("School"), validators=[DataRequired(), Length(max=250)])
    class_label = StringField(_l("Class"), validators=[Length(max=40)])
    speed_scoring = BooleanField(_l("Faster answers score more"), default=True)
    leaderboard_every = SelectField(
        _l("Leaderboard"), default="1",
        choices=[SelectChoice("1", _l("After every question")),
                 SelectChoice("2", _l("Every 2 questions")),
                 SelectChoice("3", _l("Every 3 questions")),
                 SelectChoice("0", _l("Only at the end"))])
    late_join = BooleanField(_l("Students may join after the start"), default=True)
    in_person = BooleanField(_l("In person at the school"), default=True)
    check = SelectField(_l("Knowledge check (before and after)"), default="")
    # Teams and timing (docs/teams.md): "auto" gives teams TEAM_DISCUSSION seconds, else none.
    team_mode = BooleanField(_l("Teams share phones"))
    discussion = SelectField(
        _l("Discussion time before answering"), default="auto",
        choices=[SelectChoice("auto", _l("Automatic: 10 seconds with teams, else none")),
                 SelectChoice("0", _l("None")), SelectChoice("10", _l("10 seconds")),
                 SelectChoice("15", _l("15 seconds")), SelectChoice("20", _l("20 seconds"))])
    time_factor = SelectField(
        _l("Time to answer"), default="1",
        choices=[SelectChoice("1", _l("Normal")), SelectChoice("1.5", _l("One and a half times")),
                 SelectChoice("2", _l("Twice as long"))])
    no_timer = BooleanField(_l("No countdown: each question stays open until I reveal it"))
    # The hotspot phones join first (optional): never stored, see services/wifi.py. Not drawn
    # again with the form's value: the password goes back to no page.
    wifi_ssid = StringField(_l("Wi-Fi name"), validators=[Length(max=64)])
    wifi_password = PasswordField(_l("Wi-Fi password"), validators=[Length(max=64)])
    wifi_security = SelectField(_l("Security"), default="WPA", choices=WIFI_SECURITY)
    wifi_hidden = BooleanField(_l("Hidden network (not listed by phones)"))

    chosen_school: School | None = None
    chosen_network: wifi.WifiNetwork | None = None

    def validate_school(self, field) -> None:
        try:
            self.chosen_school = school_from_input(field.data)
        except OrgError as exc:
            raise ValidationError(exc.message) from None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.wifi_ssid.data or self.wifi_password.data):
            return valid
        try:
            self.chosen_network = wifi.network(self.wifi_ssid.data, self.wifi_password.data,
                                               self.wifi_security.data, self.wifi_hidden.data)
        except wifi.WifiError as exc:
            for name, message in exc.errors.items():
                field = self["wifi_" + name]
                field.errors = [*field.errors, message]
            return False
        return valid


@bp.get("/")
@presenter_required
def index():
    query = select(Game).order_by(Game.created_at.desc()).limit(50)
    if not current_user.is_admin:
        query = query.where(Game.presenter_id == current_user.id)
    games = db.session.scalars(query).all()
    counts = dict(db.session.execute(
        select(Player.game_id, func.count(Player.id))
        .where(Player.game_id.in_([g.id for g in games]), Player.active.is_(True))
        .group_by(Player.game_id)).all())
    return render_template("host/index.html", games=games, counts=counts)


@bp.route("/new", methods=["GET", "POST"])
@presenter_required
def new():
    form = NewSessionForm(formdata=request.form if request.method == "POST" else None)
    quizzes = runnable(current_user)
    form.quiz.choices = [SelectChoice(q.slug, f"{q.title} ({q.question_count})") for q in quizzes]
    if not form.is_submitted() and request.args.get("quiz"):  # "Run it now" from the editor
        form.quiz.data = request.args["quiz"]
    schools = unit_schools(current_user)  # the presenter's own unit's; others by search
    checks = check_quizzes(current_user)
    form.check.choices = [SelectChoice("", _l("None"))] + [
        SelectChoice(c.slug, f"{c.title} ({c.question_count})") for c in checks]
    if form.validate_on_submit():
        quiz = find_quiz(current_user, form.quiz.data)
        school = form.chosen_school
        discussion = form.discussion.data
        options = GameOptions(speed_scoring=form.speed_scoring.data,
                              leaderboard_every=int(form.leaderboard_every.data),
                              late_join=form.late_join.data, check=form.check.data or None,
                              team_mode=form.team_mode.data,
                              discussion=(TEAM_DISCUSSION if form.team_mode.data else 0)
                              if discussion == "auto" else int(discussion),
                              time_factor=float(form.time_factor.data)
                              if form.time_factor.data == "1.5" else int(form.time_factor.data),
                              no_timer=form.no_timer.data)
        try:
            game = open_game(quiz, school, current_user, form.class_label.data or "", options,
                             in_person=form.in_person.data)
        except OptionsError as exc:  # the check left the bank since the form was drawn
            form.check.errors = [str(exc)]
        else:
            if form.chosen_network is not None:
                # The lobby's address, with the same form (307 keeps it a POST, so the password
                # is in no URL): that request reaches the process hosting the game, which keeps
                # the network in its memory (services/wifi.py), then shows the lobby.
                return redirect(url_for("host.wifi_set", pin=game.pin), code=307)
            return redirect(url_for("host.projector", pin=game.pin))
    if not form.is_submitted() and (only := only_school(schools)) is not None:
        form.school.data = only.code
        schools = schools or [only]
    known = schools  # for the check suggestion, with a searched school sent back
    if form.chosen_school is not None and form.chosen_school not in schools:
        known = [*schools, form.chosen_school]
    suggest = check_suggestions(checks, quizzes, known)
    return render_template("host/new.html", form=form, schools=schools, check_suggest=suggest,
                           laptop_wifi=wifi.configured())


def _own_game(pin: str, check=can_host) -> Game:
    game = db.session.scalar(select(Game).where(Game.pin == pin))
    if game is None:
        abort(404)
    if not check(current_user, game):
        abort(403)
    return game


@bp.get("/<pin>")
@presenter_required
def projector(pin: str):
    """The projector: lobby (the Wi-Fi step, QR and PIN), questions, reveals, leaderboards,
    podium."""
    game = _own_game(pin)
    if game.mode == "challenge":  # played at home: its own page, no live screen
        return redirect(url_for("challenges.show", code=game.code))
    return render_template("host/projector.html", game=game, links=game_links(game),
                           lobby=_lobby(game)[1], wifi_security=WIFI_SECURITY)


@bp.get("/<pin>/console")
@presenter_required
def console(pin: str):
    """The presenter's private screen (a phone or a second window, never the projector):
    controls, players, and students' help requests; with no projector (presenter mode), the
    whole session in large type."""
    game = _own_game(pin)
    if game.mode == "challenge":
        return redirect(url_for("challenges.show", code=game.code))
    return render_template("host/console.html", game=game, links=game_links(game),
                           lobby=_lobby(game)[1], wifi_security=WIFI_SECURITY)


@bp.get("/<pin>/results")
@login_required
def results_page(pin: str):
    """The session's record, printable on one page: who, where, when, the figures, the
    questions most missed and every question's answers; the players' nicknames for those who
    may see them, the help requests for the presenter and the admin only."""
    game = _own_game(pin, check=scope.may_see_session)
    return render_template(
        "host/results.html", game=game, results=results(game),
        summary=db.session.get(SessionSummary, game.id),
        players_shown=scope.may_see_players(current_user, game),
        help=help_requests(game) if scope.may_see_help(current_user, game) else None)


# ----- the lobby's Wi-Fi step and the join card (docs/classroom.md) ----------------------------

def _lobby(game: Game) -> tuple[wifi.WifiNetwork | None, dict]:
    """The session's Wi-Fi network and its lobby's view (``Lobbies.view``). An ended session
    forgets its network."""
    store = wifi.lobbies()
    if game.phase == "over":
        store.forget(game.pin)
        return None, {"wifi": None, "source": None, "step": "join", "version": 0, "laptop": None}
    return store.view(game.pin, wifi.configured())


def _lobby_changed(game: Game) -> dict:
    """Tell the session's presenter screens (projector and console) what the lobby shows now:
    ``lobby:step`` with the view, never the password."""
    view = _lobby(game)[1]
    socketio.emit("lobby:step", view, to=host_room(game.pin))
    return view


@bp.get("/<pin>/wifi")
@presenter_required
def wifi_view(pin: str):
    """The lobby's Wi-Fi step as JSON (a reconnecting screen draws it again)."""
    return jsonify(_lobby(_own_game(pin))[1])


@bp.post("/<pin>/wifi")
@presenter_required
def wifi_set(pin: str):
    """Set the session's network (``wifi_ssid``, ``wifi_password``, ``wifi_security``,
    ``wifi_hidden``), or with ``action``: ``none`` (no Wi-Fi step), ``laptop`` (the laptop's
    own, QUIZAPP_WIFI_*). A form's POST only: the password is never in a URL. Answers JSON to
    a script (``Accept: application/json``: 400 with a message per field), else goes to the
    lobby."""
    game = _own_game(pin)
    store = wifi.lobbies()
    action = request.form.get("action", "save")
    try:
        if action == "none":
            store.set_network(game.pin, None)
        elif action == "laptop":
            store.use_configured(game.pin)
        elif action == "save":
            store.set_network(game.pin, _network_from(request.form))
        else:
            abort(400)
    except wifi.WifiError as exc:
        if _wants_json():
            return jsonify({"ok": False, "errors": exc.errors}), 400
        abort(400)
    view = _lobby_changed(game)
    if _wants_json():
        return jsonify({"ok": True, **view})
    return redirect(url_for("host.projector", pin=game.pin), code=303)


@bp.post("/<pin>/step")
@presenter_required
def lobby_step(pin: str):
    """Show the lobby's step ``step``: ``wifi``, ``join`` or ``both`` (from the projector or
    the console; both screens follow)."""
    game = _own_game(pin)
    step = request.form.get("step")
    if step not in wifi.STEPS:
        return jsonify({"ok": False, "error": "bad_request"}), 400
    wifi.lobbies().set_step(game.pin, step)
    return jsonify({"ok": True, **_lobby_changed(game)})


@bp.get("/<pin>/wifi.svg")
@presenter_required
def wifi_qr(pin: str):
    """The Wi-Fi QR code: the password's only way out of the server, to the session's presenter
    alone, and kept by no cache."""
    network = _lobby(_own_game(pin))[0]
    if network is None:
        abort(404)
    return Response(qr.svg(network.payload()), mimetype="image/svg+xml",
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@bp.get("/<pin>/card")
@presenter_required
def card(pin: str):
    """The join card, one A4 page to print when there is no projector (or to pin on the
    door): the PIN, the join QR code, the Wi-Fi QR code if there is one, three lines on
    what to do."""
    game = _own_game(pin)
    return render_template("host/card.html", game=game, links=game_links(game),
                           lobby=_lobby(game)[1])


def _wants_json() -> bool:
    accept = request.accept_mimetypes
    return accept.best == "application/json"
