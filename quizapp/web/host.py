"""The presenter's pages: sessions, a new session, the projector and the results."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import ValidationError

from ..extensions import db
from ..models import Game, Player, School, SessionSummary
from ..records import scope
from ..services.games import (GameOptions, OptionsError, can_host, check_quizzes,
                              check_suggestions, game_links, help_requests, open_game, results)
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

    chosen_school: School | None = None

    def validate_school(self, field) -> None:
        try:
            self.chosen_school = school_from_input(field.data)
        except OrgError as exc:
            raise ValidationError(exc.message) from None


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
        options = GameOptions(speed_scoring=form.speed_scoring.data,
                              leaderboard_every=int(form.leaderboard_every.data),
                              late_join=form.late_join.data, check=form.check.data or None)
        try:
            game = open_game(quiz, school, current_user, form.class_label.data or "", options,
                             in_person=form.in_person.data)
        except OptionsError as exc:  # the check left the bank since the form was drawn
            form.check.errors = [str(exc)]
        else:
            return redirect(url_for("host.projector", pin=game.pin))
    if not form.is_submitted() and (only := only_school(schools)) is not None:
        form.school.data = only.code
        schools = schools or [only]
    known = schools  # for the check suggestion, with a searched school sent back
    if form.chosen_school is not None and form.chosen_school not in schools:
        known = [*schools, form.chosen_school]
    suggest = check_suggestions(checks, quizzes, known)
    return render_template("host/new.html", form=form, schools=schools, check_suggest=suggest)


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
    """The projector: lobby with QR and PIN, questions, reveals, leaderboards, podium."""
    game = _own_game(pin)
    return render_template("host/projector.html", game=game, links=game_links(game))


@bp.get("/<pin>/console")
@presenter_required
def console(pin: str):
    """The presenter's private screen (a phone or a second window, never the projector):
    controls, players, and students' help requests."""
    game = _own_game(pin)
    return render_template("host/console.html", game=game, links=game_links(game))


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
